-- +goose Up
-- /stats counts the last 24 hours and the last 14 days of these tables.
CREATE INDEX submissions_created_idx ON submissions (created_at);
CREATE INDEX review_decisions_created_idx ON review_decisions (created_at);
CREATE INDEX status_events_ok_created_idx ON status_events (created_at) WHERE to_status = 'ok';

-- +goose Down
DROP INDEX status_events_ok_created_idx;
DROP INDEX review_decisions_created_idx;
DROP INDEX submissions_created_idx;
