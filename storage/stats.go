package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EngineApprovalLike is the engine of the like recorded for the uploader and
// the approving moderator when a meme is approved (see recordLikes): nobody
// pressed it and nobody was sent the meme, so the figures below leave it out.
const EngineApprovalLike = "uploaded_meme"

// ReasonAutoApproved is the status reason of a meme the automatic checks
// approved (see AutoApprove).
const ReasonAutoApproved = "auto_approved"

// MemeStatuses lists every meme status in the order figures show them.
var MemeStatuses = []string{MemeOK, MemeWaitingReview, MemeProcessing, MemeRejected, MemeDuplicate, MemeAd, MemeBroken}

// GlobalStats are the figures admins read in /stats. "Last 24 h" and "last
// 7 days" end at the now the figures were taken at.
type GlobalStats struct {
	Users, Active24h, Active7d, Blocked int64
	// MemesByStatus counts memes per status; statuses with none are absent.
	MemesByStatus map[string]int64
	// Uploads24h counts submissions received.
	Uploads24h int64
	// Approved24h and Rejected24h count moderators' review decisions;
	// AutoApproved24h the memes the automatic checks approved.
	Approved24h, Rejected24h, AutoApproved24h int64
	// Sent24h counts memes sent to users; Likes24h and Dislikes24h the
	// reactions pressed.
	Sent24h, Likes24h, Dislikes24h int64
	// Engines are the reactions of the last 7 days per recommendation engine,
	// by engine name.
	Engines []EngineFigures
	// Backlog counts memes waiting for review; OldestWaiting is how long the
	// oldest of them has existed (zero when none waits).
	Backlog       int64
	OldestWaiting time.Duration
	// Searches24h counts inline searches (first pages); Picks24h the memes
	// people sent from their results.
	Searches24h, Picks24h int64
	// NewMemes counts, per language, the memes that went live 1-25 h ago
	// (each had its first hour) and those of them the feed showed to
	// FreshImpressions people within that hour (an approval's likes are no
	// showing); NewMemesTotal adds the languages up.
	NewMemes []NewMemesInLanguage
}

// NewMemesTotal is GlobalStats' NewMemes over every language.
func (g GlobalStats) NewMemesTotal() NewMemesInLanguage {
	var total NewMemesInLanguage
	for _, n := range g.NewMemes {
		total.Memes += n.Memes
		total.OnTime += n.OnTime
	}
	return total
}

// NewMemesInLanguage counts the memes of one language that went live 1-25 h
// ago, and those of them shown to FreshImpressions people within their
// first hour.
type NewMemesInLanguage struct {
	Language      string
	Memes, OnTime int64
}

// EngineFigures are the reactions to the memes one engine chose.
type EngineFigures struct {
	Engine          string
	Likes, Dislikes int64
}

// LikeRate is likes / (likes + dislikes), or 0 with no reactions.
func LikeRate(likes, dislikes int64) float64 {
	if likes+dislikes == 0 {
		return 0
	}
	return float64(likes) / float64(likes+dislikes)
}

// DayFigures are one UTC day of activity, for the /stats chart.
type DayFigures struct {
	Day       time.Time // midnight UTC
	Reactions int64     // likes and dislikes pressed that day
	Uploads   int64     // submissions received
	// Approvals counts memes that entered the feed by a person's decision
	// (a status change to ok with an actor: a moderator's approval) or the
	// automatic checks' (reason auto_approved). Memes of trusted sources,
	// which enter the feed without review, are not approvals.
	Approvals int64
}

// UserFigures are a user's own figures.
type UserFigures struct {
	Seen            int64 // memes sent to them
	Likes, Dislikes int64 // reactions they pressed
	Uploads         int64 // submissions they made
	Approved        int64 // of which approved
	Coins           int64
}

