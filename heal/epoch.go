package heal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"memebot/metrics"
)

// Rebuild restores from PostgreSQL something that was kept only in Redis.
type Rebuild struct {
	Name string
	Run  func(ctx context.Context) error
}

// EpochWatch notices that Redis lost its data (restarted without
// persistence, failed over to an empty replica, flushed) and rebuilds what
// went with it. Redis holds a marker key for as long as it keeps its data;
// every process checks it every Every. The first process to find it missing
// runs the rebuilds, once for everyone, then sets it again: jobs are queued
// again from PostgreSQL, the source of truth. A process starting on a Redis
// without the marker does the same, so data lost while every process was
// down is rebuilt too.
type EpochWatch struct {
	Redis    redis.UniversalClient
	Key      string        // the marker key, in the deployment's namespace
	Every    time.Duration // default 2s
	Rebuilds []Rebuild
	Log      *slog.Logger
}

// Run watches until ctx ends.
func (w EpochWatch) Run(ctx context.Context) error {
	every := w.Every
	if every <= 0 {
		every = 2 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for first := true; ; first = false {
		w.check(ctx, first)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Check looks at the marker once and rebuilds if Redis lost its data and no
// other process is rebuilding. The marker is set again only once every
// rebuild succeeded; until then the next check tries again (rebuilds are
// idempotent).
func (w EpochWatch) Check(ctx context.Context) { w.check(ctx, false) }

// check is Check; atStart says this process has just started, when a missing
// marker is as likely a new Redis as a lost one.
func (w EpochWatch) check(ctx context.Context, atStart bool) {
	n, err := w.Redis.Exists(ctx, w.Key).Result()
	if err != nil || n == 1 {
		return // out: checked again once it answers
	}
	lock := w.Key + ":rebuilding"
	won, err := w.Redis.SetNX(ctx, lock, "1", 5*time.Minute).Result()
	if err != nil || !won {
		return
	}
	defer w.Redis.Del(context.WithoutCancel(ctx), lock)
	if atStart {
		w.Log.Info("Redis is new or lost its data while memebot was down: queuing unfinished jobs again from PostgreSQL")
	} else {
		w.Log.Warn("Redis has lost its data (restarted empty?): rebuilding what it held from PostgreSQL")
		metrics.Recoveries.WithLabelValues("redis_wiped").Inc()
	}
	for _, r := range w.Rebuilds {
		if err := w.rebuild(ctx, r, !atStart); err != nil {
			w.Log.Error("rebuild after Redis lost its data failed; trying again shortly", slog.String("what", r.Name), slog.Any("error", err))
			return
		}
	}
	if err := w.Redis.Set(ctx, w.Key, newEpoch(), 0).Err(); err != nil {
		w.Log.Warn("Redis marker not set; the rebuild will run again", slog.Any("error", err))
	}
}

func (w EpochWatch) rebuild(ctx context.Context, r Rebuild, report bool) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	began := time.Now()
	if err := r.Run(ctx); err != nil {
		return err
	}
	if report {
		w.Log.Info("rebuilt after Redis lost its data", slog.String("what", r.Name), slog.Duration("took", time.Since(began)))
	}
	return nil
}

func newEpoch() string {
	buf := make([]byte, 8)
	_, _ = rand.Read(buf)
	return time.Now().UTC().Format(time.RFC3339) + "-" + hex.EncodeToString(buf)
}
