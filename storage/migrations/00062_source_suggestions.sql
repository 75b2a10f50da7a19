-- +goose Up
-- Public Telegram channels users forwarded memes from: candidates for new
-- sources, shown to moderators in /sources with how often each came up.
CREATE TABLE source_suggestions (
    handle            TEXT PRIMARY KEY,             -- lower-cased channel username
    title             TEXT NOT NULL DEFAULT '',
    forwards          INT NOT NULL DEFAULT 0,
    last_user_id      BIGINT,
    last_forwarded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX source_suggestions_forwards_idx ON source_suggestions (forwards DESC);

-- +goose Down
DROP TABLE source_suggestions;
