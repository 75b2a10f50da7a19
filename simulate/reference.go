package simulate

import (
	"slices"
	"time"
)

// reference follows one user with the two policies the feed is compared
// with, at the moments the feed served them: random (a uniform choice among
// the memes they could be served; its expected like rate is the mean true
// like probability of those memes) and the oracle (the unseen meme with the
// highest true like probability). The oracle keeps only the best memes it
// could still serve: never more than the user's remaining planned memes.
// A third, the ceiling, ranks by what taste, topics and quality explain
// (everything but the per-pair noise): the most any recommender could
// capture, however well it learned.
type reference struct {
	w        *World
	user     int
	arrived  int       // memes of w.Memes considered so far (in arrival order)
	sumP     float64   // over the arrived memes the user reads
	readable int       //
	best     []float64 // the oracle's candidates' like probabilities, best first
	ceiling  []scored  // the ceiling's candidates, best logit first
	left     int       // memes the user may still be served
}

// scored is a meme's explained logit and its true like probability.
type scored struct{ logit, p float64 }

func newReference(w *World, user int) *reference {
	return &reference{w: w, user: user, left: w.Users[user].Planned}
}

// serve advances both references by one meme served at virtual time now and
// returns the random policy's and the oracle's like probability for it.
func (r *reference) serve(now time.Duration) (random, oracle, ceiling float64) {
	r.catchUp(now)
	if r.readable > 0 {
		random = r.sumP / float64(r.readable)
	}
	if len(r.best) > 0 {
		oracle = r.best[0]
		r.best = r.best[1:]
	}
	if len(r.ceiling) > 0 {
		ceiling = r.ceiling[0].p
		r.ceiling = r.ceiling[1:]
	}
	r.left--
	return random, oracle, ceiling
}

// catchUp takes in the memes that arrived by now.
func (r *reference) catchUp(now time.Duration) {
	memes := r.w.Memes
	for r.arrived < len(memes) && (r.arrived < r.w.Initial || memes[r.arrived].Arrival <= now) {
		m := r.arrived
		r.arrived++
		if !r.w.Reads(r.user, m) || memes[m].Uploader == r.user {
			continue // not in their languages, or their own upload (never served to them)
		}
		p := r.w.LikeProb(r.user, m)
		r.sumP += p
		r.readable++
		r.offer(p)
		r.offerCeiling(scored{r.w.logit(r.user, m), p})
	}
}

// offerCeiling keeps s among the ceiling's candidates if its explained
// logit is one of the best `left`.
func (r *reference) offerCeiling(s scored) {
	if len(r.ceiling) >= r.left {
		if r.left == 0 || s.logit <= r.ceiling[len(r.ceiling)-1].logit {
			return
		}
		r.ceiling = r.ceiling[:len(r.ceiling)-1]
	}
	i, _ := slices.BinarySearchFunc(r.ceiling, s.logit, func(a scored, b float64) int {
		switch {
		case a.logit > b:
			return -1
		case a.logit < b:
			return 1
		}
		return 0
	})
	r.ceiling = slices.Insert(r.ceiling, i, s)
}

// offer keeps p among the oracle's candidates if it is one of the best `left`.
func (r *reference) offer(p float64) {
	if len(r.best) >= r.left {
		if r.left == 0 || p <= r.best[len(r.best)-1] {
			return
		}
		r.best = r.best[:len(r.best)-1]
	}
	i, _ := slices.BinarySearchFunc(r.best, p, func(a, b float64) int {
		switch {
		case a > b:
			return -1
		case a < b:
			return 1
		}
		return 0
	})
	r.best = slices.Insert(r.best, i, p)
}
