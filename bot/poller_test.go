package bot

import (
	"context"
	"sync"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/tgfake"
)

// pollWorld is a fake Telegram and a Redis for bots that poll.
type pollWorld struct{ *fakeAPI }

func newPollWorld(t *testing.T) *pollWorld { return &pollWorld{newFakeAPI(t)} }

// run starts a bot whose text handler is onText; stop cuts it off, waiting
// drain for the updates in hand.
func (w *pollWorld) run(t *testing.T, onText func(c tele.Context) error, drain time.Duration) (stop func()) {
	t.Helper()
	b := w.newBot(t)
	b.cfg.PollTimeout = time.Second
	b.Telebot().Handle(tele.OnText, onText)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx, drain); close(done) }()
	return func() { cancel(); <-done }
}

func (w *pollWorld) say(t *testing.T, id int64, text string) {
	t.Helper()
	u := tgfake.User{ID: id, FirstName: "u"}
	if _, err := w.srv.SendText(u, u.PrivateChat(), text); err != nil {
		t.Fatal(err)
	}
}

func (w *pollWorld) waitReply(t *testing.T, chat int64, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := w.srv.WaitMessage(ctx, chat, func(m tgfake.Message) bool { return m.FromBot() && m.Text == text }); err != nil {
		t.Fatalf("no %q in chat %d: %v", text, chat, err)
	}
}

func TestSlowHandlerHoldsBackNothingAndPollingStaysLong(t *testing.T) {
	w := newPollWorld(t)
	release := make(chan struct{})
	var once sync.Once
	defer once.Do(func() { close(release) })
	inHand, tookIt := make(chan struct{}), sync.Once{}
	stop := w.run(t, func(c tele.Context) error {
		if c.Text() == "slow" {
			tookIt.Do(func() { close(inHand) })
			<-release
		}
		return c.Send("echo " + c.Text())
	}, time.Second)
	defer stop()

	w.say(t, 1, "slow")
	<-inHand
	before := len(w.srv.Calls("getUpdates"))
	for i := range 150 { // more than one getUpdates page behind the slow one
		w.say(t, int64(100+i), "hi")
	}
	w.waitReply(t, 249, "echo hi")
	time.Sleep(1500 * time.Millisecond)
	// Long polls of a second while the slow update is in hand: a few, not a
	// loop fetching it again and again.
	if polls := len(w.srv.Calls("getUpdates")) - before; polls > 15 {
		t.Errorf("%d getUpdates calls in about 2 s while one update was in hand, want a few long polls", polls)
	}
	once.Do(func() { close(release) })
	w.waitReply(t, 1, "echo slow")
}

func TestUpdateInHandAtShutdownIsHandledByTheNextRun(t *testing.T) {
	w := newPollWorld(t)
	release := make(chan struct{})
	defer close(release)
	inHand, tookIt := make(chan struct{}), sync.Once{}
	stop := w.run(t, func(c tele.Context) error {
		tookIt.Do(func() { close(inHand) })
		<-release // the first run never finishes it
		return nil
	}, 100*time.Millisecond)
	w.say(t, 7, "are you there")
	<-inHand // fetched and in hand; confirmed to Telegram with the next poll
	for deadline := time.Now().Add(10 * time.Second); w.srv.PendingUpdates() != 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if pending := w.srv.PendingUpdates(); pending != 0 { // only the inbox has it now
		t.Fatalf("Telegram still holds %d updates: they were never confirmed, so this proves nothing", pending)
	}

	stop = w.run(t, func(c tele.Context) error { return c.Send("here: " + c.Text()) }, time.Second)
	defer stop()
	w.waitReply(t, 7, "here: are you there")
}

// A handler's context carries the update's deadline, and a handler still at
// work when the drain ends at shutdown sees its context end.
func TestHandlersContextHasADeadlineAndEndsAtShutdown(t *testing.T) {
	w := newPollWorld(t)
	got := make(chan context.Context, 1)
	stop := w.run(t, func(c tele.Context) error {
		ctx := Context(c)
		got <- ctx
		<-ctx.Done()
		return ctx.Err()
	}, 100*time.Millisecond)
	w.say(t, 9, "hold on")
	var ctx context.Context
	select {
	case ctx = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler was never called")
	}
	if _, ok := ctx.Deadline(); !ok {
		t.Error("the update's context has no deadline")
	}
	if ctx.Err() != nil {
		t.Fatalf("the update's context ended before shutdown: %v", ctx.Err())
	}
	stop()
	if ctx.Err() == nil {
		t.Fatal("the update's context did not end at shutdown")
	}
}
