package recommend

import (
	"errors"
	"sync"
	"testing"
	"time"

	"memebot/storage"
)

// catalogue creates n ok English memes that every engine can serve.
func (f *fixture) catalogue(n int) []int64 {
	f.t.Helper()
	out := make([]int64, n)
	for i := range out {
		out[i] = f.meme(memeSpec{})
		f.popular(out[i], 0.5)
	}
	return out
}

func (f *fixture) engineOf(userID, memeID int64) string {
	f.t.Helper()
	var engine string
	if err := f.db.QueryRow(f.ctx, `SELECT engine FROM reactions WHERE user_id = $1 AND meme_id = $2`, userID, memeID).Scan(&engine); err != nil {
		f.t.Fatal(err)
	}
	return engine
}

func TestDuplicateSentInsertKeepsTheFirstEngine(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	id := f.catalogue(1)[0]
	first, err := f.feed.claim(f.ctx, 1, Item{MemeID: id, Engine: LRSmoothed})
	if err != nil || !first {
		t.Fatalf("first claim = %v, %v", first, err)
	}
	second, err := f.feed.claim(f.ctx, 1, Item{MemeID: id, Engine: LastResort})
	if err != nil || second {
		t.Fatalf("second claim = %v, %v; want false", second, err)
	}
	if got := f.engineOf(1, id); got != LRSmoothed {
		t.Fatalf("engine = %s, want the first one %s", got, LRSmoothed)
	}
}

func TestReactionIsNeverOverwritten(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	id := f.catalogue(1)[0]
	if _, changed, err := f.feed.ReactEngine(f.ctx, 1, id, storage.Like); err != nil || changed {
		t.Fatalf("reaction to a meme never sent: changed=%v err=%v", changed, err)
	}
	f.sent(1, id, 0, time.Now())
	if _, changed, err := f.feed.ReactEngine(f.ctx, 1, id, storage.Like); err != nil || !changed {
		t.Fatalf("first reaction: changed=%v err=%v", changed, err)
	}
	if _, changed, err := f.feed.ReactEngine(f.ctx, 1, id, storage.Dislike); err != nil || changed {
		t.Fatalf("second reaction: changed=%v err=%v", changed, err)
	}
	var r int
	f.db.QueryRow(f.ctx, `SELECT reaction FROM reactions WHERE user_id = 1 AND meme_id = $1`, id).Scan(&r)
	if r != storage.Like {
		t.Fatalf("reaction = %d, want the first one (like)", r)
	}
}

func TestConcurrentReactChangesOnce(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	id := f.catalogue(1)[0]
	f.sent(1, id, 0, time.Now())
	var wg sync.WaitGroup
	results := make([]bool, 8)
	for i := range results {
		wg.Go(func() {
			_, changed, err := f.feed.ReactEngine(f.ctx, 1, id, storage.Like+i%2)
			if err != nil {
				t.Error(err)
			}
			results[i] = changed
		})
	}
	wg.Wait()
	n := 0
	for _, c := range results {
		if c {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d concurrent presses reported a change, want exactly 1", n)
	}
}

func TestConsecutiveRefillsQueueNoDuplicates(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	f.catalogue(40)
	for range 2 {
		if n, err := f.feed.Refill(f.ctx, 1, false); err != nil || n != 15 {
			t.Fatalf("refill added %d, err %v; want 15", n, err)
		}
	}
	seen := map[int64]bool{}
	for _, it := range f.queue(1) {
		if seen[it.MemeID] {
			t.Fatalf("meme %d queued twice", it.MemeID)
		}
		seen[it.MemeID] = true
	}
	if len(seen) != 30 {
		t.Fatalf("queue holds %d distinct memes, want 30", len(seen))
	}
	if ttl := f.rdb.TTL(f.ctx, f.feed.queueKey(1)).Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("queue TTL = %v, want up to an hour", ttl)
	}
}

func TestRefillWaitsForTheLockOwner(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	f.catalogue(20)
	f.rdb.Set(f.ctx, f.feed.lockKey(1), "someone else", time.Minute)
	if n, err := f.feed.Refill(f.ctx, 1, false); err != nil || n != 0 {
		t.Fatalf("refill under a foreign lock added %d (err %v), want 0", n, err)
	}
	if got := f.rdb.Get(f.ctx, f.feed.lockKey(1)).Val(); got != "someone else" {
		t.Fatalf("foreign lock was replaced or released: %q", got)
	}
}

func TestNextClaimsEachMemeOnceUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	memes := f.catalogue(45)
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		served = map[int64]int{}
	)
	for range 6 {
		wg.Go(func() {
			for {
				it, err := f.feed.Next(f.ctx, 1, false)
				if errors.Is(err, ErrNoMemes) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				served[it.MemeID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for id, n := range served {
		if n > 1 {
			t.Errorf("meme %d served %d times", id, n)
		}
		if f.engineOf(1, id) == "" {
			t.Errorf("meme %d served without an engine recorded", id)
		}
	}
	if len(served) != len(memes) {
		t.Fatalf("served %d distinct memes, want all %d", len(served), len(memes))
	}
}

func TestNextSkipsMemesSentOrRejectedSinceQueued(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	ids := f.catalogue(3)
	if _, err := f.feed.Refill(f.ctx, 1, false); err != nil {
		t.Fatal(err)
	}
	queued := f.queue(1)
	f.sent(1, queued[0].MemeID, 0, time.Now())                                   // sent by another path
	f.exec(`UPDATE memes SET status = 'broken' WHERE id = $1`, queued[1].MemeID) // no longer servable
	it, err := f.feed.Next(f.ctx, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if it.MemeID != queued[2].MemeID {
		t.Fatalf("Next = %d, want %d (the only one still servable and unsent)", it.MemeID, queued[2].MemeID)
	}
	if _, err := f.feed.Next(f.ctx, 1, false); !errors.Is(err, ErrNoMemes) {
		t.Fatalf("after all %d memes: err = %v, want ErrNoMemes", len(ids), err)
	}
}

func TestUnsendForgetsOnlyAnUnreactedMeme(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	ids := f.catalogue(2)
	f.sent(1, ids[0], 0, time.Now())
	f.sent(1, ids[1], storage.Like, time.Now())
	for _, id := range ids {
		if err := f.feed.Unsend(f.ctx, 1, id); err != nil {
			t.Fatal(err)
		}
	}
	var left []int64
	rows, _ := f.db.Query(f.ctx, `SELECT meme_id FROM reactions WHERE user_id = 1`)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		left = append(left, id)
	}
	rows.Close()
	if len(left) != 1 || left[0] != ids[1] {
		t.Fatalf("rows left = %v, want only the reacted meme %d", left, ids[1])
	}
}

func TestNextRefillsInBackgroundWhenLow(t *testing.T) {
	f := newFixture(t)
	f.feed.cfg.Refresh = -1 // a newcomer's queue would be rebuilt instead
	f.user(1, "en")
	f.catalogue(40)
	// 15 queued; the 7th pop leaves 8, the low-water mark: 15 more come in
	// the background, and the 8th pop leaves 22 without another refill.
	for range 8 {
		if _, err := f.feed.Next(f.ctx, 1, false); err != nil {
			t.Fatal(err)
		}
	}
	f.feed.Close()
	if n, _ := f.feed.QueueLength(f.ctx, 1); n != 7+15 {
		t.Fatalf("queue length after a low pop = %d, want 22", n)
	}
}

func TestANewcomersQueueIsRebuiltEveryFewMemes(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	f.catalogue(60)
	var served []Item
	for range 3 {
		it, err := f.feed.Next(f.ctx, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		served = append(served, it)
	}
	f.feed.Close()
	if !served[2].Refresh || served[0].Refresh || served[1].Refresh {
		t.Fatalf("refresh marks on the first three memes: %v %v %v; want the third only", served[0].Refresh, served[1].Refresh, served[2].Refresh)
	}
	// Without the rebuild the queue would hold the 12 left of the first refill.
	q := f.queue(1)
	if len(q) != 15 || !q[2].Refresh {
		t.Fatalf("queue after the third meme: %d items, third marked %v; want a rebuilt 15 with its own mark", len(q), len(q) > 2 && q[2].Refresh)
	}
	for _, it := range q {
		for _, s := range served {
			if it.MemeID == s.MemeID {
				t.Fatalf("the rebuilt queue holds meme %d, already served", it.MemeID)
			}
		}
	}
}

func TestRefillActiveTopsUpRecentUsersOnly(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	f.user(2, "en")
	f.exec(`UPDATE users SET last_active_at = now() - interval '2 days' WHERE id = 2`)
	f.catalogue(20)
	n, err := f.feed.RefillActive(f.ctx, time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("RefillActive = %d, %v; want 1 queue", n, err)
	}
	if l, _ := f.feed.QueueLength(f.ctx, 1); l != 15 {
		t.Fatalf("active user's queue = %d, want 15", l)
	}
	if l, _ := f.feed.QueueLength(f.ctx, 2); l != 0 {
		t.Fatalf("inactive user's queue = %d, want 0", l)
	}
}

func TestModeratorsReviewTheLongTail(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	f.catalogue(30)
	tail := make(map[int64]bool)
	for range 20 {
		id := f.meme(memeSpec{}) // never sent, no stats: only low_sent_pool and last_resort reach it
		tail[id] = true
	}
	if _, err := f.feed.Refill(f.ctx, 1, true); err != nil {
		t.Fatal(err)
	}
	fromTail := 0
	for _, it := range f.queue(1) {
		if it.Engine == LowSentPool {
			fromTail++
			if !tail[it.MemeID] {
				t.Errorf("low_sent_pool served %d, which has been sent 70 times", it.MemeID)
			}
		}
	}
	if fromTail < 6 { // 75% of 15 expected; the draw is random
		t.Fatalf("%d of 15 items from low_sent_pool, want most", fromTail)
	}
}

// Past cold start too, what a person pressed shows in their next memes: the
// learned feed rebuilds a veteran's queue every few memes. A moderator's
// hand-set queue runs its course.
func TestEveryLearnedQueueIsRebuiltEveryFewMemes(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	f.user(2, "en")
	f.exec(`UPDATE users SET role = $1 WHERE id = 2`, storage.RoleModerator)
	seen := f.catalogue(VeteranStart + 10)
	for i, id := range seen {
		f.sent(1, id, storage.Like, time.Now().Add(-time.Duration(len(seen)-i)*time.Minute))
	}
	f.catalogue(60)
	for _, user := range []int64{1, 2} {
		var served []Item
		for range 3 {
			it, err := f.feed.Next(f.ctx, user, false)
			if err != nil {
				t.Fatal(err)
			}
			served = append(served, it)
		}
		f.feed.Close()
		q := f.queue(user)
		if user == 2 {
			if served[2].Refresh || len(q) != 12 {
				t.Fatalf("moderator: third meme marked %v, %d queued; want no mark and the 12 left", served[2].Refresh, len(q))
			}
			continue
		}
		if !served[2].Refresh || len(q) != 15 || !q[2].Refresh {
			t.Fatalf("veteran: third meme marked %v, %d queued; want a mark and a rebuilt 15", served[2].Refresh, len(q))
		}
	}
}
