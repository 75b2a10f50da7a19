package tgfake

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

func postJSON(t *testing.T, url string, body any, out any) int {
	t.Helper()
	data, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("decode %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
	return resp.StatusCode
}

// sseReader reads "event:"/"data:" pairs from /_fake/events.
func sseReader(t *testing.T, ctx context.Context, url string) <-chan [2]string {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan [2]string, 32)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		var event string
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				event = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok {
				out <- [2]string{event, v}
			}
		}
	}()
	return out
}

func nextEvent(t *testing.T, events <-chan [2]string) (string, TranscriptEntry) {
	t.Helper()
	select {
	case e := <-events:
		var payload struct {
			Message TranscriptEntry `json:"message"`
		}
		if err := json.Unmarshal([]byte(e[1]), &payload); err != nil {
			t.Fatalf("event data %s: %v", e[1], err)
		}
		return e[0], payload.Message
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return "", TranscriptEntry{}
}

func TestScenarioHTTP(t *testing.T) {
	srv, ts := newTestServer(t)
	base := ts.URL + "/_fake"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := sseReader(t, ctx, base+"/events")

	group := Chat{ID: -100777, Type: ChatSupergroup, Title: "Review"}
	if code := postJSON(t, base+"/chats", group, nil); code != 200 {
		t.Fatalf("create chat: %d", code)
	}
	var sent TranscriptEntry
	if code := postJSON(t, base+"/messages", map[string]any{"user": ann, "chat_id": group.ID, "text": "/top"}, &sent); code != 200 {
		t.Fatalf("send text: %d", code)
	}
	if sent.Text != "/top" || sent.From.ID != ann.ID || sent.Chat.Type != ChatSupergroup || len(sent.Entities) != 1 {
		t.Errorf("sent = %+v", sent)
	}
	if kind, m := nextEvent(t, events); kind != EventMessage || m.Text != "/top" || m.FromBot {
		t.Errorf("first event = %s %+v", kind, m)
	}

	mustOK(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "-100777", "text": "Top meme",
		"reply_markup": `{"inline_keyboard":[[{"text":"🔥 Hot","callback_data":"hot"}]]}`}), nil)
	if kind, m := nextEvent(t, events); kind != EventMessage || !m.FromBot || m.Text != "Top meme" {
		t.Errorf("bot message event = %s %+v", kind, m)
	}
	var press struct {
		ID string `json:"callback_query_id"`
	}
	if code := postJSON(t, base+"/press", map[string]any{"user": map[string]any{"id": ann.ID}, "chat_id": group.ID, "message_id": 2, "label": "🔥"}, &press); code != 200 || press.ID == "" {
		t.Fatalf("press: %d %+v", code, press)
	}
	mustOK(t, callAPI(t, ts, "answerCallbackQuery", map[string]string{"callback_query_id": press.ID, "text": "hot!"}), nil)
	var ans struct {
		Answered bool           `json:"answered"`
		Answer   CallbackAnswer `json:"answer"`
	}
	getJSON(t, base+"/callbacks/"+press.ID, &ans)
	if !ans.Answered || ans.Answer.Text != "hot!" {
		t.Errorf("callback answer = %+v", ans)
	}
	if code := postJSON(t, base+"/press", map[string]any{"user": ann, "chat_id": group.ID, "message_id": 2, "data": "cold"}, nil); code != 404 {
		t.Errorf("pressing a missing button: %d, want 404", code)
	}

	// Upload a photo as a user through multipart.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	userJSON, _ := json.Marshal(bob)
	_ = mw.WriteField("user", string(userJSON))
	_ = mw.WriteField("kind", "photo")
	_ = mw.WriteField("caption", "my meme")
	fw, _ := mw.CreateFormFile("file", "meme.jpg")
	img := testJPEG(t, 64, 48)
	_, _ = fw.Write(img)
	_ = mw.Close()
	resp, err := http.Post(base+"/media", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	var photo TranscriptEntry
	_ = json.NewDecoder(resp.Body).Decode(&photo)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(photo.Photo) != 1 || photo.Photo[0].Width != 64 || photo.Chat.ID != bob.ID || photo.Caption != "my meme" {
		t.Fatalf("media upload: %d %+v", resp.StatusCode, photo)
	}
	resp, err = http.Get(base + "/files/" + photo.Photo[0].FileID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, img) {
		t.Error("file download through the scenario API differs")
	}

	var tr []TranscriptEntry
	getJSON(t, base+"/chats/-100777/messages", &tr)
	if len(tr) != 2 || tr[1].Text != "Top meme" || !tr[1].FromBot || tr[0].FromBot {
		t.Errorf("transcript = %+v", tr)
	}
	var chats []Chat
	getJSON(t, base+"/chats", &chats)
	if len(chats) != 2 || chats[0].ID != group.ID || chats[1].ID != bob.ID || len(srv.Chats()) != 2 {
		t.Errorf("chats = %+v", chats)
	}

	postJSON(t, base+"/block", map[string]any{"user_id": bob.ID, "blocked": true}, nil)
	mustFail(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1002", "text": "x"}), 403, "Forbidden: bot was blocked by the user")
	postJSON(t, base+"/faults", map[string]any{"method": "getMe", "n": 1, "fault": map[string]any{"code": 429, "retry_after": 3}}, nil)
	mustFail(t, callAPI(t, ts, "getMe", nil), 429, "Too Many Requests: retry after 3")

	var raw struct {
		ID int `json:"update_id"`
	}
	if code := postJSON(t, base+"/updates", map[string]any{"message": map[string]any{"text": 42}}, &raw); code != 200 || raw.ID == 0 {
		t.Errorf("raw update: %d %+v", code, raw)
	}
	var calls []Call
	getJSON(t, base+"/calls?method=answerCallbackQuery", &calls)
	if len(calls) != 1 || calls[0].Params["text"] != "hot!" {
		t.Errorf("calls = %+v", calls)
	}
}

func TestSubscribeAndClose(t *testing.T) {
	srv, ts := newTestServer(t)
	events, cancel := srv.Subscribe()
	defer cancel()
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "/start"))
	if e := <-events; e.Type != EventMessage || e.Message.Text != "/start" || e.ChatID != ann.ID {
		t.Errorf("event = %+v", e)
	}
	// A pending long poll ends when the server closes.
	done := make(chan struct{})
	go func() {
		defer close(done)
		mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"offset": 1 << 30, "timeout": 30}), nil)
	}()
	time.Sleep(100 * time.Millisecond)
	srv.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("long poll survived Close")
	}
	if _, open := <-events; open {
		t.Error("subscription channel not closed by Close")
	}
}
