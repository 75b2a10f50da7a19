package stats

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"memebot/internal/median"
)

// ReactBuckets are the edges, in seconds, of the reaction-time histogram kept
// per meme (meme_stats.react_hist); the median time to react is interpolated
// within its bucket. Reactions outside 0.5-60 s are not counted.
var ReactBuckets = []float64{0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 30, 40, 50, 60}

// userState is a user_stats row: the running state a run resumes from.
type userState struct {
	sent            int32
	likes, dislikes int32
	lrSum           float64
	lrN             int32
	sessions        int32
	sessionLen      int32
	closed          []int32
	activeDays      int32
	last            *time.Time
}

// memeState is the part of a meme_stats row that reactions change.
type memeState struct {
	sent            int32
	likes, dislikes int32
	lrDevSum        float64
	lrDevN          int32
	hist            []int32
	lastLiked       *time.Time
}

type event struct {
	userID, memeID int64
	like           bool
	sent, reacted  time.Time
	engine         string
}

// replay adds the window's sent rows and folds its reactions, per user in
// reacted_at order, into the users' and memes' running state, then writes
// each changed row once.
func (j *Job) replay(ctx context.Context, tx pgx.Tx, res *Result) error {
	phase := time.Now()
	lap := func(name string) {
		j.log.Debug("stats: replay step done", slog.String("step", name), slog.Duration("took", time.Since(phase)))
		phase = time.Now()
	}
	users, err := loadUsers(ctx, tx, res.From, res.Until)
	if err != nil {
		return err
	}
	memes, err := loadMemes(ctx, tx, res.From, res.Until)
	if err != nil {
		return err
	}
	lap("load")
	if res.Sent, err = addSent(ctx, tx, res.From, res.Until, users, memes); err != nil {
		return err
	}
	lap("sent")
	rows, err := tx.Query(ctx, `
SELECT user_id, meme_id, reaction = 1, sent_at, reacted_at, engine FROM reactions
WHERE reacted_at > $1 AND reacted_at <= $2
ORDER BY user_id, reacted_at, sent_at, meme_id`, res.From, res.Until)
	if err != nil {
		return fmt.Errorf("read reactions: %w", err)
	}
	var e event
	arms := engineArms{}
	_, err = pgx.ForEachRow(rows, []any{&e.userID, &e.memeID, &e.like, &e.sent, &e.reacted, &e.engine}, func() error {
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
			return nil // the meme row is gone (deleted meme)
		}
		j.fold(u, m, e)
		res.Reactions++
		return nil
	})
	if err != nil {
		return fmt.Errorf("replay reactions: %w", err)
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
	return nil
}

// fold applies one reaction to its user and meme.
func (j *Job) fold(u *userState, m *memeState, e event) {
	s := -1.0
	dt := e.reacted.Sub(e.sent).Seconds()
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

	if u.last == nil || e.reacted.Sub(*u.last) > j.opts.SessionGap {
		if u.sessionLen > 0 {
			u.closed = append(u.closed, u.sessionLen)
		}
		u.sessions++
		u.sessionLen = 0
	}
	u.sessionLen++
	if u.last == nil || !sameDay(*u.last, e.reacted) {
		u.activeDays++
	}
	t := e.reacted
	u.last = &t

	if b := bucket(dt); b >= 0 {
		if len(m.hist) < len(ReactBuckets)-1 {
			m.hist = append(m.hist, make([]int32, len(ReactBuckets)-1-len(m.hist))...)
		}
		m.hist[b]++
	}
}

func sameDay(a, b time.Time) bool {
	a, b = a.UTC(), b.UTC()
	return a.YearDay() == b.YearDay() && a.Year() == b.Year()
}

// bucket returns the histogram bucket of a reaction time, or -1 outside 0.5-60 s.
func bucket(sec float64) int {
	if sec < ReactBuckets[0] || sec > ReactBuckets[len(ReactBuckets)-1] {
		return -1
	}
	for i := 1; i < len(ReactBuckets); i++ {
		if sec < ReactBuckets[i] {
			return i - 1
		}
	}
	return len(ReactBuckets) - 2
}

// medianFromHistogram interpolates the median within its ReactBuckets bucket;
// ok is false for an empty histogram.
func medianFromHistogram(hist []int32) (float64, bool) {
	var total int64
	for _, c := range hist {
		total += int64(c)
	}
	if total == 0 {
		return 0, false
	}
	half := float64(total) / 2
	var cum float64
	for i, c := range hist {
		if c > 0 && cum+float64(c) >= half {
			lo, hi := ReactBuckets[i], ReactBuckets[i+1]
			return lo + (hi-lo)*(half-cum)/float64(c), true
		}
		cum += float64(c)
	}
	return ReactBuckets[len(ReactBuckets)-1], true
}

