package app

import (
	"context"

	"memebot/heal"
	"memebot/jobs"
	"memebot/jobs/jobstore"
	"memebot/queue"
)

// redisWatch notices, in every process, that Redis lost its data and queues
// again from PostgreSQL the jobs that went with it. The rest of what Redis
// held needs no rebuild (README, "When Redis loses its data"): consumer
// groups are created again by the consumers, feed queues are refilled on the
// next press, limits and schedule slots start afresh, the pause state lives
// in PostgreSQL.
func redisWatch(d *deps) component {
	media := newMediaQueue(d, nil)
	log := d.log.With("component", "heal")
	return heal.EpochWatch{
		Redis: d.redis, Key: d.redis.Key("epoch"), Log: log,
		Rebuilds: []heal.Rebuild{
			{Name: "upload jobs", Run: jobs.RequeueStale(jobstore.New(d.store), media, 0, log)},
			{Name: "ingest jobs", Run: lostCandidates(d, media)},
		},
	}
}

// lostCandidates queues again every ingested candidate without an outcome.
func lostCandidates(d *deps, media *queue.Queue) func(context.Context) error {
	sweep := jobs.CandidateSweep{Store: jobstore.New(d.store), Jobs: media, StaleAfter: 1, Log: d.log.With("component", "heal")}
	return sweep.Run
}
