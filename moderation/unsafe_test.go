package moderation

import (
	"context"
	"encoding/json"
	"image"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"memebot/moderation/internal/memetest"
)

// fakeModeration serves /v1/moderations with a fixed answer and counts calls.
type fakeModeration struct {
	calls  atomic.Int32
	answer func(w http.ResponseWriter, items []map[string]any)
}

func (f *fakeModeration) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	var req struct {
		Model string           `json:"model"`
		Input []map[string]any `json:"input"`
	}
	if r.URL.Path != "/v1/moderations" || r.Header.Get("Authorization") != "Bearer secret" ||
		json.NewDecoder(r.Body).Decode(&req) != nil || req.Model != DefaultModerationModel {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.answer(w, req.Input)
}

func scores(flagged bool, s map[string]float64) func(http.ResponseWriter, []map[string]any) {
	return func(w http.ResponseWriter, items []map[string]any) {
		cats := map[string]bool{}
		for k, v := range s {
			cats[k] = flagged && v > 0.5
		}
		json.NewEncoder(w).Encode(map[string]any{"id": "modr-1", "results": []any{
			map[string]any{"flagged": flagged, "categories": cats, "category_scores": s}}})
	}
}

func newFakeModeration(t *testing.T, answer func(http.ResponseWriter, []map[string]any)) (*fakeModeration, string) {
	f := &fakeModeration{answer: answer}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func memeInput(caption string) *Input {
	img := memetest.Render(memetest.Options{Width: 400, Text: "HELLO", Background: memetest.Gradient})
	return &Input{Images: []image.Image{img}, Caption: caption, OCRText: "HELLO"}
}

func TestUnsafeCheckScores(t *testing.T) {
	cases := []struct {
		name    string
		flagged bool
		scores  map[string]float64
		verdict Verdict
		risk    float64
	}{
		{"safe", false, map[string]float64{"sexual": 0.01, "violence": 0.05}, VerdictPass, 0.05},
		{"review band", false, map[string]float64{"sexual": 0.45, "violence": 0.05}, VerdictFlag, 0.45},
		{"high score", false, map[string]float64{"violence": 0.8}, VerdictReject, 0.8},
		{"flagged lifts risk", true, map[string]float64{"harassment": 0.6}, VerdictReject, 0.9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var sawImage, sawText atomic.Bool
			_, url := newFakeModeration(t, func(w http.ResponseWriter, items []map[string]any) {
				for _, it := range items {
					switch it["type"] {
					case "image_url":
						u, _ := it["image_url"].(map[string]any)["url"].(string)
						sawImage.Store(strings.HasPrefix(u, "data:image/jpeg;base64,"))
					case "text":
						sawText.Store(strings.Contains(it["text"].(string), "caption") && strings.Contains(it["text"].(string), "HELLO"))
					}
				}
				scores(tc.flagged, tc.scores)(w, items)
			})
			c := NewUnsafeCheck(UnsafeConfig{URL: url + "/", APIKey: "secret"})
			r := c.Check(context.Background(), memeInput("my caption"))
			if r.Verdict != tc.verdict || r.Score != tc.risk || r.Fallback {
				t.Errorf("got %s %.2f fallback=%v (%v), want %s %.2f", r.Verdict, r.Score, r.Fallback, r.Details, tc.verdict, tc.risk)
			}
			if !sawImage.Load() || !sawText.Load() {
				t.Errorf("request lacked the image data URL or caption+OCR text")
			}
		})
	}
}

func TestUnsafeCheckFallsBackWithoutStalling(t *testing.T) {
	cases := []struct {
		name   string
		answer func(http.ResponseWriter, []map[string]any)
		url    string
	}{
		{"server error", func(w http.ResponseWriter, _ []map[string]any) { http.Error(w, "boom", 500) }, ""},
		{"malformed JSON", func(w http.ResponseWriter, _ []map[string]any) { w.Write([]byte(`{"results": [`)) }, ""},
		{"no results", func(w http.ResponseWriter, _ []map[string]any) { w.Write([]byte(`{"results": []}`)) }, ""},
		{"timeout", func(w http.ResponseWriter, _ []map[string]any) { time.Sleep(5 * time.Second) }, ""},
		{"not configured", nil, "none"},
		{"connection refused", nil, "http://127.0.0.1:1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.url
			if url == "" {
				_, url = newFakeModeration(t, tc.answer)
			} else if url == "none" {
				url = ""
			}
			c := NewUnsafeCheck(UnsafeConfig{URL: url, APIKey: "secret", Timeout: 200 * time.Millisecond})
			start := time.Now()
			safe := c.Check(context.Background(), memeInput("котик"))
			bad := c.Check(context.Background(), memeInput("продаю закладки"))
			// Two checks with a 200 ms limit each: a stall is at least the 5 s
			// the slow server takes; 3 s leaves room for a loaded machine.
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v: the check waited for the service instead of its 200 ms limit", d)
			}
			if !safe.Fallback || safe.Verdict != VerdictPass || safe.Details["error"] == nil {
				t.Errorf("clean caption: %+v, want a fallback pass with the error in details", safe)
			}
			if !bad.Fallback || bad.Verdict != VerdictFlag || bad.Reason != ReasonUnsafe {
				t.Errorf("unsafe keyword: %+v, want a fallback flag", bad)
			}
		})
	}
}

func TestUnsafeCheckSkipsEmptyInput(t *testing.T) {
	r := NewUnsafeCheck(UnsafeConfig{}).Check(context.Background(), &Input{})
	if r.Verdict != VerdictSkip {
		t.Errorf("verdict %s, want skip", r.Verdict)
	}
}
