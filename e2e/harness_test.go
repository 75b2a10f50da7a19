// Package e2e runs the real memebot (every role in one process) against the
// fake Telegram Bot API server over real HTTP, a fresh PostgreSQL database and
// a private Redis namespace, and checks what users, moderators and admins see.
package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"memebot/app"
	"memebot/config"
	"memebot/kv"
	"memebot/kv/kvtest"
	"memebot/queue"
	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

const (
	token         = "123456:TEST-TOKEN"
	reviewChatID  = int64(-1001000000001)
	storageChatID = int64(-1001000000002)
	adminID       = int64(900)
	moderatorID   = int64(800)
)

// env is one running bot and the world around it.
type env struct {
	t     testing.TB
	tg    *tgfake.Server
	store *storage.Store
	redis *kv.Redis
	inst  *app.Instance
	stop  context.CancelFunc
	vars  []string // the configuration, KEY=VALUE
}

// allRoles is what `memebot run` runs.
var allRoles = app.Roles{Bot: true, Worker: true, Scheduler: true}

// start runs memebot (every role) with the given extra KEY=VALUE settings.
func start(t testing.TB, extra ...string) *env {
	return startRoles(t, allRoles, extra...)
}

// startRoles runs the given roles of memebot in this process.
func startRoles(t testing.TB, roles app.Roles, extra ...string) *env {
	t.Helper()
	return startFronted(t, roles, nil, extra...)
}

// startFronted is startRoles with front, when not nil, wrapped around the fake
// Bot API: every request reaches the fake through it (benchmarks time them).
func startFronted(t testing.TB, roles app.Roles, front func(http.Handler) http.Handler, extra ...string) *env {
	t.Helper()
	tg := tgfake.New(tgfake.Options{Token: token, BotUsername: "memebot_test_bot", BotName: "Memebot"})
	var api http.Handler = tg
	if front != nil {
		api = front(tg)
	}
	ts := httptest.NewServer(api)
	tg.SetBaseURL(ts.URL)
	t.Cleanup(func() { tg.Close(); ts.Close() })
	tg.CreateChat(tgfake.Chat{ID: reviewChatID, Type: "supergroup", Title: "Review"})
	tg.CreateChat(tgfake.Chat{ID: storageChatID, Type: "channel", Title: "Storage"})

	dbURL := storagetest.NewDatabase(t)
	rdb := kvtest.NewRedis(t)
	vars := []string{
		"BOT_TOKEN=" + token,
		"TELEGRAM_API_URL=" + ts.URL,
		"DATABASE_URL=" + dbURL,
		"REDIS_URL=" + kvtest.RedisURL(),
		"REDIS_KEY_PREFIX=" + rdb.Prefix(),
		fmt.Sprintf("STORAGE_CHAT_ID=%d", storageChatID),
		fmt.Sprintf("REVIEW_CHAT_ID=%d", reviewChatID),
		fmt.Sprintf("ADMIN_IDS=%d", adminID),
		fmt.Sprintf("MODERATOR_IDS=%d", moderatorID),
		"HTTP_ADDR=127.0.0.1:0",
		"JOB_CLAIM_IDLE=2s",
		// Telegram's flood limits hold in production (telegram/limiter_test.go checks
		// them); these tests are about behaviour, so they send faster.
		"TELEGRAM_RATE_GLOBAL=1000", "TELEGRAM_RATE_PRIVATE=100", "TELEGRAM_RATE_GROUP=6000",
	}
	vars = append(vars, extra...)
	for _, v := range extra { // a test with a database of its own
		if u, ok := strings.CutPrefix(v, "DATABASE_URL="); ok {
			dbURL = u
		}
	}
	cfg, err := config.Parse(vars)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	inst, err := app.Start(ctx, cfg, storagetest.Logger(), roles)
	if err != nil {
		cancel()
		t.Fatalf("start memebot: %v", err)
	}
	store, err := storage.Open(context.Background(), dbURL, storagetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, tg: tg, store: store, redis: rdb, inst: inst, stop: cancel, vars: vars}
	t.Cleanup(func() {
		cancel()
		if err := inst.Wait(); err != nil {
			t.Errorf("memebot stopped with: %v", err)
		}
		store.Close()
	})
	return e
}

func user(id int64, lang string) tgfake.User {
	return tgfake.User{ID: id, FirstName: fmt.Sprintf("User%d", id), Username: fmt.Sprintf("user%d", id), LanguageCode: lang}
}

// say sends text as u in their private chat.
func (e *env) say(u tgfake.User, text string) tgfake.Message {
	e.t.Helper()
	m, err := e.tg.SendText(u, u.PrivateChat(), text)
	if err != nil {
		e.t.Fatalf("send %q: %v", text, err)
	}
	return m
}

