package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"memebot/bot"
	"memebot/jobs"
	"memebot/moderation"
	"memebot/moderation/ocr"
	"memebot/moderation/vision"
	"memebot/pipeline"
)

// newAnalyzer builds the automatic checks of a worker: OCR with one
// Tesseract client per concurrent job, blur, unsafe content (the configured
// moderation service, or the keyword fallback) and ads, with reports reused
// by file hash. Without Tesseract's language data the worker still runs,
// with OCR skipped and an error logged.
func newAnalyzer(d *deps) (*moderation.Analyzer, func()) {
	log := d.log.With("component", "moderation")
	thresholds := moderation.RiskThresholds{Review: d.cfg.RiskReviewAbove, Reject: d.cfg.RiskRejectAbove}
	cfg := moderation.Config{
		Blur: &moderation.BlurCheck{Threshold: d.cfg.BlurThreshold},
		Unsafe: moderation.NewUnsafeCheck(moderation.UnsafeConfig{
			URL: d.cfg.ModerationAPIURL, APIKey: d.cfg.ModerationAPIKey, Thresholds: thresholds,
		}),
		Cache:  pipeline.ReportCache{Store: d.store},
		Policy: moderation.Policy{Risk: thresholds, AutoApproveLowRisk: d.cfg.AutoApproveLowRisk},
		Logger: log,
	}
	closer := func() {}
	pool, err := ocr.NewPool(ocr.Config{Workers: d.cfg.WorkerConcurrency, Logger: log})
	if err != nil {
		log.Error("OCR unavailable; memes are analysed without it", slog.Any("error", err))
	} else {
		cfg.OCR = pool
		closer = func() { pool.Close() }
	}
	return moderation.NewAnalyzer(cfg), closer
}

// addDescribeJob schedules the vision backfill when a vision service is
// configured. Its breaker pauses the job through the same switch as /pause,
// and the admins are told.
func addDescribeJob(d *deps, s *jobs.Scheduler, tg *bot.Sender, alerts pipeline.Alerts) error {
	if d.cfg.VisionAPIURL == "" || len(d.cfg.VisionModels) == 0 {
		return nil
	}
	log := d.log.With("job", pipeline.DescribeJob)
	describer, err := vision.NewDescriber(vision.Config{
		URL: d.cfg.VisionAPIURL, APIKey: d.cfg.VisionAPIKey, Models: d.cfg.VisionModels,
		Redis: d.redis, KeyPrefix: d.redis.Prefix() + ":", DailyQuota: d.cfg.VisionDailyQuota, Logger: log,
		OnTrip: func(ctx context.Context, reason string) {
			why := "circuit breaker: " + reason
			if err := d.store.SetJobPaused(ctx, pipeline.DescribeJob, true, nil, why); err != nil {
				log.Error("pausing the describe job", slog.Any("error", err))
			}
			alerts.Alert(ctx, fmt.Sprintf("⚠️ The describe job paused itself (%s). Fix the cause, then /resume %s.", why, pipeline.DescribeJob))
		},
	})
	if err != nil {
		return configError{fmt.Errorf("VISION_MODELS: %w", err)}
	}
	s.Add(jobs.Job{Name: pipeline.DescribeJob, Schedule: "@every 15m", Timeout: 10 * time.Minute,
		Run:      pipeline.Describe(d.store, tg, describer, d.cfg.DescribeBatch, log),
		OnResume: describer.Reset})
	return nil
}
