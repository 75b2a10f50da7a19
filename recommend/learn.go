package recommend

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// The learned blend. Which engine serves a user best changes with how much
// the feed knows about them, and with the catalogue: so each maturity stage
// keeps, per engine, the likes and dislikes its memes got lately (decayed by
// the stats job, table engine_stats), and every position of a refill is
// drawn by Thompson sampling: a like rate is drawn for each engine from its
// Beta posterior and the highest wins. An engine that is doing well gets
// most positions; one that is uncertain still gets tried; one that fell
// behind comes back once its rivals' evidence fades. The prior is what the
// simulation measured of each engine (priorLift). Two floors keep learning
// honest: a share of positions goes to the fresh engine (new memes need
// impressions whatever their engine's rate), and a share to a uniformly
// chosen engine (so no engine's evidence freezes).

// Learner holds the learned blend's constants.
type Learner struct {
	// FreshShare of positions go to the fresh engine (0.1) while new memes
	// keep pace, up to FreshShareMax (0.25) as they fall behind (see
	// Feed.freshShare).
	FreshShare, FreshShareMax float64
	// Floor of positions go to an engine chosen uniformly (0.05).
	Floor float64
	// PriorStrength is how many reactions the prior counts as (10).
	PriorStrength float64
}

func (l Learner) withDefaults() Learner {
	if l.FreshShare <= 0 {
		l.FreshShare = 0.1
	}
	if l.FreshShareMax < l.FreshShare {
		l.FreshShareMax = max(l.FreshShare, 0.25)
	}
	if l.Floor <= 0 {
		l.Floor = 0.05
	}
	if l.PriorStrength <= 0 {
		l.PriorStrength = 10
	}
	return l
}

// LearnedEngines are the engines the learned blend chooses among, at every
// stage (an engine with nothing to offer a user yields its positions).
// Left out because the simulation showed they do not help: taste (below
// source_affinity and content in every band), like_spread, recently_liked
// and best_uploaded (at the like rate of a random meme once collab and
// content are in the blend). They remain in the hand-set plans.
var LearnedEngines = []string{
	Collab, Content, Topics, CoLiked, SourceAffinity, ColdStartAdapt, ColdStartExplore, LRSmoothed, Fresh,
}

// Stages are the maturity stages, by the fewest memes sent in each.
var Stages = []struct {
	Name string
	From int
}{{"explore", 0}, {"adapt", ExploreEnd}, {"blend", AdaptEnd}, {"mature", ColdStartEnd}, {"veteran", VeteranStart}}

// StageOf names the maturity stage of a user who was sent `sent` memes.
func StageOf(sent int) string { return stagePlan(sent).Stage }

// Evidence is an engine's decayed likes and dislikes in one stage.
type Evidence struct{ Likes, Dislikes float64 }

// priorLift is, per stage, how much more often than a random meme each
// engine's memes were liked in the simulation (`memebot simulate`, 300
// people, 3,000 memes, the three default worlds, 2026-12; the stage's band
// of memes seen, rounded): what the feed knows of the engines before its
// own people have reacted to any. The engines that learn from the person
// come first, the global rankings last. Engines the simulation did not serve
// (cold_start_explore: no meme there reached its 50 reactions) are placed
// by their kind.
var priorLift = map[string]map[string]float64{
	"explore": {Topics: 1.35, Content: 1.5, CoLiked: 1.45, Collab: 1.35, Fresh: 1.1, SourceAffinity: 1.25,
		ColdStartAdapt: 1.15, LRSmoothed: 1.05, ColdStartExplore: 1.3},
	"adapt": {Topics: 1.35, Content: 1.5, CoLiked: 1.45, Collab: 1.35, Fresh: 1.1, SourceAffinity: 1.25,
		ColdStartAdapt: 1.15, LRSmoothed: 1.05, ColdStartExplore: 1.2},
	"blend": {Topics: 1.85, Content: 1.85, CoLiked: 1.75, Collab: 1.5, Fresh: 1.6, SourceAffinity: 1.45,
		ColdStartAdapt: 1.45, LRSmoothed: 1.1, ColdStartExplore: 1.1},
	"mature": {Topics: 2.4, Content: 2.3, CoLiked: 2.25, Collab: 1.8, Fresh: 1.75, SourceAffinity: 1.6,
		ColdStartAdapt: 1.55, LRSmoothed: 1.1, ColdStartExplore: 1.1},
	"veteran": {Topics: 2.3, Content: 2.25, CoLiked: 2.25, Collab: 1.6, Fresh: 1.75, SourceAffinity: 1.55,
		ColdStartAdapt: 1.5, LRSmoothed: 1, ColdStartExplore: 1},
}

// priorBaseRate is the like rate of a random meme the lifts multiply (the
// simulation's worlds: 0.20-0.28).
const priorBaseRate = 0.25

