package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"memebot/ingest"
	"memebot/metrics"
	"memebot/pipeline"
	"memebot/queue"
)

// LostUpload is a submission whose job was presumably lost.
type LostUpload struct {
	SubmissionID int64
	Status       string // queued or processing
}

// StaleStore finds submissions whose job was lost (jobstore.Store).
type StaleStore interface {
	// StaleSubmissions lists up to limit submissions still queued or
	// processing that were last touched before before.
	StaleSubmissions(ctx context.Context, before time.Time, limit int) ([]LostUpload, error)
	TouchSubmission(ctx context.Context, submissionID int64) error
}

// Enqueuer takes jobs.
type Enqueuer interface {
	Enqueue(ctx context.Context, job queue.Job) (string, error)
}

// StaleAfter is how long a submission may sit queued or processing before its
// job is presumed lost (Redis wiped, say) and queued again. It is longer than
// the longest retry backoff, so a job waiting for its retry is not doubled;
// a doubled job would still be harmless (processing is idempotent and locked).
const StaleAfter = 75 * time.Minute

// RequeueStale queues again the submissions whose job was lost: those queued
// or processing and untouched for staleAfter (StaleAfter for the scheduled
// sweep; 0 right after Redis was found to have lost its data, when every such
// job is lost but those queued since). PostgreSQL is the source of truth, so
// nothing accepted at intake is ever dropped.
func RequeueStale(store StaleStore, jobs Enqueuer, staleAfter time.Duration, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		before := time.Now().Add(-staleAfter)
		for {
			subs, err := store.StaleSubmissions(ctx, before, 500)
			if err != nil {
				return err
			}
			for _, sub := range subs {
				if err := requeueSubmission(ctx, store, jobs, sub, log); err != nil {
					return err
				}
			}
			if len(subs) < 500 { // each one requeued is touched past before
				return nil
			}
		}
	}
}

func requeueSubmission(ctx context.Context, store StaleStore, jobs Enqueuer, sub LostUpload, log *slog.Logger) error {
	if _, err := jobs.Enqueue(ctx, queue.Job{Kind: pipeline.JobUpload, Ref: sub.SubmissionID}); err != nil {
		return fmt.Errorf("requeue %d: %w", sub.SubmissionID, err)
	}
	if err := store.TouchSubmission(ctx, sub.SubmissionID); err != nil {
		return err
	}
	metrics.JobsRequeued.WithLabelValues(pipeline.JobUpload).Inc()
	log.Warn("requeued a submission whose job was lost", slog.Int64("submission_id", sub.SubmissionID), slog.String("status", sub.Status))
	return nil
}

// Defaults of CandidateSweep.
const (
	// CandidateStaleAfter is how long a candidate may wait for its ingest job
	// to record an outcome before the job is presumed lost. A job takes a
	// minute or two with its retries; a longer wait behind a backlog is told
	// apart by the queue's oldest job (CandidateSweep.Queue).
	CandidateStaleAfter = 30 * time.Minute
	// MaxCandidateRequeues bounds how often one candidate is queued again
	// before it is recorded as failed (pipeline.OutcomeFailed).
	MaxCandidateRequeues = 3
)

// LostCandidates is the storage the candidate sweep needs (jobstore.Store).
type LostCandidates interface {
	// RequeueLostCandidates hands the candidates lost as r says to handoff
	// again, and records as failed those queued r.MaxRequeues times already,
	// in one transaction.
	RequeueLostCandidates(ctx context.Context, r CandidateRequeue, handoff ingest.Handoff) (CandidatesRequeued, error)
}

// CandidateRequeue says which candidates are lost and what becomes of them.
type CandidateRequeue struct {
	QueuedBefore time.Time // queued before this and still without an outcome: lost
	MaxRequeues  int       // a lost candidate queued again this often is recorded as failed
	Limit        int       // candidates taken in one call
}

// CandidatesRequeued is what a candidate sweep did.
type CandidatesRequeued struct {
	Candidates []ingest.Candidate // handed off again
	Failed     []int64            // raw post ids recorded as failed
}

