package app

import (
	"context"
	"log/slog"
	"time"

	"memebot/jobs"
	"memebot/metrics"
	"memebot/recommend"
	"memebot/stats"
)

// addFeedJobs schedules the incremental statistics, the co-likes the
// co_liked engine reads, and the ahead-of-time refill of recently active
// users' queues.
func addFeedJobs(d *deps, s *jobs.Scheduler) {
	log := d.log.With("component", "feed")
	opts := stats.DefaultOptions()
	opts.Lag = d.cfg.StatsLag
	opts.Stage = recommend.StageOf
	statsJob := stats.New(d.store, opts, log.With("job", "stats"))
	feed := newFeed(d)
	s.Add(jobs.Job{Name: "stats", Schedule: "@every 15m", Timeout: 14 * time.Minute,
		Run: func(ctx context.Context) error {
			res, err := statsJob.Run(ctx)
			if err != nil {
				return err
			}
			log.Info("stats updated", slog.Int("reactions", res.Reactions), slog.Int("memes", res.Memes), slog.Int("users", res.Users))
			return publishWeights(ctx, feed)
		}})
	coLikes := recommend.NewCoLikes(d.store, log.With("job", "colikes"))
	s.Add(jobs.Job{Name: "colikes", Schedule: "@every 5m", Timeout: 4 * time.Minute,
		Run: func(ctx context.Context) error {
			res, err := coLikes.Run(ctx)
			if err == nil {
				log.Info("co-likes updated", slog.Int("likes", res.Likes), slog.Int("pairs", res.Pairs))
			}
			return err
		}})
	s.Add(jobs.Job{Name: "refill", Schedule: "@every 2m", Timeout: 5 * time.Minute,
		Run: func(ctx context.Context) error {
			n, err := feed.RefillActive(ctx, 30*time.Minute)
			if n > 0 {
				log.Debug("queues refilled ahead of time", slog.Int("users", n))
			}
			return err
		}})
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
