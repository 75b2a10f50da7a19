package queue_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"memebot/kv/kvtest"
	"memebot/metrics"
	"memebot/queue"
	"memebot/storage/storagetest"
)

func newQueue(t *testing.T, opts queue.Options) *queue.Queue {
	rdb := kvtest.NewRedis(t)
	opts.BaseBackoff = 50 * time.Millisecond
	opts.Block = 100 * time.Millisecond
	return queue.New(rdb, "test", opts, storagetest.Logger())
}

// consume runs a consumer until stop is called.
func consume(t *testing.T, q *queue.Queue, name string, h queue.Handler) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Consume(ctx, name, 2, time.Second, h); close(done) }()
	return func() { cancel(); <-done }
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestJobIsDoneOnceAndLeavesTheQueue(t *testing.T) {
	q := newQueue(t, queue.Options{})
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[int64]int{}
	stop := consume(t, q, "w1", func(ctx context.Context, job queue.Job) error {
		mu.Lock()
		seen[job.Ref]++
		mu.Unlock()
		return nil
	})
	defer stop()
	for i := range int64(20) {
		if _, err := q.Enqueue(ctx, queue.Job{Kind: "k", Ref: i}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "20 jobs", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 20 })
	waitFor(t, "empty queue", func() bool { s, _ := q.Stats(ctx); return s.Length == 0 })
	for ref, n := range seen {
		if n != 1 {
			t.Errorf("job %d ran %d times", ref, n)
		}
	}
}

func TestFailingJobIsRetriedThenDeadLettered(t *testing.T) {
	var deadJob queue.Job
	var deadCount atomic.Int32
	q := newQueue(t, queue.Options{MaxAttempts: 3, OnDeadLetter: func(_ context.Context, job queue.Job, err error) {
		deadJob = job
		deadCount.Add(1)
	}})
	ctx := context.Background()
	var attempts atomic.Int32
	stop := consume(t, q, "w1", func(ctx context.Context, job queue.Job) error {
		attempts.Add(1)
		return errors.New("telegram is down")
	})
	defer stop()
	q.Enqueue(ctx, queue.Job{Kind: "k", Ref: 7})
	waitFor(t, "dead letter", func() bool { return deadCount.Load() == 1 })
	if got := attempts.Load(); got != 3 {
		t.Fatalf("attempts = %d, want 3 (MaxAttempts)", got)
	}
	if deadJob.Ref != 7 || deadJob.LastError != "telegram is down" {
		t.Fatalf("dead job = %+v", deadJob)
	}
	s, _ := q.Stats(ctx)
	if s.Dead != 1 || s.Length != 0 || s.Delayed != 0 {
		t.Fatalf("stats after dead-lettering = %+v", s)
	}
}

func TestPermanentErrorSkipsRetries(t *testing.T) {
	q := newQueue(t, queue.Options{MaxAttempts: 5})
	ctx := context.Background()
	var attempts atomic.Int32
	stop := consume(t, q, "w1", func(ctx context.Context, job queue.Job) error {
		attempts.Add(1)
		return fmt.Errorf("corrupt file: %w", queue.ErrPermanent)
	})
	defer stop()
	q.Enqueue(ctx, queue.Job{Kind: "k", Ref: 1})
	waitFor(t, "dead letter", func() bool { s, _ := q.Stats(ctx); return s.Dead == 1 })
	if attempts.Load() != 1 {
		t.Fatalf("a permanent failure ran %d times", attempts.Load())
	}
}

