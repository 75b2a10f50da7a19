package app

import (
	"memebot/ingest"
	"memebot/jobs"
	"memebot/pipeline"
	"memebot/queue"
)

func ingestConfig(d *deps) ingest.Config {
	return ingest.Config{
		TGWebURL: d.cfg.TGWebURL, VKAPIURL: d.cfg.VKAPIURL, VKToken: d.cfg.VKToken,
		IGAPIURL: d.cfg.IGAPIURL, IGAPIKey: d.cfg.IGAPIKey, AllowPrivateHosts: d.cfg.IngestAllowPrivateHosts,
	}
}

// addIngestJobs schedules one parsing job per platform and the daily snooze
// of unpopular sources.
func addIngestJobs(d *deps, s *jobs.Scheduler, breaker jobs.Breaker, media *queue.Queue) {
	log := d.log.With("component", "ingest")
	ing, _ := ingest.FromConfig(ingestConfig(d), d.store, log)
	for _, platform := range ingest.Platforms {
		s.Add(jobs.NewIngest(ing, platform, d.cfg.IngestBatch, pipeline.QueueCandidates(media), breaker, log))
	}
	s.Add(jobs.NewSnoozeSources(ing, log))
}
