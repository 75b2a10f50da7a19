package simulate

import (
	"context"
	"fmt"
	"sync"

	"memebot/recommend"
)

// Compare runs every policy through every world; the last policy is the
// feed under test, the one before it (if any) its baseline. env.Parallel
// runs go at once, each in its own database: one run alone leaves a core
// idle while its jobs (stats, models, arrivals) run on one connection.
func Compare(ctx context.Context, worlds []Params, policies []Policy, env Env) (Report, error) {
	for _, p := range worlds {
		if err := p.Validate(); err != nil {
			return Report{}, fmt.Errorf("world %s: %w", p.Name, err)
		}
	}
	type job struct{ world, policy int }
	jobs := make(chan job)
	outcomes := make([][]Outcome, len(worlds))
	left := make([]int, len(worlds))
	for i := range worlds {
		outcomes[i] = make([]Outcome, len(policies))
		left[i] = len(policies)
	}
	progress := newProgress(env.Progress, len(worlds)*len(policies))
	var (
		mu      sync.Mutex
		firstEr error
		wg      sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	built := make([]*World, len(worlds))
	informed, blind := make([][]float64, len(worlds)), make([][]float64, len(worlds))
	var buildOnce = make([]sync.Once, len(worlds))
	for slot := range max(1, min(env.Parallel, len(worlds)*len(policies))) {
		runEnv := env
		if env.Parallel > 1 {
			runEnv.Database = fmt.Sprintf("%s_%d", env.database(), slot)
		}
		wg.Go(func() {
			for j := range jobs {
				buildOnce[j.world].Do(func() {
					built[j.world] = NewWorld(worlds[j.world])
					informed[j.world] = Informed(built[j.world], true)
					blind[j.world] = Informed(built[j.world], false)
				})
				runEnv.Progress = progress.of(j.world*len(policies) + j.policy)
				o, err := Run(ctx, built[j.world], policies[j.policy], runEnv)
				mu.Lock()
				if err != nil && firstEr == nil {
					firstEr = fmt.Errorf("simulate: world %s, %s: %w", worlds[j.world].Name, policies[j.policy], err)
					cancel()
				}
				outcomes[j.world][j.policy] = o
				left[j.world]--
				done := left[j.world] == 0 && firstEr == nil
				mu.Unlock()
				if done && env.OnWorld != nil {
					env.OnWorld(worldReport(worlds[j.world], outcomes[j.world], informed[j.world], blind[j.world]))
				}
			}
		})
	}
feed:
	for w := range worlds {
		for p := range policies {
			select {
			case jobs <- job{w, p}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	if firstEr != nil {
		return Report{}, firstEr
	}
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	var rep Report
	for i, p := range worlds {
		rep.Worlds = append(rep.Worlds, worldReport(p, outcomes[i], informed[i], blind[i]))
	}
	return rep, nil
}

// worldReport puts a world's outcomes in its report: the last policy's is the
// feed under test, the one before it the baseline; every policy's bands get
// the informed learner's and its quality-blind twin's like rates.
func worldReport(p Params, outcomes []Outcome, informed, blind []float64) WorldReport {
	wr := WorldReport{Name: p.Name, Params: p}
	for _, o := range outcomes {
		for b := range o.Bands {
			band := &o.Bands[b]
			band.Informed, band.Blind = informed[b], blind[b]
			if band.Oracle > band.Random {
				band.InformedCaptured = (band.Informed - band.Random) / (band.Oracle - band.Random)
				band.BlindCaptured = (band.Blind - band.Random) / (band.Oracle - band.Random)
			}
		}
	}
	last := outcomes[len(outcomes)-1]
	wr.Outcome, wr.Bands = last, last.Bands
	if len(outcomes) > 1 {
		base := outcomes[len(outcomes)-2]
		wr.Baseline = &base
	}
	return wr
}

// progress merges the progress of runs going at once into one report: the
// mean share done and the presses so far.
type progress struct {
	report  func(world, policy string, done float64, presses int)
	mu      sync.Mutex
	done    []float64
	presses []int
}

func newProgress(report func(world, policy string, done float64, presses int), runs int) *progress {
	return &progress{report: report, done: make([]float64, runs), presses: make([]int, runs)}
}

// of is the progress callback of run i (nil when nothing is reported).
func (p *progress) of(i int) func(world, policy string, done float64, presses int) {
	if p.report == nil {
		return nil
	}
	return func(world, policy string, done float64, presses int) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.done[i], p.presses[i] = done, presses
		var sum float64
		total := 0
		for k := range p.done {
			sum += p.done[k]
			total += p.presses[k]
		}
		p.report("all worlds", fmt.Sprintf("%d runs", len(p.done)), sum/float64(len(p.done)), total)
	}
}

// Policies are the feeds every world is run with: the feed under test,
// after the baseline (the hand-set blend the feed had before it learned)
// when withBaseline. The baseline is a second run of every world, which
// doubles the run's cost; its figures are recorded in docs/simulate/.
func Policies(withBaseline bool) []Policy {
	learned := Policy{Name: "learned"}
	if !withBaseline {
		return []Policy{learned}
	}
	return []Policy{{Name: "baseline", Feed: recommend.Config{FixedBlend: true}}, learned}
}
