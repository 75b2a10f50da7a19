package stats

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// userState is a user_stats row: the running state a run resumes from.
type userState struct {
	sent            int32
	likes, dislikes int32
	lrSum           float64
	lrN             int32
	last            *time.Time
}

// memeState is the part of a meme_stats row that reactions change.
type memeState struct {
	sent            int32
	likes, dislikes int32
	lrDevSum        float64
	lrDevN          int32
	lastLiked       *time.Time
	source          *int64 // nil for an upload
}

// sourceCounts are what a run adds to one source: sent, likes, dislikes.
type sourceCounts map[int64]*[3]int32

func (c sourceCounts) add(m *memeState, field int) {
	if m.source == nil {
		return
	}
	n := c[*m.source]
	if n == nil {
		n = &[3]int32{}
		c[*m.source] = n
	}
	n[field]++
}

type event struct {
	userID, memeID int64
	like           bool
	sent, reacted  time.Time
	engine         string
}

// windowRow is a reactions row sent or reacted to in the run's window.
type windowRow struct {
	event
	sentIn, reactedIn bool // which of its times fall in the window
}

// replay adds the window's sent rows and folds its reactions, per user in
// reacted_at order, into the users' and memes' running state, then writes
// each changed row once. The window's rows are read once, through both
// time indexes, and everything else is keyed by their users and memes.
func (j *Job) replay(ctx context.Context, tx pgx.Tx, res *Result) error {
	phase := time.Now()
	lap := func(name string) {
		j.log.Debug("stats: replay step done", slog.String("step", name), slog.Duration("took", time.Since(phase)))
		phase = time.Now()
	}
	window, err := readWindow(ctx, tx, res.From, res.Until)
	if err != nil {
		return err
	}
	userIDs, memeIDs := map[int64]bool{}, map[int64]bool{}
	for _, r := range window {
		userIDs[r.userID], memeIDs[r.memeID] = true, true
	}
	users, err := loadUsers(ctx, tx, slices.Collect(maps.Keys(userIDs)))
	if err != nil {
		return err
	}
	memes, err := loadMemes(ctx, tx, slices.Collect(maps.Keys(memeIDs)))
	if err != nil {
		return err
	}
	lap("load")
	sources := sourceCounts{}
	res.Sent = addSent(window, users, memes, sources)
	arms := engineArms{}
	for _, e := range window {
		if !e.reactedIn {
			continue
		}
		u := users[e.userID]
		if u == nil {
			u = &userState{}
			users[e.userID] = u
		}
		if j.opts.Stage != nil {
			arms.add(j.opts.Stage(int(u.lrN)), e.engine, e.like)
		}
		m := memes[e.memeID]
		if m == nil {
			continue // the meme row is gone (deleted meme)
		}
		j.fold(u, m, e.event)
		if e.like {
			sources.add(m, 1)
		} else {
			sources.add(m, 2)
		}
		res.Reactions++
	}
	res.Users, res.Memes = len(users), len(memes)
	lap("fold")
	if err := j.writeUsers(ctx, tx, users); err != nil {
		return err
	}
	lap("write users")
	if err := j.writeMemes(ctx, tx, memes); err != nil {
		return err
	}
	lap("write memes")
	if err := j.writeEngines(ctx, tx, arms); err != nil {
		return err
	}
	lap("write engines")
	if err := writeSources(ctx, tx, sources); err != nil {
		return err
	}
	lap("write sources")
	return nil
}

// fold applies one reaction to its user and meme.
func (j *Job) fold(u *userState, m *memeState, e event) {
	s := -1.0
	if e.like {
		s = 1
		u.likes++
		m.likes++
		if m.lastLiked == nil || e.reacted.After(*m.lastLiked) {
			t := e.reacted
			m.lastLiked = &t
		}
	} else {
		u.dislikes++
		m.dislikes++
	}
	if int(u.lrN) >= j.opts.MinUserReactions {
		var mu float64
		if u.lrN > 0 {
			mu = u.lrSum / float64(u.lrN)
		}
		m.lrDevSum += s - mu
		m.lrDevN++
	}
	u.lrSum += s
	u.lrN++

	if u.last == nil || e.reacted.After(*u.last) {
		t := e.reacted
		u.last = &t
	}
}

// addSent counts the window's sent rows into the users and the loaded memes.
func addSent(window []windowRow, users map[int64]*userState, memes map[int64]*memeState, sources sourceCounts) int64 {
	var total int64
	for _, r := range window {
		if !r.sentIn {
			continue
		}
		total++
		if users[r.userID] == nil {
			users[r.userID] = &userState{}
		}
		users[r.userID].sent++
		if m := memes[r.memeID]; m != nil {
			m.sent++
			sources.add(m, 0)
		}
	}
	return total
}

// readWindow reads the rows sent or reacted to in (from, until], reactions
// in replay order: per user by reacted_at, then sent_at and meme.
func readWindow(ctx context.Context, tx pgx.Tx, from, until time.Time) ([]windowRow, error) {
	rows, err := tx.Query(ctx, `
SELECT user_id, meme_id, coalesce(reaction = 1, false), sent_at, coalesce(reacted_at, sent_at), engine,
       sent_at > $1 AND sent_at <= $2, coalesce(reacted_at > $1 AND reacted_at <= $2 AND reaction IS NOT NULL, false)
FROM reactions
WHERE (reacted_at > $1 AND reacted_at <= $2) OR (sent_at > $1 AND sent_at <= $2)`, from, until)
	if err != nil {
		return nil, fmt.Errorf("read window: %w", err)
	}
	var out []windowRow
	var r windowRow
	_, err = pgx.ForEachRow(rows, []any{&r.userID, &r.memeID, &r.like, &r.sent, &r.reacted, &r.engine, &r.sentIn, &r.reactedIn}, func() error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read window: %w", err)
	}
	slices.SortFunc(out, func(a, b windowRow) int {
		return cmp.Or(cmp.Compare(a.userID, b.userID), a.reacted.Compare(b.reacted), a.sent.Compare(b.sent), cmp.Compare(a.memeID, b.memeID))
	})
	return out, nil
}

