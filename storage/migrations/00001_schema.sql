-- +goose Up
-- The whole data model of memebot. PostgreSQL is the source of truth; Redis only
-- holds queues, locks and limits that can be rebuilt from these tables.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Telegram users. The id is the Telegram user id.
CREATE TABLE users (
    id              BIGINT PRIMARY KEY,
    username        TEXT NOT NULL DEFAULT '',
    first_name      TEXT NOT NULL DEFAULT '',
    language_code   TEXT NOT NULL DEFAULT '',
    -- languages of memes this user wants to be served
    languages       TEXT[] NOT NULL DEFAULT '{en}',
    -- role granted in the database (/promote); admins come from ADMIN_IDS
    role            TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'moderator')),
    blocked_bot_at  TIMESTAMPTZ,
    last_active_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX users_last_active_idx ON users (last_active_at);

-- Where memes come from: uploads, Telegram channels, VK communities, Instagram accounts.
CREATE TABLE sources (
    id                 BIGSERIAL PRIMARY KEY,
    platform           TEXT NOT NULL CHECK (platform IN ('upload', 'telegram', 'vk', 'instagram')),
    handle             TEXT NOT NULL,
    url                TEXT NOT NULL DEFAULT '',
    language           TEXT NOT NULL DEFAULT 'en',
    status             TEXT NOT NULL DEFAULT 'in_moderation'
                       CHECK (status IN ('in_moderation', 'parsing_enabled', 'parsing_disabled', 'snoozed')),
    status_reason      TEXT NOT NULL DEFAULT '',
    status_changed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    status_changed_by  BIGINT,
    needs_review       BOOLEAN NOT NULL DEFAULT false,
    added_by           BIGINT,
    parsed_at          TIMESTAMPTZ,
    empty_parses       INT NOT NULL DEFAULT 0,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (platform, handle)
);

-- Posts as parsed from a source, upserted per (source, post id).
CREATE TABLE raw_posts (
    id             BIGSERIAL PRIMARY KEY,
    source_id      BIGINT NOT NULL REFERENCES sources (id),
    post_id        TEXT NOT NULL,
    posted_at      TIMESTAMPTZ,
    text           TEXT NOT NULL DEFAULT '',
    media          JSONB NOT NULL DEFAULT '[]',
    views          BIGINT,
    forwarded_from TEXT NOT NULL DEFAULT '',
    out_links      TEXT[] NOT NULL DEFAULT '{}',
    processed_at   TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (source_id, post_id)
);
CREATE INDEX raw_posts_unprocessed_idx ON raw_posts (source_id) WHERE processed_at IS NULL;

