package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// servableSQL holds when meme $2 may be served to user $1: approved, and in
// one of the user's languages (a queue may predate a /lang change).
const servableSQL = `EXISTS (
    SELECT 1 FROM memes m JOIN users u ON u.id = $1
    WHERE m.id = $2 AND m.status = 'ok' AND m.language = ANY (u.languages))`

// claimSQL records the meme as sent, only if it is still servable and was
// never sent: the primary key makes the first insert win (with its engine).
const claimSQL = `
INSERT INTO reactions (user_id, meme_id, engine)
SELECT $1, $2, $3 WHERE ` + servableSQL + `
ON CONFLICT (user_id, meme_id) DO NOTHING`

// ClaimMeme records the meme as sent to the person, chosen by engine, only
// if it is still servable to them and was never sent to them; claimed says
// whether it was. It commits as a press does (see pressRow).
func (s *Store) ClaimMeme(ctx context.Context, userID, memeID int64, engine string) (claimed bool, err error) {
	err = s.pressRow(ctx, []any{&claimed}, `WITH claimed AS (`+claimSQL+` RETURNING true) SELECT EXISTS (SELECT 1 FROM claimed)`,
		userID, memeID, engine)
	if err != nil {
		return false, fmt.Errorf("storage: claim meme %d for %d: %w", memeID, userID, err)
	}
	return claimed, nil
}

// reactSQL stores the first reaction to a sent meme and returns the engine
// that chose it; a row already reacted to (or none) matches nothing, also for
// a concurrent press, which re-checks the row once the first one commits.
const reactSQL = `
UPDATE reactions SET reaction = $3, reacted_at = now()
WHERE user_id = $1 AND meme_id = $2 AND reaction IS NULL
RETURNING engine`

// React records a like (Like) or dislike (Dislike) on a sent meme and
// returns the engine that chose it. A reaction is never overwritten:
// changed is false when the meme was already reacted to (or never sent).
func (s *Store) React(ctx context.Context, userID, memeID int64, reaction int) (engine string, changed bool, err error) {
	err = s.pressRow(ctx, []any{&engine}, reactSQL, userID, memeID, reaction)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("storage: react %d to meme %d: %w", userID, memeID, err)
	}
	return engine, true, nil
}

// reactClaimSQL is reactSQL ($1 user, $4 meme, $5 reaction) and claimSQL
// ($1 user, $2 meme, $3 engine) in one statement, hence one commit: the next
// meme is claimed only if the reaction was stored.
const reactClaimSQL = `
WITH reacted AS (
    UPDATE reactions SET reaction = $5, reacted_at = now()
    WHERE user_id = $1 AND meme_id = $4 AND reaction IS NULL
    RETURNING engine
), claimed AS (
    INSERT INTO reactions (user_id, meme_id, engine)
    SELECT $1, $2, $3 FROM reacted WHERE ` + servableSQL + `
    ON CONFLICT (user_id, meme_id) DO NOTHING
    RETURNING meme_id
)
SELECT engine, EXISTS (SELECT 1 FROM claimed) FROM reacted`

// ReactAndClaim records a reaction as React does and, only when it was
// stored, claims the next meme as ClaimMeme does, in one statement and one
// commit. changed is false when nothing was stored (nor claimed).
func (s *Store) ReactAndClaim(ctx context.Context, userID, memeID int64, reaction int, nextID int64, nextEngine string) (
	engine string, changed, claimed bool, err error) {
	err = s.pressRow(ctx, []any{&engine, &claimed}, reactClaimSQL, userID, nextID, nextEngine, memeID, reaction)
	if errors.Is(err, pgx.ErrNoRows) { // already reacted to, or never sent
		return "", false, false, nil
	}
	if err != nil {
		return "", false, false, fmt.Errorf("storage: react %d to meme %d: %w", userID, memeID, err)
	}
	return engine, true, claimed, nil
}

// Unsend forgets that a meme was sent, when its delivery failed; a meme the
// person already reacted to is kept.
func (s *Store) Unsend(ctx context.Context, userID, memeID int64) error {
	_, err := s.pool.Exec(ctx,
		`DELETE FROM reactions WHERE user_id = $1 AND meme_id = $2 AND reaction IS NULL`, userID, memeID)
	if err != nil {
		return fmt.Errorf("storage: unsend meme %d to %d: %w", memeID, userID, err)
	}
	return nil
}

// ClaimSharedMeme claims one particular meme for the person (someone
// shared it with them): approved, with its file stored, in any language,
// and never sent to them before, recorded with engine. ErrNotFound when it
// cannot be served.
func (s *Store) ClaimSharedMeme(ctx context.Context, userID, memeID int64, engine string) (FeedMeme, error) {
	m := FeedMeme{ID: memeID}
	err := s.pool.QueryRow(ctx, `
WITH claimed AS (
    INSERT INTO reactions (user_id, meme_id, engine)
    SELECT $1, m.id, $3 FROM memes m WHERE m.id = $2 AND m.status = 'ok' AND m.storage_file_id <> ''
    ON CONFLICT (user_id, meme_id) DO NOTHING
    RETURNING meme_id)
SELECT m.type, m.storage_file_id, m.caption FROM claimed JOIN memes m ON m.id = claimed.meme_id`,
		userID, memeID, engine).Scan(&m.Type, &m.FileID, &m.Caption)
	if errors.Is(err, pgx.ErrNoRows) {
		return FeedMeme{}, ErrNotFound
	}
	if err != nil {
		return FeedMeme{}, fmt.Errorf("storage: serve meme %d to %d: %w", memeID, userID, err)
	}
	return m, nil
}

// pressRow runs one statement of the press path and scans its row, in one
// round trip, in a transaction that commits without waiting for its WAL
// record to reach the disk (synchronous_commit off). That wait was the press
// path's cost: 1.2 ms at the median and 20-24 ms at the 99th percentile on
// this machine's disk under load, against 0.13 and 2.7 ms without it. What
// it risks is the last fraction of a second of presses if PostgreSQL itself
// crashes (never if the bot does): those likes go uncounted, and a meme
// claimed then may be offered again. The database stays consistent.
func (s *Store) pressRow(ctx context.Context, dest []any, sql string, args ...any) error {
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(`SET LOCAL synchronous_commit = off`)
	b.Queue(sql, args...)
	b.Queue(`COMMIT`)
	br := s.pool.SendBatch(ctx, b)
	var err error
	for i := range b.Len() {
		if i == 2 {
			err = br.QueryRow().Scan(dest...)
		} else if _, e := br.Exec(); e != nil && err == nil {
			err = e
		}
		if err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}
