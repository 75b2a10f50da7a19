package recommend

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"memebot/storage"
)

// The fresh engine gives new memes, from channels and uploads alike, the
// impressions that let every other engine judge them: a meme nobody has
// reacted to is invisible to the rankings and to the models. Its pool is
// the memes short of FreshImpressions, the latest to go live first (see
// storage's freshSQL). A meme in its first hour (FreshLane) comes before
// every older one, and among those the one furthest behind a pace of
// FreshImpressions within the hour comes first (before them all, one a few
// impressions short in the last quarter of its hour: freshRescue); the
// rest of the pool waits its turn in order of going live. Within that order
// each person is handed what suits them: the content engine's score and
// the person's interest in the meme's topic. The engine's share of the
// learned blend's positions rises while the memes in their first hour fall
// behind (freshShare).

// FreshLane is the time a new meme has to reach FreshImpressions
// impressions: memes younger than this come first in the fresh engine.
const FreshLane = time.Hour

// freshFitPool is how many refills' worth of fresh memes the fresh engine
// walks (the newest, per language) and ranks for the person: as many as it
// walked before it ranked them, so a refill's live impression counts cost
// what they did.
const freshFitPool = 4

// freshOrderWeight is how much the pool's own order counts against the
// person's taste among the memes past their first hour (in log-odds from
// the first of the pool to the last).
const freshOrderWeight = 1.0

// freshPaceWeight is how much being behind pace counts against the
// person's taste among the memes in their first hour (in log-odds per
// FreshImpressions impressions behind).
const freshPaceWeight = 3.0

// freshPace is when a meme in its first hour is due to have had
// FreshImpressions impressions, for the order of the lane and the fresh
// share: before the hour is out, so that a lane running a little behind
// still makes it.
const freshPace = 45 * time.Minute

// freshCatchUp is how many impressions short of pace the memes in their
// first hour are on average when the fresh engine takes its largest share
// (Learner.FreshShareMax).
const freshCatchUp = 5.0

// freshLaneFirst puts every meme in its first hour before the older ones
// (added to its log-odds; a taste score never spans this much).
const freshLaneFirst = 100.0

// freshRescue is how many impressions short of FreshImpressions a meme past
// freshPace may be and still be rescued: it comes before the rest of the
// lane whoever the person (freshRescueFirst), so that it still gets its
// people within the hour. Left to taste, such a meme lost to the memes that
// suit each person better (a Russian meme's words mean nothing to a
// bilingual person who reacted to English ones). A meme further behind
// cannot make it in the minutes left with the people there are, and keeps
// its place by taste and pace.
const freshRescue = 8

// freshRescueFirst puts a rescued meme before the rest of the lane (added to
// its log-odds, like freshLaneFirst).
const freshRescueFirst = 50.0

// now is the clock a meme's first hour is measured by.
func (e *Engines) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// freshCandidates serves the fresh pool in the order described above.
func (e *Engines) freshCandidates(ctx context.Context, q Query) ([]Item, error) {
	pool := q.stored()
	pool.Limit = freshFitPool * q.Limit
	memes, err := e.store.FreshMemes(ctx, pool)
	if err != nil || len(memes) == 0 {
		return nil, err
	}
	items := make([]Item, len(memes))
	for i, m := range memes {
		items[i] = Item{MemeID: m.ID, Type: m.Type, FileID: m.FileID, Caption: m.Caption, Engine: Fresh}
	}
	if len(items) < 2 {
		return items, nil
	}
	s, _, history, err := e.scoringInputs(ctx, q)
	if err != nil {
		return nil, err
	}
	words, err := e.freshWords(ctx, s, items)
	if err != nil {
		return nil, err
	}
	content, topics := s.contentScorer(q.history.wordTaste(s, history)), s.topicTaste(history)
	now := e.now()
	key := make(map[int64]float64, len(items))
	for i, m := range memes {
		w := words[m.ID]
		key[m.ID] = content(w, 0) + topics.lift(s.topicOfMeme(m.ID, w)) + freshPriority(m, i, len(memes), now)
	}
	slices.SortStableFunc(items, func(a, b Item) int { return cmp.Compare(key[b.MemeID], key[a.MemeID]) })
	return items[:min(len(items), q.Limit)], nil
}

// freshPriority is what a meme's place in the fresh pool adds to the
// person's taste for it: in its first hour, first place, how far it is
// behind pace and whether it is to be rescued; after, the pool's order (the
// i-th of n, latest live first).
func freshPriority(m storage.FreshMeme, i, n int, now time.Time) float64 {
	age := now.Sub(m.PublishedAt)
	if age >= FreshLane {
		return -freshOrderWeight * float64(i) / float64(n)
	}
	priority := freshLaneFirst + freshPaceWeight*behindPace(m, now)/FreshImpressions
	if short := FreshImpressions - m.Shown; age >= freshPace && short > 0 && short <= freshRescue {
		priority += freshRescueFirst
	}
	return priority
}

// behindPace is how many impressions m is short of the pace of
// FreshImpressions by freshPace (negative: ahead of it).
func behindPace(m storage.FreshMeme, now time.Time) float64 {
	age := max(0, now.Sub(m.PublishedAt).Seconds())
	return FreshImpressions*min(1, age/freshPace.Seconds()) - float64(m.Shown)
}

// freshShareCache is the fresh share last worked out, and when (by the engines'
// clock): every refill needs it, a minute-old one will do.
type freshShareCache struct {
	mu    sync.Mutex
	at    time.Time
	share float64
}

// freshShare is the share of a learned refill's positions the fresh engine
// takes now: the learner's FreshShare while the memes in their first hour
// keep pace, rising to FreshShareMax as they fall behind (freshCatchUp
// impressions short on average), so that quiet hours still give every new
// meme its people and busy ones spend no more than that on them.
func (f *Feed) freshShare(ctx context.Context, l Learner) (float64, error) {
	now := f.engines.now()
	f.freshCache.mu.Lock()
	defer f.freshCache.mu.Unlock()
	if age := now.Sub(f.freshCache.at); !f.freshCache.at.IsZero() && age >= 0 && age < time.Minute {
		return f.freshCache.share, nil
	}
	memes, err := f.store.FreshLane(ctx, now.Add(-FreshLane))
	if err != nil {
		return 0, fmt.Errorf("recommend: fresh lane: %w", err)
	}
	behind := 0.0
	for _, m := range memes {
		behind += max(0, behindPace(m, now))
	}
	share := l.FreshShare
	if len(memes) > 0 {
		share += (l.FreshShareMax - l.FreshShare) * min(1, behind/float64(len(memes))/freshCatchUp)
	}
	f.freshCache.at, f.freshCache.share = now, share
	return share, nil
}

// freshWords is what the fresh memes say, as word ids of the snapshot:
// those in the snapshot (nearly all: it holds the newest memes) as it holds
// them, the others (arrived since it was loaded) read in one round trip.
func (e *Engines) freshWords(ctx context.Context, s *memeSnapshot, items []Item) (map[int64][]int32, error) {
	words := make(map[int64][]int32, len(items))
	var missing []int64
	for _, it := range items {
		if i, ok := s.index[it.MemeID]; ok {
			words[it.MemeID] = s.words[i]
		} else {
			missing = append(missing, it.MemeID)
		}
	}
	err := e.memeWordsOf(ctx, missing, func(id int64, ws []string) { words[id] = s.wordIDs(ws, false) })
	if err != nil {
		return nil, err
	}
	return words, nil
}
