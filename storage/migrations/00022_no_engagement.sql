-- +goose Up
-- The engagement score was computed on every stats run and read by no engine.
ALTER TABLE meme_stats DROP COLUMN es_dev_sum, DROP COLUMN es_dev_n, DROP COLUMN engagement;
ALTER TABLE user_stats DROP COLUMN es_sum;
-- +goose Down
ALTER TABLE user_stats ADD COLUMN es_sum DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE meme_stats ADD COLUMN es_dev_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN es_dev_n INT NOT NULL DEFAULT 0, ADD COLUMN engagement DOUBLE PRECISION NOT NULL DEFAULT 0;
