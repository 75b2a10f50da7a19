package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FactorsRun is one run of the factors job: a transaction holding its
// watermark, in which it reads reactions, texts and the factor model
// (meme_factors, user_factors, word_factors: what the collab and content
// engines read) and writes the model back.
type FactorsRun struct {
	watermarked
	until time.Time // reactions after it wait for the next run
}

// RunFactors runs fn in one transaction; it commits when fn returns nil.
func (s *Store) RunFactors(ctx context.Context, fn func(ctx context.Context, run *FactorsRun) error) error {
	return s.pgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		return fn(ctx, &FactorsRun{watermarked: watermarked{tx: tx, name: "factors"}})
	})
}

// FactorModel is the model's state: when it was last rebuilt, from how many
// reactions, how many were folded in since, and the like rate of a meme
// nothing is known of.
type FactorModel struct {
	RebuiltAt   time.Time
	RebuiltFrom int64
	FoldedSince int64
	MeanLike    float32
}

// Model locks the job's watermark (concurrent runs wait for each other) and
// returns the run's window (from, until], until now minus lag, and the
// model's state. The run's reads of reactions stop at until.
func (r *FactorsRun) Model(ctx context.Context, lag time.Duration) (from, until time.Time, m FactorModel, err error) {
	err = r.tx.QueryRow(ctx, `
SELECT w.processed_until, clock_timestamp() - make_interval(secs => $1), m.rebuilt_at, m.rebuilt_from, m.folded_since, m.mean_like
FROM stats_watermarks w, factor_model m WHERE w.name = 'factors' FOR UPDATE OF w`, lag.Seconds()).
		Scan(&from, &until, &m.RebuiltAt, &m.RebuiltFrom, &m.FoldedSince, &m.MeanLike)
	if err != nil {
		return from, until, m, fmt.Errorf("watermark: %w", err)
	}
	r.until = until
	return from, until, m, nil
}

// CountReactions counts the reactions pressed in (from, until].
func (r *FactorsRun) CountReactions(ctx context.Context, from, until time.Time) (int64, error) {
	var n int64
	err := r.tx.QueryRow(ctx, `SELECT count(*) FROM reactions WHERE reacted_at > $1 AND reacted_at <= $2`, from, until).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count new reactions: %w", err)
	}
	return n, nil
}

// SaveModel records the model's state and advances the watermark to until.
func (r *FactorsRun) SaveModel(ctx context.Context, m FactorModel, until time.Time) error {
	_, err := r.tx.Exec(ctx, `UPDATE factor_model SET rebuilt_at = $1, rebuilt_from = $2, folded_since = $3, mean_like = $4`,
		m.RebuiltAt, m.RebuiltFrom, m.FoldedSince, m.MeanLike)
	if err != nil {
		return fmt.Errorf("model state: %w", err)
	}
	return r.AdvanceWatermark(ctx, until)
}

// Rating is a like or dislike as the model learns from it.
type Rating struct {
	UserID, MemeID int64
	Like           bool
}

// ratingsSQL reads likes and dislikes of approved memes up to the run's
// end; approval likes (an uploader's and a moderator's) say nothing of taste.
const ratingsSQL = `
SELECT r.user_id, r.meme_id, r.reaction = 1 FROM reactions r JOIN memes m ON m.id = r.meme_id AND m.status = 'ok'
WHERE r.reaction IS NOT NULL AND r.reacted_at <= $1 AND r.engine <> '` + EngineApprovalLike + `' `

// Ratings reads every rating up to the run's end.
func (r *FactorsRun) Ratings(ctx context.Context) ([]Rating, error) { return r.ratings(ctx, "") }

// RatingsSince reads the ratings pressed after from.
func (r *FactorsRun) RatingsSince(ctx context.Context, from time.Time) ([]Rating, error) {
	return r.ratings(ctx, "AND r.reacted_at > $2", from)
}

// RatingsBy reads the ratings of the people users.
func (r *FactorsRun) RatingsBy(ctx context.Context, users []int64) ([]Rating, error) {
	return r.ratings(ctx, "AND r.user_id = ANY($2)", users)
}

// RatingsOf reads the ratings of the memes.
func (r *FactorsRun) RatingsOf(ctx context.Context, memes []int64) ([]Rating, error) {
	return r.ratings(ctx, "AND r.meme_id = ANY($2)", memes)
}

func (r *FactorsRun) ratings(ctx context.Context, where string, args ...any) ([]Rating, error) {
	rows, err := r.tx.Query(ctx, ratingsSQL+where, append([]any{r.until}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read reactions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Rating, error) {
		var x Rating
		return x, row.Scan(&x.UserID, &x.MemeID, &x.Like)
	})
	if err != nil {
		return nil, fmt.Errorf("read reactions: %w", err)
	}
	return out, nil
}

// ClearModel deletes every vector of the model, before a rebuild.
func (r *FactorsRun) ClearModel(ctx context.Context) error {
	if _, err := r.tx.Exec(ctx, `TRUNCATE meme_factors, user_factors, word_factors`); err != nil {
		return fmt.Errorf("clear model: %w", err)
	}
	return nil
}
