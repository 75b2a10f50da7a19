package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"memebot/metrics"
)

// Handler does one job. Returning nil acknowledges it; an error retries it
// later (or dead-letters it when wrapped around ErrPermanent or out of attempts).
type Handler func(ctx context.Context, job Job) error

// Consume runs up to concurrency handlers at once as consumer name until ctx
// ends. Jobs in hand at shutdown get drain to finish; the rest are handed
// back so another worker takes them at once.
func (q *Queue) Consume(ctx context.Context, consumer string, concurrency int, drain time.Duration, h Handler) error {
	if err := q.ensureGroup(ctx); err != nil {
		return err
	}
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	slots := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	inFlight := &sync.Map{} // entry id -> struct{}

	q.releaseDead(ctx, consumer)
	go q.promoteDelayed(ctx)
	go q.keepClaimed(ctx, consumer, inFlight)
	for ctx.Err() == nil {
		free := concurrency - len(slots)
		if free == 0 {
			select {
			case slots <- struct{}{}:
				<-slots
			case <-ctx.Done():
			}
			continue
		}
		if !q.mayTake(ctx) {
			sleepCtx(ctx, time.Second)
			continue
		}
		msgs, err := q.next(ctx, consumer, int64(free))
		if err != nil {
			q.readFailed(ctx, err)
			continue
		}
		for _, msg := range msgs {
			slots <- struct{}{}
			wg.Add(1)
			inFlight.Store(msg.ID, struct{}{})
			go func(msg redis.XMessage) {
				defer func() { <-slots; inFlight.Delete(msg.ID); wg.Done() }()
				q.run(jobCtx, msg, h)
			}(msg)
		}
	}
	if !waitTimeout(&wg, drain) {
		cancelJobs()
		q.handBack(consumer, inFlight)
		wg.Wait()
	}
	return nil
}

// releaseDead makes the jobs of consumers known to be dead (Options.Dead),
// and those left under this consumer's own name by an earlier process,
// claimable at once: a worker restarted after a crash goes on with its jobs
// without waiting ClaimIdle.
func (q *Queue) releaseDead(ctx context.Context, consumer string) {
	consumers, err := q.rdb.XInfoConsumers(ctx, q.stream, q.group).Result()
	if err != nil {
		return
	}
	for _, c := range consumers {
		if c.Pending == 0 || (c.Name != consumer && (q.opts.Dead == nil || !q.opts.Dead(c.Name))) {
			continue
		}
		pending, err := q.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: q.stream, Group: q.group, Start: "-", End: "+", Count: c.Pending, Consumer: c.Name}).Result()
		if err != nil {
			continue
		}
		for _, p := range pending {
			// Ours, but idle past ClaimIdle: the next read of any worker takes it.
			q.rdb.Do(ctx, "XCLAIM", q.stream, q.group, consumer, 0, p.ID, "IDLE", (q.opts.ClaimIdle + time.Minute).Milliseconds(), "JUSTID")
		}
		if c.Name != consumer {
			q.rdb.XGroupDelConsumer(ctx, q.stream, q.group, c.Name)
		}
		q.log.Info("took over the jobs of a worker that died", slog.String("consumer", c.Name), slog.Int("jobs", len(pending)))
	}
}

// mayTake says whether the consumers may take new jobs now: not while paused,
// nor while the infrastructure the handlers need is out (they would only fail).
func (q *Queue) mayTake(ctx context.Context) bool {
	if q.pausedNow(ctx) {
		return false
	}
	if q.opts.Down == nil {
		return true
	}
	err := q.opts.Down(ctx)
	if was := q.down.Swap(err != nil); was != (err != nil) {
		if err != nil {
			q.log.Warn("taking no jobs until the infrastructure is back", slog.Any("error", err))
		} else {
			q.log.Info("infrastructure back: taking jobs again")
		}
	}
	return err == nil
}

