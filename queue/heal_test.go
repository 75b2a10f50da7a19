package queue_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"memebot/kv/kvtest"
	"memebot/queue"
	"memebot/storage/storagetest"
)

// Redis restarted empty takes the stream and its consumer group with it:
// a running consumer notices and goes on with the jobs queued afterwards.
func TestConsumerGoesOnAfterRedisLostItsGroup(t *testing.T) {
	rdb := kvtest.NewRedis(t)
	q := queue.New(rdb, "test", queue.Options{Block: 100 * time.Millisecond}, storagetest.Logger())
	ctx := context.Background()
	var done atomic.Int64
	stop := consume(t, q, "w1", func(ctx context.Context, job queue.Job) error { done.Add(job.Ref); return nil })
	defer stop()
	q.Enqueue(ctx, queue.Job{Kind: "k", Ref: 1})
	waitFor(t, "the first job", func() bool { return done.Load() == 1 })

	if err := rdb.Del(ctx, rdb.Key("queue", "test")).Err(); err != nil { // the stream and its group, as after a wipe
		t.Fatal(err)
	}
	recreated := recoveries(t, "queue_group")
	waitFor(t, "the consumer to meet the missing group", func() bool { return recoveries(t, "queue_group") > recreated })
	q.Enqueue(ctx, queue.Job{Kind: "k", Ref: 10})
	waitFor(t, "the job queued after the wipe", func() bool { return done.Load() == 11 })
}

// A job that fails while the database is out is not the job's fault: it
// spends no attempt and is not dead-lettered, and nothing new is taken
// until the outage ends.
func TestOutageSpendsNoAttempts(t *testing.T) {
	rdb := kvtest.NewRedis(t)
	var out atomic.Bool
	var asked atomic.Int32
	out.Store(true)
	down := func(context.Context) error {
		asked.Add(1)
		if out.Load() {
			return errors.New("postgres: connection refused")
		}
		return nil
	}
	q := queue.New(rdb, "test", queue.Options{MaxAttempts: 2, BusyDelay: 50 * time.Millisecond, Block: 100 * time.Millisecond, Down: down}, storagetest.Logger())
	ctx := context.Background()
	var calls atomic.Int32
	stop := consume(t, q, "w1", func(ctx context.Context, job queue.Job) error {
		calls.Add(1)
		if out.Load() {
			return errors.New("dial tcp: connection refused")
		}
		return nil
	})
	defer stop()
	q.Enqueue(ctx, queue.Job{Kind: "k", Ref: 1})
	since := asked.Load()
	waitFor(t, "a turn with the job waiting", func() bool { return asked.Load() > since })
	if n := calls.Load(); n != 0 {
		t.Fatalf("a job was taken %d times while the infrastructure was out", n)
	}
	// The outage begins while a job is in hand: it fails several times.
	out.Store(false)
	waitFor(t, "the job done", func() bool { return calls.Load() == 1 })
	q.Enqueue(ctx, queue.Job{Kind: "k", Ref: 2})
	out.Store(true)
	time.Sleep(100 * time.Millisecond)
	out.Store(false)
	waitFor(t, "empty queue", func() bool { s, _ := q.Stats(ctx); return s.Length == 0 && s.Delayed == 0 })
	if s, _ := q.Stats(ctx); s.Dead != 0 {
		t.Fatalf("a job was dead-lettered because of an outage (%d calls, MaxAttempts=2)", calls.Load())
	}
}

// A live worker renews its job however long it runs: nobody takes it over
// after ClaimIdle, so it runs once.
func TestLongJobOfLiveWorkerIsNotTakenOver(t *testing.T) {
	rdb := kvtest.NewRedis(t)
	// ClaimIdle is long enough that a renewal (every ClaimIdle/3) delayed by a
	// loaded machine is not taken for a dead worker.
	q := queue.New(rdb, "test", queue.Options{ClaimIdle: time.Second, Block: 100 * time.Millisecond}, storagetest.Logger())
	ctx := context.Background()
	var runs atomic.Int32
	slow := func(ctx context.Context, job queue.Job) error {
		runs.Add(1)
		time.Sleep(3500 * time.Millisecond) // three and a half ClaimIdles
		return nil
	}
	stop1 := consume(t, q, "w1", slow)
	defer stop1()
	q.Enqueue(ctx, queue.Job{Kind: "k", Ref: 1})
	waitFor(t, "the job taken", func() bool { return runs.Load() == 1 })
	stop2 := consume(t, q, "w2", slow)
	defer stop2()
	waitFor(t, "the job done", func() bool { s, _ := q.Stats(ctx); return s.Length == 0 })
	if n := runs.Load(); n != 1 {
		t.Fatalf("a job of a live worker ran %d times", n)
	}
}

// A worker restarted after a crash takes over at once the jobs of a dead
// worker of its host (Options.Dead), without waiting ClaimIdle.
func TestRestartedWorkerTakesOverADeadWorkersJobsAtOnce(t *testing.T) {
	rdb := kvtest.NewRedis(t)
	opts := queue.Options{ClaimIdle: time.Hour, Block: 100 * time.Millisecond, Dead: func(name string) bool { return name == "crashed" }}
	q := queue.New(rdb, "test", opts, storagetest.Logger())
	ctx := context.Background()
	q.Enqueue(ctx, queue.Job{Kind: "k", Ref: 5})
	// A worker took the job and was killed: it is pending under its name.
	stream := rdb.Key("queue", "test")
	if err := rdb.XGroupCreateMkStream(ctx, stream, "workers", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "workers", Consumer: "crashed", Streams: []string{stream, ">"}, Count: 1}).Err(); err != nil {
		t.Fatal(err)
	}

	done := make(chan int64, 1)
	stop := consume(t, q, "restarted", func(ctx context.Context, job queue.Job) error { done <- job.Ref; return nil })
	defer stop()
	select {
	case ref := <-done:
		if ref != 5 {
			t.Fatalf("got job %d", ref)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the dead worker's job waited for ClaimIdle (an hour)")
	}
}
