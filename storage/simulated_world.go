package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// LoadPerson is a person of a simulated world: only what the feed reads.
type LoadPerson struct {
	ID        int64
	Languages []string
	Role      string
}

// CopyPeople writes people.
func (b *BulkLoad) CopyPeople(ctx context.Context, people []LoadPerson) error {
	rows := make([][]any, len(people))
	for i, p := range people {
		rows[i] = []any{p.ID, p.Languages, p.Role}
	}
	_, err := b.conn.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "languages", "role"}, pgx.CopyFromRows(rows))
	return err
}

// AddTelegramSource adds a Telegram channel with parsing enabled and
// returns its id.
func (b *BulkLoad) AddTelegramSource(ctx context.Context, handle, language string) (int64, error) {
	var id int64
	err := b.conn.QueryRow(ctx, `
INSERT INTO sources (platform, handle, language, status) VALUES ('telegram', $1, $2, 'parsing_enabled') RETURNING id`,
		handle, language).Scan(&id)
	return id, err
}

// ApprovedPhoto is a photo meme stored as approved, from a source or an
// uploader.
type ApprovedPhoto struct {
	SourceID, UploaderID *int64 // one of them
	Language, FileID     string
	Text                 string    // what its picture says
	PublishedAt          time.Time // when it went live
}

// InsertApprovedPhotos stores memes as approved, in order, in one statement,
// and returns their ids in the same order.
func (b *BulkLoad) InsertApprovedPhotos(ctx context.Context, memes []ApprovedPhoto) ([]int64, error) {
	n := len(memes)
	sources, uploaders := make([]*int64, n), make([]*int64, n)
	langs, files, texts := make([]string, n), make([]string, n), make([]string, n)
	published := make([]time.Time, n)
	for k, m := range memes {
		sources[k], uploaders[k] = m.SourceID, m.UploaderID
		langs[k], files[k], texts[k], published[k] = m.Language, m.FileID, m.Text, m.PublishedAt
	}
	rows, err := b.conn.Query(ctx, `
INSERT INTO memes (source_id, uploader_id, type, status, language, storage_file_id, ocr_text, published_at)
SELECT s, u, 'photo', $5, l, f, x, p
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $6::text[], $7::timestamptz[]) WITH ORDINALITY AS t(s, u, l, f, x, p, k)
ORDER BY k
RETURNING id`, sources, uploaders, langs, files, MemeOK, texts, published)
	if err != nil {
		return nil, fmt.Errorf("memes: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("memes: %w", err)
	}
	slices.Sort(ids) // ids are handed out in insertion order
	return ids, nil
}

// AddApprovalLikes records the likes an approval records (see
// EngineApprovalLike): users[i] liked memes[i], in one statement.
func (b *BulkLoad) AddApprovalLikes(ctx context.Context, users, memes []int64) error {
	_, err := b.conn.Exec(ctx, `
INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at)
SELECT u, m, $3, 1, now() FROM unnest($1::bigint[], $2::bigint[]) AS t(u, m)`, users, memes, EngineApprovalLike)
	if err != nil {
		return fmt.Errorf("approval likes: %w", err)
	}
	return nil
}
