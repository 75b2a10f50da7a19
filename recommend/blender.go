package recommend

import (
	"maps"
	"math/rand/v2"
	"slices"
)

// Plan says how a refill mixes the engines: Weights per engine, an engine
// forced at some positions (Fixed), and the engines that fill whatever the
// blend could not (Fallbacks, in order).
type Plan struct {
	Stage     string
	Weights   map[string]float64
	Fixed     map[int]string
	Fallbacks []string
}

// Engines lists every engine the plan may query, weighted ones first.
func (p Plan) Engines() []string {
	fixed := slices.Collect(maps.Values(p.Fixed))
	var names []string
	for _, n := range EngineNames {
		if p.Weights[n] > 0 || slices.Contains(fixed, n) {
			names = append(names, n)
		}
	}
	return names
}

// Maturity thresholds, in memes sent to the user. Below ColdStartEnd a user
// is in cold start.
const (
	ExploreEnd   = 6
	AdaptEnd     = 16
	ColdStartEnd = 30
	VeteranStart = 100
)

// PlanFor returns the engine mix for a user who has been sent `sent` memes.
// Moderators take 75% of their feed from low_sent_pool, so that the long
// tail gets its first reactions.
func PlanFor(sent int, moderator bool) Plan {
	p := stagePlan(sent)
	if moderator {
		w := map[string]float64{LowSentPool: 0.75}
		var total float64
		for _, v := range p.Weights {
			total += v
		}
		for n, v := range p.Weights {
			w[n] += 0.25 * v / total
		}
		p.Weights, p.Fixed = w, nil
		p.Stage = "moderator/" + p.Stage
	}
	return p
}

func stagePlan(sent int) Plan {
	switch {
	case sent < ExploreEnd:
		return Plan{Stage: "explore", Weights: map[string]float64{ColdStartExplore: 1},
			Fallbacks: []string{LRSmoothed, LastResort}}
	case sent < AdaptEnd:
		return Plan{Stage: "adapt", Weights: map[string]float64{ColdStartAdapt: 1},
			Fallbacks: []string{ColdStartExplore, LRSmoothed, LastResort}}
	case sent < ColdStartEnd:
		return Plan{Stage: "blend",
			Weights:   map[string]float64{ColdStartAdapt: 0.5, LRSmoothed: 0.3, LikeSpread: 0.2},
			Fixed:     map[int]string{0: ColdStartAdapt},
			Fallbacks: []string{LRSmoothed, BestUploaded, LastResort}}
	case sent < VeteranStart:
		return Plan{Stage: "mature",
			Weights: map[string]float64{BestUploaded: 0.1, LRSmoothed: 0.3, RecentlyLiked: 0.2,
				LikeSpread: 0.2, ColdStartExplore: 0.2},
			Fixed:     map[int]string{0: LRSmoothed},
			Fallbacks: []string{LastResort}}
	default:
		// Veterans have seen the consensus favourites: more weight on the
		// engines that reach deeper (spread, uploads, recent likes).
		return Plan{Stage: "veteran",
			Weights: map[string]float64{BestUploaded: 0.15, LRSmoothed: 0.25, RecentlyLiked: 0.2,
				LikeSpread: 0.3, ColdStartExplore: 0.1},
			Fixed:     map[int]string{0: LRSmoothed},
			Fallbacks: []string{LowSentPool, LastResort}}
	}
}

// Blend picks up to limit items from the engines' candidate lists. At a fixed
// position the fixed engine's best remaining item is taken (when it has one);
// elsewhere an engine is drawn at random in proportion to its weight among
// the engines that still have items. An id taken once is taken from no other
// engine. Given the same rng state the result is the same.
func Blend(pools map[string][]Item, weights map[string]float64, fixed map[int]string, limit int, rng *rand.Rand) []Item {
	heads := make(map[string]int, len(pools))
	taken := make(map[int64]bool, limit)
	// next returns the engine's best item not taken yet, advancing past taken ones.
	next := func(engine string) (Item, bool) {
		list := pools[engine]
		for heads[engine] < len(list) && taken[list[heads[engine]].MemeID] {
			heads[engine]++
		}
		if heads[engine] == len(list) {
			return Item{}, false
		}
		return list[heads[engine]], true
	}
	names := make([]string, 0, len(weights))
	for n := range weights {
		names = append(names, n)
	}
	slices.Sort(names) // map order must not leak into the draw

	out := make([]Item, 0, limit)
	for len(out) < limit {
		engine, ok := "", false
		if f, isFixed := fixed[len(out)]; isFixed {
			_, ok = next(f)
			engine = f
		}
		if !ok {
			engine, ok = draw(names, weights, next, rng)
		}
		if !ok {
			break
		}
		it, _ := next(engine)
		taken[it.MemeID] = true
		out = append(out, it)
	}
	return out
}

// draw chooses among the engines with weight > 0 that still have items.
func draw(names []string, weights map[string]float64, next func(string) (Item, bool), rng *rand.Rand) (string, bool) {
	var total float64
	live := names[:0:0]
	for _, n := range names {
		if _, ok := next(n); ok && weights[n] > 0 {
			live = append(live, n)
			total += weights[n]
		}
	}
	if len(live) == 0 {
		return "", false
	}
	x := rng.Float64() * total
	for _, n := range live {
		x -= weights[n]
		if x < 0 {
			return n, true
		}
	}
	return live[len(live)-1], true
}
