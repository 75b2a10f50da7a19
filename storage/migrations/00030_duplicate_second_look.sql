-- +goose Up
-- Why an upload was called a duplicate (media.Verdict: the pHash distance,
-- tone and edge mismatch, text similarity) and whether its uploader asked
-- for a second look. A second look happens at most once per upload: the
-- upload then goes to review marked as a suspected duplicate, and the
-- moderators' decision is stored on the meme it became (review_decisions),
-- next to this verdict.
ALTER TABLE submissions
    ADD COLUMN duplicate_verdict JSONB,
    ADD COLUMN second_look_at    TIMESTAMPTZ;

-- +goose Down
ALTER TABLE submissions DROP COLUMN second_look_at, DROP COLUMN duplicate_verdict;