// prior is the Beta prior of an engine in a stage: its like rate in the
// simulation (priorLift), counted as PriorStrength reactions. An engine
// the table does not know starts at a random meme's rate.
func (l Learner) prior(stage, engine string) (alpha, beta float64) {
	mean := priorBaseRate
	if lift, ok := priorLift[stage][engine]; ok {
		mean *= lift
	}
	return 1 + l.PriorStrength*mean, 1 + l.PriorStrength*(1-mean)
}

// Slots draws the engine of each of n positions.
func (l Learner) Slots(stage string, ev map[string]Evidence, n int, rng *rand.Rand) []string {
	l = l.withDefaults()
	dists := make([]distuv.Beta, len(LearnedEngines))
	for i, e := range LearnedEngines {
		a, b := l.prior(stage, e)
		dists[i] = distuv.Beta{Alpha: a + ev[e].Likes, Beta: b + ev[e].Dislikes, Src: rng}
	}
	out := make([]string, n)
	for i := range out {
		switch x := rng.Float64(); {
		case x < l.FreshShare:
			out[i] = Fresh
		case x < l.FreshShare+l.Floor:
			out[i] = LearnedEngines[rng.IntN(len(LearnedEngines))]
		default:
			best, bestTheta := 0, -1.0
			for j := range dists {
				if theta := dists[j].Rand(); theta > bestTheta {
					best, bestTheta = j, theta
				}
			}
			out[i] = LearnedEngines[best]
		}
	}
	return out
}

// Weights estimates the share of positions each engine gets in a stage now
// (what /stats and the metrics show), from `draws` simulated positions.
func (l Learner) Weights(stage string, ev map[string]Evidence, draws int) map[string]float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	w := make(map[string]float64, len(LearnedEngines))
	for _, e := range l.Slots(stage, ev, draws, rng) {
		w[e] += 1 / float64(draws)
	}
	return w
}

// posteriorMeans weights the engines for a position whose drawn engine had
// nothing left: the best remaining engine in expectation.
func (l Learner) posteriorMeans(stage string, ev map[string]Evidence) map[string]float64 {
	l = l.withDefaults()
	w := make(map[string]float64, len(LearnedEngines))
	for _, e := range LearnedEngines {
		a, b := l.prior(stage, e)
		a, b = a+ev[e].Likes, b+ev[e].Dislikes
		w[e] = a / (a + b)
	}
	return w
}

// OtherStagesWeight is how much an engine's evidence from the other stages
// counts in a stage: an engine that pleases veterans probably pleases
// newcomers somewhat too, and a stage with little traffic learns faster.
const OtherStagesWeight = 0.25

// EngineEvidence reads the engines' evidence in a stage: its own, plus
// OtherStagesWeight of the other stages'.
func (f *Feed) EngineEvidence(ctx context.Context, stage string) (map[string]Evidence, error) {
	counts, err := f.store.EngineEvidence(ctx, stage, OtherStagesWeight)
	if err != nil {
		return nil, fmt.Errorf("recommend: %w", err)
	}
	ev := make(map[string]Evidence, len(counts))
	for _, c := range counts {
		ev[c.Engine] = Evidence{Likes: c.Likes, Dislikes: c.Dislikes}
	}
	return ev, nil
}

// learnedBlend fills a refill position by position from the engines the
// learned blend draws; a position whose engine has nothing left goes to the
// best remaining engine in expectation.
func (f *Feed) learnedBlend(ctx context.Context, sent int, q Query, rng *rand.Rand) ([]Item, string, error) {
	stage := StageOf(sent)
	ev, err := f.EngineEvidence(ctx, stage)
	if err != nil {
		return nil, stage, err
	}
	l := f.cfg.Learner.withDefaults()
	if l.FreshShare, err = f.freshShare(ctx, l); err != nil {
		return nil, stage, err
	}
	slots := l.Slots(stage, ev, q.Limit, rng)
	fixed := make(map[int]string, len(slots))
	for i, e := range slots {
		fixed[i] = e
	}
	engines := slices.Sorted(maps.Keys(maps.Collect(func(yield func(string, bool) bool) {
		for _, e := range slots {
			if !yield(e, true) {
				return
			}
		}
	})))
	pools, err := f.candidates(ctx, engines, q)
	if err != nil {
		return nil, stage, err
	}
	return Blend(pools, l.posteriorMeans(stage, ev), fixed, q.Limit, rng), stage, nil
}

// StageWeights is the learned blend's current share of positions per
// engine in one stage.
type StageWeights struct {
	Stage   string
	Weights map[string]float64
}

// EngineWeights estimates every stage's current blend (for /stats and the
// metrics), with the fresh share of the moment.
func (f *Feed) EngineWeights(ctx context.Context) ([]StageWeights, error) {
	l := f.cfg.Learner.withDefaults()
	var err error
	if l.FreshShare, err = f.freshShare(ctx, l); err != nil {
		return nil, err
	}
	var out []StageWeights
	for _, s := range Stages {
		ev, err := f.EngineEvidence(ctx, s.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, StageWeights{Stage: s.Name, Weights: l.Weights(s.Name, ev, 4000)})
	}
	return out, nil
}
