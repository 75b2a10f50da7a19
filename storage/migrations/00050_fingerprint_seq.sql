-- +goose Up
-- fingerprint_seq orders the writes of meme fingerprints: a new meme's, and
-- one recomputed by the fingerprint backfill (jobs/fingerprints.go) when the
-- fingerprint rule changed. A worker's in-memory index catches up with every
-- fingerprint written after the last one it loaded, old memes included.
CREATE SEQUENCE memes_fingerprint_seq;
ALTER TABLE memes ADD COLUMN fingerprint_seq BIGINT NOT NULL DEFAULT nextval('memes_fingerprint_seq');
CREATE INDEX memes_fingerprint_seq_idx ON memes (fingerprint_seq);

-- +goose Down
DROP INDEX memes_fingerprint_seq_idx;
ALTER TABLE memes DROP COLUMN fingerprint_seq;
DROP SEQUENCE memes_fingerprint_seq;
