-- +goose Up
-- The duplicate-lookup lock as a row: an upload's lookup and insert hold it
-- (SELECT ... FOR UPDATE through gorm's model API) until their transaction
-- ends, as the transaction-scoped advisory lock it replaces did, so that
-- storage keeps to two access styles (gorm models, pgx plain SQL).
CREATE TABLE dedup_lock (id SMALLINT PRIMARY KEY CHECK (id = 1));
INSERT INTO dedup_lock (id) VALUES (1);
-- +goose Down
DROP TABLE dedup_lock;
