-- +goose Up
-- The review post of a meme that has no submission (ingested from a source
-- marked as needing review), so a retried job never posts it twice.
ALTER TABLE memes ADD COLUMN review_message_id BIGINT;

-- +goose Down
ALTER TABLE memes DROP COLUMN review_message_id;
