// Package jobs runs memebot's background jobs on cron schedules. Any number
// of scheduler replicas may run: each scheduled run takes a Redis lock with
// an expiry first, so it executes once. A job can be paused by name (the
// state is in PostgreSQL, shared by every replica and kept across restarts).
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"memebot/metrics"
	"memebot/storage"
)

// Job is one background job.
type Job struct {
	Name     string        // as /pause lists it, e.g. "ingest-telegram"
	Schedule string        // cron spec or "@every 30s"
	Timeout  time.Duration // longest run; also the lock's expiry
	Run      func(ctx context.Context) error
	// OnResume, if set, runs when an admin resumes the job (e.g. to reset a breaker).
	OnResume func(ctx context.Context) error
}

// PauseState tells whether a job is paused.
type PauseState interface {
	JobPaused(ctx context.Context, name string) (bool, error)
}

// Scheduler runs jobs.
type Scheduler struct {
	jobs      []Job
	overrides map[string]string
	rdb       *storage.Redis
	pauses    PauseState
	log       *slog.Logger
}

// New returns a scheduler; overrides are SCHEDULE_<JOB> values keyed by the
// upper-cased job name with - as _.
func New(rdb *storage.Redis, pauses PauseState, overrides map[string]string, log *slog.Logger) *Scheduler {
	return &Scheduler{rdb: rdb, pauses: pauses, overrides: overrides, log: log}
}

// Add registers a job.
func (s *Scheduler) Add(j Job) {
	if j.Timeout == 0 {
		j.Timeout = 10 * time.Minute
	}
	s.jobs = append(s.jobs, j)
}

// Names lists the registered jobs, sorted.
func (s *Scheduler) Names() []string {
	names := make([]string, len(s.jobs))
	for i, j := range s.jobs {
		names[i] = j.Name
	}
	sort.Strings(names)
	return names
}

// EnvName is the SCHEDULE_ variable suffix of a job name.
func EnvName(job string) string { return strings.ToUpper(strings.ReplaceAll(job, "-", "_")) }

// Run schedules every job until ctx ends, then waits for running jobs.
func (s *Scheduler) Run(ctx context.Context) error {
	c := cron.New(cron.WithChain(cron.Recover(cronLogger{s.log}), cron.SkipIfStillRunning(cronLogger{s.log})))
	for _, j := range s.jobs {
		spec := j.Schedule
		if o, ok := s.overrides[EnvName(j.Name)]; ok {
			spec = o
		}
		if _, err := c.AddFunc(spec, func() { s.runOnce(ctx, j) }); err != nil {
			return fmt.Errorf("jobs: schedule %s (%q): %w", j.Name, spec, err)
		}
		s.log.Info("job scheduled", slog.String("job", j.Name), slog.String("schedule", spec))
	}
	c.Start()
	<-ctx.Done()
	stopped := c.Stop()
	select {
	case <-stopped.Done():
	case <-time.After(5 * time.Second):
		s.log.Warn("jobs still running at shutdown; their locks expire on their own")
	}
	return nil
}

// RunNow runs a job once (with its lock), for tests and manual triggers.
func (s *Scheduler) RunNow(ctx context.Context, name string) (ran bool, err error) {
	for _, j := range s.jobs {
		if j.Name == name {
			return s.runOnce(ctx, j)
		}
	}
	return false, fmt.Errorf("jobs: no job %q", name)
}

// runOnce runs j unless it is paused or another replica holds its lock.
func (s *Scheduler) runOnce(ctx context.Context, j Job) (bool, error) {
	if paused, err := s.pauses.JobPaused(ctx, j.Name); err != nil || paused {
		if paused {
			metrics.JobRuns.WithLabelValues(j.Name, "paused").Inc()
		}
		return false, err
	}
	release, ok, err := s.rdb.TryLock(ctx, "job:"+j.Name, j.Timeout)
	if err != nil || !ok {
		if err == nil {
			metrics.JobRuns.WithLabelValues(j.Name, "skipped_locked").Inc()
		}
		return false, err
	}
	defer release()
	runCtx, cancel := context.WithTimeout(ctx, j.Timeout)
	defer cancel()
	started := time.Now()
	err = j.Run(runCtx)
	outcome := "ok"
	if err != nil {
		outcome = "error"
		s.log.Error("job failed", slog.String("job", j.Name), slog.Any("error", err))
	} else {
		s.log.Debug("job done", slog.String("job", j.Name), slog.Duration("took", time.Since(started)))
	}
	metrics.JobRuns.WithLabelValues(j.Name, outcome).Inc()
	return true, err
}

type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, slog.Any("error", err))...)
}
