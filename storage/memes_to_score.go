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
	Text  MemeText
}

// SentMemes reads every meme sent to the person, latest reaction first,
// those not reacted to last.
func (s *Store) SentMemes(ctx context.Context, userID int64) ([]SentMeme, error) {
	rows, err := s.pool.Query(ctx, `
SELECT r.meme_id, coalesce(r.reaction, 0), r.engine <> $2, `+memeTextSQL+`
FROM reactions r JOIN memes m ON m.id = r.meme_id
WHERE r.user_id = $1
ORDER BY r.reacted_at DESC NULLS LAST`, userID, EngineApprovalLike)
	if err != nil {
		return nil, fmt.Errorf("storage: memes sent to %d: %w", userID, err)
	}
	defer rows.Close()
	var out []SentMeme
	for rows.Next() {
		var m SentMeme
		if err := rows.Scan(&m.MemeID, &m.Reaction, &m.Taste, &m.Text.Says, &m.Text.SourceID, &m.Text.UploaderID); err != nil {
			return nil, fmt.Errorf("storage: memes sent to %d: %w", userID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: memes sent to %d: %w", userID, err)
	}
	return out, nil
}
