-- +goose Up
-- The feed: per-meme, per-user, per-source and per-user-source statistics,
-- maintained incrementally by the stats job (package stats) and read by the
-- recommendation engines (package recommend).

-- One row per meme, created by a trigger when the meme is inserted. The
-- engines' candidate pools are driven by the partial indexes below, so the
-- serving filter (status ok) and the language are copied here by the same
-- trigger; the engines still re-check memes.status when they join.
CREATE TABLE meme_stats (
    meme_id        BIGINT PRIMARY KEY REFERENCES memes (id) ON DELETE CASCADE,
    serving        BOOLEAN NOT NULL DEFAULT false,   -- memes.status = 'ok'
    language       TEXT NOT NULL DEFAULT 'en',       -- memes.language
    source_id      BIGINT,                           -- memes.source_id
    uploaded       BOOLEAN NOT NULL DEFAULT false,   -- memes.uploader_id IS NOT NULL
    likes          INT NOT NULL DEFAULT 0,
    dislikes       INT NOT NULL DEFAULT 0,
    sent           INT NOT NULL DEFAULT 0,
    -- lr_smoothed = lr_dev_sum / lr_dev_n once lr_dev_n reaches the threshold
    lr_dev_sum     DOUBLE PRECISION NOT NULL DEFAULT 0,
    lr_dev_n       INT NOT NULL DEFAULT 0,
    lr_smoothed    DOUBLE PRECISION NOT NULL DEFAULT 0,
    es_dev_sum     DOUBLE PRECISION NOT NULL DEFAULT 0,
    es_dev_n       INT NOT NULL DEFAULT 0,
    engagement     DOUBLE PRECISION NOT NULL DEFAULT 0,
    -- reaction times within 0.5-60 s, counted in the buckets of stats.ReactBuckets
    react_hist     INT[] NOT NULL DEFAULT '{}',
    sec_to_react   DOUBLE PRECISION,
    last_liked_at  TIMESTAMPTZ,
    like_spread    DOUBLE PRECISION GENERATED ALWAYS AS ((likes - dislikes)::float8 / (sent + 1)) STORED,
    like_ratio     DOUBLE PRECISION GENERATED ALWAYS AS ((likes + 1)::float8 / (likes + dislikes + 2)) STORED,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX meme_stats_lr_idx ON meme_stats (language, lr_smoothed DESC, meme_id) WHERE serving;
-- cold_start_explore: only well-tested memes (recommend.Engines.ExploreMinReactions >= 50).
CREATE INDEX meme_stats_explore_idx ON meme_stats (language, lr_smoothed DESC, meme_id)
    WHERE serving AND likes + dislikes >= 50;
CREATE INDEX meme_stats_spread_idx ON meme_stats (language, like_spread DESC, meme_id) WHERE serving;
CREATE INDEX meme_stats_uploaded_idx ON meme_stats (language, like_ratio DESC, meme_id) WHERE serving AND uploaded;
CREATE INDEX meme_stats_liked_idx ON meme_stats (language, last_liked_at DESC, meme_id) WHERE serving AND last_liked_at IS NOT NULL;
CREATE INDEX meme_stats_low_sent_idx ON meme_stats (language, sent, meme_id) WHERE serving;
CREATE INDEX meme_stats_newest_idx ON meme_stats (language, meme_id DESC) WHERE serving;
CREATE INDEX meme_stats_source_idx ON meme_stats (source_id, lr_smoothed DESC) WHERE serving;

-- +goose StatementBegin
CREATE FUNCTION meme_stats_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO meme_stats (meme_id, serving, language, source_id, uploaded)
    VALUES (NEW.id, NEW.status = 'ok', NEW.language, NEW.source_id, NEW.uploader_id IS NOT NULL)
    ON CONFLICT (meme_id) DO UPDATE
    SET serving = EXCLUDED.serving, language = EXCLUDED.language,
        source_id = EXCLUDED.source_id, uploaded = EXCLUDED.uploaded;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER memes_stats_insert AFTER INSERT ON memes
    FOR EACH ROW EXECUTE FUNCTION meme_stats_sync();
CREATE TRIGGER memes_stats_update AFTER UPDATE OF status, language, source_id, uploader_id ON memes
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.language IS DISTINCT FROM NEW.language
          OR OLD.source_id IS DISTINCT FROM NEW.source_id OR OLD.uploader_id IS DISTINCT FROM NEW.uploader_id)
    EXECUTE FUNCTION meme_stats_sync();

INSERT INTO meme_stats (meme_id, serving, language, source_id, uploaded)
SELECT id, status = 'ok', language, source_id, uploader_id IS NOT NULL FROM memes;

-- A user's latest reactions (cold_start_adapt reads the last 15) without
-- walking a heavy user's whole history.
CREATE INDEX reactions_user_reacted_idx ON reactions (user_id, reacted_at DESC) WHERE reaction IS NOT NULL;

-- Per-user figures and the running state the incremental stats job resumes from.
CREATE TABLE user_stats (
    user_id             BIGINT PRIMARY KEY,
    likes               INT NOT NULL DEFAULT 0,
    dislikes            INT NOT NULL DEFAULT 0,
    sent                INT NOT NULL DEFAULT 0,
    -- running mean of s (+1 like, -1 dislike) = lr_sum / lr_n, in reaction order
    lr_sum              DOUBLE PRECISION NOT NULL DEFAULT 0,
    lr_n                INT NOT NULL DEFAULT 0,
    -- running mean of engagement values = es_sum / lr_n
    es_sum              DOUBLE PRECISION NOT NULL DEFAULT 0,
    sessions            INT NOT NULL DEFAULT 0,
    session_len         INT NOT NULL DEFAULT 0,          -- reactions in the current session
    closed_sessions     INT[] NOT NULL DEFAULT '{}',     -- lengths of finished sessions
    median_session_len  DOUBLE PRECISION NOT NULL DEFAULT 0,
    active_days         INT NOT NULL DEFAULT 0,
    last_reacted_at     TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE source_stats (
    source_id   BIGINT PRIMARY KEY,
    likes       INT NOT NULL DEFAULT 0,
    dislikes    INT NOT NULL DEFAULT 0,
    sent        INT NOT NULL DEFAULT 0,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- How much a user likes a source's memes.
CREATE TABLE user_source_stats (
    user_id     BIGINT NOT NULL,
    source_id   BIGINT NOT NULL,
    likes       INT NOT NULL DEFAULT 0,
    dislikes    INT NOT NULL DEFAULT 0,
    affinity    DOUBLE PRECISION GENERATED ALWAYS AS ((likes + 1)::float8 / (likes + dislikes + 1)) STORED,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, source_id)
);

-- How far the stats job has read the reactions table (sent_at and reacted_at).
CREATE TABLE stats_watermarks (
    name             TEXT PRIMARY KEY,
    processed_until  TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO stats_watermarks (name, processed_until) VALUES ('reactions', '1970-01-01 00:00:00+00');

-- +goose Down
DROP INDEX reactions_user_reacted_idx;
DROP TABLE stats_watermarks, user_source_stats, source_stats, user_stats;
DROP TRIGGER memes_stats_update ON memes;
DROP TRIGGER memes_stats_insert ON memes;
DROP FUNCTION meme_stats_sync();
DROP TABLE meme_stats;
