// Package heal is how memebot notices infrastructure faults and recovers
// from them without a restart: a cached probe of PostgreSQL and Redis that
// the update pool and the job queue ask before giving up on work (they hold
// it instead), and a watch on Redis that notices when it came back empty and
// rebuilds from PostgreSQL what was lost with it.
package heal

import (
	"context"
	"fmt"
	"sync"
	"time"

	"memebot/metrics"
)

// Pinger is a dependency that answers or not.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Probe asks the dependencies whether they answer, at most once per Every,
// so that many callers asking at once during an outage cost one ping each.
type Probe struct {
	deps    map[string]Pinger
	every   time.Duration
	timeout time.Duration

	mu      sync.Mutex
	checked time.Time
	last    error
}

// NewProbe probes deps (by name: "postgres", "redis").
func NewProbe(deps map[string]Pinger) *Probe {
	return &Probe{deps: deps, every: 500 * time.Millisecond, timeout: 2 * time.Second}
}

// Down says which dependency is out and why, or nil while all answer.
func (p *Probe) Down(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.checked) < p.every {
		return p.last
	}
	p.last = p.ping(ctx)
	p.checked = time.Now()
	return p.last
}

func (p *Probe) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.timeout)
	defer cancel()
	var first error
	for name, d := range p.deps {
		err := d.Ping(ctx)
		up := 1.0
		if err != nil {
			up = 0
			if first == nil {
				first = fmt.Errorf("%s: %w", name, err)
			}
		}
		metrics.DependencyUp.WithLabelValues(name).Set(up)
	}
	return first
}

// WaitUp blocks until every dependency answers (nil) or ctx ends (its error).
func (p *Probe) WaitUp(ctx context.Context) error {
	for {
		if p.Down(ctx) == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(p.every):
		}
	}
}
