-- +goose Up
-- A person who started the bot through someone's shared meme: one row per
-- new person (the primary key), so the inviter is paid once for each, and
-- only people who had never started the bot before get a row.
CREATE TABLE referrals (
    invitee_id BIGINT PRIMARY KEY,
    inviter_id BIGINT NOT NULL,
    meme_id    BIGINT REFERENCES memes (id) ON DELETE SET NULL,
    coins      INT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (invitee_id <> inviter_id)
);
CREATE INDEX referrals_inviter_idx ON referrals (inviter_id);

-- +goose Down
DROP TABLE referrals;
