package telegram

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"memebot/tgfake"
)

// quickClient is a client of the fake Bot API without Redis (no rate limit)
// whose retries wait a millisecond instead of half a second and more.
func quickClient(t *testing.T) (*Client, *tgfake.Server) {
	t.Helper()
	srv := tgfake.New(tgfake.Options{Token: testToken, BotUsername: "memebot_test_bot"})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	c, err := New(Config{Token: testToken, APIURL: ts.URL}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	c.retry.baseBackoff = time.Millisecond
	return c, srv
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A call is tried by one layer only: a getFile that keeps failing with 500
// is tried maxAttempts times (not the Sender's attempts times the
// transport's), and one refused with 400 once.
func TestSenderCallsAreRetriedByOneLayer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault tgfake.Fault
		want  int
	}{
		{"5xx", tgfake.Fault{Code: 500}, 5},
		{"400", tgfake.Fault{Code: 400, Description: "Bad Request: wrong file_id"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := quickClient(t)
			srv.Fail("getFile", 100, tc.fault)
			if _, err := c.Sender().Download(context.Background(), "some-file", 1<<20); err == nil {
				t.Fatal("Download succeeded against a failing getFile")
			}
			if got := len(srv.Calls("getFile")); got != tc.want {
				t.Errorf("getFile tried %d times, want %d", got, tc.want)
			}
		})
	}
}

// An upload streamed by telebot (multipart through a pipe) is retried too:
// two 500s, then the storage chat gets the photo, once.
func TestUploadIsRetriedAfter5xx(t *testing.T) {
	c, srv := quickClient(t)
	srv.CreateChat(tgfake.Chat{ID: -1001, Type: tgfake.ChatChannel, Title: "storage"})
	srv.Fail("sendPhoto", 2, tgfake.Fault{Code: 500})
	msg, err := c.Sender().SendMedia(context.Background(), -1001, Media{Kind: "photo", Data: pngBytes(t)}, "meme", nil)
	if err != nil {
		t.Fatalf("upload after two 500s: %v", err)
	}
	if msg.Photo == nil || msg.Photo.FileID == "" {
		t.Fatalf("sent message has no photo: %+v", msg)
	}
	calls := srv.Calls("sendPhoto")
	delivered := 0
	for _, call := range calls {
		if call.Err == nil {
			delivered++
		}
	}
	if len(calls) != 3 || delivered != 1 {
		t.Errorf("sendPhoto: %d calls, %d delivered; want 3 calls, 1 delivered", len(calls), delivered)
	}
}
