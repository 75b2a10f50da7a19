-- +goose Up
-- source_colikes fed the taste engine, which the learned feed left out (the
-- simulation showed it below source_affinity and content in every band);
-- the engine is gone, so the colikes job no longer writes its pairs.
DROP TABLE source_colikes;
-- +goose Down
CREATE TABLE source_colikes (
    source_id BIGINT NOT NULL,
    other_id  BIGINT NOT NULL,
    n         INT NOT NULL,
    PRIMARY KEY (source_id, other_id)
);
