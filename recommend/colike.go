package recommend

import (
	"context"
	"fmt"
	"log/slog"
	"time"

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
	err := c.store.RunCoLikes(ctx, func(ctx context.Context, run *storage.CoLikesRun) (err error) {
		res, err = c.run(ctx, run)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("colikes: run: %w", err)
	}
	return res, nil
}

func (c *CoLikes) run(ctx context.Context, run *storage.CoLikesRun) (CoLikesResult, error) {
	var res CoLikesResult
	var err error
	res.From, res.Until, err = run.Window(ctx, c.Lag, time.Now().Add(time.Hour))
	if err != nil {
		return res, err
	}
	if !res.Until.After(res.From) {
		return res, nil
	}
	likes, err := run.Likes(ctx, res.From, res.Until)
	if err != nil {
		return res, err
	}
	res.Likes = len(likes)
	recent, err := run.LatestLikes(ctx, likers(likes), res.From, c.Window)
	if err != nil {
		return res, err
	}
	pairs := map[[2]int64]int32{}
	for _, l := range likes {
		prev := recent[l.UserID]
		for _, p := range prev {
			if p != l.MemeID {
				pairs[[2]int64{l.MemeID, p}]++
				pairs[[2]int64{p, l.MemeID}]++
			}
		}
		prev = append(prev, l.MemeID)
		if len(prev) > c.Window {
			prev = prev[len(prev)-c.Window:]
		}
		recent[l.UserID] = prev
	}
	res.Pairs = len(pairs)
	if err := run.AddCoLikes(ctx, pairs); err != nil {
		return res, err
	}
	return res, run.AdvanceWatermark(ctx, res.Until)
}

// likers lists the people of likes, which are in order by person.
func likers(likes []storage.MemeLike) []int64 {
	var users []int64
	for i, l := range likes {
		if i == 0 || likes[i-1].UserID != l.UserID {
			users = append(users, l.UserID)
		}
	}
	return users
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
