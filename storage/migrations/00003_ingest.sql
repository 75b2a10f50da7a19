-- +goose Up
-- Ingestion (package ingest): why each raw post was or was not taken, why a
-- source's last parse failed, and each platform's run of failed parses (the
-- circuit breaker that pauses its job).

ALTER TABLE sources
    ADD COLUMN failed_parses INT NOT NULL DEFAULT 0,
    ADD COLUMN last_error    TEXT NOT NULL DEFAULT '';
CREATE INDEX sources_due_idx ON sources (platform, parsed_at NULLS FIRST, id) WHERE status = 'parsing_enabled';

-- 'candidate', or why not ('album', 'ad: words ...', 'low_views: ...'); set with processed_at.
ALTER TABLE raw_posts ADD COLUMN verdict TEXT NOT NULL DEFAULT '';
CREATE INDEX raw_posts_source_posted_idx ON raw_posts (source_id, posted_at DESC);

CREATE TABLE ingest_platforms (
    platform              TEXT PRIMARY KEY,
    consecutive_failures  INT NOT NULL DEFAULT 0,
    last_error            TEXT NOT NULL DEFAULT '',
    last_run_at           TIMESTAMPTZ,
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE ingest_platforms;
DROP INDEX raw_posts_source_posted_idx;
ALTER TABLE raw_posts DROP COLUMN verdict;
DROP INDEX sources_due_idx;
ALTER TABLE sources DROP COLUMN last_error, DROP COLUMN failed_parses;
