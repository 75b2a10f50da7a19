package telegram

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"
)

// gateBudget refuses everything (briefly, so the dispatcher keeps asking)
// until opened, then admits everything and records the order.
type gateBudget struct {
	mu       sync.Mutex
	open     bool
	admitted []string
	refused  map[string]bool // chats asked for while closed
}

func (g *gateBudget) take(_ context.Context, asks []ask) ([]verdict, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]verdict, len(asks))
	for i, a := range asks {
		if !g.open {
			out[i] = verdict{globalWait: 5 * time.Millisecond}
			if g.refused == nil {
				g.refused = map[string]bool{}
			}
			g.refused[a.target.chat] = true
			continue
		}
		g.admitted = append(g.admitted, a.target.chat)
	}
	return out, nil
}

func (g *gateBudget) hold(context.Context, target, time.Duration) error { return nil }

// wasRefused says whether the chat was asked for while the gate was closed.
func (g *gateBudget) wasRefused(chat string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.refused[chat]
}

func (g *gateBudget) order() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.admitted)
}

// TestLimiterReleaseOrder queues requests while the budget is exhausted and
// checks the order they are admitted in once it frees up: highest priority
// first, first come first within a priority, and an answer queued behind a
// broadcast message to the same chat waits for it (but lifts it to its own
// priority rather than leaving both at the back).
func TestLimiterReleaseOrder(t *testing.T) {
	gate := &gateBudget{}
	l := newLimiter(gate, time.Millisecond, slog.New(slog.DiscardHandler))
	var mu sync.Mutex
	var releases []func()
	queue := func(chat string, p Priority) {
		before := l.enqueued.Load()
		go func() {
			release, err := l.wait(context.Background(), target{chat: chat, cost: 1}, p)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			releases = append(releases, release) // held: the chat's turn stays taken
			mu.Unlock()
		}()
		waitFor(t, func() bool { return l.enqueued.Load() > before })
	}
	queue("a", PriorityBulk)
	queue("b", PriorityBulk)
	queue("x", PriorityBulk)
	queue("n", PriorityNotify)
	queue("x", PriorityInteractive) // behind x's broadcast message
	queue("i", PriorityInteractive)
	queue("c", PriorityBulk)
	// The dispatcher has asked for the last request queued: it sees them all.
	// (Opened earlier, the gate could admit a batch the dispatcher built
	// before the others were queued.)
	waitFor(t, func() bool { return gate.wasRefused("c") })

	gate.mu.Lock()
	gate.open = true
	gate.mu.Unlock()
	waitFor(t, func() bool { return len(gate.order()) == 6 })
	want := []string{"x", "i", "n", "a", "b", "c"}
	if got := gate.order(); !slices.Equal(got, want) {
		t.Fatalf("admitted %v, want %v", got, want)
	}

	time.Sleep(20 * time.Millisecond) // x's answer must still wait for x's turn
	if got := gate.order(); len(got) != 6 {
		t.Fatalf("admitted %v while x's first message was still at Telegram", got)
	}
	mu.Lock()
	for _, release := range releases {
		release()
	}
	mu.Unlock()
	waitFor(t, func() bool { return len(gate.order()) == 7 })
}

// TestLimiterGivesUpWithContext: a request whose context ends stops waiting
// with the context's error, and the one behind it in the chat still goes.
func TestLimiterGivesUpWithContext(t *testing.T) {
	gate := &gateBudget{}
	l := newLimiter(gate, time.Millisecond, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := l.wait(ctx, target{chat: "a", cost: 1}, PriorityBulk); err != context.DeadlineExceeded {
		t.Fatalf("wait = %v, want deadline exceeded", err)
	}
	// The dispatcher may be asking the budget for the abandoned request
	// right now; it drops it when the budget answers.
	waitFor(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		ln := l.lines["a"]
		return ln == nil || len(ln.waiting) == 0
	})
	gate.mu.Lock()
	gate.open = true
	gate.mu.Unlock()
	release, err := l.wait(context.Background(), target{chat: "a", cost: 1}, PriorityBulk)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if got := gate.order(); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("admitted %v, want only the request still waiting", got)
	}
}
