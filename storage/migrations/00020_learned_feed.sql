-- +goose Up
-- The learned feed (package recommend). Each engine's recent likes and
-- dislikes per maturity stage, decayed a little on every stats run: the
-- Thompson-sampling blend draws each position's engine from them.
CREATE TABLE engine_stats (
    stage       TEXT NOT NULL,
    engine      TEXT NOT NULL,
    likes       DOUBLE PRECISION NOT NULL DEFAULT 0,
    dislikes    DOUBLE PRECISION NOT NULL DEFAULT 0,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (stage, engine)
);
-- The fresh engine and low_sent_pool: memes short of 20 impressions, newest
-- first among the least sent (recommend.FreshImpressions is written into
-- their SQL as 20). It replaces the index over every meme by sent: one index
-- fewer for every meme_stats update to maintain.
CREATE INDEX meme_stats_fresh_idx ON meme_stats (language, sent, meme_id DESC) WHERE serving AND sent < 20;
DROP INDEX meme_stats_low_sent_idx;
-- user_source_stats was written on every stats run (seconds at 100k users)
-- and read by no engine: source_affinity reads a user's latest reactions
-- instead, which are fresher and need no job.
DROP TABLE user_source_stats;
-- +goose Down
CREATE TABLE user_source_stats (
    user_id     BIGINT NOT NULL,
    source_id   BIGINT NOT NULL,
    likes       INT NOT NULL DEFAULT 0,
    dislikes    INT NOT NULL DEFAULT 0,
    affinity    DOUBLE PRECISION GENERATED ALWAYS AS ((likes + 1)::float8 / (likes + dislikes + 1)) STORED,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, source_id)
);
CREATE INDEX meme_stats_low_sent_idx ON meme_stats (language, sent, meme_id) WHERE serving;
DROP INDEX meme_stats_fresh_idx;
DROP TABLE engine_stats;