func TestJobOfDeadWorkerIsTakenOver(t *testing.T) {
	rdb := kvtest.NewRedis(t)
	q := queue.New(rdb, "test", queue.Options{ClaimIdle: 300 * time.Millisecond, Block: 100 * time.Millisecond}, storagetest.Logger())
	ctx := context.Background()
	q.Enqueue(ctx, queue.Job{Kind: "k", Ref: 99})

	// A worker takes the job and dies without acknowledging it.
	ctxDead, kill := context.WithCancel(ctx)
	taken := make(chan struct{})
	go q.Consume(ctxDead, "dying", 1, 0, func(ctx context.Context, job queue.Job) error {
		close(taken)
		<-ctx.Done() // never finishes on its own
		return ctx.Err()
	})
	<-taken
	kill()
	// Simulate a crash, not a graceful stop: undo the hand-back by resetting idle time.
	rdb.Do(ctx, "XCLAIM", rdb.Key("queue", "test"), "workers", "dying", 0, firstPending(t, rdb.UniversalClient, rdb.Key("queue", "test")))

	done := make(chan int64, 1)
	stop := consume(t, q, "survivor", func(ctx context.Context, job queue.Job) error {
		done <- job.Ref
		return nil
	})
	defer stop()
	select {
	case ref := <-done:
		if ref != 99 {
			t.Fatalf("survivor got job %d", ref)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the dead worker's job was never taken over")
	}
}

func firstPending(t *testing.T, c redis.UniversalClient, stream string) string {
	t.Helper()
	var id string
	waitFor(t, "pending entry", func() bool {
		p, err := c.XPendingExt(context.Background(), &redis.XPendingExtArgs{Stream: stream, Group: "workers", Start: "-", End: "+", Count: 1}).Result()
		if err != nil || len(p) == 0 {
			return false
		}
		id = p[0].ID
		return true
	})
	return id
}

func TestBusyJobIsRetriedWithoutCountingAnAttempt(t *testing.T) {
	rdb := kvtest.NewRedis(t)
	q := queue.New(rdb, "test", queue.Options{MaxAttempts: 2, BusyDelay: 50 * time.Millisecond, Block: 100 * time.Millisecond}, storagetest.Logger())
	ctx := context.Background()
	var calls atomic.Int32
	stop := consume(t, q, "w1", func(ctx context.Context, job queue.Job) error {
		if calls.Add(1) <= 4 {
			return fmt.Errorf("held by another worker: %w", queue.ErrBusy)
		}
		return nil
	})
	defer stop()
	q.Enqueue(ctx, queue.Job{Kind: "k", Ref: 1})
	waitFor(t, "job done after being busy 4 times", func() bool { return calls.Load() == 5 })
	waitFor(t, "empty queue", func() bool { s, _ := q.Stats(ctx); return s.Length == 0 && s.Delayed == 0 })
	if s, _ := q.Stats(ctx); s.Dead != 0 {
		t.Fatalf("a busy job was dead-lettered after %d tries with MaxAttempts=2", calls.Load())
	}
}

func TestPausedQueueTakesNothingUntilResumed(t *testing.T) {
	rdb := kvtest.NewRedis(t)
	var paused atomic.Bool
	var asked atomic.Int32
	paused.Store(true)
	q := queue.New(rdb, "paused", queue.Options{Block: 100 * time.Millisecond, Paused: func(context.Context) bool {
		asked.Add(1)
		return paused.Load()
	}}, storagetest.Logger())
	turns := func() float64 { return pausedTurns(t, "paused") }
	before := turns()
	var ran atomic.Int32
	stop := consume(t, q, "w1", func(ctx context.Context, job queue.Job) error { ran.Add(1); return nil })
	defer stop()
	q.Enqueue(context.Background(), queue.Job{Kind: "k", Ref: 1})
	since := asked.Load()
	waitFor(t, "a turn with the job waiting", func() bool { return asked.Load() > since })
	if ran.Load() != 0 {
		t.Fatal("a paused queue ran a job")
	}
	if turns() <= before {
		t.Fatal("the turns a paused queue let pass are not counted (memebot_queue_paused_turns_total)")
	}
	paused.Store(false)
	waitFor(t, "job after resume", func() bool { return ran.Load() == 1 })
}

// pausedTurns is memebot_queue_paused_turns_total of the named queue, as
// /metrics would show it.
func pausedTurns(t *testing.T, queueName string) float64 {
	return counter(t, "memebot_queue_paused_turns_total", queueName)
}

// recoveries is memebot_recoveries_total of what was healed.
func recoveries(t *testing.T, what string) float64 {
	return counter(t, "memebot_recoveries_total", what)
}

// counter is the value of a counter with one label, as /metrics would show
// it; 0 while it has no sample.
func counter(t *testing.T, name, label string) float64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if l := m.GetLabel(); len(l) == 1 && l[0].GetValue() == label {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