// QueueStats reads the media queue's figures (queue.Queue).
type QueueStats interface {
	Stats(ctx context.Context) (queue.Stats, error)
}

// MediaQueue is the media queue as requeue-stale uses it (queue.Queue).
type MediaQueue interface {
	Enqueuer
	pipeline.BatchEnqueuer
	QueueStats
}

// CandidateSweep queues again the ingested candidates whose job was lost: the
// ingester marks a post processed once its candidate is in the queue, so a
// queue that loses the job (Redis restarted without persistence, flushed,
// failed over) would otherwise lose the meme. A candidate still without an
// outcome StaleAfter after it was queued is queued again, up to MaxRequeues
// times, then recorded as failed. A job queued twice is harmless: HandleIngest
// makes at most one meme per raw post.
type CandidateSweep struct {
	Store LostCandidates
	Jobs  pipeline.BatchEnqueuer
	// Queue, if set, holds the sweep back while the queue still has jobs
	// older than a candidate: its job may be among them (a backlog, or the
	// workers paused), and it is not lost until the queue has moved past it.
	Queue       QueueStats
	StaleAfter  time.Duration    // default CandidateStaleAfter
	MaxRequeues int              // default MaxCandidateRequeues
	Now         func() time.Time // default time.Now
	Log         *slog.Logger
}

// Run is one sweep (a scheduled job's Run).
func (s CandidateSweep) Run(ctx context.Context) error {
	before, err := s.cutoff(ctx)
	if err != nil {
		return err
	}
	res, err := s.Store.RequeueLostCandidates(ctx, CandidateRequeue{QueuedBefore: before, MaxRequeues: s.maxRequeues(), Limit: 500},
		pipeline.QueueCandidates(s.Jobs))
	if err != nil {
		return err
	}
	for _, c := range res.Candidates {
		s.Log.Warn("requeued a candidate whose ingest job was lost", slog.Int64("raw_post_id", c.RawPostID),
			slog.Int64("source_id", c.SourceID), slog.String("post_id", c.PostID))
	}
	metrics.JobsRequeued.WithLabelValues(pipeline.JobIngest).Add(float64(len(res.Candidates)))
	for _, id := range res.Failed {
		s.Log.Error("gave up on a candidate whose ingest job never recorded an outcome", slog.Int64("raw_post_id", id),
			slog.Int("requeues", s.maxRequeues()))
	}
	metrics.IngestProcessed.WithLabelValues(string(pipeline.OutcomeFailed)).Add(float64(len(res.Failed)))
	return nil
}

// cutoff is the time before which a candidate without an outcome is lost.
func (s CandidateSweep) cutoff(ctx context.Context) (time.Time, error) {
	now, staleAfter := time.Now, s.StaleAfter
	if s.Now != nil {
		now = s.Now
	}
	if staleAfter <= 0 {
		staleAfter = CandidateStaleAfter
	}
	before := now().Add(-staleAfter)
	if s.Queue == nil {
		return before, nil
	}
	st, err := s.Queue.Stats(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("candidate sweep: %w", err)
	}
	// A minute's margin for the clocks of the queue, the workers and PostgreSQL.
	if oldest := time.Now().Add(-st.OldestAge - time.Minute); st.Length > 0 && oldest.Before(before) {
		return oldest, nil
	}
	return before, nil
}

func (s CandidateSweep) maxRequeues() int {
	if s.MaxRequeues <= 0 {
		return MaxCandidateRequeues
	}
	return s.MaxRequeues
}

// NewRequeueStale queues again, every ten minutes, what the media queue lost
// (Redis wiped): submissions, and candidates handed off by the ingest jobs.
// PostgreSQL is the source of truth for both.
func NewRequeueStale(store StaleStore, candidates LostCandidates, media MediaQueue, log *slog.Logger) Job {
	uploads := RequeueStale(store, media, StaleAfter, log)
	sweep := CandidateSweep{Store: candidates, Jobs: media, Queue: media, Log: log}
	return Job{Name: "requeue-stale", Schedule: "@every 10m", Timeout: 5 * time.Minute,
		Run: func(ctx context.Context) error { return errors.Join(uploads(ctx), sweep.Run(ctx)) }}
}