// patience is how long a test waits for what should happen: far more than
// it takes (OCR of a few pictures, a job's cadence) even with the race
// detector on a loaded 2-core machine, where 15 s was once too little. A
// passing test never waits it out.
const patience = 60 * time.Second

// waitBot waits for a bot message in chat matching match (new or edited).
func (e *env) waitBot(chatID int64, what string, match func(tgfake.Message) bool) tgfake.Message {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	m, err := e.tg.WaitMessage(ctx, chatID, func(m tgfake.Message) bool { return m.FromBot() && match(m) })
	if err != nil {
		e.t.Fatalf("waiting for %s in chat %d: %v\ntranscript:\n%s", what, chatID, err, e.dump(chatID))
	}
	return m
}

// waitText waits for a bot message whose text or caption contains sub.
func (e *env) waitText(chatID int64, sub string) tgfake.Message {
	e.t.Helper()
	return e.waitBot(chatID, fmt.Sprintf("%q", sub), func(m tgfake.Message) bool { return strings.Contains(m.Content(), sub) })
}

// after matches messages newer than m.
func after(m tgfake.Message) func(tgfake.Message) bool {
	return func(x tgfake.Message) bool { return x.MessageID > m.MessageID }
}

func (e *env) dump(chatID int64) string {
	var b strings.Builder
	for _, m := range e.tg.Transcript(chatID) {
		who := "user"
		if m.FromBot() {
			who = "bot"
		}
		fmt.Fprintf(&b, "  #%d %s: %q buttons=%v\n", m.MessageID, who, m.Content(), m.Buttons())
	}
	return b.String()
}

// eventually polls cond until it holds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// mediaQueueSettled waits until memebot's media queue holds no job: none
// waiting, in flight or delayed for a retry. From then on no job can post or
// send anything more, so a test that must see nothing more happen checks at
// once instead of sleeping "room for a wrong second post".
func (e *env) mediaQueueSettled() {
	e.t.Helper()
	url, prefix := e.setting("REDIS_URL"), e.setting("REDIS_KEY_PREFIX")
	rdb, err := kv.Open(context.Background(), url, prefix)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rdb.Close()
	q := queue.New(rdb, "media", queue.Options{}, e.logger())
	waitUntil(e.t, "the media queue to settle", time.Minute, func() bool {
		s, err := q.Stats(context.Background())
		return err == nil && s.Length == 0 && s.Delayed == 0
	})
}

// botIdle waits until the bot has handled every update sent so far: the fake
// Telegram holds none it has not confirmed, and the bot's inbox none whose
// handler has not returned. What a handler sends is sent by then, so a test
// that must see nothing more happen checks at once instead of sleeping.
func (e *env) botIdle() {
	e.t.Helper()
	botID, _, _ := strings.Cut(token, ":")
	inbox := e.redis.Key("bot", botID, "inbox")
	eventually(e.t, "the bot to handle every update", func() bool {
		n, err := e.redis.HLen(context.Background(), inbox).Result()
		return err == nil && n == 0 && e.tg.PendingUpdates() == 0
	})
}

// mediaWorkersHoldOff waits until memebot's paused media workers have let
// turns more turns pass (memebot_queue_paused_turns_total, as an operator
// sees it on /metrics). One shows they noticed the pause: no read of the
// queue is under way from then on. Two show that a whole turn began after
// the call, with every job queued before it there to take, and took none.
func (e *env) mediaWorkersHoldOff(turns float64) {
	e.t.Helper()
	const series = `memebot_queue_paused_turns_total{queue="media"} `
	from := e.metric(series)
	waitUntil(e.t, "the paused media workers to let turns pass", 30*time.Second, func() bool {
		return e.metric(series) >= from+turns
	})
}

// metric is the value of the series (its name and labels, then a space) on
// memebot's /metrics; 0 while it has no sample.
func (e *env) metric(series string) float64 {
	e.t.Helper()
	resp, err := http.Get("http://" + e.inst.Addr + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(line, series); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				e.t.Fatalf("%s%q: %v", series, v, err)
			}
			return f
		}
	}
	return 0
}

// setting is the value memebot was given for key (the last one wins).
func (e *env) setting(key string) string {
	v := ""
	for _, kv := range e.vars {
		if val, ok := strings.CutPrefix(kv, key+"="); ok {
			v = val
		}
	}
	return v
}

// startBench is startRoles for benchmarks.
func startBench(b *testing.B, roles app.Roles, extra ...string) *env {
	return startRoles(b, roles, extra...)
}

func (e *env) logger() *slog.Logger { return storagetest.Logger() }
