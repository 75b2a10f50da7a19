-- +goose Up
-- The collab and content engines (recommend.Factors): a factor model of
-- likes and dislikes, built incrementally by the factors job. Each vector is
-- float32 little-endian: the factors, then (memes only) the meme's bias.
-- reactions counts the reactions the meme's vector was solved from (0: its
-- vector is its words' only).
CREATE TABLE meme_factors (
    meme_id   BIGINT PRIMARY KEY REFERENCES memes (id) ON DELETE CASCADE,
    vec       BYTEA NOT NULL,
    reactions INT NOT NULL
);
CREATE TABLE user_factors (
    user_id BIGINT PRIMARY KEY,
    vec     BYTEA NOT NULL
);
-- A word's vector is the mean of the vectors of the reacted memes that say
-- it: kept as their sum and count, so a meme's new vector moves it exactly.
CREATE TABLE word_factors (
    word TEXT PRIMARY KEY,
    sum  BYTEA NOT NULL,
    n    INT NOT NULL
);
-- When the model was last rebuilt in full, from how many reactions, and how
-- many have been folded in since: the job rebuilds once the new outnumber
-- those of the last rebuild, or after a day.
CREATE TABLE factor_model (
    one            BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    rebuilt_at     TIMESTAMPTZ NOT NULL DEFAULT '1970-01-01 00:00:00+00',
    rebuilt_from   BIGINT NOT NULL DEFAULT 0,
    folded_since   BIGINT NOT NULL DEFAULT 0,
    mean_like      REAL NOT NULL DEFAULT 0.5  -- like rate of the rebuild's reactions: the bias of a meme nothing is known of
);
INSERT INTO factor_model DEFAULT VALUES;
INSERT INTO stats_watermarks (name, processed_until) VALUES ('factors', '1970-01-01 00:00:00+00');
-- +goose Down
DELETE FROM stats_watermarks WHERE name = 'factors';
DROP TABLE factor_model, word_factors, user_factors, meme_factors;
