package jobs

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// AllJobs is the name that means every job in /pause all and /resume all.
const AllJobs = "all"

// WorkerJob is the pause switch of the media-queue consumers (uploads and
// ingested posts): not a scheduled job, but paused and resumed the same way.
const WorkerJob = "media-worker"

// StateStore keeps the pause state.
type StateStore interface {
	PauseState
	SetJobPaused(ctx context.Context, name string, paused bool, by *int64, reason string) error
	JobStates(ctx context.Context) (map[string]State, error)
}

// State is a job's stored pause state: whether it is paused, and who (nil =
// the system) changed that, when and why.
type State struct {
	Paused bool
	By     *int64
	At     time.Time
	Reason string
}

// Status is one job as /pause lists it.
type Status struct {
	Name     string
	Schedule string
	Paused   bool
	By       *int64
	At       time.Time
	Reason   string
}

// Control pauses and resumes jobs by name; the state is in PostgreSQL, so it
// holds across restarts and replicas.
type Control struct {
	s     *Scheduler
	store StateStore
}

// NewControl returns the control of the scheduler's jobs (and the workers).
func NewControl(s *Scheduler, store StateStore) *Control { return &Control{s: s, store: store} }

// Names lists what can be paused.
func (c *Control) Names() []string { return append(c.s.Names(), WorkerJob) }

// List returns every job with its state.
func (c *Control) List(ctx context.Context) ([]Status, error) {
	states, err := c.store.JobStates(ctx)
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, name := range c.Names() {
		st := Status{Name: name, Schedule: c.s.schedule(name)}
		if s, ok := states[name]; ok {
			st.Paused, st.By, st.At, st.Reason = s.Paused, s.By, s.At, s.Reason
		}
		out = append(out, st)
	}
	return out, nil
}

// ErrUnknownJob is returned for a name that is no job.
var ErrUnknownJob = fmt.Errorf("jobs: unknown job")

// Set pauses or resumes one job or all of them; resuming runs the job's
// OnResume (e.g. resetting its breaker). It returns the names changed.
func (c *Control) Set(ctx context.Context, name string, paused bool, by int64, reason string) ([]string, error) {
	names := []string{name}
	if name == AllJobs {
		names = c.Names()
	} else if !slices.Contains(c.Names(), name) {
		return nil, fmt.Errorf("%w %q", ErrUnknownJob, name)
	}
	for _, n := range names {
		if err := c.store.SetJobPaused(ctx, n, paused, &by, reason); err != nil {
			return nil, err
		}
		if !paused {
			if j, ok := c.s.job(n); ok && j.OnResume != nil {
				if err := j.OnResume(ctx); err != nil {
					return nil, fmt.Errorf("jobs: resume %s: %w", n, err)
				}
			}
		}
	}
	return names, nil
}

func (s *Scheduler) job(name string) (Job, bool) {
	for _, j := range s.jobs {
		if j.Name == name {
			return j, true
		}
	}
	return Job{}, false
}

func (s *Scheduler) schedule(name string) string {
	j, ok := s.job(name)
	if !ok {
		return "continuous"
	}
	if o, ok := s.overrides[EnvName(name)]; ok {
		return o
	}
	return j.Schedule
}