// GlobalStats reads the admins' figures in one read-only snapshot. The
// reactions are read by index ranges on reacted_at and sent_at only.
func (s *Store) GlobalStats(ctx context.Context, now time.Time) (GlobalStats, error) {
	var g GlobalStats
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		for _, read := range []func(context.Context, pgx.Tx, time.Time, *GlobalStats) error{
			readUserFigures, readMemeFigures, readReviewFigures, readReactionFigures, readSearchFigures, readNewMemeFigures,
		} {
			if err := read(ctx, tx, now, &g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return GlobalStats{}, fmt.Errorf("storage: global stats: %w", err)
	}
	return g, nil
}

// snapshot runs fn in a read-only repeatable-read transaction, so figures
// read by several queries agree with each other.
func (s *Store) snapshot(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// readUserFigures counts users; a user is active in a window if they wrote
// to the bot (last_active_at: /start, /lang, an upload) or pressed a
// reaction in it.
func readUserFigures(ctx context.Context, tx pgx.Tx, now time.Time, g *GlobalStats) error {
	const q = `
WITH reacted AS (
    SELECT user_id, max(reacted_at) AS last_reacted_at
    FROM reactions
    WHERE reacted_at >= $2 AND reacted_at < $3 AND engine <> $4
    GROUP BY user_id
)
SELECT count(*),
       count(*) FILTER (WHERE u.last_active_at >= $1 OR r.last_reacted_at >= $1),
       count(*) FILTER (WHERE u.last_active_at >= $2 OR r.last_reacted_at IS NOT NULL),
       count(*) FILTER (WHERE u.blocked_bot_at IS NOT NULL)
FROM users u LEFT JOIN reacted r ON r.user_id = u.id`
	err := tx.QueryRow(ctx, q, now.Add(-24*time.Hour), now.Add(-7*24*time.Hour), now, EngineApprovalLike).
		Scan(&g.Users, &g.Active24h, &g.Active7d, &g.Blocked)
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	return nil
}

// readMemeFigures counts memes per status and the review backlog.
func readMemeFigures(ctx context.Context, tx pgx.Tx, now time.Time, g *GlobalStats) error {
	rows, err := tx.Query(ctx, `SELECT status, count(*) FROM memes GROUP BY status`)
	if err != nil {
		return fmt.Errorf("memes by status: %w", err)
	}
	defer rows.Close()
	g.MemesByStatus = map[string]int64{}
	for rows.Next() {
		var status string
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			return fmt.Errorf("memes by status: %w", err)
		}
		g.MemesByStatus[status] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("memes by status: %w", err)
	}
	var oldest *time.Time
	err = tx.QueryRow(ctx, `SELECT count(*), min(created_at) FROM memes WHERE status = $1`, MemeWaitingReview).
		Scan(&g.Backlog, &oldest)
	if err != nil {
		return fmt.Errorf("review backlog: %w", err)
	}
	if oldest != nil {
		g.OldestWaiting = max(0, now.Sub(*oldest))
	}
	return nil
}

// readReviewFigures counts the last 24 h of uploads and review outcomes.
func readReviewFigures(ctx context.Context, tx pgx.Tx, now time.Time, g *GlobalStats) error {
	const q = `
SELECT (SELECT count(*) FROM submissions WHERE created_at >= $1 AND created_at < $2),
       (SELECT count(*) FILTER (WHERE decision = 'approve') FROM review_decisions WHERE created_at >= $1 AND created_at < $2),
       (SELECT count(*) FILTER (WHERE decision = 'reject') FROM review_decisions WHERE created_at >= $1 AND created_at < $2),
       (SELECT count(*) FROM status_events
        WHERE created_at >= $1 AND created_at < $2 AND meme_id IS NOT NULL AND to_status = 'ok' AND reason = $3)`
	err := tx.QueryRow(ctx, q, now.Add(-24*time.Hour), now, ReasonAutoApproved).
		Scan(&g.Uploads24h, &g.Approved24h, &g.Rejected24h, &g.AutoApproved24h)
	if err != nil {
		return fmt.Errorf("reviews: %w", err)
	}
	return nil
}

// readNewMemeFigures counts, per language, the memes that went live 1-25 h
// ago and those of them shown to FreshImpressions people within their
// first hour: the promise the fresh engine keeps to uploaders and channels
// alike. A meme goes live at its last move to ok (status_events, by the
// index of moves to ok); only the first FreshImpressions of its showings
// are read.
func readNewMemeFigures(ctx context.Context, tx pgx.Tx, now time.Time, g *GlobalStats) error {
	const q = `
WITH live AS (
    SELECT DISTINCT ON (e.meme_id) e.meme_id, e.created_at
    FROM status_events e
    WHERE e.to_status = 'ok' AND e.meme_id IS NOT NULL AND e.created_at >= $1 AND e.created_at < $2
    ORDER BY e.meme_id, e.created_at DESC
)
SELECT m.language, count(*), count(*) FILTER (WHERE shown.n >= $4)
FROM live
JOIN memes m ON m.id = live.meme_id AND m.status = 'ok'
CROSS JOIN LATERAL (
    SELECT count(*) AS n FROM (
        SELECT 1 FROM reactions r
        WHERE r.meme_id = live.meme_id AND r.engine <> $3
          AND r.sent_at >= live.created_at AND r.sent_at < live.created_at + interval '1 hour'
        LIMIT $4) s
) shown
GROUP BY m.language
ORDER BY m.language`
	rows, err := tx.Query(ctx, q, now.Add(-25*time.Hour), now.Add(-time.Hour), EngineApprovalLike, FreshImpressions)
	if err != nil {
		return fmt.Errorf("new memes: %w", err)
	}
	g.NewMemes, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (NewMemesInLanguage, error) {
		var n NewMemesInLanguage
		err := row.Scan(&n.Language, &n.Memes, &n.OnTime)
		return n, err
	})
	if err != nil {
		return fmt.Errorf("new memes: %w", err)
	}
	return nil
}

// NewMemeFigures reads GlobalStats' NewMemes alone (for the
// metrics the stats job publishes).
func (s *Store) NewMemeFigures(ctx context.Context, now time.Time) ([]NewMemesInLanguage, error) {
	var g GlobalStats
	err := s.snapshot(ctx, func(tx pgx.Tx) error { return readNewMemeFigures(ctx, tx, now, &g) })
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return g.NewMemes, nil
}

