package bot

import (
	"log/slog"
	"net/http/httptest"
	"testing"

	"memebot/kv"
	"memebot/kv/kvtest"
	"memebot/telegram"
	"memebot/tgfake"
)

const testToken = "123456:TEST-token"

// fakeAPI is the fake Bot API over real HTTP plus a private Redis namespace.
type fakeAPI struct {
	srv *tgfake.Server
	url string
	rdb *kv.Redis
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	srv := tgfake.New(tgfake.Options{Token: testToken, BotUsername: "memebot_test_bot"})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	return &fakeAPI{srv: srv, url: ts.URL, rdb: kvtest.NewRedis(t)}
}

// newBot is one process's bot, with its inbox and rate limit in the fake's Redis.
func (f *fakeAPI) newBot(t *testing.T) *Bot {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	tg, err := telegram.New(telegram.Config{Token: testToken, APIURL: f.url, Redis: f.rdb}, log)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(tg, Config{Redis: f.rdb}, log)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
