package storage

import (
	"context"
	"fmt"
	"time"

	"memebot/media"
)

// FanLikes is how many of an uploader's memes someone must have liked to
// count as a fan.
const FanLikes = 3

// UploadedMeme is one of an uploader's memes with what people made of it.
// Views are the times it was sent in the feed; the likes recorded for the
// uploader and the approving moderator at approval are not counted.
type UploadedMeme struct {
	MemeID          int64
	Type            media.Kind
	Status          string
	StatusReason    string
	CreatedAt       time.Time
	Views           int64
	Likes, Dislikes int64
}

// UploaderFigures are the totals over all of an uploader's memes.
type UploaderFigures struct {
	Memes, Approved int64
	Views           int64
	Likes, Dislikes int64
	// Fans counts people who liked at least FanLikes of the uploader's memes.
	Fans int64
}

// UploadedMemes lists an uploader's memes, newest first, skipping offset.
func (s *Store) UploadedMemes(ctx context.Context, uploaderID int64, offset, limit int) ([]UploadedMeme, error) {
	out, err := queryStructs[UploadedMeme](ctx, s.pool, `
SELECT m.id AS meme_id, m.type, m.status, m.status_reason, m.created_at,
       coalesce(r.views, 0) AS views, coalesce(r.likes, 0) AS likes, coalesce(r.dislikes, 0) AS dislikes
FROM (SELECT id, type, status, status_reason, created_at FROM memes
      WHERE uploader_id = $1 AND status <> $2
      ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4) m
LEFT JOIN LATERAL (
    SELECT count(*) AS views, count(*) FILTER (WHERE reaction = 1) AS likes,
           count(*) FILTER (WHERE reaction = 2) AS dislikes
    FROM reactions WHERE meme_id = m.id AND engine <> $5) r ON true
ORDER BY m.created_at DESC, m.id DESC`,
		uploaderID, MemeDuplicate, limit, offset, EngineApprovalLike)
	if err != nil {
		return nil, fmt.Errorf("storage: uploaded memes: %w", err)
	}
	return out, nil
}

// UploaderTotals adds up an uploader's memes (duplicates, which never
// became memes of their own, are left out) and counts their fans.
func (s *Store) UploaderTotals(ctx context.Context, uploaderID int64) (UploaderFigures, error) {
	var f UploaderFigures
	err := s.pool.QueryRow(ctx, `
WITH mine AS (SELECT id, status FROM memes WHERE uploader_id = $1 AND status <> $2),
     seen AS (SELECT r.user_id, r.reaction FROM reactions r JOIN mine ON mine.id = r.meme_id WHERE r.engine <> $3)
SELECT (SELECT count(*) FROM mine) AS memes,
       (SELECT count(*) FROM mine WHERE status = $4) AS approved,
       (SELECT count(*) FROM seen) AS views,
       (SELECT count(*) FROM seen WHERE reaction = 1) AS likes,
       (SELECT count(*) FROM seen WHERE reaction = 2) AS dislikes,
       (SELECT count(*) FROM (SELECT user_id FROM seen WHERE reaction = 1 AND user_id <> $1
                              GROUP BY user_id HAVING count(*) >= $5) f) AS fans`,
		uploaderID, MemeDuplicate, EngineApprovalLike, MemeOK, FanLikes).Scan(&f.Memes, &f.Approved, &f.Views, &f.Likes, &f.Dislikes, &f.Fans)
	if err != nil {
		return UploaderFigures{}, fmt.Errorf("storage: uploader totals: %w", err)
	}
	return f, nil
}
