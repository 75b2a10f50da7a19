// Package queue is a durable job queue on a Redis Stream with a consumer
// group: a job stays pending until its handler succeeds, a job whose worker
// died is taken over by another worker after ClaimIdle, a failing job is
// retried with exponential backoff (capped at an hour) through a delayed set,
// and after MaxAttempts it moves to a dead-letter stream.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"memebot/kv"
	"memebot/metrics"
)

// Job is one unit of work.
type Job struct {
	ID         string          `json:"-"` // the stream entry id of this delivery
	Kind       string          `json:"kind"`
	Ref        int64           `json:"ref"` // what the job is about, e.g. a submission id
	Attempt    int             `json:"attempt"`
	EnqueuedAt time.Time       `json:"enqueued_at"`
	Payload    json.RawMessage `json:"payload,omitempty"`
	LastError  string          `json:"last_error,omitempty"`
}

// ErrPermanent marks an error that no retry can fix: the job goes straight
// to the dead-letter queue. Wrap it: fmt.Errorf("...: %w", queue.ErrPermanent).
var ErrPermanent = errors.New("permanent failure")

// ErrBusy says the job cannot run yet for a reason that is not its fault
// (another worker holds it): it is retried after BusyDelay without counting
// an attempt. Wrap it like ErrPermanent.
var ErrBusy = errors.New("busy")

// Options tune a queue.
type Options struct {
	MaxAttempts int // deliveries before dead-lettering (default 5)
	// ClaimIdle is how long a job may go without a sign of life from its
	// worker before another worker takes it over (default 15s). A live worker
	// renews its jobs every ClaimIdle/3, however long they run.
	ClaimIdle   time.Duration
	BaseBackoff time.Duration // first retry delay, doubled each attempt (default 5s)
	MaxBackoff  time.Duration // default 1h
	BusyDelay   time.Duration // delay after ErrBusy (default 5s)
	Block       time.Duration // how long a read waits for new jobs (default 2s)
	// OnDeadLetter is told about each job that was given up on (e.g. to tell admins).
	OnDeadLetter func(ctx context.Context, job Job, err error)
	// Paused, if set, is asked before taking jobs: while it says true the
	// consumers take nothing new (jobs in hand finish): /pause media-worker.
	Paused func(ctx context.Context) bool
	// Dead, if set, says whether the consumer of that name is known to be
	// dead (a process of this host that no longer runs). A starting consumer
	// takes over such a consumer's jobs at once instead of after ClaimIdle.
	Dead func(consumer string) bool
	// Down, if set, says why the infrastructure the handlers need is out
	// (nil while it answers). While it is out the consumers take nothing new,
	// and a job that failed meanwhile is retried without spending an attempt:
	// a database outage must not dead-letter the uploads caught in it.
	Down func(ctx context.Context) error
}

// Queue is one named queue.
type Queue struct {
	rdb                         *kv.Redis
	name                        string
	stream, group, delayed, dlq string
	opts                        Options
	log                         *slog.Logger
	down                        atomic.Bool // Down said the infrastructure is out, last time it was asked
	paused                      atomic.Bool // Paused said so, last time it was asked
}

// New returns the queue called name (e.g. "media").
func New(rdb *kv.Redis, name string, opts Options, log *slog.Logger) *Queue {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.ClaimIdle <= 0 {
		opts.ClaimIdle = 15 * time.Second
	}
	if opts.BaseBackoff <= 0 {
		opts.BaseBackoff = 5 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = time.Hour
	}
	if opts.BusyDelay <= 0 {
		opts.BusyDelay = 5 * time.Second
	}
	if opts.Block <= 0 {
		opts.Block = 2 * time.Second
	}
	return &Queue{
		rdb: rdb, name: name, opts: opts, log: log.With("queue", name),
		stream: rdb.Key("queue", name), group: "workers",
		delayed: rdb.Key("queue", name, "delayed"), dlq: rdb.Key("queue", name, "dead"),
	}
}

// Name is the queue's name.
func (q *Queue) Name() string { return q.name }

