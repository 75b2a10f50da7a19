-- +goose Up
-- One meme per raw post. The ingester queues a source's candidates before it
-- marks their posts processed, so a run that dies in between queues them again
-- next time; the ingest job looks its post's meme up here, and this index makes
-- the database, not timing, refuse a second meme for the same post.

-- Should an earlier race have left two memes on one post, the later ones let go of it.
UPDATE memes SET raw_post_id = NULL
WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY raw_post_id ORDER BY id) AS n
                             FROM memes WHERE raw_post_id IS NOT NULL) ranked
             WHERE n > 1);
CREATE UNIQUE INDEX memes_raw_post_idx ON memes (raw_post_id) WHERE raw_post_id IS NOT NULL;

-- +goose Down
DROP INDEX memes_raw_post_idx;
