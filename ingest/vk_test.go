package ingest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"memebot/media"
)

func TestParseVKWall(t *testing.T) {
	f, err := ParseVKWall(fixture(t, "vk_wall.json"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Seen != 8 {
		t.Errorf("Seen = %d, want every post on the wall (8)", f.Seen)
	}
	var ids []string
	for _, p := range f.Posts {
		ids = append(ids, p.PostID)
	}
	// 1002 ad, 1003 no attachments, 1004 has a video, 1005 long text, 1008 a repost without own photos.
	if want := []string{"1001", "1006", "1007"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("kept posts %v, want %v", ids, want)
	}
	posts := byID(f.Posts)
	p := posts["1001"]
	if !reflect.DeepEqual(p.Media, []Media{{Type: media.Photo, URL: "https://sun9-1.example.org/w.jpg", Width: 1280, Height: 960}}) {
		t.Errorf("1001 media = %+v, want the largest size", p.Media)
	}
	if p.Text != "мем дня" || *p.Views != 5000 || !p.PostedAt.Equal(time.Unix(1715331600, 0)) {
		t.Errorf("1001 = %+v", p)
	}
	if len(posts["1006"].Media) != 2 {
		t.Errorf("1006 (two photos) media = %+v", posts["1006"].Media)
	}
	if m := posts["1007"].Media; m[0].URL != "https://sun9-1.example.org/p7z.jpg" {
		t.Errorf("1007 without dimensions took %q, want the z size", m[0].URL)
	}
}

func TestParseVKWallErrors(t *testing.T) {
	_, err := ParseVKWall(fixture(t, "vk_error5.json"))
	var apiErr *VKError
	if !errors.As(err, &apiErr) || apiErr.Code != 5 || errors.Is(err, ErrSourceUnavailable) {
		t.Errorf("auth error = %v", err)
	}
	if _, err := ParseVKWall(fixture(t, "vk_error15.json")); !errors.Is(err, ErrSourceUnavailable) {
		t.Errorf("closed wall = %v, want ErrSourceUnavailable", err)
	}
	for _, body := range []string{"", "{", `{"foo":1}`, "<html>"} {
		if _, err := ParseVKWall([]byte(body)); err == nil {
			t.Errorf("ParseVKWall(%q) did not fail", body)
		}
	}
}

func TestVKParserRetriesTooManyRequests(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/method/wall.get" || q.Get("domain") != "mdk" || q.Get("v") != "5.199" ||
			q.Get("count") != "100" || q.Get("access_token") != "secret-token" {
			t.Errorf("unexpected request %s", r.URL)
		}
		if calls.Add(1) <= 2 {
			w.Write(fixture(t, "vk_error6.json"))
			return
		}
		w.Write(fixture(t, "vk_wall.json"))
	}))
	defer srv.Close()
	p := &VKParser{BaseURL: srv.URL + "/method", Token: "secret-token", HTTP: testClient(), RetryDelay: time.Millisecond}
	f, err := p.Parse(context.Background(), "mdk")
	if err != nil || len(f.Posts) != 3 || calls.Load() != 3 {
		t.Errorf("got %d posts, %v after %d calls; want 3 posts after 3 calls", len(f.Posts), err, calls.Load())
	}
}

func TestVKParserNumberedCommunityAndAuthError(t *testing.T) {
	var ownerID string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ownerID = r.URL.Query().Get("owner_id")
		w.Write(fixture(t, "vk_error5.json"))
	}))
	defer srv.Close()
	p := &VKParser{BaseURL: srv.URL, Token: "secret-token", HTTP: testClient(), RetryDelay: time.Millisecond}
	_, err := p.Parse(context.Background(), "club123")
	var apiErr *VKError
	if !errors.As(err, &apiErr) || apiErr.Code != 5 {
		t.Errorf("err = %v, want VK error 5", err)
	}
	if ownerID != "-123" {
		t.Errorf("owner_id = %q, want -123", ownerID)
	}
}