// Enqueue adds a job and returns its entry id.
func (q *Queue) Enqueue(ctx context.Context, job Job) (string, error) {
	ids, err := q.EnqueueMany(ctx, []Job{job})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// EnqueueMany adds jobs in one round trip and returns their entry ids. On an
// error some of the jobs may have been added; ids holds "" for the others.
func (q *Queue) EnqueueMany(ctx context.Context, jobs []Job) ([]string, error) {
	now := time.Now().UTC()
	cmds := make([]*redis.StringCmd, len(jobs))
	_, err := q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, job := range jobs {
			if job.EnqueuedAt.IsZero() {
				job.EnqueuedAt = now
			}
			data, err := json.Marshal(job)
			if err != nil {
				return fmt.Errorf("queue %s: encode job: %w", q.name, err)
			}
			cmds[i] = p.XAdd(ctx, &redis.XAddArgs{Stream: q.stream, Values: map[string]any{"job": data}})
		}
		return nil
	})
	ids := make([]string, len(jobs))
	for i, c := range cmds {
		if c != nil && c.Err() == nil {
			ids[i] = c.Val()
		}
	}
	if err != nil {
		return ids, fmt.Errorf("queue %s: enqueue: %w", q.name, err)
	}
	return ids, nil
}

// ensureGroup creates the consumer group, reading the stream from its start,
// unless it exists. Consume calls it at start and again whenever Redis says
// the group is gone (Redis restarted empty, or flushed).
func (q *Queue) ensureGroup(ctx context.Context) error {
	err := q.rdb.XGroupCreateMkStream(ctx, q.stream, q.group, "0").Err()
	if err != nil && !strings.Contains(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("queue %s: create group: %w", q.name, err)
	}
	return nil
}

// noGroup reports whether err says the stream or its consumer group is gone.
func noGroup(err error) bool {
	return err != nil && strings.Contains(err.Error(), "NOGROUP")
}

func decode(msg redis.XMessage) (Job, error) {
	raw, _ := msg.Values["job"].(string)
	var job Job
	if err := json.Unmarshal([]byte(raw), &job); err != nil {
		return Job{ID: msg.ID}, fmt.Errorf("decode job %s: %w: %w", msg.ID, err, ErrPermanent)
	}
	job.ID = msg.ID
	return job, nil
}

// Stats is what operators watch.
type Stats struct {
	Length    int64         // jobs waiting or in flight
	Delayed   int64         // jobs waiting for a retry
	Dead      int64         // jobs given up on
	OldestAge time.Duration // age of the oldest waiting or in-flight job
}

// Stats reads the queue's figures and updates the gauges.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	pipe := q.rdb.Pipeline()
	length := pipe.XLen(ctx, q.stream)
	delayed := pipe.ZCard(ctx, q.delayed)
	dead := pipe.XLen(ctx, q.dlq)
	oldest := pipe.XRangeN(ctx, q.stream, "-", "+", 1)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Stats{}, fmt.Errorf("queue %s: stats: %w", q.name, err)
	}
	s := Stats{Length: length.Val(), Delayed: delayed.Val(), Dead: dead.Val()}
	if msgs := oldest.Val(); len(msgs) > 0 {
		if job, err := decode(msgs[0]); err == nil {
			s.OldestAge = time.Since(job.EnqueuedAt)
		} else if ms, err := strconv.ParseInt(strings.SplitN(msgs[0].ID, "-", 2)[0], 10, 64); err == nil {
			s.OldestAge = time.Since(time.UnixMilli(ms))
		}
	}
	metrics.QueueLength.WithLabelValues(q.name).Set(float64(s.Length + s.Delayed))
	metrics.QueueOldestAge.WithLabelValues(q.name).Set(s.OldestAge.Seconds())
	return s, nil
}

// DeadLetters lists up to n dead jobs, newest first.
func (q *Queue) DeadLetters(ctx context.Context, n int64) ([]Job, error) {
	msgs, err := q.rdb.XRevRangeN(ctx, q.dlq, "+", "-", n).Result()
	if err != nil {
		return nil, fmt.Errorf("queue %s: dead letters: %w", q.name, err)
	}
	jobs := make([]Job, 0, len(msgs))
	for _, m := range msgs {
		if job, err := decode(m); err == nil {
			jobs = append(jobs, job)
		}
	}
	return jobs, nil
}

func encodeJob(job Job) (string, error) {
	data, err := json.Marshal(job)
	return string(data), err
}
