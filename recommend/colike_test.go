package recommend

import (
	"math/rand/v2"
	"testing"

	"memebot/storage"
)

func (f *fixture) coLikes() map[[2]int64]int {
	return f.pairCounts(`SELECT meme_id, other_id, n FROM meme_colikes`)
}

func (f *fixture) pairCounts(query string) map[[2]int64]int {
	f.t.Helper()
	rows, err := f.db.Query(f.ctx, query)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[[2]int64]int{}
	for rows.Next() {
		var k [2]int64
		var n int
		if err := rows.Scan(&k[0], &k[1], &n); err != nil {
			f.t.Fatal(err)
		}
		out[k] = n
	}
	return out
}

// TestCoLikesIncrementalEqualsRebuild: likes arrive between several runs of
// the job; the counts equal those of one run over everything afterwards.
func TestCoLikesIncrementalEqualsRebuild(t *testing.T) {
	f := newFixture(t)
	memes := f.catalogue(25)
	for u := int64(1); u <= 4; u++ {
		f.user(u, "en")
	}
	job := NewCoLikes(f.st, f.feed.log)
	job.Window, job.Lag = 3, 0 // a small window: earlier likes carry over between runs
	rng := rand.New(rand.NewPCG(3, 4))
	runs := 0
	for batch := range 5 {
		for range 12 {
			u, m := int64(1+rng.IntN(4)), memes[rng.IntN(len(memes))]
			reaction, engine := storage.Like, LRSmoothed
			switch rng.IntN(5) {
			case 0:
				reaction = storage.Dislike
			case 1:
				engine = storage.EngineApprovalLike
			}
			f.exec(`INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at) VALUES ($1, $2, $3, $4, clock_timestamp())
ON CONFLICT DO NOTHING`, u, m, engine, reaction)
		}
		if batch%2 == 0 || batch == 4 {
			if _, err := job.Run(f.ctx); err != nil {
				t.Fatal(err)
			}
			runs++
		}
	}
	incremental := f.coLikes()
	if len(incremental) == 0 {
		t.Fatal("no co-likes counted")
	}
	f.exec(`TRUNCATE meme_colikes`)
	f.exec(`UPDATE stats_watermarks SET processed_until = 'epoch' WHERE name = 'colikes'`)
	res, err := job.Run(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := f.coLikes()
	if len(rebuilt) != len(incremental) {
		t.Fatalf("%d pairs after %d runs, %d after a rebuild", len(incremental), runs, len(rebuilt))
	}
	for k, n := range rebuilt {
		if incremental[k] != n {
			t.Errorf("pair %v: %d after %d runs, %d after a rebuild", k, incremental[k], runs, n)
		}
	}
	// Approval likes and dislikes make no pairs.
	var wrong int
	f.db.QueryRow(f.ctx, `
SELECT count(*) FROM meme_colikes c WHERE NOT EXISTS (
    SELECT 1 FROM reactions r WHERE r.meme_id = c.meme_id AND r.reaction = 1 AND r.engine <> $1)`,
		storage.EngineApprovalLike).Scan(&wrong)
	if wrong != 0 || res.Likes == 0 {
		t.Fatalf("%d pairs on memes with no taste like; rebuild read %d likes", wrong, res.Likes)
	}
}

func TestCoLikedServesWhatPeopleWhoLikeTheSameLiked(t *testing.T) {
	f := newFixture(t)
	memes := f.catalogue(12)
	for u := int64(1); u <= 5; u++ {
		f.user(u, "en")
	}
	// Users 1-4 like memes 0-3 and 4-5 together; user 5 likes meme 0.
	for u := int64(1); u <= 4; u++ {
		for _, m := range memes[:6] {
			f.exec(`INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at) VALUES ($1, $2, 'x', 1, clock_timestamp())`, u, m)
		}
		f.exec(`INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at) VALUES ($1, $2, 'x', 2, clock_timestamp())`, u, memes[8])
	}
	f.exec(`INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at) VALUES (5, $1, 'x', 1, clock_timestamp())`, memes[0])
	job := NewCoLikes(f.st, f.feed.log)
	job.Lag = 0
	if _, err := job.Run(f.ctx); err != nil {
		t.Fatal(err)
	}
	items, err := f.feed.Engines().Candidates(f.ctx, CoLiked, Query{UserID: 5, Languages: []string{"en"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, it := range items {
		got[it.MemeID] = true
	}
	for _, m := range memes[1:6] {
		if !got[m] {
			t.Errorf("meme %d, liked with meme 0 by four people, not proposed: %v", m, ids(items))
		}
	}
	if got[memes[0]] || got[memes[8]] || len(items) != 5 {
		t.Errorf("proposed %v; want memes 1-5 only (not the liked one, not the disliked one)", ids(items))
	}
}
