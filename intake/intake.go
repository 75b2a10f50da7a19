// Package intake accepts uploads: the uploader's rolling-hour limit, the
// submission in PostgreSQL and its job on the media queue, all before the
// uploader is answered. Concurrent uploads are gathered into batches (group
// commit), so a burst of hundreds costs a few round trips rather than hundreds,
// while a lone upload is written at once.
package intake

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"memebot/heal"
	"memebot/metrics"
	"memebot/queue"
	"memebot/ratelimit"
	"memebot/storage"
)

// Store records uploads.
type Store interface {
	Intake(ctx context.Context, ups []storage.Upload) ([]storage.Intaken, error)
	ChangeSubmission(ctx context.Context, id int64, ch storage.SubmissionChange) error
}

// Queue takes the processing jobs.
type Queue interface {
	EnqueueMany(ctx context.Context, jobs []queue.Job) ([]string, error)
}

// Limiter is the per-uploader rolling-hour limit.
type Limiter interface {
	TakeMany(ctx context.Context, keys []string) ([]ratelimit.Outcome, error)
	ReleaseMany(ctx context.Context, gs []ratelimit.Grant) error
}

// Request is one upload to accept.
type Request struct {
	Upload storage.Upload
	Exempt bool // moderators and admins: no hourly limit
}

// Result is what became of a Request.
type Result struct {
	Submission storage.Submission // when accepted
	// Redelivered says the message was accepted before (Telegram or the
	// inbox delivered it again after a crash): its uploader was most likely
	// answered already.
	Redelivered bool
	Limited     bool          // over the hourly limit: nothing stored
	RetryIn     time.Duration // when Limited: until the next upload is allowed
}

// Options tune the batching.
type Options struct {
	MaxBatch int // uploads per round trip (default 200)
	// MaxFlushes is how many batches may be in flight at once (default 1:
	// uploads arriving during a flush go together in the next, which halved
	// PostgreSQL's work in a burst against 2, acknowledgements no slower).
	MaxFlushes int
	Timeout    time.Duration // for one batch's round trips (default 10s)
}

// Intake accepts uploads. It has no goroutine of its own: a batch is written
// by a short-lived goroutine started when there is work, so there is nothing
// to start or stop.
type Intake struct {
	store   Store
	queue   Queue
	limit   Limiter
	jobKind string
	log     *slog.Logger
	timeout time.Duration
	batches *batcher[Request, Result]
}

// New returns an Intake that queues jobs of kind jobKind.
func New(store Store, q Queue, limit Limiter, jobKind string, opts Options, log *slog.Logger) *Intake {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 200
	}
	if opts.MaxFlushes <= 0 {
		opts.MaxFlushes = 1
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	in := &Intake{store: store, queue: q, limit: limit, jobKind: jobKind, log: log, timeout: opts.Timeout}
	in.batches = newBatcher(opts.MaxBatch, opts.MaxFlushes, in.flush)
	return in
}

// Accept records the upload and queues its processing, or says it is over
// the limit. It returns once the submission and its job are durable.
func (in *Intake) Accept(ctx context.Context, r Request) (Result, error) {
	return in.batches.do(r)
}

// flush accepts one batch: limits in one round trip to Redis, submissions in
// one statement, jobs in one pipeline. Each request gets its own outcome.
func (in *Intake) flush(reqs []Request) ([]Result, []error) {
	ctx, cancel := context.WithTimeout(context.Background(), in.timeout)
	defer cancel()
	metrics.IntakeBatchSize.Observe(float64(len(reqs)))
	b := &batch{in: in, reqs: reqs, res: make([]Result, len(reqs)), errs: make([]error, len(reqs))}

	grants, accepted, err := in.takeLimits(ctx, reqs, b.res)
	if err != nil { // nothing taken, nothing stored
		for i := range b.errs {
			b.errs[i] = err
		}
		return b.res, b.errs
	}
	b.grants = grants
	queued, err := b.store(ctx, accepted)
	if err != nil {
		b.release(ctx, accepted)
		for _, i := range accepted {
			b.errs[i] = err
		}
		return b.res, b.errs
	}
	b.enqueue(ctx, queued)
	return b.res, b.errs
}

