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
