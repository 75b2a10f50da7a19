package storage

import (
	"context"
	"fmt"
	"time"
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

// SentMeme is a meme sent to a person, as the feed's models learn their
// taste from it.
type SentMeme struct {
	MemeID   int64
	Reaction int16 // Like, Dislike, or 0 for none yet
	// Taste is false for the uploader's own approval like, which says
	// nothing of taste.
	Taste bool
	// Text is what the meme says, read for the person's latest likes and
	// dislikes that count for taste only (the zero MemeText for the others).
	Text MemeText
}

// SentMemes reads every meme sent to the person, latest reaction first,
// those not reacted to last, with the text of the memes of their latest
// `texts` likes and dislikes that count for taste (Taste): the first
// `texts` such rows in this order. Only those memes are read: joined to
// every sent meme, a person sent 137,000 memes had the planner hash the
// whole memes table (0.65-1.8 s at 1M memes, now 0.2 s), and one sent
// 1,500 waited on 1,500 memes' rows for the 300 the feed learns from
// (30-60 ms, now 4 ms).
func (s *Store) SentMemes(ctx context.Context, userID int64, texts int) ([]SentMeme, error) {
	// Among reactions at the same instant the ones read come first, so that
	// the first `texts` taste rows are exactly the ones read. The engine and
	// the limit are written into the SQL, not sent as parameters: the
	// generic plan of a prepared statement guessed one taste row and joined
	// every sent meme to each of the 300 (8 s for the person sent 100,000).
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`
WITH taste AS (
    SELECT l.meme_id, `+memeSaysSQL+` AS says, m.source_id, m.uploader_id
    FROM (SELECT meme_id FROM reactions
          WHERE user_id = $1 AND reaction IS NOT NULL AND reacted_at IS NOT NULL AND engine <> '`+EngineApprovalLike+`'
          ORDER BY reacted_at DESC
          LIMIT %d) l
    JOIN memes m ON m.id = l.meme_id
)
SELECT r.meme_id, coalesce(r.reaction, 0), r.engine <> '`+EngineApprovalLike+`', t.says, t.source_id, t.uploader_id
FROM reactions r LEFT JOIN taste t ON t.meme_id = r.meme_id
WHERE r.user_id = $1
ORDER BY r.reacted_at DESC NULLS LAST, t.meme_id IS NULL, r.meme_id`, max(0, texts)), userID)
	if err != nil {
		return nil, fmt.Errorf("storage: memes sent to %d: %w", userID, err)
	}
	defer rows.Close()
	var out []SentMeme
	for rows.Next() {
		var m SentMeme
		var says *string
		if err := rows.Scan(&m.MemeID, &m.Reaction, &m.Taste, &says, &m.Text.SourceID, &m.Text.UploaderID); err != nil {
			return nil, fmt.Errorf("storage: memes sent to %d: %w", userID, err)
		}
		if says != nil {
			m.Text.Says = *says
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: memes sent to %d: %w", userID, err)
	}
	return out, nil
}
