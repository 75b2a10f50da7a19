package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"memebot/ingest"
	"memebot/metrics"
)

// ingestSchedules are the default schedules of the platforms' parsing jobs.
var ingestSchedules = map[string]string{
	ingest.PlatformTelegram:  "@hourly",
	ingest.PlatformVK:        "@hourly",
	ingest.PlatformInstagram: "@daily",
}

// NewIngest is the parsing job of one platform (ingest-telegram, ingest-vk,
// ingest-instagram): up to batch due sources a run. The candidates a run
// finds are handed off (to the media queue, like uploads) before their posts
// are marked processed, so a crash in between loses none. A platform that
// keeps failing trips the breaker: the job pauses itself and the admins are
// told; resuming it forgets the failures.
func NewIngest(ing *ingest.Ingester, platform string, batch int, handoff ingest.Handoff, breaker Breaker, log *slog.Logger) Job {
	name := "ingest-" + platform
	return Job{
		Name: name, Schedule: ingestSchedules[platform], Timeout: 30 * time.Minute,
		Run: func(ctx context.Context) error {
			return runIngest(ctx, ing, platform, batch, handoff, breaker, name, log)
		},
		OnResume: func(ctx context.Context) error { return ing.ResetPlatformFailures(ctx, platform) },
	}
}

func runIngest(ctx context.Context, ing *ingest.Ingester, platform string, batch int, handoff ingest.Handoff, breaker Breaker, job string, log *slog.Logger) error {
	res, err := ing.ParseDue(ctx, platform, batch, handoff)
	log.Info("sources parsed", slog.String("platform", platform), slog.Int("sources", res.Sources),
		slog.Int("posts", res.Posts), slog.Int("new_posts", res.NewPosts), slog.Int("queued", len(res.Candidates)), slog.Int("errors", len(res.Errors)))
	switch {
	case errors.Is(err, ingest.ErrPlatformFailing):
		metrics.IngestRuns.WithLabelValues(platform, "paused").Inc()
		why := fmt.Sprintf("circuit breaker: %d failed runs in a row", res.ConsecutiveFailures)
		if perr := breaker.Trip(ctx, job, why); perr != nil {
			return perr
		}
		return err
	case err != nil:
		metrics.IngestRuns.WithLabelValues(platform, "error").Inc()
		return err
	}
	metrics.IngestRuns.WithLabelValues(platform, "ok").Inc()
	return nil
}

// NewIngestNew parses, every minute, the sources a moderator just enabled,
// so their backlog does not wait for the platform's next run.
func NewIngestNew(ing *ingest.Ingester, batch int, handoff ingest.Handoff, log *slog.Logger) Job {
	return Job{Name: "ingest-new", Schedule: "@every 1m", Timeout: 10 * time.Minute,
		Run: func(ctx context.Context) error {
			res, err := ing.ParseNew(ctx, batch, handoff)
			if res.Sources > 0 {
				log.Info("new sources parsed", slog.Int("sources", res.Sources), slog.Int("posts", res.Posts),
					slog.Int("queued", len(res.Candidates)), slog.Int("errors", len(res.Errors)))
			}
			return err
		}}
}

// NewSnoozeSources snoozes, daily, the sources whose memes nobody likes.
func NewSnoozeSources(ing *ingest.Ingester, log *slog.Logger) Job {
	return Job{Name: "snooze-sources", Schedule: "@daily", Timeout: 10 * time.Minute,
		Run: func(ctx context.Context) error {
			snoozed, err := ing.SnoozeUnpopular(ctx)
			for _, sn := range snoozed {
				log.Info("source snoozed", slog.Any("source", sn))
			}
			return err
		}}
}