// readReactionFigures reads the last 7 days of reactions per engine in one
// index range on reacted_at, the last 24 h being a part of it, and the memes
// sent in the last 24 h by the range on sent_at.
func readReactionFigures(ctx context.Context, tx pgx.Tx, now time.Time, g *GlobalStats) error {
	const q = `
SELECT engine,
       count(*) FILTER (WHERE reaction = 1),
       count(*) FILTER (WHERE reaction = 2),
       count(*) FILTER (WHERE reaction = 1 AND reacted_at >= $2),
       count(*) FILTER (WHERE reaction = 2 AND reacted_at >= $2)
FROM reactions
WHERE reacted_at >= $1 AND reacted_at < $3 AND engine <> $4
GROUP BY engine ORDER BY engine`
	day := now.Add(-24 * time.Hour)
	rows, err := tx.Query(ctx, q, now.Add(-7*24*time.Hour), day, now, EngineApprovalLike)
	if err != nil {
		return fmt.Errorf("reactions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e EngineFigures
		var likes, dislikes int64
		if err := rows.Scan(&e.Engine, &e.Likes, &e.Dislikes, &likes, &dislikes); err != nil {
			return fmt.Errorf("reactions: %w", err)
		}
		g.Engines = append(g.Engines, e)
		g.Likes24h += likes
		g.Dislikes24h += dislikes
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reactions: %w", err)
	}
	err = tx.QueryRow(ctx, `SELECT count(*) FROM reactions WHERE sent_at >= $1 AND sent_at < $2 AND engine <> $3`,
		day, now, EngineApprovalLike).Scan(&g.Sent24h)
	if err != nil {
		return fmt.Errorf("memes sent: %w", err)
	}
	return nil
}

// DailySeries reads the last days UTC days up to now (today, so far, is the
// last), oldest first; days without activity are zero.
func (s *Store) DailySeries(ctx context.Context, days int, now time.Time) ([]DayFigures, error) {
	if days <= 0 {
		return nil, nil
	}
	today := now.UTC().Truncate(24 * time.Hour)
	from := today.AddDate(0, 0, -(days - 1))
	out := make([]DayFigures, days)
	for i := range out {
		out[i].Day = from.AddDate(0, 0, i)
	}
	const q = `
SELECT 'reactions', date_trunc('day', reacted_at, 'UTC'), count(*) FROM reactions
WHERE reacted_at >= $1 AND reacted_at < $2 AND engine <> $3 GROUP BY 2
UNION ALL
SELECT 'uploads', date_trunc('day', created_at, 'UTC'), count(*) FROM submissions
WHERE created_at >= $1 AND created_at < $2 GROUP BY 2
UNION ALL
SELECT 'approvals', date_trunc('day', created_at, 'UTC'), count(*) FROM status_events
WHERE created_at >= $1 AND created_at < $2 AND meme_id IS NOT NULL AND to_status = 'ok'
  AND (actor_id IS NOT NULL OR reason = $4) GROUP BY 2`
	rows, err := s.pool.Query(ctx, q, from, now, EngineApprovalLike, ReasonAutoApproved)
	if err != nil {
		return nil, fmt.Errorf("storage: daily series: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var series string
		var day time.Time
		var n int64
		if err := rows.Scan(&series, &day, &n); err != nil {
			return nil, fmt.Errorf("storage: daily series: %w", err)
		}
		i := int(day.UTC().Sub(from) / (24 * time.Hour))
		if i < 0 || i >= days {
			continue
		}
		switch series {
		case "reactions":
			out[i].Reactions = n
		case "uploads":
			out[i].Uploads = n
		case "approvals":
			out[i].Approvals = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: daily series: %w", err)
	}
	return out, nil
}

// UserStats reads one user's own figures: a range of the reactions primary
// key, of the submissions' uploader index, and their coin balance (Coins).
func (s *Store) UserStats(ctx context.Context, userID int64) (UserFigures, error) {
	const q = `
SELECT r.seen, r.likes, r.dislikes, u.uploads, u.approved
FROM (SELECT count(*) AS seen,
             count(*) FILTER (WHERE reaction = 1) AS likes,
             count(*) FILTER (WHERE reaction = 2) AS dislikes
      FROM reactions WHERE user_id = $1 AND engine <> $2) r,
     (SELECT count(*) AS uploads, count(*) FILTER (WHERE status = $3) AS approved
      FROM submissions WHERE uploader_id = $1) u`
	var f UserFigures
	err := s.pool.QueryRow(ctx, q, userID, EngineApprovalLike, SubmissionApproved).
		Scan(&f.Seen, &f.Likes, &f.Dislikes, &f.Uploads, &f.Approved)
	if err != nil {
		return UserFigures{}, fmt.Errorf("storage: stats of user %d: %w", userID, err)
	}
	coins, err := s.Coins(ctx, userID)
	if err != nil {
		return UserFigures{}, err
	}
	f.Coins = int64(coins)
	return f, nil
}
