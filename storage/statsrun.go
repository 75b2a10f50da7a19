package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// StatsRun is one run of the statistics job: a transaction holding the
// reactions watermark, in which the run reads its window of reactions and
// the stats rows they touch and writes them back. Package stats computes the
// figures; StatsRun only reads and writes them.
type StatsRun struct{ watermarked }

// RunStats runs fn in one transaction (with room for a first run's
// aggregation of millions of rows); it commits when fn returns nil.
func (s *Store) RunStats(ctx context.Context, fn func(ctx context.Context, run *StatsRun) error) error {
	return s.pgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'`); err != nil {
			return err
		}
		return fn(ctx, &StatsRun{watermarked{tx: tx, name: "reactions"}})
	})
}

// WindowReaction is a reactions row sent or reacted to in a run's window.
type WindowReaction struct {
	UserID, MemeID    int64
	Like              bool      // false for a dislike or no reaction
	SentAt, ReactedAt time.Time // ReactedAt is SentAt when not reacted to
	Engine            string
	SentIn, ReactedIn bool // which of its times fall in the window (ReactedIn only for a reaction)
}

// WindowReactions reads the rows sent or reacted to in (from, until], in
// no particular order.
func (r *StatsRun) WindowReactions(ctx context.Context, from, until time.Time) ([]WindowReaction, error) {
	rows, err := r.tx.Query(ctx, `
SELECT user_id, meme_id, coalesce(reaction = 1, false), sent_at, coalesce(reacted_at, sent_at), engine,
       sent_at > $1 AND sent_at <= $2, coalesce(reacted_at > $1 AND reacted_at <= $2 AND reaction IS NOT NULL, false)
FROM reactions
WHERE (reacted_at > $1 AND reacted_at <= $2) OR (sent_at > $1 AND sent_at <= $2)`, from, until)
	if err != nil {
		return nil, fmt.Errorf("read window: %w", err)
	}
	var out []WindowReaction
	var w WindowReaction
	_, err = pgx.ForEachRow(rows, []any{&w.UserID, &w.MemeID, &w.Like, &w.SentAt, &w.ReactedAt, &w.Engine, &w.SentIn, &w.ReactedIn}, func() error {
		out = append(out, w)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read window: %w", err)
	}
	return out, nil
}