// pausedNow asks Options.Paused, says in the log when the answer changes,
// and counts each turn a paused consumer lets pass
// (memebot_queue_paused_turns_total): an operator who paused the workers
// sees them holding off, and one who did not sees why jobs wait.
func (q *Queue) pausedNow(ctx context.Context) bool {
	paused := q.opts.Paused != nil && q.opts.Paused(ctx)
	if was := q.paused.Swap(paused); was != paused {
		if paused {
			q.log.Info("paused: taking no new jobs until resumed")
		} else {
			q.log.Info("resumed: taking jobs again")
		}
	}
	if paused {
		metrics.QueuePausedTurns.WithLabelValues(q.name).Inc()
	}
	return paused
}

// readFailed deals with a failed read: a consumer group that is gone (Redis
// restarted empty or flushed) is created again at once; anything else waits
// a second.
func (q *Queue) readFailed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	if noGroup(err) {
		if gerr := q.ensureGroup(ctx); gerr == nil {
			q.log.Warn("the consumer group was gone (Redis restarted empty?): created again")
			metrics.Recoveries.WithLabelValues("queue_group").Inc()
			return
		}
	}
	q.log.Warn("read failed", slog.Any("error", err))
	sleepCtx(ctx, time.Second)
}

// next takes over jobs whose worker died, else reads new ones.
func (q *Queue) next(ctx context.Context, consumer string, n int64) ([]redis.XMessage, error) {
	claimed, _, err := q.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
		Stream: q.stream, Group: q.group, Consumer: consumer, MinIdle: q.opts.ClaimIdle, Start: "0-0", Count: n,
	}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("autoclaim: %w", err)
	}
	if len(claimed) > 0 {
		return claimed, nil
	}
	streams, err := q.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: q.group, Consumer: consumer, Streams: []string{q.stream, ">"}, Count: n, Block: q.opts.Block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("readgroup: %w", err)
	}
	return streams[0].Messages, nil
}

// run handles one delivery and settles it: ack, retry later, or dead-letter.
func (q *Queue) run(ctx context.Context, msg redis.XMessage, h Handler) {
	job, err := decode(msg)
	if err == nil {
		job.Attempt++
		err = q.safeHandle(ctx, job, h)
	}
	settleCtx := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		q.ack(settleCtx, msg.ID)
	case ctx.Err() != nil:
		// shutting down: leave it pending; handBack releases it
	case errors.Is(err, ErrBusy) || q.outage(settleCtx):
		job.Attempt-- // not the job's fault: the attempt does not count
		q.retryAfter(settleCtx, msg.ID, job, err, q.opts.BusyDelay)
	case errors.Is(err, ErrPermanent) || job.Attempt >= q.opts.MaxAttempts:
		q.deadLetter(settleCtx, msg.ID, job, err)
	default:
		q.retryLater(settleCtx, msg.ID, job, err)
	}
}

// outage reports whether the infrastructure is out now, so that a failure is
// not the job's fault.
func (q *Queue) outage(ctx context.Context) bool {
	return q.opts.Down != nil && q.opts.Down(ctx) != nil
}

func (q *Queue) safeHandle(ctx context.Context, job Job, h Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job panicked: %v", r)
		}
	}()
	return h(ctx, job)
}

func (q *Queue) ack(ctx context.Context, id string) {
	pipe := q.rdb.TxPipeline()
	pipe.XAck(ctx, q.stream, q.group, id)
	pipe.XDel(ctx, q.stream, id)
	if _, err := pipe.Exec(ctx); err != nil {
		q.log.Error("ack failed; the job may run again", slog.String("id", id), slog.Any("error", err))
	}
}

// backoff is the delay before attempt+1: BaseBackoff doubled per attempt, capped.
func (q *Queue) backoff(attempt int) time.Duration {
	d := q.opts.BaseBackoff
	for i := 1; i < attempt && d < q.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, q.opts.MaxBackoff)
}

func (q *Queue) retryLater(ctx context.Context, id string, job Job, cause error) {
	q.retryAfter(ctx, id, job, cause, q.backoff(job.Attempt))
}

