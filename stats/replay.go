package stats

import (
	"cmp"
	"context"
	"log/slog"
	"maps"
	"math"
	"slices"
	"time"

	"memebot/storage"
)

// sourceCounts are what a run adds to one source: sent, likes, dislikes.
type sourceCounts map[int64]*[3]int32

func (c sourceCounts) add(m *storage.MemeStatsRow, field int) {
	if m.SourceID == nil {
		return
	}
	n := c[*m.SourceID]
	if n == nil {
		n = &[3]int32{}
		c[*m.SourceID] = n
	}
	n[field]++
}

// list lists the counts for the store.
func (c sourceCounts) list() []storage.SourceCounts {
	out := make([]storage.SourceCounts, 0, len(c))
	for id, n := range c {
		out = append(out, storage.SourceCounts{SourceID: id, Sent: n[0], Likes: n[1], Dislikes: n[2]})
	}
	return out
}

// replay adds the window's sent rows and folds its reactions, per user in
// reacted_at order, into the users' and memes' running state, then writes
// each changed row once. The window's rows are read once, through both
// time indexes, and everything else is keyed by their users and memes.
func (j *Job) replay(ctx context.Context, run *storage.StatsRun, res *Result) error {
	phase := time.Now()
	lap := func(name string) {
		j.log.Debug("stats: replay step done", slog.String("step", name), slog.Duration("took", time.Since(phase)))
		phase = time.Now()
	}
	window, err := readWindow(ctx, run, res.From, res.Until)
	if err != nil {
		return err
	}
	userIDs, memeIDs := map[int64]bool{}, map[int64]bool{}
	for _, r := range window {
		userIDs[r.UserID], memeIDs[r.MemeID] = true, true
	}
	users, err := run.UserStatsRows(ctx, slices.Collect(maps.Keys(userIDs)))
	if err != nil {
		return err
	}
	memes, err := run.MemeStatsRows(ctx, slices.Collect(maps.Keys(memeIDs)))
	if err != nil {
		return err
	}
	lap("load")
	sources := sourceCounts{}
	res.Sent = addSent(window, users, memes, sources)
	arms := engineArms{}
	for _, e := range window {
		if !e.ReactedIn {
			continue
		}
		u := users[e.UserID]
		if u == nil {
			u = &storage.UserStatsRow{}
			users[e.UserID] = u
		}
		if j.opts.Stage != nil {
			arms.add(j.opts.Stage(int(u.LRN)), e.Engine, e.Like)
		}
		m := memes[e.MemeID]
		if m == nil {
			continue // the meme row is gone (deleted meme)
		}
		j.fold(u, m, e)
		if e.Like {
			sources.add(m, 1)
		} else {
			sources.add(m, 2)
		}
		res.Reactions++
	}
	res.Users, res.Memes = len(users), len(memes)
	lap("fold")
	if err := run.SaveUserStatsRows(ctx, users); err != nil {
		return err
	}
	lap("write users")
	for _, m := range memes {
		m.LRSmoothed = j.smoothed(m.LRDevSum, m.LRDevN)
	}
	if err := run.SaveMemeStatsRows(ctx, memes); err != nil {
		return err
	}
	lap("write memes")
	if err := run.AddEngineStats(ctx, j.opts.EngineDecay, arms.counts()); err != nil {
		return err
	}
	lap("write engines")
	if err := run.AddSourceStats(ctx, sources.list()); err != nil {
		return err
	}
	lap("write sources")
	return nil
}

// fold applies one reaction to its user and meme.
func (j *Job) fold(u *storage.UserStatsRow, m *storage.MemeStatsRow, e storage.WindowReaction) {
	s := -1.0
	if e.Like {
		s = 1
		u.Likes++
		m.Likes++
		if m.LastLikedAt == nil || e.ReactedAt.After(*m.LastLikedAt) {
			t := e.ReactedAt
			m.LastLikedAt = &t
		}
	} else {
		u.Dislikes++
		m.Dislikes++
	}
	if int(u.LRN) >= j.opts.MinUserReactions {
		var mu float64
		if u.LRN > 0 {
			mu = u.LRSum / float64(u.LRN)
		}
		m.LRDevSum += s - mu
		m.LRDevN++
	}
	u.LRSum += s
	u.LRN++

	if u.LastReactedAt == nil || e.ReactedAt.After(*u.LastReactedAt) {
		t := e.ReactedAt
		u.LastReactedAt = &t
	}
}

// addSent counts the window's sent rows into the users and the loaded memes.
// An approval's likes were sent to nobody: a meme's sent is its impressions
// in the feed (the fresh engine's 20), a person's the memes they were served.
func addSent(window []storage.WindowReaction, users map[int64]*storage.UserStatsRow, memes map[int64]*storage.MemeStatsRow, sources sourceCounts) int64 {
	var total int64
	for _, r := range window {
		if !r.SentIn || r.Engine == storage.EngineApprovalLike {
			continue
		}
		total++
		if users[r.UserID] == nil {
			users[r.UserID] = &storage.UserStatsRow{}
		}
		users[r.UserID].Sent++
		if m := memes[r.MemeID]; m != nil {
			m.Sent++
			sources.add(m, 0)
		}
	}
	return total
}

// readWindow reads the rows sent or reacted to in (from, until], reactions
// in replay order: per user by reacted_at, then sent_at and meme.
func readWindow(ctx context.Context, run *storage.StatsRun, from, until time.Time) ([]storage.WindowReaction, error) {
	out, err := run.WindowReactions(ctx, from, until)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b storage.WindowReaction) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), a.ReactedAt.Compare(b.ReactedAt), a.SentAt.Compare(b.SentAt), cmp.Compare(a.MemeID, b.MemeID))
	})
	return out, nil
}

// smoothed is the mean deviation once enough values count, else 0.
func (j *Job) smoothed(sum float64, n int32) float64 {
	if n == 0 || int(n) < j.opts.MinMemeValues {
		return 0
	}
	v := sum / float64(n)
	if math.IsNaN(v) {
		return 0
	}
	return v
}