// batch is one flush in progress: the requests, and what became of each.
type batch struct {
	in     *Intake
	reqs   []Request
	res    []Result
	errs   []error
	grants []ratelimit.Grant // by request index
}

// release gives back the limit slots of the requests idx, which were not
// accepted after all.
func (b *batch) release(ctx context.Context, idx []int) {
	var gs []ratelimit.Grant
	for _, i := range idx {
		gs = append(gs, b.grants[i])
	}
	if err := b.in.limit.ReleaseMany(context.WithoutCancel(ctx), gs); err != nil {
		b.in.log.Warn("upload limit slots not given back", slog.Any("error", err))
	}
}

// store records the accepted requests and returns those that need a job: all
// but a redelivered message whose job already ran.
func (b *batch) store(ctx context.Context, accepted []int) (queued []int, err error) {
	ups := make([]storage.Upload, len(accepted))
	for k, i := range accepted {
		ups[k] = b.reqs[i].Upload
	}
	stored, err := b.in.store.Intake(ctx, ups)
	if err != nil {
		return nil, err
	}
	for k, i := range accepted {
		b.res[i].Submission, b.res[i].Redelivered = stored[k].Submission, !stored[k].Created
		if stored[k].Created || stored[k].Submission.Status == storage.SubmissionQueued {
			queued = append(queued, i)
		}
	}
	return queued, nil
}

// enqueue queues the jobs of the requests idx. A job that does not reach the
// queue fails its request and gives its slot back. While Redis is out the
// submission stays queued (the bot holds the update and accepts it again once
// Redis is back, which queues the job); otherwise it is marked failed (so the
// re-queue job does not take it for lost) and the uploader is told.
func (b *batch) enqueue(ctx context.Context, idx []int) {
	if len(idx) == 0 {
		return
	}
	jobs := make([]queue.Job, len(idx))
	for k, i := range idx {
		jobs[k] = queue.Job{Kind: b.in.jobKind, Ref: b.res[i].Submission.ID}
	}
	ids, err := b.in.queue.EnqueueMany(ctx, jobs)
	if err == nil {
		return
	}
	var lost []int
	for k, i := range idx {
		if ids[k] != "" {
			continue
		}
		lost = append(lost, i)
		b.errs[i] = err
		id := b.res[i].Submission.ID
		if heal.Transient(err) {
			// Redis is out: the submission stays queued, and its job is
			// queued again when the update is handled again once Redis is
			// back (or by the sweep of lost jobs).
			continue
		}
		if cerr := b.in.store.ChangeSubmission(context.WithoutCancel(ctx), id, storage.SubmissionChange{
			Status: storage.SubmissionFailed, Reason: "enqueue failed", LastError: err.Error(),
		}); cerr != nil {
			b.in.log.Error("submission left queued without a job", slog.Int64("submission_id", id), slog.Any("error", cerr))
		}
	}
	b.release(ctx, lost)
}

// takeLimits takes a limit slot for every request that is not exempt and
// marks the refused ones Limited. It returns the grants by request index and
// the indexes of the requests to store.
func (in *Intake) takeLimits(ctx context.Context, reqs []Request, res []Result) ([]ratelimit.Grant, []int, error) {
	var keys []string
	var counted []int // the requests the limit applies to
	for i, r := range reqs {
		if !r.Exempt {
			keys = append(keys, strconv.FormatInt(r.Upload.Uploader.ID, 10))
			counted = append(counted, i)
		}
	}
	outcomes, err := in.limit.TakeMany(ctx, keys)
	if err != nil {
		return nil, nil, fmt.Errorf("intake: limit: %w", err)
	}
	grants := make([]ratelimit.Grant, len(reqs))
	refused := make([]bool, len(reqs))
	for k, i := range counted {
		if outcomes[k].OK {
			grants[i] = outcomes[k].Grant
			continue
		}
		refused[i] = true
		res[i] = Result{Limited: true, RetryIn: outcomes[k].RetryIn}
	}
	accepted := make([]int, 0, len(reqs))
	for i := range reqs {
		if !refused[i] {
			accepted = append(accepted, i)
		}
	}
	return grants, accepted, nil
}
