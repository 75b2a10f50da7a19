-- +goose Up
-- The co_liked engine (recommend.CoLikes): how often two memes were liked by
-- the same person close together (within a few of their likes). Built
-- incrementally from new likes only by the colikes job.
CREATE TABLE meme_colikes (
    meme_id  BIGINT NOT NULL,
    other_id BIGINT NOT NULL,
    n        INT NOT NULL,
    PRIMARY KEY (meme_id, other_id)
);
-- A liked meme's strongest neighbours first.
CREATE INDEX meme_colikes_top_idx ON meme_colikes (meme_id, n DESC, other_id);
INSERT INTO stats_watermarks (name, processed_until) VALUES ('colikes', '1970-01-01 00:00:00+00');
-- +goose Down
DELETE FROM stats_watermarks WHERE name = 'colikes';
DROP TABLE meme_colikes;
