package simulate

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

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
	u.Path = "/" + database
	err = storage.PrepareDatabase(ctx, u.String(), true,
		storage.Setting{Name: "synchronous_commit", Value: "off"},
		// Its rows all fit in memory: a random read costs what a sequential
		// one does (the usual setting for SSDs). At the default 4 the planner
		// hashed all of meme_stats (20,000 rows) to look up co_liked's 200
		// neighbours and all of memes for a person's 200 latest reactions.
		storage.Setting{Name: "random_page_cost", Value: "1.1"})
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	st, err := storage.Open(ctx, u.String(), log)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	// Writing the write-ahead log of every press, stats run and model run
	// cost CPU and disk for rows thrown away after the run.
	if err := st.UnlogTables(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("simulate: %w", err)
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
func storeWorld(ctx context.Context, store *storage.Store, w *World) error {
	return store.RunLoadTx(ctx, func(ctx context.Context, load *storage.BulkLoad) error {
		people := make([]storage.LoadPerson, 0, len(w.Users)+1)
		for _, u := range w.Users {
			langs := make([]string, len(u.Langs))
			for i, l := range u.Langs {
				langs[i] = languages[l]
			}
			people = append(people, storage.LoadPerson{ID: u.ID, Languages: langs, Role: "user"})
		}
		people = append(people, storage.LoadPerson{ID: w.moderatorID(), Languages: languages, Role: storage.RoleModerator})
		if err := load.CopyPeople(ctx, people); err != nil {
			return fmt.Errorf("simulate: users: %w", err)
		}
		for i := range w.Sources {
			id, err := load.AddTelegramSource(ctx, fmt.Sprintf("sim_channel_%d", i), languages[w.Sources[i].Lang])
			if err != nil {
				return fmt.Errorf("simulate: sources: %w", err)
			}
			w.Sources[i].ID = id
		}
		return insertMemes(ctx, load, w, 0, w.Initial)
	})
}

// insertMemes stores w.Memes[from:to] as approved memes, in order, and the
// approval likes of the uploads among them: two statements.
func insertMemes(ctx context.Context, load *storage.BulkLoad, w *World, from, to int) error {
	memes := make([]storage.ApprovedPhoto, to-from)
	for k := range memes {
		i := from + k
		m := w.Memes[i]
		memes[k] = storage.ApprovedPhoto{Language: languages[m.Lang], FileID: fmt.Sprintf("sim-%d", i), Text: m.Text,
			PublishedAt: w.publishedAt(i)}
		if m.Source >= 0 {
			memes[k].SourceID = &w.Sources[m.Source].ID
		} else {
			memes[k].UploaderID = &w.Users[m.Uploader].ID
		}
	}
	ids, err := load.InsertApprovedPhotos(ctx, memes)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
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
	if err := load.AddApprovalLikes(ctx, likeUsers, likeMemes); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	return nil
}

// epoch is the virtual clock's zero, as the rows and the feed see it.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// publishedAt is when meme i went live: a day before the run for the
// world's initial memes, on arrival for the others.
func (w *World) publishedAt(i int) time.Time {
	if i < w.Initial {
		return epoch.Add(-24 * time.Hour)
	}
	return epoch.Add(w.Memes[i].Arrival)
}
