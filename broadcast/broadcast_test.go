package broadcast_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"memebot/broadcast"
	"memebot/storage"
	"memebot/storage/storagetest"
)

var errBlocked = errors.New("Forbidden: bot was blocked by the user")

// fakeSender records copies; the users in blocked refuse them.
type fakeSender struct {
	mu      sync.Mutex
	copies  map[int64]int
	blocked map[int64]bool
	edits   []string
	onCopy  func(n int) // called with the number of copies so far
}

func (f *fakeSender) Copy(_ context.Context, to, _, _ int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.blocked[to] {
		return errBlocked
	}
	f.copies[to]++
	if f.onCopy != nil {
		f.onCopy(len(f.copies))
	}
	return nil
}

func (f *fakeSender) EditText(_ context.Context, _, _ int64, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.edits = append(f.edits, text)
	return nil
}

func (f *fakeSender) IsBlocked(err error) bool { return errors.Is(err, errBlocked) }

func setup(t *testing.T, users int) (*storage.Store, *storage.Broadcast) {
	t.Helper()
	st := storagetest.NewStore(t)
	ctx := context.Background()
	for i := 1; i <= users; i++ {
		if _, _, err := st.UpsertUser(ctx, storage.UserProfile{ID: int64(i), FirstName: "u"}); err != nil {
			t.Fatal(err)
		}
	}
	b := &storage.Broadcast{AdminID: 1, FromChatID: 1, FromMessageID: 10}
	if err := st.CreateBroadcast(ctx, b); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.StartBroadcast(ctx, b.ID, 11); err != nil || !ok {
		t.Fatalf("start: %v %v", ok, err)
	}
	return st, b
}

func deliverer(st *storage.Store, s *fakeSender, budget time.Duration) *broadcast.Deliverer {
	return &broadcast.Deliverer{Store: st, Sender: s, Batch: 7, Budget: budget, ProgressEvery: time.Hour, Log: storagetest.Logger()}
}

// TestDeliversOnceToEveryoneAndMarksWhoBlocked: every user gets one copy
// across several runs (a run stops when its budget is spent, the next goes
// on), a user who blocked the bot is marked and not retried, and the admin's
// progress message ends with the figures.
func TestDeliversOnceToEveryoneAndMarksWhoBlocked(t *testing.T) {
	st, b := setup(t, 40)
	ctx := context.Background()
	s := &fakeSender{copies: map[int64]int{}, blocked: map[int64]bool{13: true}}
	d := deliverer(st, s, 0) // one batch per run: many runs
	for range 20 {
		if err := d.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.copies) != 39 {
		t.Fatalf("%d users got the broadcast, want 39 (40 minus the one who blocked)", len(s.copies))
	}
	for id, n := range s.copies {
		if n != 1 {
			t.Fatalf("user %d got %d copies", id, n)
		}
	}
	if u, _ := st.User(ctx, 13); u.BlockedBotAt == nil {
		t.Fatal("the user who blocked the bot is not marked")
	}
	last := s.edits[len(s.edits)-1]
	if !strings.Contains(last, "finished: 39 sent, 1 blocked") {
		t.Fatalf("last progress = %q", last)
	}
	got, _ := st.Broadcast(ctx, b.ID)
	if got.Status != storage.BroadcastDone {
		t.Fatalf("status %s, want done", got.Status)
	}
}

// TestCancelStopsDelivery: /broadcast cancel during delivery stops it at the
// next batch; nobody else gets it. (The cancel lands while the 10th copy is
// being sent, in the second batch of 7: at most those 14 go out.)
func TestCancelStopsDelivery(t *testing.T) {
	st, _ := setup(t, 40)
	ctx := context.Background()
	s := &fakeSender{copies: map[int64]int{}, blocked: map[int64]bool{}}
	s.onCopy = func(n int) {
		if n == 10 {
			if _, err := st.CancelBroadcasts(context.Background(), 0); err != nil {
				t.Error(err)
			}
		}
	}
	d := deliverer(st, s, time.Minute)
	if err := d.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(s.copies); n < 10 || n > 14 {
		t.Fatalf("%d copies after a cancel at the 10th, want the batch in flight only (10 to 14)", n)
	}
	if last := s.edits[len(s.edits)-1]; !strings.Contains(last, "stopped") {
		t.Fatalf("last progress = %q", last)
	}
	if err := d.Run(ctx); err != nil || len(s.copies) > 14 {
		t.Fatalf("a run after the cancel sent more (%d, %v)", len(s.copies), err)
	}
}
