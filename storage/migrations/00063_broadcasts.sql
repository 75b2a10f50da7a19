-- +goose Up
-- An admin's message to every user. The message is the one the admin
-- replied to, copied to each user; state lives here so a restart resumes
-- where delivery stopped. Every recipient gets a row before the message is
-- sent to them (the primary key), so nobody gets a broadcast twice.
CREATE TABLE broadcasts (
    id                  BIGSERIAL PRIMARY KEY,
    admin_id            BIGINT NOT NULL,
    from_chat_id        BIGINT NOT NULL,
    from_message_id     BIGINT NOT NULL,
    progress_message_id BIGINT,
    status              TEXT NOT NULL DEFAULT 'preview'
                        CHECK (status IN ('preview', 'sending', 'done', 'cancelled')),
    recipients          INT NOT NULL DEFAULT 0,
    last_user_id        BIGINT NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at          TIMESTAMPTZ,
    finished_at         TIMESTAMPTZ
);
CREATE INDEX broadcasts_sending_idx ON broadcasts (id) WHERE status = 'sending';

CREATE TABLE broadcast_deliveries (
    broadcast_id BIGINT NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL,
    outcome      TEXT NOT NULL DEFAULT 'sending' CHECK (outcome IN ('sending', 'sent', 'blocked', 'failed')),
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (broadcast_id, user_id)
);

-- +goose Down
DROP TABLE broadcast_deliveries;
DROP TABLE broadcasts;
