package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/kv"
	"memebot/kv/kvtest"
	"memebot/tgfake"
)

const testToken = "123456:TEST-token"

// jitter is how much closer together two messages may reach the fake than
// the limiter let them go (HTTP latency varies, more so under -race and when
// other test packages load the machine).
const jitter = 120 * time.Millisecond

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

// testBot is one process's client, with a telebot on its interactive
// client as the handlers have.
type testBot struct {
	*Client
	tb *tele.Bot
}

func (b *testBot) Telebot() *tele.Bot { return b.tb }

// newBot is one process's client; clients of one fakeAPI share its Redis,
// like processes sharing a token.
func (f *fakeAPI) newBot(t *testing.T, limits Limits) *testBot {
	t.Helper()
	c, err := New(Config{Token: testToken, APIURL: f.url, Redis: f.rdb, Limits: limits}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	tb, err := tele.NewBot(tele.Settings{URL: f.url, Token: testToken, Client: c.HTTP(PriorityInteractive), Offline: true, Synchronous: true})
	if err != nil {
		t.Fatal(err)
	}
	return &testBot{Client: c, tb: tb}
}

func (f *fakeAPI) chat(id int64) int64 {
	typ := tgfake.ChatPrivate
	if id < 0 {
		typ = tgfake.ChatGroup
	}
	f.srv.CreateChat(tgfake.Chat{ID: id, Type: typ, Title: "chat " + strconv.FormatInt(id, 10), FirstName: "U"})
	return id
}

// sent lists the successful sendMessage calls per chat, in arrival order.
func (f *fakeAPI) sent(t *testing.T) (byChat map[string][]tgfake.Call, all []tgfake.Call) {
	t.Helper()
	byChat = map[string][]tgfake.Call{}
	for _, c := range f.srv.Calls("sendMessage") {
		if c.Err != nil {
			continue
		}
		byChat[c.Params["chat_id"]] = append(byChat[c.Params["chat_id"]], c)
		all = append(all, c)
	}
	return byChat, all
}

// issueInOrder starts each send on its own goroutine, the next only once the
// previous one is queued at the limiter, so the issue order is known while
// all of them wait at once.
func issueInOrder(t *testing.T, lim *limiter, sends []func() error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(sends))
	for _, send := range sends {
		before := lim.enqueued.Load()
		wg.Add(1)
		go func() { defer wg.Done(); errs <- send() }()
		waitFor(t, func() bool { return lim.enqueued.Load() > before })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("send: %v", err)
		}
	}
}

// waitFor polls cond until it holds; a test stuck here is a failure.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		runtime.Gosched()
	}
}

