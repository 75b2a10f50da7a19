package jobs

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"memebot/kv/kvtest"
	"memebot/storage/storagetest"
)

func TestCurrentSlot(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 37, 12, 500, time.UTC)
	cases := []struct {
		spec       string
		slot       time.Time
		periodOver time.Duration
	}{
		{"@every 10s", time.Date(2026, 11, 21, 10, 37, 10, 0, time.UTC), 10 * time.Second},
		{"@hourly", time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), time.Hour},
		{"@daily", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), 24 * time.Hour},
		{"*/15 * * * *", time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC), 15 * time.Minute},
	}
	for _, c := range cases {
		sched, err := cron.ParseStandard(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		slot, period := currentSlot(sched, now)
		if !slot.Equal(c.slot) || period != c.periodOver {
			t.Errorf("%s: slot %v period %v, want %v %v", c.spec, slot, period, c.slot, c.periodOver)
		}
	}
}

type noPauses struct{}

func (noPauses) JobPaused(context.Context, string) (bool, error) { return false, nil }

// Two scheduler replicas on one Redis run each slot of a job once.
func TestTwoReplicasRunEachSlotOnce(t *testing.T) {
	rdb := kvtest.NewRedis(t)
	var mu sync.Mutex
	runs := map[int64]int{} // slot second -> runs
	job := Job{Name: "tick", Schedule: "@every 1s", Timeout: 5 * time.Second, Run: func(ctx context.Context) error {
		mu.Lock()
		runs[time.Now().Unix()]++
		mu.Unlock()
		return nil
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 4500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for range 2 {
		s := New(rdb, noPauses{}, nil, storagetest.Logger())
		s.Add(job)
		wg.Add(1)
		go func() { defer wg.Done(); s.Run(ctx) }()
		time.Sleep(300 * time.Millisecond) // out of phase, as replicas started apart are
	}
	wg.Wait()
	total := 0
	for sec, n := range runs {
		total += n
		if n > 1 {
			t.Errorf("second %d ran %d times", sec, n)
		}
	}
	if total < 3 || total > 5 {
		t.Fatalf("%d runs in ~4.5 s of a 1 s job on two replicas, want one per second", total)
	}
}
