package app

import (
	"time"

	"memebot/ingest"
	"memebot/jobs"
	"memebot/pipeline"
	"memebot/queue"
)

func ingestConfig(d *deps) ingest.Config {
	return ingest.Config{
		TGWebURL: d.cfg.TGWebURL, VKAPIURL: d.cfg.VKAPIURL, VKToken: d.cfg.VKToken,
		IGAPIURL: d.cfg.IGAPIURL, IGAPIKey: d.cfg.IGAPIKey, AllowPrivateHosts: d.cfg.IngestAllowPrivateHosts,
		MinPostAge: telegramHold(d.cfg.IngestTelegramHold),
	}
}

// telegramHold maps INGEST_TELEGRAM_HOLD to ingest.Config.MinPostAge, where
// 0 means "the default" and a negative value "no hold".
func telegramHold(hold time.Duration) time.Duration {
	if hold <= 0 {
		return -1
	}
	return hold
}

// addIngestJobs schedules one parsing job per platform and the daily snooze
// of unpopular sources.
func addIngestJobs(d *deps, s *jobs.Scheduler, breaker jobs.Breaker, media *queue.Queue) {
	log := d.log.With("component", "ingest")
	ing, _ := ingest.FromConfig(ingestConfig(d), d.store, log)
	for _, platform := range ingest.Platforms {
		s.Add(jobs.NewIngest(ing, platform, d.cfg.IngestBatch, pipeline.QueueCandidates(media), breaker, log))
	}
	s.Add(jobs.NewIngestNew(ing, d.cfg.IngestBatch, pipeline.QueueCandidates(media), log))
	s.Add(jobs.NewSnoozeSources(ing, log))
}
