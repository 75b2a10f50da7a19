package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// MemeStatsRow is the part of a meme_stats row that reactions change.
type MemeStatsRow struct {
	Sent            int32
	Likes, Dislikes int32
	LRDevSum        float64 // sum of the counted reactions' deviations from their person's mean
	LRDevN          int32   // how many deviations LRDevSum holds
	LRSmoothed      float64 // the figure the feed ranks by, computed from the two above
	LastLikedAt     *time.Time
	SourceID        *int64 // nil for an upload; never written
}

// MemeStatsRows reads the meme_stats rows of ids, by meme id; a meme
// without a row (a deleted meme) is absent.
func (r *StatsRun) MemeStatsRows(ctx context.Context, ids []int64) (map[int64]*MemeStatsRow, error) {
	rows, err := r.tx.Query(ctx, `
SELECT meme_id, sent, likes, dislikes, lr_dev_sum, lr_dev_n, last_liked_at, source_id
FROM meme_stats WHERE meme_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load meme stats: %w", err)
	}
	memes := make(map[int64]*MemeStatsRow)
	var id int64
	var m MemeStatsRow
	_, err = pgx.ForEachRow(rows, []any{&id, &m.Sent, &m.Likes, &m.Dislikes, &m.LRDevSum, &m.LRDevN, &m.LastLikedAt, &m.SourceID}, func() error {
		c := m
		memes[id] = &c
		m = MemeStatsRow{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load meme stats: %w", err)
	}
	return memes, nil
}

// SaveMemeStatsRows writes the rows of memes (which exist), by meme id, in
// one statement.
func (r *StatsRun) SaveMemeStatsRows(ctx context.Context, memes map[int64]*MemeStatsRow) error {
	_, err := r.tx.Exec(ctx, `
CREATE TEMP TABLE meme_stats_new (
    meme_id BIGINT, sent INT, likes INT, dislikes INT, lr_dev_sum FLOAT8, lr_dev_n INT, lr_smoothed FLOAT8,
    last_liked_at TIMESTAMPTZ
) ON COMMIT DROP`)
	if err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	rows := make([][]any, 0, len(memes))
	for id, m := range memes {
		rows = append(rows, []any{id, m.Sent, m.Likes, m.Dislikes, m.LRDevSum, m.LRDevN, m.LRSmoothed, m.LastLikedAt})
	}
	cols := []string{"meme_id", "sent", "likes", "dislikes", "lr_dev_sum", "lr_dev_n", "lr_smoothed", "last_liked_at"}
	if _, err := r.tx.CopyFrom(ctx, pgx.Identifier{"meme_stats_new"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	if _, err := r.tx.Exec(ctx, `ANALYZE meme_stats_new`); err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	_, err = r.tx.Exec(ctx, `
UPDATE meme_stats ms SET sent = n.sent, likes = n.likes, dislikes = n.dislikes, lr_dev_sum = n.lr_dev_sum,
    lr_dev_n = n.lr_dev_n, lr_smoothed = n.lr_smoothed, last_liked_at = n.last_liked_at, updated_at = now()
FROM meme_stats_new n WHERE ms.meme_id = n.meme_id`)
	if err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	return nil
}
