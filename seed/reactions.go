package seed

import (
	"context"
	"math"
	"slices"
	"time"

	"memebot/storage"
)

// Shape of the synthetic activity.
const (
	popularitySkew = 2.5   // rank = n * u^skew: the head is picked far more often
	meanSessionLen = 19    // memes per session (the reference's median)
	unreactedShare = 0.05  // sent, never reacted to
	likeBias       = -0.55 // with the quality spread, ~40% likes
	batchRows      = 8192
)

// copyReactions streams the reactions, generated user by user in a goroutine
// of its own, into COPY.
func (g *generator) copyReactions(ctx context.Context, bulk *storage.BulkLoad) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []storage.LoadReaction, 8)
	go g.generateReactions(ctx, batches)
	return bulk.CopyReactions(ctx, batches)
}

func (g *generator) generateReactions(ctx context.Context, out chan<- []storage.LoadReaction) {
	defer close(out)
	seen := make(map[int32]struct{})
	var picks []int32
	batch := make([]storage.LoadReaction, 0, batchRows)
	for u := range g.opts.Users {
		picks = g.pickMemes(u, seen, picks[:0])
		times := g.timeline(u, len(picks))
		// Sent order is unrelated to meme ids; rows go in id order for the primary key.
		g.rng.Shuffle(len(times), func(i, j int) { times[i], times[j] = times[j], times[i] })
		for k, m := range picks {
			batch = append(batch, g.reaction(u, m, times[k]))
			if len(batch) == batchRows {
				select {
				case out <- batch:
				case <-ctx.Done():
					return
				}
				batch = make([]storage.LoadReaction, 0, batchRows)
			}
		}
	}
	if len(batch) > 0 {
		select {
		case out <- batch:
		case <-ctx.Done():
		}
	}
}

// pickMemes draws the user's memes without repetition, popular ones far more
// often, from the languages the user reads.
func (g *generator) pickMemes(u int, seen map[int32]struct{}, picks []int32) []int32 {
	clear(seen)
	var pools [][]int32
	var shares []float64
	total := float64(g.poolSize(u))
	for _, l := range userLangSets[g.userLangs[u]] {
		p := g.byLang[slices.Index(memeLanguages, l)]
		if len(p) > 0 {
			pools, shares = append(pools, p), append(shares, float64(len(p))/total)
		}
	}
	if len(pools) == 0 {
		return picks
	}
	for len(picks) < int(g.userCount[u]) {
		pool := pools[pick(g.rng, shares)]
		m := pool[int(float64(len(pool))*math.Pow(g.rng.Float64(), popularitySkew))]
		if _, dup := seen[m]; dup {
			continue
		}
		seen[m] = struct{}{}
		picks = append(picks, m)
	}
	slices.Sort(picks)
	return picks
}

// timeline returns n send times ending at the user's last activity: sessions
// of ~19 memes a few seconds apart, separated by hours.
func (g *generator) timeline(u, n int) []time.Time {
	gaps := make([]time.Duration, n)
	var total time.Duration
	for i := range gaps {
		if g.rng.IntN(meanSessionLen) == 0 {
			gaps[i] = 30*time.Minute + time.Duration(g.rng.ExpFloat64()*float64(20*time.Hour))
		} else {
			gaps[i] = 3*time.Second + time.Duration(g.rng.ExpFloat64()*float64(8*time.Second))
		}
		total += gaps[i]
	}
	times := make([]time.Time, n)
	at := g.userEnd[u].Add(-total)
	for i, gap := range gaps {
		at = at.Add(gap)
		times[i] = at
	}
	return times
}

func (g *generator) reaction(u int, m int32, sent time.Time) storage.LoadReaction {
	r := storage.LoadReaction{UserID: g.userBase + int64(u), MemeID: g.memeBase + int64(m), Engine: "seed", SentAt: sent}
	if g.rng.Float64() < unreactedShare {
		return r
	}
	p := sigmoid(likeBias + 0.9*float64(g.memeQual[m]) + float64(g.userBias[u]))
	r.Reaction = storage.Dislike
	if g.rng.Float64() < p {
		r.Reaction = storage.Like
	}
	delay := time.Duration(math.Exp(math.Log(3)+0.8*g.rng.NormFloat64()) * float64(time.Second))
	r.ReactedAt = sent.Add(delay)
	return r
}
