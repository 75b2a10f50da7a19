package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"memebot/ingest"
	"memebot/jobs"
	"memebot/metrics"
	"memebot/pipeline"
	"memebot/queue"
)

// ingestSchedules are the default schedules of the platforms' parsing jobs.
var ingestSchedules = map[string]string{
	ingest.PlatformTelegram:  "@hourly",
	ingest.PlatformVK:        "@hourly",
	ingest.PlatformInstagram: "@daily",
}

func ingestConfig(d *deps) ingest.Config {
	return ingest.Config{
		TGWebURL: d.cfg.TGWebURL, VKAPIURL: d.cfg.VKAPIURL, VKToken: d.cfg.VKToken,
		IGAPIURL: d.cfg.IGAPIURL, IGAPIKey: d.cfg.IGAPIKey, AllowPrivateHosts: d.cfg.IngestAllowPrivateHosts,
	}
}

// addIngestJobs schedules one parsing job per platform (ingest-telegram,
// ingest-vk, ingest-instagram) and the daily snooze of unpopular sources.
// The candidates a run finds go to the media queue like uploads, before their
// posts are marked processed, so a crash in between loses none. A platform
// that keeps failing pauses its own job, and the admins are told.
func addIngestJobs(d *deps, s *jobs.Scheduler, alerts pipeline.Alerts, media *queue.Queue) {
	log := d.log.With("component", "ingest")
	ing, _ := ingest.FromConfig(ingestConfig(d), d.store, log)
	for _, platform := range ingest.Platforms {
		name := "ingest-" + platform
		s.Add(jobs.Job{
			Name: name, Schedule: ingestSchedules[platform], Timeout: 30 * time.Minute,
			Run: func(ctx context.Context) error {
				return runIngest(ctx, d, ing, alerts, media, platform, name, log)
			},
			OnResume: func(ctx context.Context) error { return ing.Store().ResetPlatformFailures(ctx, platform) },
		})
	}
	s.Add(jobs.Job{Name: "snooze-sources", Schedule: "@daily", Timeout: 10 * time.Minute,
		Run: func(ctx context.Context) error {
			snoozed, err := ing.SnoozeUnpopular(ctx)
			for _, sn := range snoozed {
				log.Info("source snoozed", slog.Any("source", sn))
			}
			return err
		}})
}

func runIngest(ctx context.Context, d *deps, ing *ingest.Ingester, alerts pipeline.Alerts, media *queue.Queue, platform, job string, log *slog.Logger) error {
	res, err := ing.ParseDue(ctx, platform, d.cfg.IngestBatch, pipeline.QueueCandidates(media))
	log.Info("sources parsed", slog.String("platform", platform), slog.Int("sources", res.Sources),
		slog.Int("posts", res.Posts), slog.Int("new_posts", res.NewPosts), slog.Int("queued", len(res.Candidates)), slog.Int("errors", len(res.Errors)))
	switch {
	case errors.Is(err, ingest.ErrPlatformFailing):
		metrics.IngestRuns.WithLabelValues(platform, "paused").Inc()
		why := fmt.Sprintf("circuit breaker: %d failed runs in a row", res.ConsecutiveFailures)
		if perr := d.store.SetJobPaused(ctx, job, true, nil, why); perr != nil {
			return perr
		}
		alerts.Alert(ctx, fmt.Sprintf("⚠️ %s paused itself (%s). Fix the cause, then /resume %s.", job, why, job))
		return err
	case err != nil:
		metrics.IngestRuns.WithLabelValues(platform, "error").Inc()
		return err
	}
	metrics.IngestRuns.WithLabelValues(platform, "ok").Inc()
	return nil
}

// requeueStale queues again what the media queue lost (Redis wiped):
// submissions, and candidates handed off by the ingest jobs. PostgreSQL is
// the source of truth for both.
func requeueStale(d *deps, media *queue.Queue) func(ctx context.Context) error {
	log := d.log.With("job", "requeue-stale")
	uploads := pipeline.RequeueStale(d.store, media, pipeline.StaleAfter, log)
	candidates := pipeline.CandidateSweep{Store: ingest.NewStore(d.store.DB()), Jobs: media, Queue: media, Log: log}
	return func(ctx context.Context) error {
		return errors.Join(uploads(ctx), candidates.Run(ctx))
	}
}
