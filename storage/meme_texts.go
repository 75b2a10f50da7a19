package storage

import (
	"context"
	"fmt"
)

// memeSaysSQL is what a meme m says: OCR text, caption and vision
// description, one string.
const memeSaysSQL = `m.ocr_text || ' ' || m.caption || ' ' || coalesce(m.description ->> 'text', '') || ' ' || coalesce(m.description ->> 'description', '')`

// memeTextSQL is memeSaysSQL, then where the meme came from: three columns,
// for MemeText.
const memeTextSQL = memeSaysSQL + `, m.source_id, m.uploader_id`

// MemeText is what a meme says and where it came from (its source, nil for
// an upload; its uploader, nil for a source's meme): the words the feed's
// content models read.
type MemeText struct {
	Says       string
	SourceID   *int64
	UploaderID *int64
}

// MemeTexts reads the texts of every approved meme, by meme.
func (r *FactorsRun) MemeTexts(ctx context.Context) (map[int64]MemeText, error) {
	return r.memeTexts(ctx, "")
}

// MemeTextsOf reads the texts of the approved memes among ids.
func (r *FactorsRun) MemeTextsOf(ctx context.Context, ids []int64) (map[int64]MemeText, error) {
	return r.memeTexts(ctx, "AND m.id = ANY($1)", ids)
}

// UnknownMemeTexts reads the texts of the approved memes, but for except,
// that have no vector solved from reactions yet.
func (r *FactorsRun) UnknownMemeTexts(ctx context.Context, except []int64) (map[int64]MemeText, error) {
	return r.memeTexts(ctx, `AND NOT EXISTS (SELECT 1 FROM meme_factors f WHERE f.meme_id = m.id AND f.reactions > 0)
    AND m.id <> ALL($1)`, except)
}

func (r *FactorsRun) memeTexts(ctx context.Context, where string, args ...any) (map[int64]MemeText, error) {
	return readMemeTexts(ctx, r.tx, "m.status = 'ok' "+where, args...)
}

// readMemeTexts reads what the memes the condition selects say, by meme.
func readMemeTexts(ctx context.Context, q pgxQuerier, cond string, args ...any) (map[int64]MemeText, error) {
	rows, err := q.Query(ctx, `SELECT m.id, `+memeTextSQL+` FROM memes m WHERE `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("read meme texts: %w", err)
	}
	defer rows.Close()
	out := map[int64]MemeText{}
	for rows.Next() {
		var id int64
		var t MemeText
		if err := rows.Scan(&id, &t.Says, &t.SourceID, &t.UploaderID); err != nil {
			return nil, fmt.Errorf("read meme texts: %w", err)
		}
		out[id] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read meme texts: %w", err)
	}
	return out, nil
}
