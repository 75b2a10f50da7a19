package recommend

import (
	"errors"
	"sync"
	"testing"
	"time"

	"memebot/storage"
)

// sentRows is the user's reactions rows: meme id -> reaction (0 = none yet).
func (f *fixture) sentRows(userID int64) map[int64]int {
	f.t.Helper()
	rows, err := f.db.Query(f.ctx, `SELECT meme_id, COALESCE(reaction, 0) FROM reactions WHERE user_id = $1`, userID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var r int
		if err := rows.Scan(&id, &r); err != nil {
			f.t.Fatal(err)
		}
		out[id] = r
	}
	return out
}

// shown claims the user's next meme, as if it had been sent.
func (f *fixture) shown(userID int64) Item {
	f.t.Helper()
	it, err := f.feed.Next(f.ctx, userID, false)
	if err != nil {
		f.t.Fatal(err)
	}
	return it
}

func TestReactNextStoresTheReactionAndClaimsTheQueueHead(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	f.catalogue(30)
	shown := f.shown(1)
	head := f.queue(1)[0]
	press, err := f.feed.ReactNext(f.ctx, 1, shown.MemeID, storage.Dislike, false)
	if err != nil || !press.Changed {
		t.Fatalf("ReactNext = %+v, %v; want a change", press, err)
	}
	if press.Engine != shown.Engine || press.Next != head {
		t.Fatalf("ReactNext = %+v; want engine %s and the queue head %+v", press, shown.Engine, head)
	}
	rows := f.sentRows(1)
	if len(rows) != 2 || rows[shown.MemeID] != storage.Dislike || rows[head.MemeID] != 0 {
		t.Fatalf("rows = %v; want the dislike on %d and %d sent", rows, shown.MemeID, head.MemeID)
	}
	if got := f.engineOf(1, head.MemeID); got != head.Engine {
		t.Fatalf("engine of the claimed meme = %q, want %q", got, head.Engine)
	}
}

func TestReactNextOnAnAnsweredMemeClaimsNothing(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	f.catalogue(30)
	shown := f.shown(1)
	if press, err := f.feed.ReactNext(f.ctx, 1, shown.MemeID, storage.Like, false); err != nil || !press.Changed {
		t.Fatalf("first press = %+v, %v", press, err)
	}
	queued := f.queue(1)
	for _, meme := range []int64{shown.MemeID, queued[0].MemeID + 1000} { // answered; never sent
		press, err := f.feed.ReactNext(f.ctx, 1, meme, storage.Dislike, false)
		if err != nil || press.Changed || press.Next.MemeID != 0 {
			t.Fatalf("press on meme %d = %+v, %v; want no change and nothing claimed", meme, press, err)
		}
	}
	if rows := f.sentRows(1); len(rows) != 2 || rows[shown.MemeID] != storage.Like {
		t.Fatalf("rows = %v; want the first like and one more meme sent", rows)
	}
	if after := f.queue(1); len(after) != len(queued) || after[0] != queued[0] {
		t.Fatalf("queue went from %d items (head %d) to %d (head %d); want it untouched",
			len(queued), queued[0].MemeID, len(after), after[0].MemeID)
	}
}

func TestConcurrentReactNextClaimsOneMeme(t *testing.T) {
	f := newFixture(t)
	// A newcomer's queue is rebuilt when the press that wins took the third
	// meme, and a rebuild drops by design whatever the losers put back.
	f.feed.cfg.Refresh = -1
	f.user(1, "en")
	f.catalogue(30)
	shown := f.shown(1)
	queued := f.queue(1)
	var wg sync.WaitGroup
	presses := make([]Press, 8)
	for i := range presses {
		wg.Go(func() {
			p, err := f.feed.ReactNext(f.ctx, 1, shown.MemeID, storage.Like+i%2, false)
			if err != nil {
				t.Error(err)
			}
			presses[i] = p
		})
	}
	wg.Wait()
	f.feed.Close()
	changed := 0
	for _, p := range presses {
		if p.Changed {
			changed++
		}
	}
	if changed != 1 {
		t.Fatalf("%d of 8 concurrent presses changed something, want 1", changed)
	}
	if rows := f.sentRows(1); len(rows) != 2 {
		t.Fatalf("%d memes sent after 8 concurrent presses on the first, want 2", len(rows))
	}
	// The losers' pops went back (a low pop may have refilled the queue too).
	after := map[int64]bool{}
	for _, it := range f.queue(1) {
		after[it.MemeID] = true
	}
	for _, it := range queued {
		if _, sent := f.sentRows(1)[it.MemeID]; !sent && !after[it.MemeID] {
			t.Errorf("meme %d left the queue without being sent", it.MemeID)
		}
	}
}

func TestReactNextSkipsQueuedMemesNoLongerServable(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en", "de")
	for range 10 {
		f.catalogue(1)
		f.popular(f.meme(memeSpec{lang: "de"}), 0.5)
	}
	shown := f.shown(1)
	queued := f.queue(1)
	keep := "de" // the user drops the language of queued[2]
	if f.langOf(queued[2].MemeID) == "de" {
		keep = "en"
	}
	f.sent(1, queued[0].MemeID, 0, time.Now())                                   // sent by another path
	f.exec(`UPDATE memes SET status = 'broken' WHERE id = $1`, queued[1].MemeID) // no longer approved
	f.exec(`UPDATE users SET languages = $1 WHERE id = 1`, []string{keep})       // /lang, queue not reset yet
	press, err := f.feed.ReactNext(f.ctx, 1, shown.MemeID, storage.Like, false)
	if err != nil || !press.Changed {
		t.Fatalf("ReactNext = %+v, %v", press, err)
	}
	if id := press.Next.MemeID; id == queued[0].MemeID || id == queued[1].MemeID || f.langOf(id) != keep {
		t.Fatalf("next meme %d (%s): already sent, broken or in a language the user dropped", id, f.langOf(id))
	}
	if rows := f.sentRows(1); rows[shown.MemeID] != storage.Like {
		t.Fatalf("the reaction was not stored: %v", rows)
	}
}

func TestReactNextWithAnEmptyQueueRefills(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	ids := f.catalogue(2)
	shown := f.shown(1)
	f.feed.Close()
	f.feed.Reset(f.ctx, 1)
	press, err := f.feed.ReactNext(f.ctx, 1, shown.MemeID, storage.Like, false)
	if err != nil || !press.Changed || press.Next.MemeID == 0 || press.Next.MemeID == shown.MemeID {
		t.Fatalf("ReactNext on an empty queue = %+v, %v; want the other meme", press, err)
	}
	press, err = f.feed.ReactNext(f.ctx, 1, press.Next.MemeID, storage.Like, false)
	if !errors.Is(err, ErrNoMemes) || !press.Changed {
		t.Fatalf("after all %d memes: %+v, %v; want the reaction stored and ErrNoMemes", len(ids), press, err)
	}
	if rows := f.sentRows(1); len(rows) != 2 || rows[ids[0]] != storage.Like || rows[ids[1]] != storage.Like {
		t.Fatalf("rows = %v; want both memes liked", rows)
	}
}

func (f *fixture) langOf(memeID int64) string {
	f.t.Helper()
	var lang string
	if err := f.db.QueryRow(f.ctx, `SELECT language FROM memes WHERE id = $1`, memeID).Scan(&lang); err != nil {
		f.t.Fatal(err)
	}
	return lang
}
