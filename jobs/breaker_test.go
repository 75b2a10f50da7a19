package jobs

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

type pauseRecorder struct {
	paused map[string]string // job -> reason
	err    error
}

func (p *pauseRecorder) SetJobPaused(_ context.Context, name string, paused bool, _ *int64, reason string) error {
	if p.err != nil {
		return p.err
	}
	if paused {
		p.paused[name] = reason
	}
	return nil
}

type alertRecorder struct{ texts []string }

func (a *alertRecorder) Alert(_ context.Context, text string) { a.texts = append(a.texts, text) }

// A tripped breaker pauses its job and tells the admins how to resume it; a
// pause that could not be recorded is reported, and nobody is told to resume
// a job that is not paused.
func TestBreakerPausesTheJobAndTellsTheAdmins(t *testing.T) {
	ctx := context.Background()
	pauses, alerts := &pauseRecorder{paused: map[string]string{}}, &alertRecorder{}
	b := Breaker{Pauses: pauses, Alerts: alerts, Log: slog.New(slog.DiscardHandler)}

	b.OnTrip(DescribeJob)(ctx, "3 failures in a row")
	if got := pauses.paused[DescribeJob]; got != "circuit breaker: 3 failures in a row" {
		t.Fatalf("describe paused with reason %q", got)
	}
	if len(alerts.texts) != 1 || !strings.Contains(alerts.texts[0], "/resume "+DescribeJob) {
		t.Fatalf("admins told %q, want one alert naming /resume %s", alerts.texts, DescribeJob)
	}

	pauses.err = errors.New("database down")
	if err := b.Trip(ctx, "ingest-vk", "circuit breaker: 5 failed runs in a row"); err == nil {
		t.Fatal("Trip reported success though the pause was not recorded")
	}
	if len(alerts.texts) != 1 {
		t.Fatalf("admins told to resume a job that was not paused: %q", alerts.texts[1:])
	}
}
