package recommend

import (
	"context"
	"fmt"
	"testing"
	"time"

	"memebot/kv"
	"memebot/kv/kvtest"
	"memebot/storage"
	"memebot/storage/storagetest"

	"github.com/jackc/pgx/v5/pgxpool"
)

// fixture is a fresh database and Redis namespace with helpers to populate them.
type fixture struct {
	t    testing.TB
	ctx  context.Context
	st   *storage.Store
	db   *pgxpool.Pool
	rdb  *kv.Redis
	feed *Feed
	seq  int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := storagetest.NewStore(t)
	rdb := kvtest.NewRedis(t)
	f := &fixture{t: t, ctx: context.Background(), st: st, db: storagetest.Pool(st), rdb: rdb}
	f.feed = NewFeed(st, rdb, Config{}, storagetest.Logger())
	t.Cleanup(f.feed.Close)
	return f
}

func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Exec(f.ctx, query, args...); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
}

func (f *fixture) user(id int64, langs ...string) {
	f.t.Helper()
	f.exec(`INSERT INTO users (id, languages) VALUES ($1, $2)`, id, langs)
}

func (f *fixture) source(handle, lang string) int64 {
	f.t.Helper()
	var id int64
	err := f.db.QueryRow(f.ctx, `INSERT INTO sources (platform, handle, language) VALUES ('telegram', $1, $2) RETURNING id`,
		handle, lang).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// memeSpec describes a meme; zero values mean an ok English photo from no source.
type memeSpec struct {
	status, lang string
	sourceID     int64
	uploaderID   int64
	published    time.Time // when it went live (zero: now)
}

func (f *fixture) meme(s memeSpec) int64 {
	f.t.Helper()
	if s.status == "" {
		s.status = storage.MemeOK
	}
	if s.lang == "" {
		s.lang = "en"
	}
	var published *time.Time
	if !s.published.IsZero() {
		published = &s.published
	}
	f.seq++
	var id int64
	err := f.db.QueryRow(f.ctx, `
INSERT INTO memes (source_id, uploader_id, type, status, language, caption, storage_file_id, published_at)
VALUES (NULLIF($1, 0), NULLIF($2, 0), 'photo', $3, $4, $5, $6, $7) RETURNING id`,
		s.sourceID, s.uploaderID, s.status, s.lang, fmt.Sprintf("caption %d", f.seq), fmt.Sprintf("file-%d", f.seq), published).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// popular gives a meme the figures that qualify it for every ranked engine.
func (f *fixture) popular(memeID int64, lr float64) {
	f.t.Helper()
	f.exec(`UPDATE meme_stats SET likes = 60, dislikes = 5, sent = 70, lr_smoothed = $2, last_liked_at = now() - make_interval(secs => $3)
WHERE meme_id = $1`, memeID, lr, float64(memeID))
}

func (f *fixture) sent(userID, memeID int64, reaction int, at time.Time) {
	f.t.Helper()
	var r any
	var reactedAt any
	if reaction != 0 {
		r, reactedAt = reaction, at.Add(5*time.Second)
	}
	f.exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at) VALUES ($1, $2, 'test', $3, $4, $5)`,
		userID, memeID, at, r, reactedAt)
}

func (f *fixture) queue(userID int64) []Item {
	f.t.Helper()
	raw, err := f.rdb.LRange(f.ctx, f.feed.queueKey(userID), 0, -1).Result()
	if err != nil {
		f.t.Fatal(err)
	}
	items := make([]Item, 0, len(raw))
	for _, r := range raw {
		var it Item
		if err := jsonUnmarshal(r, &it); err != nil {
			f.t.Fatal(err)
		}
		items = append(items, it)
	}
	return items
}
