package pipeline

import (
	"context"
	"encoding/json"
	"fmt"

	"memebot/ingest"
	"memebot/queue"
)

// The kinds of the media queue's jobs; Handle routes each to its handler,
// DeadLetter each given-up one to its own.
const (
	// JobUpload is the job of an upload; its Ref is the submission id.
	JobUpload = "upload"
	// JobIngest is the job of a post found in a source; its Ref is the raw
	// post id and its payload the ingest.Candidate (IngestJob).
	JobIngest = "ingest"
)

// Handle routes a media job to its kind's handler.
func (p *Pipeline) Handle(ctx context.Context, job queue.Job) error {
	switch job.Kind {
	case JobUpload:
		return p.HandleUpload(ctx, job)
	case JobIngest:
		return p.HandleIngest(ctx, job)
	}
	return fmt.Errorf("unknown job kind %q: %w", job.Kind, queue.ErrPermanent)
}

// DeadLetter is told when a media job was given up on.
func (p *Pipeline) DeadLetter(ctx context.Context, job queue.Job, cause error) {
	switch job.Kind {
	case JobUpload:
		p.uploadGivenUp(ctx, job, cause)
	case JobIngest:
		p.ingestGivenUp(ctx, job, cause)
	}
}

// IngestJob is the queue job of a candidate post.
func IngestJob(c ingest.Candidate) (queue.Job, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return queue.Job{}, fmt.Errorf("ingest job: %w", err)
	}
	return queue.Job{Kind: JobIngest, Ref: c.RawPostID, Payload: payload}, nil
}

// BatchEnqueuer takes many jobs in one round trip.
type BatchEnqueuer interface {
	EnqueueMany(ctx context.Context, jobs []queue.Job) ([]string, error)
}

// QueueCandidates is the ingest.Handoff that turns candidates into ingest
// jobs on q. A candidate queued twice (the ingester hands a source's
// candidates off again when it died before marking them processed) is
// harmless: HandleIngest makes at most one meme per raw post. It is also how
// CandidateSweep queues again the candidates whose job was lost.
func QueueCandidates(q BatchEnqueuer) ingest.Handoff {
	return func(ctx context.Context, cands []ingest.Candidate) error {
		jobs := make([]queue.Job, len(cands))
		for i, c := range cands {
			job, err := IngestJob(c)
			if err != nil {
				return err
			}
			jobs[i] = job
		}
		if _, err := q.EnqueueMany(ctx, jobs); err != nil {
			return fmt.Errorf("queue %d candidates: %w", len(jobs), err)
		}
		return nil
	}
}