// addSent counts the window's sent rows into the loaded users and memes.
func addSent(ctx context.Context, tx pgx.Tx, from, until time.Time, users map[int64]*userState, memes map[int64]*memeState) (int64, error) {
	rows, err := tx.Query(ctx, `
SELECT user_id, meme_id FROM reactions WHERE sent_at > $1 AND sent_at <= $2`, from, until)
	if err != nil {
		return 0, fmt.Errorf("read sent: %w", err)
	}
	var total int64
	var userID, memeID int64
	_, err = pgx.ForEachRow(rows, []any{&userID, &memeID}, func() error {
		total++
		if users[userID] == nil {
			users[userID] = &userState{}
		}
		users[userID].sent++
		if m := memes[memeID]; m != nil {
			m.sent++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("read sent: %w", err)
	}
	return total, nil
}

func loadUsers(ctx context.Context, tx pgx.Tx, from, until time.Time) (map[int64]*userState, error) {
	rows, err := tx.Query(ctx, `
SELECT user_id, sent, likes, dislikes, lr_sum, lr_n, sessions, session_len, closed_sessions, active_days, last_reacted_at
FROM user_stats
WHERE user_id IN (SELECT user_id FROM reactions WHERE reacted_at > $1 AND reacted_at <= $2
                  UNION SELECT user_id FROM reactions WHERE sent_at > $1 AND sent_at <= $2)`, from, until)
	if err != nil {
		return nil, fmt.Errorf("load user stats: %w", err)
	}
	users := make(map[int64]*userState)
	var id int64
	var u userState
	_, err = pgx.ForEachRow(rows, []any{&id, &u.sent, &u.likes, &u.dislikes, &u.lrSum, &u.lrN,
		&u.sessions, &u.sessionLen, &u.closed, &u.activeDays, &u.last}, func() error {
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

func loadMemes(ctx context.Context, tx pgx.Tx, from, until time.Time) (map[int64]*memeState, error) {
	rows, err := tx.Query(ctx, `
SELECT meme_id, sent, likes, dislikes, lr_dev_sum, lr_dev_n, react_hist, last_liked_at
FROM meme_stats
WHERE meme_id IN (SELECT meme_id FROM reactions WHERE reacted_at > $1 AND reacted_at <= $2
                  UNION SELECT meme_id FROM reactions WHERE sent_at > $1 AND sent_at <= $2)`, from, until)
	if err != nil {
		return nil, fmt.Errorf("load meme stats: %w", err)
	}
	memes := make(map[int64]*memeState)
	var id int64
	var m memeState
	_, err = pgx.ForEachRow(rows, []any{&id, &m.sent, &m.likes, &m.dislikes, &m.lrDevSum, &m.lrDevN,
		&m.hist, &m.lastLiked}, func() error {
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
    user_id BIGINT, sent INT, likes INT, dislikes INT, lr_sum FLOAT8, lr_n INT, sessions INT,
    session_len INT, closed_sessions INT[], median_session_len FLOAT8, active_days INT, last_reacted_at TIMESTAMPTZ
) ON COMMIT DROP`)
	if err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	rows := make([][]any, 0, len(users))
	for id, u := range users {
		lengths := append(slices.Clone(u.closed), u.sessionLen)
		rows = append(rows, []any{id, u.sent, u.likes, u.dislikes, u.lrSum, u.lrN, u.sessions,
			u.sessionLen, nonNil(u.closed), median.Of(lengths), u.activeDays, u.last})
	}
	cols := []string{"user_id", "sent", "likes", "dislikes", "lr_sum", "lr_n", "sessions",
		"session_len", "closed_sessions", "median_session_len", "active_days", "last_reacted_at"}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"user_stats_new"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	// Without statistics the planner assumes a big temp table and hash-joins
	// it against a sequential scan of the whole stats table.
	if _, err := tx.Exec(ctx, `ANALYZE user_stats_new`); err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	_, err = tx.Exec(ctx, `
INSERT INTO user_stats AS us (user_id, sent, likes, dislikes, lr_sum, lr_n, sessions, session_len,
    closed_sessions, median_session_len, active_days, last_reacted_at)
SELECT * FROM user_stats_new
ON CONFLICT (user_id) DO UPDATE SET sent = EXCLUDED.sent, likes = EXCLUDED.likes, dislikes = EXCLUDED.dislikes,
    lr_sum = EXCLUDED.lr_sum, lr_n = EXCLUDED.lr_n, sessions = EXCLUDED.sessions,
    session_len = EXCLUDED.session_len, closed_sessions = EXCLUDED.closed_sessions,
    median_session_len = EXCLUDED.median_session_len, active_days = EXCLUDED.active_days,
    last_reacted_at = EXCLUDED.last_reacted_at, updated_at = now()`)
	if err != nil {
		return fmt.Errorf("write user stats: %w", err)
	}
	return nil
}

func (j *Job) writeMemes(ctx context.Context, tx pgx.Tx, memes map[int64]*memeState) error {
	_, err := tx.Exec(ctx, `
CREATE TEMP TABLE meme_stats_new (
    meme_id BIGINT, sent INT, likes INT, dislikes INT, lr_dev_sum FLOAT8, lr_dev_n INT, lr_smoothed FLOAT8,
    react_hist INT[], sec_to_react FLOAT8,
    last_liked_at TIMESTAMPTZ
) ON COMMIT DROP`)
	if err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	rows := make([][]any, 0, len(memes))
	for id, m := range memes {
		var secToReact *float64
		if med, ok := medianFromHistogram(m.hist); ok {
			secToReact = &med
		}
		rows = append(rows, []any{id, m.sent, m.likes, m.dislikes, m.lrDevSum, m.lrDevN,
			j.smoothed(m.lrDevSum, m.lrDevN),
			nonNil(m.hist), secToReact, m.lastLiked})
	}
	cols := []string{"meme_id", "sent", "likes", "dislikes", "lr_dev_sum", "lr_dev_n", "lr_smoothed",
		"react_hist", "sec_to_react", "last_liked_at"}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"meme_stats_new"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	if _, err := tx.Exec(ctx, `ANALYZE meme_stats_new`); err != nil {
		return fmt.Errorf("write meme stats: %w", err)
	}
	_, err = tx.Exec(ctx, `
UPDATE meme_stats ms SET sent = n.sent, likes = n.likes, dislikes = n.dislikes, lr_dev_sum = n.lr_dev_sum,
    lr_dev_n = n.lr_dev_n, lr_smoothed = n.lr_smoothed,
    react_hist = n.react_hist, sec_to_react = n.sec_to_react,
    last_liked_at = n.last_liked_at, updated_at = now()
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

func nonNil(xs []int32) []int32 {
	if xs == nil {
		return []int32{}
	}
	return xs
}
