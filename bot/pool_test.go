package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"
)

// runSized is pollWorld.run with workers update workers and at most inHand
// updates in hand.
func (w *pollWorld) runSized(t *testing.T, workers, inHand int, onText func(c tele.Context) error) (stop func()) {
	t.Helper()
	b := w.newBot(t)
	b.cfg.PollTimeout = time.Second
	b.cfg.Workers, b.cfg.MaxInHand = workers, inHand
	b.Telebot().Handle(tele.OnText, onText)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx, time.Second); close(done) }()
	return func() { cancel(); <-done }
}

// A chat whose update takes long holds back only its own later updates:
// with two workers, twenty other chats are all answered meanwhile (chats
// bound to a worker by hash would leave about half of them behind it).
func TestSlowChatHoldsBackNoOtherChat(t *testing.T) {
	w := newPollWorld(t)
	release := make(chan struct{})
	var once sync.Once
	defer once.Do(func() { close(release) })
	stop := w.runSized(t, 2, 64, func(c tele.Context) error {
		if c.Text() == "slow" {
			<-release
		}
		return c.Send("echo " + c.Text())
	})
	defer stop()

	w.say(t, 1, "slow")
	time.Sleep(200 * time.Millisecond)
	w.say(t, 1, "after slow")
	for i := range 20 {
		w.say(t, int64(100+i), "hi")
	}
	for i := range 20 {
		w.waitReply(t, int64(100+i), "echo hi")
	}
	if msgs := w.srv.Transcript(1); len(msgs) != 2 { // "slow" and "after slow", no answer yet
		t.Fatalf("chat 1 has %d messages while its first update is in hand, want 2", len(msgs))
	}
	once.Do(func() { close(release) })
	w.waitReply(t, 1, "echo slow")
	w.waitReply(t, 1, "echo after slow")
}

// One chat's updates are handled one at a time, in the order they came, even
// with workers to spare.
func TestOneChatsUpdatesInOrder(t *testing.T) {
	w := newPollWorld(t)
	var mu sync.Mutex
	var got []int
	var inChat atomic.Int32
	stop := w.runSized(t, 8, 64, func(c tele.Context) error {
		if c.Chat().ID != 1 {
			return nil
		}
		if inChat.Add(1) > 1 {
			t.Error("two updates of one chat handled at once")
		}
		defer inChat.Add(-1)
		n, _ := strconv.Atoi(c.Text())
		time.Sleep(time.Duration(n%3) * time.Millisecond)
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
		return nil
	})
	defer stop()
	for i := range 40 {
		w.say(t, 1, strconv.Itoa(i))
		w.say(t, int64(100+i), "other")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 40 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 40 {
		t.Fatalf("%d of 40 updates handled", len(got))
	}
	for i, n := range got {
		if n != i {
			t.Fatalf("chat 1's updates handled in the order %v", got)
		}
	}
}

// The bot takes no more updates from Telegram than it may have in hand: with
// room for 4 and 8 workers, only 4 handlers ever run while they are held, and
// the rest wait at Telegram until there is room.
func TestUpdatesInHandAreBounded(t *testing.T) {
	w := newPollWorld(t)
	release := make(chan struct{})
	var once sync.Once
	defer once.Do(func() { close(release) })
	var entered atomic.Int32
	stop := w.runSized(t, 8, 4, func(c tele.Context) error {
		entered.Add(1)
		<-release
		return c.Send("done")
	})
	defer stop()
	for i := range 20 {
		w.say(t, int64(100+i), "hi")
	}
	for deadline := time.Now().Add(10 * time.Second); entered.Load() < 4 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // time for a fifth to start, were there room
	if n := entered.Load(); n != 4 {
		t.Errorf("%d handlers running with room for 4 updates in hand", n)
	}
	once.Do(func() { close(release) })
	for i := range 20 {
		w.waitReply(t, int64(100+i), "done")
	}
	for _, c := range w.srv.Calls("getUpdates") {
		if limit, _ := strconv.Atoi(c.Params["limit"]); limit > 4 {
			t.Fatalf("getUpdates asked for %d updates with room for 4", limit)
		}
		var got []json.RawMessage
		if err := json.Unmarshal(c.Result, &got); err == nil && len(got) > 4 {
			t.Fatalf("getUpdates fetched %d updates with room for 4", len(got))
		}
	}
}
