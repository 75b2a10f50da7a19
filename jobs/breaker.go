package jobs

import (
	"context"
	"fmt"
	"log/slog"
)

// Alerts tells the admins about what needs a person.
type Alerts interface {
	Alert(ctx context.Context, text string)
}

// Pauses sets a job's pause state (storage.Store).
type Pauses interface {
	SetJobPaused(ctx context.Context, name string, paused bool, by *int64, reason string) error
}

// Breaker is the one policy for a job that keeps failing: its breaker trips,
// the job pauses itself through the same switch as /pause (so it holds across
// replicas and restarts), and the admins are told what to do.
type Breaker struct {
	Pauses Pauses
	Alerts Alerts
	Log    *slog.Logger
}

// Trip pauses job for the reason why and tells the admins; it fails only when
// the pause could not be recorded (the admins are then not told either).
func (b Breaker) Trip(ctx context.Context, job, why string) error {
	if err := b.Pauses.SetJobPaused(ctx, job, true, nil, why); err != nil {
		return fmt.Errorf("jobs: pause %s: %w", job, err)
	}
	b.Alerts.Alert(ctx, fmt.Sprintf("⚠️ %s paused itself (%s). Fix the cause, then /resume %s.", job, why, job))
	return nil
}

// OnTrip is Trip as the callback of a breaker kept elsewhere (the vision
// describer's): it trips job with the breaker's reason.
func (b Breaker) OnTrip(job string) func(ctx context.Context, reason string) {
	return func(ctx context.Context, reason string) {
		if err := b.Trip(ctx, job, "circuit breaker: "+reason); err != nil {
			b.Log.Error("a breaker tripped but its job was not paused", slog.String("job", job), slog.Any("error", err))
		}
	}
}
