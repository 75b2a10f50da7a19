package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CoLikesRun is one run of the colikes job: a transaction holding its
// watermark, in which it reads the likes since the last run and adds the
// pairs of memes liked together (meme_colikes, what co_liked reads).
// Approval likes (an uploader's and a moderator's) say nothing of taste:
// never read.
type CoLikesRun struct{ watermarked }

// RunCoLikes runs fn in one transaction; it commits when fn returns nil.
func (s *Store) RunCoLikes(ctx context.Context, fn func(ctx context.Context, run *CoLikesRun) error) error {
	return s.pgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		return fn(ctx, &CoLikesRun{watermarked{tx: tx, name: "colikes"}})
	})
}

// MemeLike is a person's like of a meme.
type MemeLike struct{ UserID, MemeID int64 }

// Likes reads the likes in (from, until], per person in (reacted_at,
// meme) order.
func (r *CoLikesRun) Likes(ctx context.Context, from, until time.Time) ([]MemeLike, error) {
	rows, err := r.tx.Query(ctx, `
SELECT user_id, meme_id FROM reactions
WHERE reacted_at > $1 AND reacted_at <= $2 AND reaction = 1 AND engine <> $3
ORDER BY user_id, reacted_at, meme_id`, from, until, EngineApprovalLike)
	if err != nil {
		return nil, fmt.Errorf("read likes: %w", err)
	}
	likes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MemeLike, error) {
		var l MemeLike
		return l, r.Scan(&l.UserID, &l.MemeID)
	})
	if err != nil {
		return nil, fmt.Errorf("read likes: %w", err)
	}
	return likes, nil
}

// LatestLikes reads each person's last n liked memes up to before, oldest
// first, by person.
func (r *CoLikesRun) LatestLikes(ctx context.Context, users []int64, before time.Time, n int) (map[int64][]int64, error) {
	out := make(map[int64][]int64, len(users))
	if len(users) == 0 {
		return out, nil
	}
	rows, err := r.tx.Query(ctx, `
SELECT u.id, l.meme_id
FROM unnest($1::bigint[]) AS u(id)
CROSS JOIN LATERAL (
    SELECT meme_id, reacted_at FROM reactions
    WHERE user_id = u.id AND reaction = 1 AND reacted_at <= $2 AND engine <> $4
    ORDER BY reacted_at DESC, meme_id DESC
    LIMIT $3
) l
ORDER BY u.id, l.reacted_at, l.meme_id`, users, before, n, EngineApprovalLike)
	if err != nil {
		return nil, fmt.Errorf("read earlier likes: %w", err)
	}
	var l MemeLike
	_, err = pgx.ForEachRow(rows, []any{&l.UserID, &l.MemeID}, func() error {
		out[l.UserID] = append(out[l.UserID], l.MemeID)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read earlier likes: %w", err)
	}
	return out, nil
}

// AddCoLikes adds n to the count of each pair {meme, other}, as given (both
// ways are the caller's to give).
func (r *CoLikesRun) AddCoLikes(ctx context.Context, pairs map[[2]int64]int32) error {
	if len(pairs) == 0 {
		return nil
	}
	if _, err := r.tx.Exec(ctx, `CREATE TEMP TABLE colikes_new (meme_id BIGINT, other_id BIGINT, n INT) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("write pairs: %w", err)
	}
	rows := make([][]any, 0, len(pairs))
	for k, n := range pairs {
		rows = append(rows, []any{k[0], k[1], n})
	}
	if _, err := r.tx.CopyFrom(ctx, pgx.Identifier{"colikes_new"}, []string{"meme_id", "other_id", "n"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("write pairs: %w", err)
	}
	_, err := r.tx.Exec(ctx, `
INSERT INTO meme_colikes AS c (meme_id, other_id, n) SELECT meme_id, other_id, n FROM colikes_new
ON CONFLICT (meme_id, other_id) DO UPDATE SET n = c.n + EXCLUDED.n`)
	if err != nil {
		return fmt.Errorf("write pairs: %w", err)
	}
	return nil
}
