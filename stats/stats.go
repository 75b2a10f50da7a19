// Package stats maintains the figures the feed ranks by and people read:
// per meme, per user, per source, and each engine's like rate per maturity
// stage (what the learned blend draws from). Runs are incremental:
// each reads only the reactions rows sent or reacted to since the previous
// run's watermark and updates only the rows those touch.
//
// lr_smoothed, incrementally. The reference defines it per meme as the mean,
// over the meme's reactions, of d = s - mu, where s is +1 for a like and -1
// for a dislike and mu is the reacting user's running mean of s. We keep each
// user's running state (lr_sum, lr_n) in user_stats and each meme's sum and
// count of d (lr_dev_sum, lr_dev_n) in meme_stats. A run replays only the new
// reactions, per user in reacted_at order: d uses the user's mean *before*
// this reaction (0 for a first one), is added to the meme's sums once the user
// already had MinUserReactions reactions, and then the user's state advances.
// lr_smoothed = lr_dev_sum/lr_dev_n once lr_dev_n >= MinMemeValues, else 0.
// Because every reaction is folded exactly once, in order, the result equals
// a full recomputation over the same order, however the runs are split.
// (The reference orders by sent_at; we order by reacted_at, the only order in
// which a late reaction never changes values computed before it.)
// The reference's engagement score (the same scheme over +1/-0.5/-1 values),
// reaction times and users' sessions are not kept: nothing read them.
//
// The window of a run is (watermark, now - Lag], read through the sent_at and
// reacted_at indexes. Sent counts are final when read: a row deleted later by
// Feed.Unsend (a failed delivery) stays counted.
package stats

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"memebot/storage"
)

// Options tune a run. DefaultOptions are the production values; zero
// thresholds are honoured (every reaction counts).
type Options struct {
	// MinUserReactions: a reaction counts toward a meme's lr_smoothed once
	// its user had this many reactions before it (10).
	MinUserReactions int
	// MinMemeValues: a meme's lr_smoothed stays 0 until this
	// many reactions count (3).
	MinMemeValues int
	// Lag keeps the newest rows for the next run, so that a row committed a
	// little after its timestamp is never skipped (30 s).
	Lag time.Duration
	// EngineDecay multiplies the engines' like and dislike counts on every
	// run with reactions before adding the new ones (0.98: at a run every
	// 15 minutes, evidence halves in about eight hours).
	EngineDecay float64
	// Stage names the maturity stage of a user with this many earlier
	// reactions (recommend.StageOf); nil keeps no per-engine figures.
	Stage func(reactions int) string
}

// DefaultOptions are the reference's thresholds.
func DefaultOptions() Options {
	return Options{MinUserReactions: 10, MinMemeValues: 3, Lag: 30 * time.Second, EngineDecay: 0.98}
}

// Job updates the stats tables.
type Job struct {
	store *storage.Store
	opts  Options
	log   *slog.Logger
}

// New returns a stats job.
func New(store *storage.Store, opts Options, log *slog.Logger) *Job {
	if opts.EngineDecay <= 0 || opts.EngineDecay > 1 {
		opts.EngineDecay = 1
	}
	return &Job{store: store, opts: opts, log: log}
}

// Result says what a run covered.
type Result struct {
	From, Until time.Time // the window (From, Until] of sent_at and reacted_at
	Sent        int64     // rows sent in the window
	Reactions   int       // reactions in the window
	Memes       int       // memes whose reaction figures changed
	Users       int       // users whose reaction figures changed
}

// Run processes the reactions rows sent or reacted to since the last run, in
// one transaction; concurrent runs wait for each other.
func (j *Job) Run(ctx context.Context) (Result, error) {
	return j.RunUntil(ctx, time.Now().Add(time.Hour))
}

// RunUntil is Run that stops at until (or now minus Lag, if earlier): a
// backfill can advance in steps. Rows stamped before the watermark that
// commit after it are never read, which the Lag makes unlikely.
func (j *Job) RunUntil(ctx context.Context, until time.Time) (Result, error) {
	start := time.Now()
	var res Result
	err := j.store.RunStats(ctx, func(ctx context.Context, run *storage.StatsRun) (err error) {
		res, err = j.run(ctx, run, until)
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("stats: run: %w", err)
	}
	j.log.Info("stats: run done", slog.Time("until", res.Until), slog.Int64("sent", res.Sent),
		slog.Int("reactions", res.Reactions), slog.Int("memes", res.Memes), slog.Int("users", res.Users),
		slog.Duration("took", time.Since(start)))
	return res, nil
}

func (j *Job) run(ctx context.Context, run *storage.StatsRun, until time.Time) (Result, error) {
	var res Result
	var err error
	res.From, res.Until, err = run.Window(ctx, j.opts.Lag, until)
	if err != nil {
		return res, err
	}
	if !res.Until.After(res.From) {
		return res, nil
	}
	phase := time.Now()
	lap := func(name string) {
		j.log.Debug("stats: phase done", slog.String("phase", name), slog.Duration("took", time.Since(phase)))
		phase = time.Now()
	}
	if err := j.replay(ctx, run, &res); err != nil {
		return res, err
	}
	lap("replay")
	return res, run.AdvanceWatermark(ctx, res.Until)
}
