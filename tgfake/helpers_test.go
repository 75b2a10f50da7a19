package tgfake

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

const testToken = "123456:TEST-token"

var (
	ann = User{ID: 1001, FirstName: "Ann", Username: "ann", LanguageCode: "en"}
	bob = User{ID: 1002, FirstName: "Bob", Username: "bob"}
)

func newTestServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	srv := New(Options{Token: testToken, BotUsername: "memebot_test_bot"})
	ts := httptest.NewServer(srv)
	srv.SetBaseURL(ts.URL)
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return srv, ts
}

// apiAnswer is a decoded Bot API answer.
type apiAnswer struct {
	Status      int
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// callAPI posts params as JSON to method and decodes the answer.
func callAPI(t *testing.T, ts *httptest.Server, method string, params any) apiAnswer {
	t.Helper()
	body, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(ts.URL+"/bot"+testToken+"/"+method, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	return decodeAnswer(t, resp)
}

func decodeAnswer(t *testing.T, resp *http.Response) apiAnswer {
	t.Helper()
	var a apiAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	a.Status = resp.StatusCode
	return a
}

func mustOK(t *testing.T, a apiAnswer, out any) {
	t.Helper()
	if !a.OK || a.Status != http.StatusOK {
		t.Fatalf("want ok, got %d %q", a.ErrorCode, a.Description)
	}
	if out != nil {
		if err := json.Unmarshal(a.Result, out); err != nil {
			t.Fatalf("decode result %s: %v", a.Result, err)
		}
	}
}

func mustFail(t *testing.T, a apiAnswer, code int, desc string) {
	t.Helper()
	if a.OK || a.Status != code || a.ErrorCode != code || a.Description != desc {
		t.Fatalf("want %d %q, got status %d ok=%v %d %q", code, desc, a.Status, a.OK, a.ErrorCode, a.Description)
	}
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mustSend unwraps a scenario call: mustSend(t)(srv.SendText(...)).
func mustSend(t *testing.T) func(Message, error) Message {
	return func(m Message, err error) Message {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
}

func newHookServer(t *testing.T, got chan<- *http.Request, bodies chan<- []byte) *httptest.Server {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- body
	}))
	t.Cleanup(hs.Close)
	return hs
}
