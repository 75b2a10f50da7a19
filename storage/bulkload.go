package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"memebot/media"
)

// BulkLoad writes a synthetic data set (packages seed and simulate) with
// COPY and statements over arrays, on a connection of its own
// (RunBulkLoad) or in a transaction (RunLoadTx).
type BulkLoad struct{ conn loadConn }

// loadConn is what a connection and a transaction both answer.
type loadConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// RunBulkLoad runs fn on a connection taken out of the pool, with room for
// building indexes: the load changes session settings, so the connection
// is closed when fn returns.
func (s *Store) RunBulkLoad(ctx context.Context, fn func(ctx context.Context, load *BulkLoad) error) error {
	pooled, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("storage: bulk load: connection: %w", err)
	}
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `SET maintenance_work_mem = '1GB'`); err != nil {
		return fmt.Errorf("storage: bulk load: %w", err)
	}
	return fn(ctx, &BulkLoad{conn: conn})
}

// RunLoadTx runs fn in a transaction on a connection of the pool; it
// commits when fn returns nil.
func (s *Store) RunLoadTx(ctx context.Context, fn func(ctx context.Context, load *BulkLoad) error) error {
	return s.pgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error { return fn(ctx, &BulkLoad{conn: tx}) })
}

// SourcesWithHandlePrefix counts the sources whose handle starts with
// prefix and their memes (how a data set finds its own earlier copy).
func (b *BulkLoad) SourcesWithHandlePrefix(ctx context.Context, prefix string) (sources, memes int64, err error) {
	err = b.conn.QueryRow(ctx, `
SELECT count(DISTINCT s.id), count(m.id) FROM sources s LEFT JOIN memes m ON m.source_id = s.id
WHERE starts_with(s.handle, $1)`, prefix).Scan(&sources, &memes)
	if err != nil {
		return 0, 0, fmt.Errorf("look for an earlier data set: %w", err)
	}
	return sources, memes, nil
}

// FreeIDs are the first ids above every stored user, meme and source.
type FreeIDs struct{ User, Meme, Source int64 }

// FreeIDs returns the first free ids, the user's at least minUser.
func (b *BulkLoad) FreeIDs(ctx context.Context, minUser int64) (FreeIDs, error) {
	var ids FreeIDs
	err := b.conn.QueryRow(ctx, `
SELECT GREATEST((SELECT COALESCE(max(id), 0) + 1 FROM users), $1),
       (SELECT COALESCE(max(id), 0) + 1 FROM memes), (SELECT COALESCE(max(id), 0) + 1 FROM sources)`, minUser).
		Scan(&ids.User, &ids.Meme, &ids.Source)
	if err != nil {
		return ids, fmt.Errorf("id bases: %w", err)
	}
	return ids, nil
}

// LoadUser is a person of a data set.
type LoadUser struct {
	ID                  int64
	Username, FirstName string
	Languages           []string // the first is the language code
	Role                string
	LastActiveAt        time.Time
	CreatedAt           time.Time
}

// CopyUsers writes users.
func (b *BulkLoad) CopyUsers(ctx context.Context, users []LoadUser) error {
	rows := make([][]any, len(users))
	for i, u := range users {
		rows[i] = []any{u.ID, u.Username, u.FirstName, u.Languages[0], u.Languages, u.Role, u.LastActiveAt, u.CreatedAt, u.CreatedAt}
	}
	_, err := b.conn.CopyFrom(ctx, pgx.Identifier{"users"},
		[]string{"id", "username", "first_name", "language_code", "languages", "role", "last_active_at", "created_at", "updated_at"},
		pgx.CopyFromRows(rows))
	return err
}

// LoadSource is a source of a data set.
type LoadSource struct {
	ID                         int64
	Platform, Handle, Language string
}

