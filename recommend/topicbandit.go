package recommend

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// The topics engine explores and exploits a person's taste over topics
// (topics.go) by Thompson sampling. Each topic either is one of the
// person's interests or is not (liked at about topicLikedRate against
// topicOtherRate); the chance that it is starts at topicInterestShare and
// moves with each like or dislike of its memes (and, by kinship, of related
// topics). Every position of a refill draws, for each topic, whether it is
// an interest, and takes the next meme of a drawn interest, the most
// certain one first; when none is drawn, the likeliest topic. Within a
// topic, memes go in the content engine's order (words and standing). A
// newcomer's topics all look alike, so the first memes cover many topics;
// one like makes its topic an even chance, a second almost sure; a dislike
// sinks it; a topic never tried is still drawn now and then, so a second
// interest is found.
//
// A plain Beta posterior per topic explored far too long: with 32 topics,
// each untried one drew a high rate often enough that a person's known
// favourite lost most positions for their first hundred memes (like rate
// 0.22-0.33 in simulation, a random meme's).

// The two kinds of topic. Not tuned: a round description of the simulated
// worlds and of what meme communities report (a liked topic gets most
// likes, another one few).
const (
	topicLikedRate     = 0.7
	topicOtherRate     = 0.15
	topicInterestShare = 0.15
)

// topicTaste is, per topic, the chance it is one of the person's interests.
type topicTaste struct{ interest []float64 }

// topicTaste learns the person's taste per topic from their reactions.
func (s *memeSnapshot) topicTaste(history []pressed) topicTaste {
	likes, dislikes := make([]float64, topicCount), make([]float64, topicCount)
	for _, h := range history {
		c := s.topicOfPressed(h)
		if c < 0 {
			continue
		}
		for a, kin := range s.topicModel.kinship {
			if h.like {
				likes[a] += float64(kin[c])
			} else {
				dislikes[a] += float64(kin[c])
			}
		}
	}
	t := topicTaste{interest: make([]float64, topicCount)}
	for c := range t.interest {
		t.interest[c] = InterestChance(likes[c], dislikes[c])
	}
	return t
}

// InterestChance is the chance that a topic is one of a person's
// interests after they liked and disliked its memes this many times (also
// the simulation's informed learner's rule).
func InterestChance(likes, dislikes float64) float64 {
	x := logOdds(topicInterestShare) + likes*math.Log(topicLikedRate/topicOtherRate) +
		dislikes*math.Log((1-topicLikedRate)/(1-topicOtherRate))
	return 1 / (1 + math.Exp(-x))
}

// DrawTopic draws the topic of one position by Thompson sampling: each open
// topic is drawn as an interest with its chance; the most certain of those
// drawn wins, or the likeliest when none is (ties broken at random). -1:
// no topic is open.
func DrawTopic(chance []float64, open func(topic int) bool, rng *rand.Rand) int {
	best, bestKey := -1, -1.0
	for c, p := range chance {
		if !open(c) {
			continue
		}
		key := p + 1e-9*rng.Float64() // not drawn as an interest: below 1
		if rng.Float64() < p {
			key++ // drawn as an interest
		}
		if key > bestKey {
			best, bestKey = c, key
		}
	}
	return best
}

// lift is how much likelier than an untried topic the topic is to be one
// of the person's interests, in log-odds (0 for an unknown topic).
func (t topicTaste) lift(topic int16) float64 {
	if topic < 0 || int(topic) >= len(t.interest) {
		return 0
	}
	return logOdds(min(0.999, max(0.001, t.interest[topic]))) - logOdds(topicInterestShare)
}

// topicOfMeme is a meme's topic: its topic in the pool, or placed by its
// words (ids of the snapshot) when it is not in the pool.
func (s *memeSnapshot) topicOfMeme(id int64, words []int32) int16 {
	if i, ok := s.index[id]; ok {
		return s.topics[i]
	}
	return s.topicModel.topicOf(s.inTopicVocab(words))
}

// topicOfPressed is the topic of a meme the person reacted to: its topic in
// the pool, or placed by its words when it has left the pool.
func (s *memeSnapshot) topicOfPressed(h pressed) int16 {
	if i, ok := s.index[h.meme]; ok {
		return s.topics[i]
	}
	return s.topicModel.topicOf(s.inTopicVocab(s.wordIDs(h.words, false)))
}

// topicCandidates serves the topics engine.
func (e *Engines) topicCandidates(ctx context.Context, q Query) ([]Item, error) {
	s, sent, history, err := e.scoringInputs(ctx, q)
	if err != nil {
		return nil, err
	}
	content := s.contentScorer(q.history.wordTaste(s, history))
	per := make([]*topScores, topicCount)
	for c := range per {
		per[c] = newTopScores(q.Limit)
	}
	skip := s.unservable(sent, q.Exclude, q.Languages)
	for i, id := range s.ids {
		if skip[i] {
			continue
		}
		per[s.topics[i]].offer(id, content(s.words[i], s.standing[i]))
	}
	lists := make([][]int64, topicCount)
	for c, t := range per {
		lists[c] = t.ids()
	}
	rng := rand.New(rand.NewPCG(uint64(q.UserID), uint64(time.Now().UnixNano())))
	order := s.topicTaste(history).draw(lists, 2*q.Limit, rng)
	return asItems(Topics)(e.store.ServableMemesOf(ctx, q.stored(), order))
}

// draw orders up to n memes from the topics' lists: each position goes to
// a topic drawn as an interest (the likeliest of those drawn), or to the
// likeliest topic when none is, among the topics with memes left.
func (t topicTaste) draw(lists [][]int64, n int, rng *rand.Rand) []int64 {
	heads := make([]int, len(lists))
	var out []int64
	for len(out) < n {
		best := DrawTopic(t.interest, func(c int) bool { return heads[c] < len(lists[c]) }, rng)
		if best < 0 {
			break
		}
		out = append(out, lists[best][heads[best]])
		heads[best]++
	}
	return out
}
