package ingest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"memebot/media"
)

func TestInstagramParser(t *testing.T) {
	var lookups atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Access-Key") != "ig-key" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.URL.Path == "/v1/user/by/username" && r.URL.Query().Get("username") == "memes.daily":
			lookups.Add(1)
			w.Write(fixture(t, "ig_user.json"))
		case r.URL.Path == "/v2/user/medias" && r.URL.Query().Get("user_id") == "4815162342":
			w.Write(fixture(t, "ig_medias.json"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	p := &InstagramParser{BaseURL: srv.URL, APIKey: "ig-key", HTTP: testClient()}
	for range 2 {
		f, err := p.Parse(context.Background(), "memes.daily")
		if err != nil {
			t.Fatal(err)
		}
		if f.Seen != 3 || len(f.Posts) != 3 {
			t.Fatalf("got %d posts, seen %d; want 3", len(f.Posts), f.Seen)
		}
		posts := byID(f.Posts)
		photo := posts["3300000000000000001"]
		if len(photo.Media) != 1 || photo.Media[0] != (Media{Type: media.Photo, URL: "https://scontent.example.org/1_1080.jpg", Width: 1080, Height: 1080}) ||
			photo.Text != "monday again #mood" || !photo.PostedAt.Equal(time.Unix(1715331600, 0)) {
			t.Errorf("photo = %+v", photo)
		}
		video := posts["3300000000000000002"]
		if len(video.Media) != 1 || video.Media[0].Type != media.Video || video.Media[0].URL != "https://scontent.example.org/2_720.mp4" ||
			video.Media[0].DurationSec != 15 || *video.Views != 20000 || video.PostedAt.IsZero() {
			t.Errorf("video = %+v", video)
		}
		if n := len(posts["3300000000000000003"].Media); n != 2 {
			t.Errorf("carousel has %d media, want 2", n)
		}
	}
	if lookups.Load() != 1 {
		t.Errorf("user id looked up %d times, want once", lookups.Load())
	}
	if _, err := p.Parse(context.Background(), "nobody.here"); !errors.Is(err, ErrSourceUnavailable) {
		t.Errorf("unknown account: %v, want ErrSourceUnavailable", err)
	}
}