// CopySources writes sources, all parsing enabled, and moves the sources'
// id sequence past them.
func (b *BulkLoad) CopySources(ctx context.Context, sources []LoadSource) error {
	rows := make([][]any, len(sources))
	for i, s := range sources {
		rows[i] = []any{s.ID, s.Platform, s.Handle, s.Language, "parsing_enabled"}
	}
	_, err := b.conn.CopyFrom(ctx, pgx.Identifier{"sources"}, []string{"id", "platform", "handle", "language", "status"}, pgx.CopyFromRows(rows))
	if err != nil {
		return err
	}
	_, err = b.conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('sources', 'id'), (SELECT max(id) FROM sources))`)
	return err
}

// LoadMeme is an approved meme of a data set.
type LoadMeme struct {
	ID, SourceID int64
	UploaderID   *int64
	Kind         media.Kind
	Language     string
	FileID       string
	CreatedAt    time.Time
	Text         string // what its picture says
}

// CopyMemes writes the memes next returns until it says no more (triggers
// off for this session when allowed), moves the memes' id sequence past
// them, and creates their meme_stats and search rows, each in one
// statement. The memes' ids are at least firstID.
func (b *BulkLoad) CopyMemes(ctx context.Context, firstID int64, next func() (LoadMeme, bool)) error {
	src := pgx.CopyFromFunc(func() ([]any, error) {
		m, ok := next()
		if !ok {
			return nil, nil
		}
		var uploader any
		if m.UploaderID != nil {
			uploader = *m.UploaderID
		}
		return []any{m.ID, m.SourceID, uploader, string(m.Kind), MemeOK, m.Language, "", m.FileID,
			m.CreatedAt, m.CreatedAt, m.CreatedAt, m.Text}, nil
	})
	return b.withReplicationRole(ctx, func() error {
		_, err := b.conn.CopyFrom(ctx, pgx.Identifier{"memes"}, []string{"id", "source_id", "uploader_id", "type", "status",
			"language", "caption", "storage_file_id", "created_at", "updated_at", "published_at", "ocr_text"}, src)
		if err != nil {
			return err
		}
		if _, err := b.conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('memes', 'id'), (SELECT max(id) FROM memes))`); err != nil {
			return err
		}
		_, err = b.conn.Exec(ctx, `
INSERT INTO meme_stats (meme_id, serving, language, source_id, uploaded, published_at)
SELECT id, status = 'ok', language, source_id, uploader_id IS NOT NULL, coalesce(published_at, created_at) FROM memes WHERE id >= $1
ON CONFLICT (meme_id) DO NOTHING`, firstID)
		if err != nil {
			return err
		}
		return b.WithoutIndexes(ctx, "meme_search", func() error {
			_, err := b.conn.Exec(ctx, `
INSERT INTO meme_search (meme_id, doc)
SELECT id, meme_search_doc(ocr_text, caption, description) FROM memes
WHERE id >= $1 AND status = 'ok' AND storage_file_id <> ''
ON CONFLICT (meme_id) DO NOTHING`, firstID)
			return err
		})
	})
}

// withReplicationRole runs fn with triggers and foreign-key checks off for
// this session (superuser only); without the privilege they simply stay on.
func (b *BulkLoad) withReplicationRole(ctx context.Context, fn func() error) error {
	if _, err := b.conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		return fn()
	}
	defer b.conn.Exec(context.WithoutCancel(ctx), `SET session_replication_role = DEFAULT`)
	return fn()
}

// LoadReaction is a meme sent to a person of a data set, and what they
// pressed.
type LoadReaction struct {
	UserID, MemeID int64
	Engine         string
	SentAt         time.Time
	Reaction       int16     // Like, Dislike, or 0 for none
	ReactedAt      time.Time // when Reaction is not 0
}

// CopyReactions writes the reactions of every batch until batches is
// closed; rows in primary key order load fastest.
func (b *BulkLoad) CopyReactions(ctx context.Context, batches <-chan []LoadReaction) error {
	_, err := b.conn.CopyFrom(ctx, pgx.Identifier{"reactions"},
		[]string{"user_id", "meme_id", "engine", "sent_at", "reaction", "reacted_at"}, &reactionBatches{ch: batches})
	return err
}

// reactionBatches feeds COPY from a channel of batches.
type reactionBatches struct {
	ch    <-chan []LoadReaction
	batch []LoadReaction
	i     int
}

func (s *reactionBatches) Next() bool {
	s.i++
	for s.i >= len(s.batch) {
		b, ok := <-s.ch
		if !ok {
			return false
		}
		s.batch, s.i = b, 0
	}
	return true
}

func (s *reactionBatches) Values() ([]any, error) {
	r := &s.batch[s.i]
	if r.Reaction == 0 {
		return []any{r.UserID, r.MemeID, r.Engine, r.SentAt, nil, nil}, nil
	}
	return []any{r.UserID, r.MemeID, r.Engine, r.SentAt, r.Reaction, r.ReactedAt}, nil
}

func (s *reactionBatches) Err() error { return nil }

// WithoutIndexes drops the table's secondary indexes (not those backing
// constraints), runs fn, and builds them again, which is much faster than
// maintaining them row by row during a bulk load.
func (b *BulkLoad) WithoutIndexes(ctx context.Context, table string, fn func() error) (err error) {
	rows, err := b.conn.Query(ctx, `
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = current_schema() AND i.tablename = $1
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`, table)
	if err != nil {
		return err
	}
	var names, defs []string
	var name, def string
	if _, err := pgx.ForEachRow(rows, []any{&name, &def}, func() error {
		names, defs = append(names, name), append(defs, def)
		return nil
	}); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := b.conn.Exec(ctx, `DROP INDEX `+pgx.Identifier{n}.Sanitize()); err != nil {
			return err
		}
	}
	defer func() {
		for _, d := range defs {
			if _, e := b.conn.Exec(context.WithoutCancel(ctx), d); e != nil && err == nil {
				err = fmt.Errorf("rebuild index: %w", e)
			}
		}
	}()
	return fn()
}