// maxInWindow is the most calls that arrived within any window of length w.
func maxInWindow(calls []tgfake.Call, w time.Duration) int {
	times := make([]time.Time, len(calls))
	for i, c := range calls {
		times[i] = c.Time
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	most, first := 0, 0
	for last := range times {
		for times[last].Sub(times[first]) >= w {
			first++
		}
		most = max(most, last-first+1)
	}
	return most
}

// assertLimit checks that calls kept to l in windows of l.Per and a quarter of it.
func assertLimit(t *testing.T, what string, calls []tgfake.Call, l Limit) {
	t.Helper()
	for _, w := range []time.Duration{l.Per, l.Per / 4} {
		allowed := int((w+jitter)/l.interval()) + l.Burst
		if got := maxInWindow(calls, w); got > allowed {
			t.Errorf("%s: %d messages within %v, limit %d/%v burst %d allows %d", what, got, w, l.Rate, l.Per, l.Burst, allowed)
		}
	}
}

// TestRateLimitHoldsForBursts sends 200 messages to one private chat, 40 to
// one group and 200 spread over 100 chats, all queued at once: every one
// arrives, each chat's in the order issued, and no window exceeds the
// configured rates.
func TestRateLimitHoldsForBursts(t *testing.T) {
	f := newFakeAPI(t)
	limits := Limits{
		Global:  Limit{Rate: 100, Per: time.Second, Burst: 5},
		Private: Limit{Rate: 40, Per: time.Second, Burst: 2},
		Group:   Limit{Rate: 10, Per: time.Second, Burst: 2},
	}
	b := f.newBot(t, limits)
	soloPrivate, soloGroup := f.chat(7001), f.chat(-7002)
	var spread []int64
	for i := range 50 {
		spread = append(spread, f.chat(int64(8000+i)), f.chat(int64(-9000-i)))
	}

	ctx := context.Background()
	sender := b.Sender()
	var sends []func() error
	for i := range 200 {
		text := strconv.Itoa(i)
		sends = append(sends, func() error { _, err := b.Telebot().Send(&tele.Chat{ID: soloPrivate}, text); return err })
		if i < 40 {
			sends = append(sends, func() error { return sender.SendText(ctx, soloGroup, text, 0) })
		}
		chat := spread[i%len(spread)]
		seq := strconv.Itoa(i / len(spread))
		sends = append(sends, func() error { return sender.SendText(ctx, chat, seq, 0) })
	}
	issueInOrder(t, b.limiter, sends)

	byChat, all := f.sent(t)
	if len(all) != 440 {
		t.Fatalf("%d messages arrived, want 440", len(all))
	}
	wantCount := map[int64]int{soloPrivate: 200, soloGroup: 40}
	for _, c := range spread {
		wantCount[c] = 2
	}
	for chat, n := range wantCount {
		calls := byChat[strconv.FormatInt(chat, 10)]
		if len(calls) != n {
			t.Fatalf("chat %d got %d messages, want %d", chat, len(calls), n)
		}
		for i, c := range calls {
			if c.Params["text"] != strconv.Itoa(i) {
				t.Fatalf("chat %d: message %d is %q: order not kept", chat, i, c.Params["text"])
			}
		}
	}
	assertLimit(t, "all chats", all, limits.Global)
	assertLimit(t, "private chat", byChat["7001"], limits.Private)
	assertLimit(t, "group", byChat["-7002"], limits.Group)
}

// TestRateLimitAnswersBeforeBulk queues a broadcast that takes seconds at the
// global rate, then answers a user: the answer and the callback answer go
// out while nearly all of the broadcast still waits.
func TestRateLimitAnswersBeforeBulk(t *testing.T) {
	f := newFakeAPI(t)
	b := f.newBot(t, Limits{Global: Limit{Rate: 40, Per: time.Second, Burst: 3}, Reserve: 1})
	user := tgfake.User{ID: 5000, FirstName: "Ann"}
	f.srv.CreateChat(user.PrivateChat())
	menu := &tele.ReplyMarkup{}
	menu.Inline(menu.Row(menu.Data("More", "more")))
	msg, err := b.Telebot().Send(&tele.Chat{ID: user.ID}, "menu", menu)
	if err != nil {
		t.Fatal(err)
	}
	queryID, err := f.srv.PressButton(user, user.ID, msg.ID, "\fmore")
	if err != nil {
		t.Fatal(err)
	}

	const bulk = 80
	bulkSender := b.BulkSender()
	var wg sync.WaitGroup
	before := b.limiter.enqueued.Load()
	for i := range bulk {
		chat := f.chat(int64(6000 + i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := bulkSender.SendText(context.Background(), chat, "news", 0); err != nil {
				t.Errorf("bulk send: %v", err)
			}
		}()
	}
	waitFor(t, func() bool { return b.limiter.enqueued.Load() >= before+bulk })

	if err := b.Telebot().Respond(&tele.Callback{ID: queryID}, &tele.CallbackResponse{Text: "ok"}); err != nil {
		t.Fatal(err)
	}
	bulkBeforeAnswer := countText(f.srv.Calls("sendMessage"), "news")
	if _, err := b.Telebot().Send(&tele.Chat{ID: user.ID}, "here you go"); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	calls := f.srv.Calls("sendMessage")
	answerAt := -1
	for i, c := range calls {
		if c.Params["text"] == "here you go" {
			answerAt = i
		}
	}
	bulkAhead := countText(calls[:answerAt], "news")
	if bulkBeforeAnswer > bulk/2 {
		t.Fatalf("answerCallbackQuery returned after %d of %d broadcast messages: it waited behind them", bulkBeforeAnswer, bulk)
	}
	// The dispatcher may be admitting one broadcast message as the answer
	// arrives, and one more may have been admitted before the count was taken.
	if bulkAhead-bulkBeforeAnswer > 2 {
		t.Fatalf("%d broadcast messages went out between the answer being issued and sent: it waited behind them", bulkAhead-bulkBeforeAnswer)
	}
	if ans, ok := f.srv.CallbackAnswer(queryID); !ok || ans.Text != "ok" {
		t.Fatalf("callback answer = %+v, %v", ans, ok)
	}
}

func countText(calls []tgfake.Call, text string) int {
	n := 0
	for _, c := range calls {
		if c.Params["text"] == text && c.Err == nil {
			n++
		}
	}
	return n
}

// TestRateLimitFloodHoldsChat makes Telegram answer 429 (retry after 1 s) to a
// message for one chat: another process then waits out the hold before it
// writes to that chat, while other chats go on, and the refused message is
// delivered after its retry.
func TestRateLimitFloodHoldsChat(t *testing.T) {
	f := newFakeAPI(t)
	loose := Limits{Global: Limit{Rate: 200, Per: time.Second, Burst: 10}, Private: Limit{Rate: 100, Per: time.Second, Burst: 5}}
	first, second := f.newBot(t, loose), f.newBot(t, loose)
	held, free := f.chat(4001), f.chat(4002)

	f.srv.Fail("sendMessage", 1, tgfake.Fault{Code: 429, RetryAfter: 1})
	refused := make(chan error, 1)
	go func() { _, err := first.Telebot().Send(&tele.Chat{ID: held}, "refused first"); refused <- err }()
	var floodAt time.Time
	waitFor(t, func() bool {
		for _, c := range f.srv.Calls("sendMessage") {
			if c.Err != nil && c.Err.Code == 429 {
				floodAt = c.Time
			}
		}
		return !floodAt.IsZero()
	})
	// The hold is in Redis once the first process has read the 429.
	holdKey := (&budget{rdb: f.rdb}).key("hold", "chat", strconv.FormatInt(held, 10))
	waitFor(t, func() bool { return f.rdb.Exists(context.Background(), holdKey).Val() == 1 })

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := second.Telebot().Send(&tele.Chat{ID: held}, "after the hold"); err != nil {
			t.Errorf("send to held chat: %v", err)
		}
	}()
	for i := range 5 {
		if _, err := second.Telebot().Send(&tele.Chat{ID: free}, fmt.Sprint("free ", i)); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if err := <-refused; err != nil {
		t.Fatalf("the refused message was not retried: %v", err)
	}

	byChat, _ := f.sent(t)
	heldCalls := byChat[strconv.FormatInt(held, 10)]
	if len(heldCalls) != 2 {
		t.Fatalf("held chat got %d messages, want 2", len(heldCalls))
	}
	for _, c := range heldCalls {
		if c.Time.Before(floodAt.Add(time.Second - 5*time.Millisecond)) {
			t.Errorf("%q reached the held chat %v after the 429 with retry_after 1s", c.Params["text"], c.Time.Sub(floodAt))
		}
	}
	freeCalls := byChat[strconv.FormatInt(free, 10)]
	if len(freeCalls) != 5 {
		t.Fatalf("free chat got %d messages, want 5", len(freeCalls))
	}
	afterHold := heldCalls[len(heldCalls)-1].Time
	for _, c := range freeCalls {
		if c.Time.After(afterHold) {
			t.Errorf("%q to another chat waited for the held chat's hold", c.Params["text"])
		}
	}
}
