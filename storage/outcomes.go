package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// IngestOutcomeFailed is the outcome of a candidate given up on: its job was
// queued again CandidateRequeue.MaxRequeues times and still recorded nothing.
const IngestOutcomeFailed = "failed"

// RecordIngestOutcome stores what the ingest job made of a candidate's post
// (ok, review, duplicate, rejected:<reason>, ...), which ends the post's wait
// for its job. A first outcome stays: a job queued twice records the one that
// did the work, not its "done_before". A late outcome replaces
// IngestOutcomeFailed.
func (s *Store) RecordIngestOutcome(ctx context.Context, rawPostID int64, outcome string) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE raw_posts SET ingest_outcome = $1, updated_at = now()
		WHERE id = $2 AND ingest_outcome IN ('', $3)`, outcome, rawPostID, IngestOutcomeFailed)
	if err != nil {
		return fmt.Errorf("storage: record outcome of raw post %d: %w", rawPostID, err)
	}
	return nil
}

// CandidateRequeue says which candidates RequeueLostCandidates takes.
type CandidateRequeue struct {
	// QueuedBefore: candidates last queued before this, and still without an
	// outcome, are presumed lost.
	QueuedBefore time.Time
	// MaxRequeues: a lost candidate queued again this many times already is
	// recorded as failed instead.
	MaxRequeues int
	Limit       int // candidates taken in one call
}

// CandidatesRequeued is what RequeueLostCandidates did.
type CandidatesRequeued struct {
	Candidates []Candidate // handed off again
	Failed     []int64     // raw post ids recorded as IngestOutcomeFailed
}

// lostRow is a raw post waiting for its candidate's outcome.
type lostRow struct {
	ID        int64
	Candidate []byte
	Requeues  int
}

// RequeueLostCandidates hands off again the candidates whose job left no
// outcome in time (the queue lost it), and records as failed those that were
// handed off again too often. Like JudgeRawPosts, the hand-off happens inside
// the transaction that holds the rows, so two sweeps at once never take the
// same candidate and one that dies before its commit leaves them to the next.
func (s *Store) RequeueLostCandidates(ctx context.Context, r CandidateRequeue, handoff func(context.Context, []Candidate) error) (CandidatesRequeued, error) {
	var res CandidatesRequeued
	err := s.pgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := queryStructs[lostRow](ctx, tx, `
			SELECT id, candidate, requeues FROM raw_posts
			WHERE queued_at IS NOT NULL AND queued_at < $1 AND ingest_outcome = ''
			ORDER BY queued_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`, r.QueuedBefore, r.Limit)
		if err != nil || len(rows) == 0 {
			return err
		}
		var again []int64
		for _, row := range rows {
			var c Candidate
			if row.Requeues >= r.MaxRequeues || json.Unmarshal(row.Candidate, &c) != nil {
				res.Failed = append(res.Failed, row.ID)
				continue
			}
			res.Candidates = append(res.Candidates, c)
			again = append(again, row.ID)
		}
		if len(res.Candidates) > 0 {
			if err := handoff(ctx, res.Candidates); err != nil {
				return fmt.Errorf("hand off %d candidates again: %w", len(res.Candidates), err)
			}
		}
		return markRequeued(ctx, tx, again, res.Failed)
	})
	if err != nil {
		return CandidatesRequeued{}, fmt.Errorf("storage: requeue lost candidates: %w", err)
	}
	return res, nil
}

func markRequeued(ctx context.Context, tx pgx.Tx, again, failed []int64) error {
	if len(again) > 0 {
		_, err := tx.Exec(ctx, `UPDATE raw_posts SET queued_at = clock_timestamp(), requeues = requeues + 1, updated_at = now()
			WHERE id = ANY($1::bigint[])`, again)
		if err != nil {
			return err
		}
	}
	if len(failed) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE raw_posts SET ingest_outcome = $1, updated_at = now() WHERE id = ANY($2::bigint[])`,
		IngestOutcomeFailed, failed)
	return err
}
