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

// Informed returns the informed learner's like rate per band of Bands.
func Informed(w *World) []float64 {
	lists := w.bestByTopic()
	sum, n := make([]float64, len(Bands)), make([]int, len(Bands))
	for u := range w.Users {
		rng := rand.New(rand.NewPCG(w.P.Seed, uint64(u)))
		likes, dislikes := make([]float64, w.P.Topics), make([]float64, w.P.Topics)
		heads := make([][]int, len(languages))
		for l := range heads {
			heads[l] = make([]int, w.P.Topics)
		}
		for pos := 1; pos <= min(w.Users[u].Planned, Bands[len(Bands)-1].To); pos++ {
			m, topic := w.informedPick(u, lists, heads, likes, dislikes, rng)
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

// bestByTopic lists the initial memes per language and main topic, best
// quality first.
func (w *World) bestByTopic() [][][]int {
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
			slices.SortFunc(lists[l][t], func(a, b int) int { return cmp.Compare(w.Memes[b].Quality, w.Memes[a].Quality) })
		}
	}
	return lists
}

// informedPick draws the topic (an interest drawn at random by its chance,
// the likeliest of those drawn; the likeliest when none is) and takes its
// best meme not yet served in the person's languages (-1: none left).
func (w *World) informedPick(u int, lists [][][]int, heads [][]int, likes, dislikes []float64, rng *rand.Rand) (meme, topic int) {
	next := func(t int) int { // the best meme of topic t left, or -1
		best := -1
		for _, l := range w.Users[u].Langs {
			for heads[l][t] < len(lists[l][t]) && w.Memes[lists[l][t][heads[l][t]]].Uploader == u {
				heads[l][t]++
			}
			if heads[l][t] < len(lists[l][t]) {
				if m := lists[l][t][heads[l][t]]; best < 0 || w.Memes[m].Quality > w.Memes[best].Quality {
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
