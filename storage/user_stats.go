package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// UserStatsRow is a user_stats row: a person's counts and the running
// state of their reactions a stats run resumes from.
type UserStatsRow struct {
	Sent            int32
	Likes, Dislikes int32
	LRSum           float64 // sum of the person's reactions, +1 a like, -1 a dislike
	LRN             int32   // how many reactions LRSum holds
	LastReactedAt   *time.Time
}

// UserStatsRows reads the user_stats rows of ids, by user id; a user
// without a row is absent.
func (r *StatsRun) UserStatsRows(ctx context.Context, ids []int64) (map[int64]*UserStatsRow, error) {
	rows, err := r.tx.Query(ctx, `
SELECT user_id, sent, likes, dislikes, lr_sum, lr_n, last_reacted_at
FROM user_stats WHERE user_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load user stats: %w", err)
	}
	users := make(map[int64]*UserStatsRow)
	var id int64
	var u UserStatsRow
	_, err = pgx.ForEachRow(rows, []any{&id, &u.Sent, &u.Likes, &u.Dislikes, &u.LRSum, &u.LRN, &u.LastReactedAt}, func() error {
		c := u
		users[id] = &c
		u = UserStatsRow{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load user stats: %w", err)
	}
	return users, nil
}

// SaveUserStatsRows writes the rows of users, by user id, creating those
// that are missing, in one statement.
func (r *StatsRun) SaveUserStatsRows(ctx context.Context, users map[int64]*UserStatsRow) error {
	_, err := r.tx.Exec(ctx, `
CREATE TEMP TABLE user_stats_new (
    user_id BIGINT, sent INT, likes INT, dislikes INT, lr_sum FLOAT8, lr_n INT, last_reacted_at TIMESTAMPTZ
) ON COMMIT DROP`)
	if err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	rows := make([][]any, 0, len(users))
	for id, u := range users {
		rows = append(rows, []any{id, u.Sent, u.Likes, u.Dislikes, u.LRSum, u.LRN, u.LastReactedAt})
	}
	cols := []string{"user_id", "sent", "likes", "dislikes", "lr_sum", "lr_n", "last_reacted_at"}
	if _, err := r.tx.CopyFrom(ctx, pgx.Identifier{"user_stats_new"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	// Without statistics the planner assumes a big temp table and hash-joins
	// it against a sequential scan of the whole stats table.
	if _, err := r.tx.Exec(ctx, `ANALYZE user_stats_new`); err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	_, err = r.tx.Exec(ctx, `
INSERT INTO user_stats AS us (user_id, sent, likes, dislikes, lr_sum, lr_n, last_reacted_at)
SELECT * FROM user_stats_new
ON CONFLICT (user_id) DO UPDATE SET sent = EXCLUDED.sent, likes = EXCLUDED.likes, dislikes = EXCLUDED.dislikes,
    lr_sum = EXCLUDED.lr_sum, lr_n = EXCLUDED.lr_n, last_reacted_at = EXCLUDED.last_reacted_at, updated_at = now()`)
	if err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	return nil
}
