package jobs

import (
	"context"
	"log/slog"
	"time"

	"memebot/metrics"
	"memebot/recommend"
	"memebot/stats"
)

// NewStats is the incremental statistics job; after each run it publishes
// the feed's engine weights the run's evidence gives.
func NewStats(statsJob *stats.Job, feed *recommend.Feed, log *slog.Logger) Job {
	return Job{Name: "stats", Schedule: "@every 15m", Timeout: 14 * time.Minute,
		Run: func(ctx context.Context) error {
			res, err := statsJob.Run(ctx)
			if err != nil {
				return err
			}
			log.Info("stats updated", slog.Int("reactions", res.Reactions), slog.Int("memes", res.Memes), slog.Int("users", res.Users))
			return publishWeights(ctx, feed)
		}}
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