-- A meme: one unique piece of media that can be served.
CREATE TABLE memes (
    id                BIGSERIAL PRIMARY KEY,
    source_id         BIGINT REFERENCES sources (id),
    raw_post_id       BIGINT REFERENCES raw_posts (id),
    uploader_id       BIGINT REFERENCES users (id),
    type              TEXT NOT NULL CHECK (type IN ('photo', 'video', 'animation')),
    status            TEXT NOT NULL DEFAULT 'processing'
                      CHECK (status IN ('processing', 'waiting_review', 'ok', 'rejected', 'duplicate', 'ad', 'broken')),
    status_reason     TEXT NOT NULL DEFAULT '',
    language          TEXT NOT NULL DEFAULT 'en',
    caption           TEXT NOT NULL DEFAULT '',
    storage_file_id   TEXT NOT NULL DEFAULT '',
    storage_message_id BIGINT,
    sha256            BYTEA,
    phash             BIGINT,
    -- media.Fingerprint encoding: confirms a near-duplicate found by phash
    fingerprint       BYTEA,
    duplicate_of      BIGINT REFERENCES memes (id),
    width             INT NOT NULL DEFAULT 0,
    height            INT NOT NULL DEFAULT 0,
    duration_sec      INT NOT NULL DEFAULT 0,
    ocr_text          TEXT NOT NULL DEFAULT '',
    -- per-check results of the automatic analysis ([]moderation.Result)
    checks            JSONB NOT NULL DEFAULT '[]',
    -- vision description {text, description, language, tags, model, calculated_at}
    description       JSONB,
    describe_failures INT NOT NULL DEFAULT 0,
    published_at      TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX memes_status_lang_idx ON memes (status, language);
CREATE INDEX memes_sha256_idx ON memes (sha256);
CREATE INDEX memes_phash_id_idx ON memes (id) INCLUDE (phash) WHERE phash IS NOT NULL AND duplicate_of IS NULL;
CREATE INDEX memes_uploader_idx ON memes (uploader_id) WHERE uploader_id IS NOT NULL;
CREATE INDEX memes_source_idx ON memes (source_id);
CREATE INDEX memes_ocr_trgm_idx ON memes USING gin (ocr_text gin_trgm_ops);

-- An upload: what a user sent, tracked from intake to its outcome.
CREATE TABLE submissions (
    id                 BIGSERIAL PRIMARY KEY,
    uploader_id        BIGINT NOT NULL REFERENCES users (id),
    chat_id            BIGINT NOT NULL,
    message_id         BIGINT NOT NULL,
    media_type         TEXT NOT NULL CHECK (media_type IN ('photo', 'video', 'animation')),
    file_id            TEXT NOT NULL,
    file_unique_id     TEXT NOT NULL DEFAULT '',
    file_size          BIGINT NOT NULL DEFAULT 0,
    mime_type          TEXT NOT NULL DEFAULT '',
    caption            TEXT NOT NULL DEFAULT '',
    language           TEXT NOT NULL DEFAULT 'en',
    status             TEXT NOT NULL DEFAULT 'queued'
                       CHECK (status IN ('queued', 'processing', 'in_review', 'approved', 'rejected', 'duplicate', 'failed')),
    status_reason      TEXT NOT NULL DEFAULT '',
    meme_id            BIGINT REFERENCES memes (id),
    duplicate_of       BIGINT REFERENCES memes (id),
    attempts           INT NOT NULL DEFAULT 0,
    last_error         TEXT NOT NULL DEFAULT '',
    review_message_id  BIGINT,
    uploader_notified_at TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (chat_id, message_id)
);
CREATE INDEX submissions_status_idx ON submissions (status, updated_at);
CREATE INDEX submissions_uploader_idx ON submissions (uploader_id, created_at);

-- A moderator's decision. One per meme: the first decision wins.
CREATE TABLE review_decisions (
    id            BIGSERIAL PRIMARY KEY,
    meme_id       BIGINT NOT NULL UNIQUE REFERENCES memes (id),
    submission_id BIGINT REFERENCES submissions (id),
    moderator_id  BIGINT NOT NULL,
    decision      TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every status change of a meme or submission: who (NULL = the system), when, why.
CREATE TABLE status_events (
    id            BIGSERIAL PRIMARY KEY,
    meme_id       BIGINT,
    submission_id BIGINT,
    from_status   TEXT NOT NULL DEFAULT '',
    to_status     TEXT NOT NULL,
    actor_id      BIGINT,
    reason        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX status_events_meme_idx ON status_events (meme_id);
CREATE INDEX status_events_submission_idx ON status_events (submission_id);

-- A row is written when a meme is sent to a user; reaction stays NULL until pressed.
CREATE TABLE reactions (
    user_id     BIGINT NOT NULL,
    meme_id     BIGINT NOT NULL,
    engine      TEXT NOT NULL DEFAULT '',
    sent_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    reaction    SMALLINT CHECK (reaction IN (1, 2)), -- 1 like, 2 dislike
    reacted_at  TIMESTAMPTZ,
    PRIMARY KEY (user_id, meme_id)
);
CREATE INDEX reactions_meme_idx ON reactions (meme_id);
CREATE INDEX reactions_reacted_at_idx ON reactions (reacted_at);
CREATE INDEX reactions_sent_at_idx ON reactions (sent_at);

-- Coins earned; each (user, kind, meme) is paid at most once.
CREATE TABLE coin_ledger (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    amount     INT NOT NULL,
    kind       TEXT NOT NULL,
    meme_id    BIGINT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (user_id, kind, meme_id)
);

-- Background jobs' pause state, shared by every replica.
CREATE TABLE job_states (
    name       TEXT PRIMARY KEY,
    paused     BOOLEAN NOT NULL DEFAULT false,
    changed_by BIGINT,
    reason     TEXT NOT NULL DEFAULT '',
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE job_states, coin_ledger, reactions, status_events, review_decisions, submissions,
    memes, raw_posts, sources, users;
