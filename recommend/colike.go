package recommend

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"memebot/storage"
)

// CoLikes maintains meme_colikes, what the co_liked engine reads: for every
// like, the memes the same person liked just before it (their previous
// Window likes) each count one co-like with it, both ways. A run reads only
// the likes since its watermark, per user in (reacted_at, meme_id) order,
// starting from each user's last Window likes before the window; so however
// the runs are split, the counts equal one run over everything. Approval
// likes (an uploader's and a moderator's) say nothing of taste: skipped.
type CoLikes struct {
	store  *storage.Store
	Window int           // earlier likes a like is paired with (10)
	Lag    time.Duration // rows this recent wait for the next run (30 s)
	log    *slog.Logger
}

// NewCoLikes returns the job with its defaults.
func NewCoLikes(store *storage.Store, log *slog.Logger) *CoLikes {
	return &CoLikes{store: store, Window: 10, Lag: 30 * time.Second, log: log}
}

// CoLikesResult says what a run covered.
type CoLikesResult struct {
	From, Until time.Time
	Likes       int // new likes read
	Pairs       int // distinct pairs whose count grew
}

// Run folds the likes since the last run into meme_colikes, in one transaction.
func (c *CoLikes) Run(ctx context.Context) (CoLikesResult, error) {
	var res CoLikesResult
	err := c.store.PgxTx(ctx, func(ctx context.Context, tx pgx.Tx) (err error) {
		res, err = c.run(ctx, tx)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("colikes: run: %w", err)
	}
	return res, nil
}

type like struct{ user, meme int64 }

func (c *CoLikes) run(ctx context.Context, tx pgx.Tx) (CoLikesResult, error) {
	var res CoLikesResult
	err := tx.QueryRow(ctx, `
SELECT processed_until, clock_timestamp() - make_interval(secs => $1)
FROM stats_watermarks WHERE name = 'colikes' FOR UPDATE`, c.Lag.Seconds()).Scan(&res.From, &res.Until)
	if err != nil {
		return res, fmt.Errorf("watermark: %w", err)
	}
	if !res.Until.After(res.From) {
		return res, nil
	}
	rows, err := tx.Query(ctx, `
SELECT user_id, meme_id FROM reactions
WHERE reacted_at > $1 AND reacted_at <= $2 AND reaction = 1 AND engine <> $3
ORDER BY user_id, reacted_at, meme_id`, res.From, res.Until, storage.EngineApprovalLike)
	if err != nil {
		return res, fmt.Errorf("read likes: %w", err)
	}
	likes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (like, error) {
		var l like
		return l, r.Scan(&l.user, &l.meme)
	})
	if err != nil {
		return res, fmt.Errorf("read likes: %w", err)
	}
	res.Likes = len(likes)
	recent, err := c.recentLikes(ctx, tx, likes, res.From)
	if err != nil {
		return res, err
	}
	pairs := map[[2]int64]int32{}
	for _, l := range likes {
		prev := recent[l.user]
		for _, p := range prev {
			if p != l.meme {
				pairs[[2]int64{l.meme, p}]++
				pairs[[2]int64{p, l.meme}]++
			}
		}
		prev = append(prev, l.meme)
		if len(prev) > c.Window {
			prev = prev[len(prev)-c.Window:]
		}
		recent[l.user] = prev
	}
	res.Pairs = len(pairs)
	if err := writePairs(ctx, tx, pairs); err != nil {
		return res, err
	}
	_, err = tx.Exec(ctx, `UPDATE stats_watermarks SET processed_until = $1, updated_at = now() WHERE name = 'colikes'`, res.Until)
	if err != nil {
		return res, fmt.Errorf("advance watermark: %w", err)
	}
	return res, nil
}

// recentLikes is each user's last Window likes up to `before`, oldest first.
func (c *CoLikes) recentLikes(ctx context.Context, tx pgx.Tx, likes []like, before time.Time) (map[int64][]int64, error) {
	var users []int64
	for i, l := range likes {
		if i == 0 || likes[i-1].user != l.user {
			users = append(users, l.user)
		}
	}
	out := make(map[int64][]int64, len(users))
	if len(users) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, `
SELECT u.id, l.meme_id
FROM unnest($1::bigint[]) AS u(id)
CROSS JOIN LATERAL (
    SELECT meme_id, reacted_at FROM reactions
    WHERE user_id = u.id AND reaction = 1 AND reacted_at <= $2 AND engine <> $4
    ORDER BY reacted_at DESC, meme_id DESC
    LIMIT $3
) l
ORDER BY u.id, l.reacted_at, l.meme_id`, users, before, c.Window, storage.EngineApprovalLike)
	if err != nil {
		return nil, fmt.Errorf("read earlier likes: %w", err)
	}
	var l like
	_, err = pgx.ForEachRow(rows, []any{&l.user, &l.meme}, func() error {
		out[l.user] = append(out[l.user], l.meme)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read earlier likes: %w", err)
	}
	return out, nil
}

func writePairs(ctx context.Context, tx pgx.Tx, pairs map[[2]int64]int32) error {
	if len(pairs) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE colikes_new (meme_id BIGINT, other_id BIGINT, n INT) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("write pairs: %w", err)
	}
	rows := make([][]any, 0, len(pairs))
	for k, n := range pairs {
		rows = append(rows, []any{k[0], k[1], n})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"colikes_new"}, []string{"meme_id", "other_id", "n"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("write pairs: %w", err)
	}
	_, err := tx.Exec(ctx, `
INSERT INTO meme_colikes AS c (meme_id, other_id, n) SELECT meme_id, other_id, n FROM colikes_new
ON CONFLICT (meme_id, other_id) DO UPDATE SET n = c.n + EXCLUDED.n`)
	if err != nil {
		return fmt.Errorf("write pairs: %w", err)
	}
	return nil
}

// coLikedSQL is co_liked: the memes most often liked together with the
// user's last 20 likes (each liked meme's 50 strongest neighbours), a
// neighbour's count divided by the square root of its likes so that what
// everybody likes does not crowd out what people like this user like.
var coLikedSQL = `
WITH liked AS (
    SELECT r.meme_id FROM reactions r
    WHERE r.user_id = $1 AND r.reaction = 1
    ORDER BY r.reacted_at DESC
    LIMIT 20
), near AS MATERIALIZED (
    SELECT c.other_id, sum(c.n) AS n
    FROM liked l
    CROSS JOIN LATERAL (
        SELECT other_id, n FROM meme_colikes WHERE meme_id = l.meme_id ORDER BY n DESC LIMIT 50
    ) c
    GROUP BY c.other_id
), best AS (
    SELECT ms.meme_id, near.n / sqrt(ms.likes + 1) AS score
    FROM near
    JOIN meme_stats ms ON ms.meme_id = near.other_id AND ms.serving AND ms.language = ANY($2::text[])
    WHERE true ` + servable + `
    ORDER BY 2 DESC, ms.meme_id
    LIMIT $4
)
` + bestMemes("b.score DESC, b.meme_id")
