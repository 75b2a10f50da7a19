-- +goose Up
-- Automatic-check reports by file hash: a meme whose bytes were already
-- analysed reuses the report, so no paid or rate-limited call is made twice.
CREATE TABLE analyses (
    sha256     BYTEA PRIMARY KEY,
    report     JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Memes waiting for a vision description, recent first.
CREATE INDEX memes_undescribed_idx ON memes (created_at DESC)
    WHERE description IS NULL AND type = 'photo' AND status IN ('ok', 'waiting_review');

-- +goose Down
DROP INDEX memes_undescribed_idx;
DROP TABLE analyses;
