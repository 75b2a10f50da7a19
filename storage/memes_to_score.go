package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// MemeToScore is a servable meme as the feed's models score it.
type MemeToScore struct {
	ID        int64
	Language  string
	Vec       []float32 // nil when the factor model does not know it yet
	Reactions int32     // the reactions its vector was solved from
	// Says is what it says when it was updated at or after the time asked
	// for (nil otherwise: the caller knows it from an earlier read).
	Says       *string
	SourceID   *int64
	UploaderID *int64
}

// Now is the database's clock: what a later read of what changed since
// compares with (memes.updated_at).
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	var now time.Time
	if err := s.pool.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
		return now, fmt.Errorf("storage: now: %w", err)
	}
	return now, nil
}

// MemesToScore reads the memes the feed's models score: the newest servable
// memes and the best by lr_smoothed, pool of each, with what they say when
// they were updated since textSince (the zero time: all).
func (s *Store) MemesToScore(ctx context.Context, pool int, textSince time.Time) ([]MemeToScore, error) {
	rows, err := s.pool.Query(ctx, `
WITH pool AS (
    (SELECT meme_id FROM meme_stats WHERE serving ORDER BY meme_id DESC LIMIT $1)
    UNION
    (SELECT meme_id FROM meme_stats WHERE serving ORDER BY lr_smoothed DESC, meme_id DESC LIMIT $1))
SELECT ms.meme_id, ms.language, f.vec, coalesce(f.reactions, 0), CASE WHEN m.updated_at >= $2 THEN `+memeSaysSQL+` END, m.source_id, m.uploader_id
FROM pool JOIN meme_stats ms ON ms.meme_id = pool.meme_id JOIN memes m ON m.id = ms.meme_id
LEFT JOIN meme_factors f ON f.meme_id = ms.meme_id`, pool, textSince)
	if err != nil {
		return nil, fmt.Errorf("storage: memes to score: %w", err)
	}
	defer rows.Close()
	var memes []MemeToScore
	for rows.Next() {
		var m MemeToScore
		var vec []byte
		if err := rows.Scan(&m.ID, &m.Language, &vec, &m.Reactions, &m.Says, &m.SourceID, &m.UploaderID); err != nil {
			return nil, fmt.Errorf("storage: memes to score: %w", err)
		}
		if vec != nil {
			m.Vec = decodeVector(vec)
		}
		memes = append(memes, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: memes to score: %w", err)
	}
	return memes, nil
}

// MemeTextsOf reads what the memes ids say, by meme, whatever their status.
func (s *Store) MemeTextsOf(ctx context.Context, ids []int64) (map[int64]MemeText, error) {
	if len(ids) == 0 {
		return map[int64]MemeText{}, nil
	}
	texts, err := readMemeTexts(ctx, s.pool, "m.id = ANY($1)", ids)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return texts, nil
}

// MemeVectorsOf reads the factor vectors of the memes ids that have one.
func (s *Store) MemeVectorsOf(ctx context.Context, ids []int64) (map[int64]MemeVector, error) {
	vecs, err := readMemeVectors(ctx, s.pool, ids)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return vecs, nil
}

// TasteReaction is one of a person's likes and dislikes as the feed's models
// learn their taste from it, with what the meme says.
type TasteReaction struct {
	MemeID   int64
	Reaction int16 // Like or Dislike
	Text     MemeText
}

// SentMemes reads the ids of every meme sent to the person, and their latest
// `texts` likes and dislikes that count for taste (not the uploader's own
// approval like), latest first, with what those memes say. The two are read
// apart, in one round trip: the ids in the primary key's order, with no
// sort, and the texts of only those memes. Read as one list of every sent
// meme in order of reaction, a person sent 137,000 memes sorted them all on
// every refill (0.2 s at 1M memes); joined to every sent meme, the texts had
// the planner hash the whole memes table (0.65-1.8 s).
func (s *Store) SentMemes(ctx context.Context, userID int64, texts int) (sent []int64, taste []TasteReaction, err error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT meme_id FROM reactions WHERE user_id = $1`, userID)
	// The engine and the limit are written into the SQL, not sent as
	// parameters: the generic plan of a prepared statement guessed one taste
	// row and joined every sent meme to each of the 300 (8 s for the person
	// sent 100,000).
	b.Queue(fmt.Sprintf(`
SELECT l.meme_id, l.reaction, `+memeTextSQL+`
FROM (SELECT meme_id, reaction, reacted_at FROM reactions
      WHERE user_id = $1 AND reaction IS NOT NULL AND reacted_at IS NOT NULL AND engine <> '`+EngineApprovalLike+`'
      ORDER BY reacted_at DESC
      LIMIT %d) l
JOIN memes m ON m.id = l.meme_id
ORDER BY l.reacted_at DESC, l.meme_id`, max(0, texts)), userID)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err == nil {
		sent, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	if err != nil {
		return nil, nil, fmt.Errorf("storage: memes sent to %d: %w", userID, err)
	}
	rows, err = br.Query()
	if err == nil {
		taste, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (TasteReaction, error) {
			var m TasteReaction
			err := row.Scan(&m.MemeID, &m.Reaction, &m.Text.Says, &m.Text.SourceID, &m.Text.UploaderID)
			return m, err
		})
	}
	if err != nil {
		return nil, nil, fmt.Errorf("storage: taste of %d: %w", userID, err)
	}
	return sent, taste, nil
}
