package app

import (
	"fmt"
	"log/slog"

	"memebot/jobs"
	"memebot/jobs/jobstore"
	"memebot/moderation"
	"memebot/moderation/ocr"
	"memebot/moderation/vision"
	"memebot/pipeline"
	"memebot/telegram"
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
// configured.
func addDescribeJob(d *deps, s *jobs.Scheduler, tg *telegram.Sender, breaker jobs.Breaker) error {
	if d.cfg.VisionAPIURL == "" || len(d.cfg.VisionModels) == 0 {
		return nil
	}
	log := d.log.With("job", jobs.DescribeJob)
	describer, err := vision.NewDescriber(vision.Config{
		URL: d.cfg.VisionAPIURL, APIKey: d.cfg.VisionAPIKey, Models: d.cfg.VisionModels,
		Redis: d.redis, KeyPrefix: d.redis.Prefix() + ":", DailyQuota: d.cfg.VisionDailyQuota, Logger: log,
		OnTrip: breaker.OnTrip(jobs.DescribeJob),
	})
	if err != nil {
		return configError{fmt.Errorf("VISION_MODELS: %w", err)}
	}
	s.Add(jobs.NewDescribe(jobstore.New(d.store), tg, describer, d.cfg.DescribeBatch, log))
	return nil
}
