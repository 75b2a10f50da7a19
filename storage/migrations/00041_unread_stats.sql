-- +goose Up
-- Computed on every stats run and read by no engine, command or chart: a
-- meme's reaction-time histogram and median, a user's sessions and active
-- days. The stats job writes what the feed ranks by, nothing else.
ALTER TABLE meme_stats DROP COLUMN react_hist, DROP COLUMN sec_to_react;
ALTER TABLE user_stats DROP COLUMN sessions, DROP COLUMN session_len, DROP COLUMN closed_sessions,
    DROP COLUMN median_session_len, DROP COLUMN active_days;
-- +goose Down
ALTER TABLE meme_stats ADD COLUMN react_hist INT[] NOT NULL DEFAULT '{}', ADD COLUMN sec_to_react DOUBLE PRECISION;
ALTER TABLE user_stats ADD COLUMN sessions INT NOT NULL DEFAULT 0, ADD COLUMN session_len INT NOT NULL DEFAULT 0,
    ADD COLUMN closed_sessions INT[] NOT NULL DEFAULT '{}', ADD COLUMN median_session_len DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN active_days INT NOT NULL DEFAULT 0;
