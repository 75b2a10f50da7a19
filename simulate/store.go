package simulate

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"memebot/kv"
	"memebot/storage"
)

// Database is the default name of the simulation's own database, next to
// the one DATABASE_URL names; it is dropped and created again for every run.
// Its Redis keys take the same name, with dashes, as their prefix.
const Database = "memebot_simulate"

var validName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func redisPrefix(database string) string { return strings.ReplaceAll(database, "_", "-") }

// freshStore recreates the simulation database on the server of baseURL,
// migrates it and opens it. Its rows need not survive a crash:
// synchronous_commit is off and its tables are unlogged.
func freshStore(ctx context.Context, baseURL, database string, log *slog.Logger) (*storage.Store, error) {
	if !validName.MatchString(database) {
		return nil, fmt.Errorf("simulate: database name %q: want lower-case letters, digits and _", database)
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("simulate: database url: %w", err)
	}
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return nil, fmt.Errorf("simulate: connect to the server: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, stmt := range []string{
		"DROP DATABASE IF EXISTS " + database + " WITH (FORCE)",
		"CREATE DATABASE " + database,
		"ALTER DATABASE " + database + " SET synchronous_commit = off",
		// Its rows all fit in memory: a random read costs what a sequential
		// one does (the usual setting for SSDs). At the default 4 the planner
		// hashed all of meme_stats (20,000 rows) to look up co_liked's 200
		// neighbours and all of memes for a person's 200 latest reactions.
		"ALTER DATABASE " + database + " SET random_page_cost = 1.1",
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return nil, fmt.Errorf("simulate: %s: %w", strings.Fields(stmt)[0], err)
		}
	}
	u.Path = "/" + database
	st, err := storage.Open(ctx, u.String(), log)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := unlogTables(ctx, st); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// unlogTables makes every table of the simulation's database unlogged: its
// rows are thrown away after the run, and writing the write-ahead log of
// every press, stats run and model run cost CPU and disk for nothing. A
// permanent table may not reference an unlogged one, so the tables are
// converted referencing ones first: each pass converts those no permanent
// table references any more.
func unlogTables(ctx context.Context, st *storage.Store) error {
	db := st.Pool()
	for {
		var tables []string
		err := db.QueryRow(ctx, `
SELECT coalesce(array_agg(format('%I', c.relname)), '{}')
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relpersistence = 'p'
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid
      WHERE k.contype = 'f' AND k.confrelid = c.oid AND k.conrelid <> c.oid AND r.relpersistence = 'p')`).Scan(&tables)
		if err != nil {
			return fmt.Errorf("simulate: tables to unlog: %w", err)
		}
		if len(tables) == 0 {
			return nil
		}
		for _, t := range tables {
			if _, err := db.Exec(ctx, "ALTER TABLE "+t+" SET UNLOGGED"); err != nil {
				return fmt.Errorf("simulate: unlog %s: %w", t, err)
			}
		}
	}
}

// freshRedis opens Redis with the simulation's prefix and deletes its keys.
func freshRedis(ctx context.Context, redisURL, prefix string) (*kv.Redis, error) {
	rdb, err := kv.Open(ctx, redisURL, prefix)
	if err != nil {
		return nil, err
	}
	iter := rdb.Scan(ctx, 0, prefix+":*", 1000).Iterator()
	for iter.Next(ctx) {
		if err := rdb.Del(ctx, iter.Val()).Err(); err != nil {
			return nil, fmt.Errorf("simulate: clear redis: %w", err)
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("simulate: clear redis: %w", err)
	}
	return rdb, nil
}

// moderatorID is the moderator who approves every upload (and likes it, as
// an approval does).
func (w *World) moderatorID() int64 { return int64(len(w.Users) + 1) }

// storeWorld writes the users, sources and initial memes, each upload with
// the likes an approval records (uploader and moderator).
func storeWorld(ctx context.Context, store *storage.Store, w *World) error {
	return store.PgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		users := make([][]any, 0, len(w.Users)+1)
		for _, u := range w.Users {
			langs := make([]string, len(u.Langs))
			for i, l := range u.Langs {
				langs[i] = languages[l]
			}
			users = append(users, []any{u.ID, langs, "user"})
		}
		users = append(users, []any{w.moderatorID(), languages, storage.RoleModerator})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "languages", "role"}, pgx.CopyFromRows(users)); err != nil {
			return fmt.Errorf("simulate: users: %w", err)
		}
		for i := range w.Sources {
			err := tx.QueryRow(ctx, `
INSERT INTO sources (platform, handle, language, status) VALUES ('telegram', $1, $2, 'parsing_enabled') RETURNING id`,
				fmt.Sprintf("sim_channel_%d", i), languages[w.Sources[i].Lang]).Scan(&w.Sources[i].ID)
			if err != nil {
				return fmt.Errorf("simulate: sources: %w", err)
			}
		}
		return insertMemes(ctx, tx, w, 0, w.Initial)
	})
}

// insertMemes stores w.Memes[from:to] as approved memes, in order, and the
// approval likes of the uploads among them: two statements.
func insertMemes(ctx context.Context, tx pgx.Tx, w *World, from, to int) error {
	n := to - from
	sources, uploaders := make([]*int64, n), make([]*int64, n)
	langs, files, texts := make([]string, n), make([]string, n), make([]string, n)
	for k := range n {
		i := from + k
		m := w.Memes[i]
		if m.Source >= 0 {
			sources[k] = &w.Sources[m.Source].ID
		} else {
			uploaders[k] = &w.Users[m.Uploader].ID
		}
		langs[k], files[k], texts[k] = languages[m.Lang], fmt.Sprintf("sim-%d", i), m.Text
	}
	rows, err := tx.Query(ctx, `
INSERT INTO memes (source_id, uploader_id, type, status, language, storage_file_id, ocr_text)
SELECT s, u, 'photo', $5, l, f, x FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $6::text[]) WITH ORDINALITY AS t(s, u, l, f, x, k)
ORDER BY k
RETURNING id`, sources, uploaders, langs, files, storage.MemeOK, texts)
	if err != nil {
		return fmt.Errorf("simulate: memes: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("simulate: memes: %w", err)
	}
	slices.Sort(ids) // ids are handed out in insertion order
	var likeUsers, likeMemes []int64
	for k, id := range ids {
		i := from + k
		w.Memes[i].ID = id
		if u := w.Memes[i].Uploader; u >= 0 {
			likeUsers = append(likeUsers, w.Users[u].ID, w.moderatorID())
			likeMemes = append(likeMemes, id, id)
		}
	}
	if len(likeUsers) == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, `
INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at)
SELECT u, m, $3, 1, now() FROM unnest($1::bigint[], $2::bigint[]) AS t(u, m)`, likeUsers, likeMemes, storage.EngineApprovalLike)
	if err != nil {
		return fmt.Errorf("simulate: approval likes: %w", err)
	}
	return nil
}
