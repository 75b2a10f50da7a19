package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"memebot/simulate"
)

// simulateFlags declares `memebot simulate`: the feed on synthetic worlds
// with planted tastes, against random and an oracle (see package simulate).
func simulateFlags(fs *flag.FlagSet) action {
	p := simulate.DefaultParams()
	ks := fs.String("k", "8,16,24", "hidden topics of each world (comma-separated: one world per value)")
	noises := fs.String("noise", "0.5,1,0.75", "sd of the per user-meme noise of each world")
	seeds := fs.String("seed", "1,2,3", "random seed of each world")
	fs.IntVar(&p.Users, "users", p.Users, "people using the feed")
	fs.IntVar(&p.Memes, "memes", p.Memes, "approved memes at the start")
	fs.IntVar(&p.Sources, "sources", p.Sources, "channels (their memes follow the channel's topics)")
	fs.Float64Var(&p.UploadShare, "upload-share", p.UploadShare, "share of memes uploaded by users (random topics)")
	fs.IntVar(&p.Uploaders, "uploaders", p.Uploaders, "users who upload (by default one in 20 of --users, at most 100)")
	fs.IntVar(&p.FavTopics, "fav-topics", p.FavTopics, "favourite topics per user")
	fs.Float64Var(&p.TasteStrength, "taste", p.TasteStrength, "weight of a favourite topic in the like logit")
	fs.Float64Var(&p.QualityTaste, "quality-taste", p.QualityTaste, "largest weight a user gives to quality")
	fs.Float64Var(&p.Bias, "bias", p.Bias, "constant of the like logit")
	fs.Float64Var(&p.TopicNoise, "topic-noise", p.TopicNoise, "chance a channel's meme strays from the channel's topics")
	fs.Float64Var(&p.TextSignal, "text-signal", p.TextSignal, "share of a meme's words drawn from its topics' vocabularies (the rest are noise)")
	fs.Float64Var(&p.Skip, "skip", p.Skip, "largest per-user chance of leaving at a meme without pressing")
	fs.IntVar(&p.MinSeen, "min-seen", p.MinSeen, "fewest memes a user plans to see (log-uniform up to --max-seen)")
	fs.IntVar(&p.MaxSeen, "max-seen", p.MaxSeen, "most memes a user plans to see")
	fs.IntVar(&p.SessionMean, "session", p.SessionMean, "mean memes per session")
	fs.DurationVar(&p.SessionGap, "session-gap", p.SessionGap, "mean virtual time between a user's sessions")
	fs.DurationVar(&p.JoinOver, "join-over", p.JoinOver, "users join uniformly over this much virtual time")
	fs.Float64Var(&p.ArrivalsPerHour, "arrivals", p.ArrivalsPerHour, "new approved memes per virtual hour")
	fs.DurationVar(&p.PressEvery, "press-every", p.PressEvery, "virtual time a person spends on a meme")
	fs.DurationVar(&p.StatsEvery, "stats-every", p.StatsEvery, "stats job cadence (virtual)")
	fs.DurationVar(&p.ModelEvery, "model-every", p.ModelEvery, "collaborative model job cadence (virtual)")
	fs.DurationVar(&p.RefillEvery, "refill-every", p.RefillEvery, "ahead-of-time refill job cadence (virtual)")
	fs.DurationVar(&p.QueueTTL, "queue-ttl", p.QueueTTL, "a queue untouched this long (virtual) is gone")
	workers := fs.Int("workers", 4, "users pressing at once in each run")
	parallel := fs.Int("parallel", 3, "runs (a world with a policy) going at once, each in its own database (--database with _0, _1, ...)")
	baseline := fs.Bool("baseline", false, "also run every world with the hand-set blend the feed had before it learned (twice the time)")
	database := fs.String("database", simulate.Database, "the simulation's own database (recreated; its name with dashes prefixes its Redis keys)")
	jsonPath := fs.String("json", "", "write the report as JSON to this file")
	pngPath := fs.String("png", "simulate.png", "write the like-rate chart to this PNG file (empty: none)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	return func(ctx context.Context, proc *process) error {
		if !flagSet(fs, "uploaders") { // a small world keeps the default's share of uploaders
			p.Uploaders = min(p.Uploaders, max(1, p.Users/20))
		}
		return runSimulate(ctx, proc, p, simulateOptions{ks: *ks, noises: *noises, seeds: *seeds, workers: *workers, parallel: *parallel,
			baseline: *baseline, database: *database, jsonPath: *jsonPath, pngPath: *pngPath, quiet: *quiet})
	}
}

