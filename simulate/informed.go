package simulate

import (
	"cmp"
	"math/rand/v2"
	"slices"

	"memebot/recommend"
)

// The informed learner is a yardstick for the feed: a recommender that
// reads every meme perfectly (it knows each meme's main topic and its
// quality) but, like the feed, knows nothing of a person until they react.
// Per person it learns which topics are their interests from its own
// reactions, by the same rule as the topics engine (each topic is an
// interest or not; Thompson sampling), and serves the best meme of a topic
// drawn as an interest. What it captures is what a feed could reach by
// learning tastes from reactions alone if it understood memes perfectly;
// the gap between it and the feed is what reading memes from their text
// costs, the gap between it and the ceiling what a person's first
// reactions cannot tell.
//
// It uses the topics engine's own rule (recommend.InterestChance and
// recommend.DrawTopic). It runs offline, on the memes that exist at the start (arrivals are left
// out), each person seeing as many memes as they plan to; no database.
//
// Its quality-blind twin knows every meme's topic but not its quality: it
// serves a topic's memes in the order they came. A meme's quality shows
// only in how people react to it, and with a few reactions per meme (as in
// the simulated worlds) little of it can be told, so the blind learner is
// the yardstick for a feed that learns quality from reactions.

// Informed returns the informed learner's like rate per band of Bands,
// knowing each meme's quality or (knowsQuality false) not.
func Informed(w *World, knowsQuality bool) []float64 {
	rank := func(m int) float64 { return -float64(m) } // the order memes came
	if knowsQuality {
		rank = func(m int) float64 { return float64(w.Memes[m].Quality) }
	}
	lists := w.bestByTopic(rank)
	sum, n := make([]float64, len(Bands)), make([]int, len(Bands))
	for u := range w.Users {
		rng := rand.New(rand.NewPCG(w.P.Seed, uint64(u)))
		likes, dislikes := make([]float64, w.P.Topics), make([]float64, w.P.Topics)
		heads := make([][]int, len(languages))
		for l := range heads {
			heads[l] = make([]int, w.P.Topics)
		}
		for pos := 1; pos <= min(w.Users[u].Planned, Bands[len(Bands)-1].To); pos++ {
			m, topic := w.informedPick(u, lists, heads, likes, dislikes, rank, rng)
			if m < 0 {
				break
			}
			p := w.LikeProb(u, m)
			if rng.Float64() < p {
				likes[topic]++
			} else {
				dislikes[topic]++
			}
			for b, band := range Bands {
				if pos >= band.From && pos <= band.To {
					sum[b] += p
					n[b]++
				}
			}
		}
	}
	out := make([]float64, len(Bands))
	for b := range out {
		out[b] = sum[b] / float64(max(1, n[b]))
	}
	return out
}

// bestByTopic lists the initial memes per language and main topic, the
// highest rank first.
func (w *World) bestByTopic(rank func(m int) float64) [][][]int {
	lists := make([][][]int, len(languages))
	for l := range lists {
		lists[l] = make([][]int, w.P.Topics)
	}
	for m := range w.Initial {
		meme := &w.Memes[m]
		lists[meme.Lang][mainTopic(meme)] = append(lists[meme.Lang][mainTopic(meme)], m)
	}
	for l := range lists {
		for t := range lists[l] {
			slices.SortFunc(lists[l][t], func(a, b int) int { return cmp.Compare(rank(b), rank(a)) })
		}
	}
	return lists
}

// informedPick draws the topic (an interest drawn at random by its chance,
// the likeliest of those drawn; the likeliest when none is) and takes its
// highest-ranked meme not yet served in the person's languages (-1: none
// left).
func (w *World) informedPick(u int, lists [][][]int, heads [][]int, likes, dislikes []float64, rank func(m int) float64, rng *rand.Rand) (meme, topic int) {
	next := func(t int) int { // the highest-ranked meme of topic t left, or -1
		best := -1
		for _, l := range w.Users[u].Langs {
			for heads[l][t] < len(lists[l][t]) && w.Memes[lists[l][t][heads[l][t]]].Uploader == u {
				heads[l][t]++
			}
			if heads[l][t] < len(lists[l][t]) {
				if m := lists[l][t][heads[l][t]]; best < 0 || rank(m) > rank(best) {
					best = m
				}
			}
		}
		return best
	}
	chance := make([]float64, len(likes))
	for t := range chance {
		chance[t] = recommend.InterestChance(likes[t], dislikes[t])
	}
	bestTopic := recommend.DrawTopic(chance, func(t int) bool { return next(t) >= 0 }, rng)
	if bestTopic < 0 {
		return -1, -1
	}
	m := next(bestTopic)
	heads[w.Memes[m].Lang][bestTopic]++
	return m, bestTopic
}

// mainTopic is the topic a meme is mostly about.
func mainTopic(m *Meme) int {
	best := m.Topics[0]
	for _, tw := range m.Topics[1:] {
		if tw.weight > best.weight {
			best = tw
		}
	}
	return best.topic
}