func (q *Queue) retryAfter(ctx context.Context, id string, job Job, cause error, delay time.Duration) {
	job.LastError = cause.Error()
	data, _ := encodeJob(job)
	due := time.Now().Add(delay)
	pipe := q.rdb.TxPipeline()
	pipe.ZAdd(ctx, q.delayed, redis.Z{Score: float64(due.UnixMilli()), Member: data})
	pipe.XAck(ctx, q.stream, q.group, id)
	pipe.XDel(ctx, q.stream, id)
	if _, err := pipe.Exec(ctx); err != nil {
		q.log.Error("scheduling a retry failed; the job stays pending", slog.String("id", id), slog.Any("error", err))
		return
	}
	q.log.Warn("job failed, will retry", slog.String("kind", job.Kind), slog.Int64("ref", job.Ref),
		slog.Int("attempt", job.Attempt), slog.Time("retry_at", due), slog.Any("error", cause))
}

func (q *Queue) deadLetter(ctx context.Context, id string, job Job, cause error) {
	job.LastError = cause.Error()
	data, _ := encodeJob(job)
	pipe := q.rdb.TxPipeline()
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: q.dlq, MaxLen: 10000, Approx: true, Values: map[string]any{"job": data}})
	pipe.XAck(ctx, q.stream, q.group, id)
	pipe.XDel(ctx, q.stream, id)
	if _, err := pipe.Exec(ctx); err != nil {
		q.log.Error("dead-lettering failed; the job stays pending", slog.String("id", id), slog.Any("error", err))
		return
	}
	metrics.DeadLetters.WithLabelValues(q.name).Inc()
	q.log.Error("job dead-lettered", slog.String("kind", job.Kind), slog.Int64("ref", job.Ref),
		slog.Int("attempts", job.Attempt), slog.Any("error", cause))
	if q.opts.OnDeadLetter != nil {
		q.opts.OnDeadLetter(ctx, job, cause)
	}
}

// promoteScript moves due retries back into the stream, atomically.
var promoteScript = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, job in ipairs(due) do
  redis.call('XADD', KEYS[2], '*', 'job', job)
  redis.call('ZREM', KEYS[1], job)
end
return #due`)

func (q *Queue) promoteDelayed(ctx context.Context) {
	every(ctx, 500*time.Millisecond, func() {
		err := promoteScript.Run(ctx, q.rdb, []string{q.delayed, q.stream}, time.Now().UnixMilli()).Err()
		if err != nil && ctx.Err() == nil {
			q.log.Warn("promoting retries failed", slog.Any("error", err))
		}
	})
}

// every calls fn every d until ctx ends.
func every(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// keepClaimedScript resets the idle time of the jobs (ARGV[3:]) that consumer
// ARGV[2] still owns in group ARGV[1], without touching one that another
// worker took over meanwhile.
var keepClaimedScript = redis.NewScript(`
local kept = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if #p == 1 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    kept = kept + 1
  end
end
return kept`)

// keepClaimed renews this consumer's jobs in hand every ClaimIdle/3 so that
// other workers take over only the jobs of a worker that died, and do so
// ClaimIdle after its last sign of life rather than after the longest a job
// may run.
func (q *Queue) keepClaimed(ctx context.Context, consumer string, inFlight *sync.Map) {
	every(ctx, max(q.opts.ClaimIdle/3, 100*time.Millisecond), func() {
		args := []any{q.group, consumer}
		inFlight.Range(func(id, _ any) bool { args = append(args, id); return true })
		if len(args) == 2 {
			return
		}
		if err := keepClaimedScript.Run(ctx, q.rdb, []string{q.stream}, args...).Err(); err != nil && ctx.Err() == nil {
			q.log.Debug("renewing jobs in hand failed", slog.Any("error", err))
		}
	})
}

// handBack makes the jobs still in hand immediately claimable by other
// workers (their idle time is set past ClaimIdle).
func (q *Queue) handBack(consumer string, inFlight *sync.Map) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	inFlight.Range(func(key, _ any) bool {
		id := key.(string)
		err := q.rdb.Do(ctx, "XCLAIM", q.stream, q.group, consumer, 0, id,
			"IDLE", (q.opts.ClaimIdle + time.Minute).Milliseconds()).Err()
		if err != nil {
			q.log.Warn("hand back failed; the job will be taken over after ClaimIdle", slog.String("id", id), slog.Any("error", err))
		}
		return true
	})
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
