package simulate

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

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
// migrates it and opens it. Commits there need not survive a crash:
// synchronous_commit is off.
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
	return st, nil
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
func storeWorld(ctx context.Context, db *sql.DB, w *World) error {
	return withPgx(ctx, db, func(conn *pgx.Conn) error {
		users := make([][]any, 0, len(w.Users)+1)
		for _, u := range w.Users {
			langs := make([]string, len(u.Langs))
			for i, l := range u.Langs {
				langs[i] = languages[l]
			}
			users = append(users, []any{u.ID, langs, "user"})
		}
		users = append(users, []any{w.moderatorID(), languages, storage.RoleModerator})
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "languages", "role"}, pgx.CopyFromRows(users)); err != nil {
			return fmt.Errorf("users: %w", err)
		}
		for i := range w.Sources {
			err := conn.QueryRow(ctx, `
INSERT INTO sources (platform, handle, language, status) VALUES ('telegram', $1, $2, 'parsing_enabled') RETURNING id`,
				fmt.Sprintf("sim_channel_%d", i), languages[w.Sources[i].Lang]).Scan(&w.Sources[i].ID)
			if err != nil {
				return fmt.Errorf("sources: %w", err)
			}
		}
		return insertMemes(ctx, conn, w, 0, w.Initial)
	})
}

// insertMemes stores w.Memes[from:to] as approved memes, in order, and the
// approval likes of the uploads among them.
func insertMemes(ctx context.Context, conn *pgx.Conn, w *World, from, to int) error {
	rows := make([][]any, 0, to-from)
	for i := from; i < to; i++ {
		m := w.Memes[i]
		var source, uploader *int64
		if m.Source >= 0 {
			source = &w.Sources[m.Source].ID
		} else {
			uploader = &w.Users[m.Uploader].ID
		}
		rows = append(rows, []any{source, uploader, "photo", storage.MemeOK, languages[m.Lang], fmt.Sprintf("sim-%d", i)})
	}
	cols := []string{"source_id", "uploader_id", "type", "status", "language", "storage_file_id"}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"memes"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("memes: %w", err)
	}
	// Ids are handed out in insertion order: the newest (to-from) are ours.
	idRows, err := conn.Query(ctx, `SELECT id FROM memes ORDER BY id DESC LIMIT $1`, to-from)
	if err != nil {
		return fmt.Errorf("meme ids: %w", err)
	}
	ids, err := pgx.CollectRows(idRows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("meme ids: %w", err)
	}
	var likes [][]any
	for k, id := range ids {
		i := to - 1 - k
		w.Memes[i].ID = id
		if u := w.Memes[i].Uploader; u >= 0 {
			likes = append(likes, []any{w.Users[u].ID, id}, []any{w.moderatorID(), id})
		}
	}
	if len(likes) == 0 {
		return nil
	}
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS approval_likes (user_id BIGINT, meme_id BIGINT)`); err != nil {
		return err
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"approval_likes"}, []string{"user_id", "meme_id"}, pgx.CopyFromRows(likes)); err != nil {
		return fmt.Errorf("approval likes: %w", err)
	}
	_, err = conn.Exec(ctx, `
INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at)
SELECT user_id, meme_id, $1, 1, now() FROM approval_likes`, storage.EngineApprovalLike)
	if err != nil {
		return fmt.Errorf("approval likes: %w", err)
	}
	_, err = conn.Exec(ctx, `TRUNCATE approval_likes`)
	return err
}

func withPgx(ctx context.Context, db *sql.DB, fn func(*pgx.Conn) error) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("simulate: connection: %w", err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("driver connection is %T, not pgx", dc)
		}
		return fn(pc.Conn())
	})
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	return nil
}