func loadUsers(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]*userState, error) {
	rows, err := tx.Query(ctx, `
SELECT user_id, sent, likes, dislikes, lr_sum, lr_n, last_reacted_at
FROM user_stats WHERE user_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load user stats: %w", err)
	}
	users := make(map[int64]*userState)
	var id int64
	var u userState
	_, err = pgx.ForEachRow(rows, []any{&id, &u.sent, &u.likes, &u.dislikes, &u.lrSum, &u.lrN, &u.last}, func() error {
		c := u
		users[id] = &c
		u = userState{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load user stats: %w", err)
	}
	return users, nil
}

func loadMemes(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]*memeState, error) {
	rows, err := tx.Query(ctx, `
SELECT meme_id, sent, likes, dislikes, lr_dev_sum, lr_dev_n, last_liked_at, source_id
FROM meme_stats WHERE meme_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load meme stats: %w", err)
	}
	memes := make(map[int64]*memeState)
	var id int64
	var m memeState
	_, err = pgx.ForEachRow(rows, []any{&id, &m.sent, &m.likes, &m.dislikes, &m.lrDevSum, &m.lrDevN, &m.lastLiked, &m.source}, func() error {
		c := m
		memes[id] = &c
		m = memeState{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load meme stats: %w", err)
	}
	return memes, nil
}

func (j *Job) writeUsers(ctx context.Context, tx pgx.Tx, users map[int64]*userState) error {
	_, err := tx.Exec(ctx, `
CREATE TEMP TABLE user_stats_new (
    user_id BIGINT, sent INT, likes INT, dislikes INT, lr_sum FLOAT8, lr_n INT, last_reacted_at TIMESTAMPTZ
) ON COMMIT DROP`)
	if err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	rows := make([][]any, 0, len(users))
	for id, u := range users {
		rows = append(rows, []any{id, u.sent, u.likes, u.dislikes, u.lrSum, u.lrN, u.last})
	}
	cols := []string{"user_id", "sent", "likes", "dislikes", "lr_sum", "lr_n", "last_reacted_at"}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"user_stats_new"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	// Without statistics the planner assumes a big temp table and hash-joins
	// it against a sequential scan of the whole stats table.
	if _, err := tx.Exec(ctx, `ANALYZE user_stats_new`); err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	_, err = tx.Exec(ctx, `
INSERT INTO user_stats AS us (user_id, sent, likes, dislikes, lr_sum, lr_n, last_reacted_at)
SELECT * FROM user_stats_new
ON CONFLICT (user_id) DO UPDATE SET sent = EXCLUDED.sent, likes = EXCLUDED.likes, dislikes = EXCLUDED.dislikes,
    lr_sum = EXCLUDED.lr_sum, lr_n = EXCLUDED.lr_n, last_reacted_at = EXCLUDED.last_reacted_at, updated_at = now()`)
	if err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	return nil
}

func (j *Job) writeMemes(ctx context.Context, tx pgx.Tx, memes map[int64]*memeState) error {
	_, err := tx.Exec(ctx, `
CREATE TEMP TABLE meme_stats_new (
    meme_id BIGINT, sent INT, likes INT, dislikes INT, lr_dev_sum FLOAT8, lr_dev_n INT, lr_smoothed FLOAT8,
    last_liked_at TIMESTAMPTZ
) ON COMMIT DROP`)
	if err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	rows := make([][]any, 0, len(memes))
	for id, m := range memes {
		rows = append(rows, []any{id, m.sent, m.likes, m.dislikes, m.lrDevSum, m.lrDevN,
			j.smoothed(m.lrDevSum, m.lrDevN), m.lastLiked})
	}
	cols := []string{"meme_id", "sent", "likes", "dislikes", "lr_dev_sum", "lr_dev_n", "lr_smoothed", "last_liked_at"}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"meme_stats_new"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	if _, err := tx.Exec(ctx, `ANALYZE meme_stats_new`); err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	_, err = tx.Exec(ctx, `
UPDATE meme_stats ms SET sent = n.sent, likes = n.likes, dislikes = n.dislikes, lr_dev_sum = n.lr_dev_sum,
    lr_dev_n = n.lr_dev_n, lr_smoothed = n.lr_smoothed, last_liked_at = n.last_liked_at, updated_at = now()
FROM meme_stats_new n WHERE ms.meme_id = n.meme_id`)
	if err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	return nil
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

// writeSources adds the run's sent rows, likes and dislikes to the sources,
// in one statement.
func writeSources(ctx context.Context, tx pgx.Tx, sources sourceCounts) error {
	if len(sources) == 0 {
		return nil
	}
	var ids []int64
	var sent, likes, dislikes []int32
	for id, n := range sources {
		ids = append(ids, id)
		sent, likes, dislikes = append(sent, n[0]), append(likes, n[1]), append(dislikes, n[2])
	}
	_, err := tx.Exec(ctx, `
INSERT INTO source_stats (source_id, sent, likes, dislikes)
SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[])
ON CONFLICT (source_id) DO UPDATE SET sent = source_stats.sent + EXCLUDED.sent, likes = source_stats.likes + EXCLUDED.likes,
    dislikes = source_stats.dislikes + EXCLUDED.dislikes, updated_at = now()`, ids, sent, likes, dislikes)
	if err != nil {
		return fmt.Errorf("source stats: %w", err)
	}
	return nil
}
