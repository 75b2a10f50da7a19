-- +goose Up
-- What became of each candidate handed to the media queue. A candidate is
-- handed off before its post is marked processed, but the queue is Redis: a
-- job lost there (a restart without persistence, a flush, a failover) would
-- leave the post processed and no meme made. PostgreSQL keeps the job itself
-- (candidate), when it was last queued, and the outcome the ingest job
-- recorded; the requeue-stale job queues again a candidate left without an
-- outcome, a few times, and then records it as failed.
-- Candidates handed off before this migration have no queued_at: not tracked.

ALTER TABLE raw_posts
    ADD COLUMN candidate      JSONB,
    ADD COLUMN queued_at      TIMESTAMPTZ,
    ADD COLUMN requeues       INT NOT NULL DEFAULT 0,
    -- 'ok', 'review', 'duplicate', 'done_before', 'rejected:<reason>', or 'failed' (given up on)
    ADD COLUMN ingest_outcome TEXT NOT NULL DEFAULT '';
CREATE INDEX raw_posts_awaiting_outcome_idx ON raw_posts (queued_at)
    WHERE queued_at IS NOT NULL AND ingest_outcome = '';

-- +goose Down
DROP INDEX raw_posts_awaiting_outcome_idx;
ALTER TABLE raw_posts DROP COLUMN ingest_outcome, DROP COLUMN requeues, DROP COLUMN queued_at, DROP COLUMN candidate;
