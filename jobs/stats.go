package jobs

import (
	"context"
	"log/slog"
	"time"

	"memebot/metrics"
	"memebot/recommend"
	"memebot/stats"
	"memebot/storage"
)

// NewStats is the incremental statistics job; after each run it publishes
// the feed's engine weights the run's evidence gives, and how many new
// memes got their 20 people within their first hour.
func NewStats(statsJob *stats.Job, feed *recommend.Feed, store *storage.Store, log *slog.Logger) Job {
	return Job{Name: "stats", Schedule: "@every 15m", Timeout: 14 * time.Minute,
		Run: func(ctx context.Context) error {
			res, err := statsJob.Run(ctx)
			if err != nil {
				return err
			}
			log.Info("stats updated", slog.Int("reactions", res.Reactions), slog.Int("memes", res.Memes), slog.Int("users", res.Users))
			if err := publishWeights(ctx, feed); err != nil {
				return err
			}
			return publishNewMemes(ctx, store, log)
		}}
}

// publishNewMemes sets the new-meme gauges, and warns for each language in
// which fewer than nine in ten new memes of the last day were shown to 20
// people in their first hour (the fresh engine's promise: too little
// traffic, or too many memes).
func publishNewMemes(ctx context.Context, store *storage.Store, log *slog.Logger) error {
	byLanguage, err := store.NewMemeFigures(ctx, time.Now())
	if err != nil {
		return err
	}
	metrics.FeedNewMemes.Reset() // a language with no new memes left has no gauges
	for _, n := range byLanguage {
		metrics.FeedNewMemes.WithLabelValues("on_time", n.Language).Set(float64(n.OnTime))
		metrics.FeedNewMemes.WithLabelValues("late", n.Language).Set(float64(n.Memes - n.OnTime))
		if n.Memes >= 10 && float64(n.OnTime) < 0.9*float64(n.Memes) {
			log.Warn("new memes wait for their first 20 people", slog.String("language", n.Language),
				slog.Int64("went_live_1_25h_ago", n.Memes), slog.Int64("on_time", n.OnTime))
		}
	}
	return nil
}

// publishWeights sets the engine-weight gauges from the evidence the stats
// run just wrote.
func publishWeights(ctx context.Context, feed *recommend.Feed) error {
	stages, err := feed.EngineWeights(ctx)
	if err != nil {
		return err
	}
	for _, st := range stages {
		for engine, w := range st.Weights {
			metrics.FeedEngineWeight.WithLabelValues(st.Stage, engine).Set(w)
		}
	}
	return nil
}
