package telegram

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// pipedUpload builds a request the way telebot uploads: multipart streamed
// through a pipe, the file first and chat_id after it.
func pipedUpload(t *testing.T, file []byte, fields map[string]string) *http.Request {
	t.Helper()
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	go func() {
		part, _ := w.CreateFormFile("photo", "meme.jpg")
		part.Write(file)
		for k, v := range fields {
			w.WriteField(k, v)
		}
		pw.CloseWithError(w.Close())
	}()
	req, err := http.NewRequest(http.MethodPost, "http://api/bot1:x/sendPhoto", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req
}

func jsonRequest(t *testing.T, method, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://api/bot1:x/"+method, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestRequestTarget(t *testing.T) {
	file := bytes.Repeat([]byte("jpeg"), 10_000)
	form, _ := http.NewRequest(http.MethodPost, "http://api/bot1:x/sendMessage", strings.NewReader("chat_id=-100123&text=hi"))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tests := []struct {
		name      string
		req       *http.Request
		maxBuffer int64
		want      target
	}{
		{"json string id", jsonRequest(t, "sendMessage", `{"chat_id":"42","text":"hi"}`), 1 << 20, target{chat: "42", cost: 1}},
		{"json number id", jsonRequest(t, "editMessageText", `{"chat_id":-1001,"message_id":5,"text":"x"}`), 1 << 20, target{chat: "-1001", group: true, cost: 1}},
		{"channel username", jsonRequest(t, "sendMessage", `{"chat_id":"@MemeChannel"}`), 1 << 20, target{chat: "@memechannel", group: true, cost: 1}},
		{"inline message", jsonRequest(t, "editMessageText", `{"inline_message_id":"abc","text":"x"}`), 1 << 20, target{cost: 1}},
		{"media group", jsonRequest(t, "sendMediaGroup", `{"chat_id":"7","media":"[{\"type\":\"photo\"},{\"type\":\"photo\"},{\"type\":\"photo\"}]"}`), 1 << 20, target{chat: "7", cost: 3}},
		{"urlencoded", form, 1 << 20, target{chat: "-100123", group: true, cost: 1}},
		{"piped upload", pipedUpload(t, file, map[string]string{"chat_id": "99", "caption": "c"}), 1 << 20, target{chat: "99", cost: 1}},
		{"upload over the buffer", pipedUpload(t, file, map[string]string{"chat_id": "99"}), 1000, target{cost: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var original []byte
			if tt.req.GetBody != nil {
				rc, _ := tt.req.GetBody()
				original, _ = io.ReadAll(rc)
			}
			got, sent, err := requestTarget(tt.req, apiMethod(tt.req.URL.Path), tt.maxBuffer)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("target = %+v, want %+v", got, tt.want)
			}
			body, err := io.ReadAll(sent.Body)
			if err != nil {
				t.Fatal(err)
			}
			if original != nil && !bytes.Equal(body, original) {
				t.Errorf("sent body %q, want the original %q", body, original)
			}
			if original == nil && !bytes.Contains(body, file) {
				t.Errorf("the upload lost its file on the way (%d bytes sent)", len(body))
			}
		})
	}
}