// simulateOptions are the flags of simulate that are not world parameters.
type simulateOptions struct {
	ks, noises, seeds           string
	workers, parallel           int
	database, jsonPath, pngPath string
	quiet, baseline             bool
}

// runSimulate runs every world through the feed (and the baseline, when
// asked) and writes the report.
func runSimulate(ctx context.Context, proc *process, p simulate.Params, o simulateOptions) error {
	cfg, log, stderr := proc.cfg, proc.log, proc.stderr
	ks, noises, seeds, workers, database, jsonPath, pngPath, quiet := o.ks, o.noises, o.seeds, &o.workers, &o.database, &o.jsonPath, &o.pngPath, &o.quiet
	worlds, err := worldsFrom(p, ks, noises, seeds)
	if err != nil {
		return configError{err}
	}
	env := simulate.Env{DatabaseURL: cfg.DatabaseURL, RedisURL: cfg.RedisURL, Database: *database, Workers: *workers, Parallel: o.parallel, Log: quietLog(log)}
	if !*quiet {
		env.Progress = progressBar(stderr)
	}
	if len(worlds) > 1 {
		env.OnWorld = func(wr simulate.WorldReport) {
			fmt.Fprintln(stderr)
			simulate.Report{Worlds: []simulate.WorldReport{wr}}.WriteTable(stderr)
		}
	}
	rep, err := simulate.Compare(ctx, worlds, simulate.Policies(o.baseline), env)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr)
	rep.WriteTable(stderr)
	if *jsonPath != "" {
		if err := rep.WriteJSON(*jsonPath); err != nil {
			return err
		}
	}
	if *pngPath != "" {
		if err := rep.WritePNG(*pngPath); err != nil {
			return err
		}
	}
	return nil
}

// worldsFrom makes one world per value of the comma-separated lists (a list
// of one value applies to every world).
func worldsFrom(base simulate.Params, ks, noises, seeds string) ([]simulate.Params, error) {
	kList, nList, sList := strings.Split(ks, ","), strings.Split(noises, ","), strings.Split(seeds, ",")
	n := max(len(kList), len(nList), len(sList))
	at := func(list []string, i int) string { return strings.TrimSpace(list[min(i, len(list)-1)]) }
	var out []simulate.Params
	for i := range n {
		p := base
		k, err := strconv.Atoi(at(kList, i))
		if err != nil {
			return nil, fmt.Errorf("simulate: --k: %w", err)
		}
		noise, err := strconv.ParseFloat(at(nList, i), 64)
		if err != nil {
			return nil, fmt.Errorf("simulate: --noise: %w", err)
		}
		seed, err := strconv.ParseUint(at(sList, i), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("simulate: --seed: %w", err)
		}
		p.Topics, p.Noise, p.Seed = k, noise, seed
		p.Name = fmt.Sprintf("k%d-noise%g-seed%d", k, noise, seed)
		out = append(out, p)
	}
	return out, nil
}

// quietLog keeps the jobs' per-run info lines out of the progress bar.
func quietLog(log *slog.Logger) *slog.Logger {
	if log.Enabled(context.Background(), slog.LevelDebug) {
		return log
	}
	return slog.New(levelFilter{log.Handler(), slog.LevelWarn})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

// progressBar draws one line per run on w, redrawn in place.
func progressBar(w io.Writer) func(world, policy string, done float64, presses int) {
	began := time.Now()
	last := ""
	return func(world, policy string, done float64, presses int) {
		run := world + " " + policy
		if run != last && last != "" {
			fmt.Fprintln(w)
			began = time.Now()
		}
		last = run
		const width = 30
		filled := int(done * width)
		fmt.Fprintf(w, "\r%-32s [%s%s] %3.0f%% %7d presses %5.0fs", run,
			strings.Repeat("#", filled), strings.Repeat(".", width-filled), 100*done, presses, time.Since(began).Seconds())
	}
}

// flagSet says whether the command line set the flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
