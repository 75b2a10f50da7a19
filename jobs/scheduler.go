// Package jobs is memebot's background work: the jobs themselves, one file
// each (ingestion, the vision backfill, requeueing what Redis lost, the feed's
// statistics, co-likes and refills), and the scheduler that runs them on cron
// schedules. Any number of scheduler replicas may run: each scheduled run
// takes a Redis lock with an expiry first, so it executes once. A job can be
// paused by name (the state is in PostgreSQL, shared by every replica and kept
// across restarts), and a job that keeps failing pauses itself (Breaker).
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"memebot/kv"
	"memebot/metrics"
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
	rdb       *kv.Redis
	pauses    PauseState
	log       *slog.Logger
}

// New returns a scheduler; overrides are SCHEDULE_<JOB> values keyed by the
// upper-cased job name with - as _.
func New(rdb *kv.Redis, pauses PauseState, overrides map[string]string, log *slog.Logger) *Scheduler {
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
		spec := s.schedule(j.Name)
		sched, err := cron.ParseStandard(spec)
		if err != nil {
			return fmt.Errorf("jobs: schedule %s (%q): %w", j.Name, spec, err)
		}
		c.Schedule(sched, cron.FuncJob(func() { s.runScheduled(ctx, j, sched) }))
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

// RunNow runs a job once (unless paused or running elsewhere), for tests and
// manual triggers.
func (s *Scheduler) RunNow(ctx context.Context, name string) (ran bool, err error) {
	j, ok := s.job(name)
	if !ok {
		return false, fmt.Errorf("jobs: no job %q", name)
	}
	return s.runOnce(ctx, j, "manual")
}

// runScheduled runs j for the current slot of its schedule, once across all
// replicas: the first replica to claim the slot in Redis runs it; the others,
// ticking at the same time (or, for @every schedules, out of phase within the
// same interval), skip it.
func (s *Scheduler) runScheduled(ctx context.Context, j Job, sched cron.Schedule) {
	slot, period := currentSlot(sched, time.Now())
	key := s.rdb.Key("jobslot", j.Name, strconv.FormatInt(slot.Unix(), 10))
	claimed, err := s.rdb.SetNX(ctx, key, 1, max(period, time.Minute)).Result()
	if err != nil {
		s.log.Error("claiming a job slot", slog.String("job", j.Name), slog.Any("error", err))
		return
	}
	if !claimed {
		metrics.JobRuns.WithLabelValues(j.Name, "skipped_other_replica").Inc()
		return
	}
	_, _ = s.runOnce(ctx, j, slot.UTC().Format(time.RFC3339))
}

// currentSlot is the start of the schedule period that contains now, and the
// period's length: for @every D, now truncated to D since the epoch (so every
// replica agrees whatever its start time); for cron specs, the latest
// activation at or before now.
func currentSlot(sched cron.Schedule, now time.Time) (time.Time, time.Duration) {
	if every, ok := sched.(cron.ConstantDelaySchedule); ok {
		return now.Truncate(every.Delay), every.Delay
	}
	next := sched.Next(now)
	prev := next
	for probe := now.Add(-time.Minute); ; probe = probe.Add(-time.Hour) {
		if t := sched.Next(probe); !t.After(now) {
			prev = t
			for t2 := sched.Next(prev); !t2.After(now); t2 = sched.Next(t2) {
				prev = t2
			}
			break
		}
		if now.Sub(probe) > 32*24*time.Hour {
			return now.Truncate(time.Second), next.Sub(now)
		}
	}
	return prev, next.Sub(prev)
}

// runOnce runs j unless it is paused or already running on another replica.
func (s *Scheduler) runOnce(ctx context.Context, j Job, slot string) (bool, error) {
	if paused, err := s.pauses.JobPaused(ctx, j.Name); err != nil || paused {
		if paused {
			metrics.JobRuns.WithLabelValues(j.Name, "paused").Inc()
		}
		return false, err
	}
	release, ok, err := s.rdb.HoldLock(ctx, "job:"+j.Name, min(j.Timeout, time.Minute))
	if err != nil || !ok {
		if err == nil {
			metrics.JobRuns.WithLabelValues(j.Name, "skipped_running").Inc()
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
		s.log.Error("job failed", slog.String("job", j.Name), slog.String("slot", slot), slog.Any("error", err))
	} else {
		s.log.Debug("job done", slog.String("job", j.Name), slog.String("slot", slot), slog.Duration("took", time.Since(started)))
	}
	metrics.JobRuns.WithLabelValues(j.Name, outcome).Inc()
	return true, err
}

type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, slog.Any("error", err))...)
}
