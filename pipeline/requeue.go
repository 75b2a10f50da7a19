package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"memebot/queue"
	"memebot/storage"
)

// StaleStore finds submissions whose job was lost.
type StaleStore interface {
	StaleSubmissions(ctx context.Context, before time.Time, limit int) ([]storage.Submission, error)
	TouchSubmission(ctx context.Context, id int64) error
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

// RequeueStale queues again the submissions whose job was lost; PostgreSQL
// is the source of truth, so nothing accepted at intake is ever dropped.
func RequeueStale(store StaleStore, jobs Enqueuer, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		subs, err := store.StaleSubmissions(ctx, time.Now().Add(-StaleAfter), 500)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if _, err := jobs.Enqueue(ctx, queue.Job{Kind: JobUpload, Ref: sub.ID}); err != nil {
				return fmt.Errorf("requeue %d: %w", sub.ID, err)
			}
			if err := store.TouchSubmission(ctx, sub.ID); err != nil {
				return err
			}
			log.Warn("requeued a submission whose job was lost", slog.Int64("submission_id", sub.ID), slog.String("status", sub.Status))
		}
		return nil
	}
}

// JobUpload is the job kind of an upload.
const JobUpload = "upload"
