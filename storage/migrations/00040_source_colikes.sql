-- +goose Up
-- The taste engine (recommend/taste.go): how often a meme of one source was
-- liked close to a meme of another by the same person, both ways (a source
-- with itself included). Built by the colikes job from the same pairs as
-- meme_colikes; a source's neighbours tell a person who likes it which other
-- sources to try first.
CREATE TABLE source_colikes (
    source_id BIGINT NOT NULL,
    other_id  BIGINT NOT NULL,
    n         INT NOT NULL,
    PRIMARY KEY (source_id, other_id)
);
-- +goose Down
DROP TABLE source_colikes;
