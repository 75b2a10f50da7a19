package seed_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"memebot/seed"
	"memebot/storage/storagetest"
)

func TestRunWritesASkewedConsistentDataSet(t *testing.T) {
	st := storagetest.NewStore(t)
	ctx := context.Background()
	opts := seed.Options{Users: 300, Memes: 3000, Reactions: 30000, Seed: 1}
	if err := seed.Run(ctx, st, opts); err != nil {
		t.Fatal(err)
	}
	q := func(query string) float64 {
		t.Helper()
		var v float64
		if err := storagetest.SQL(st).QueryRowContext(ctx, query).Scan(&v); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return v
	}
	checks := []struct {
		name     string
		query    string
		min, max float64
	}{
		{"users", `SELECT count(*) FROM users`, 300, 300},
		{"memes", `SELECT count(*) FROM memes WHERE status = 'ok' AND storage_file_id <> ''`, 3000, 3000},
		{"reactions", `SELECT count(*) FROM reactions`, 29900, 30100},
		{"user languages", `SELECT count(DISTINCT languages) FROM users`, 3, 10},
		{"like share", `SELECT avg((reaction = 1)::int) FROM reactions WHERE reaction IS NOT NULL`, 0.33, 0.47},
		{"unreacted share", `SELECT avg((reaction IS NULL)::int) FROM reactions`, 0.02, 0.08},
		{"reactions outside the user's languages", `
SELECT count(*) FROM reactions r JOIN users u ON u.id = r.user_id JOIN memes m ON m.id = r.meme_id
WHERE NOT m.language = ANY(u.languages)`, 0, 0},
		{"share of reactions on the top 5% memes", `
SELECT sum(n) / (SELECT count(*) FROM reactions) FROM (
    SELECT count(*) AS n FROM reactions GROUP BY meme_id ORDER BY n DESC LIMIT 150) t`, 0.20, 0.9},
		{"share of reactions by the top 10% users", `
SELECT sum(n) / (SELECT count(*) FROM reactions) FROM (
    SELECT count(*) AS n FROM reactions GROUP BY user_id ORDER BY n DESC LIMIT 30) t`, 0.35, 0.95},
		{"meme_stats likes match reactions", `
SELECT abs((SELECT sum(likes) FROM meme_stats) - (SELECT count(*) FROM reactions WHERE reaction = 1))`, 0, 0},
		{"meme_stats sent match reactions", `
SELECT abs((SELECT sum(sent) FROM meme_stats) - (SELECT count(*) FROM reactions))`, 0, 0},
		{"memes with lr_smoothed", `SELECT count(*) FROM meme_stats WHERE lr_smoothed <> 0`, 100, 3000},
		{"user_stats rows", `SELECT count(*) FROM user_stats`, 250, 300},
		{"reactions indexes rebuilt", `SELECT count(*) FROM pg_indexes WHERE tablename = 'reactions'`, 5, 5},
		{"meme_stats indexes rebuilt", `SELECT count(*) FROM pg_indexes WHERE tablename = 'meme_stats'`, 10, 10},
		{"reacted after sent", `SELECT count(*) FROM reactions WHERE reacted_at < sent_at`, 0, 0},
	}
	for _, c := range checks {
		if v := q(c.query); v < c.min || v > c.max {
			t.Errorf("%s = %v, want %v..%v", c.name, v, c.min, c.max)
		}
	}
}

// TestRunTwiceWritesNothingTheSecondTime: seeding the same data set again is
// refused before anything is written (it used to die half-way on a duplicate
// key); another seed adds a second data set next to the first.
func TestRunTwiceWritesNothingTheSecondTime(t *testing.T) {
	st := storagetest.NewStore(t)
	ctx := context.Background()
	count := func() (users, memes, reactions int) {
		t.Helper()
		err := storagetest.SQL(st).QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM memes), (SELECT count(*) FROM reactions)`).
			Scan(&users, &memes, &reactions)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	opts := seed.Options{Users: 40, Memes: 200, Reactions: 1000, Seed: 7}
	if err := seed.Run(ctx, st, opts); err != nil {
		t.Fatal(err)
	}
	u1, m1, r1 := count()

	err := seed.Run(ctx, st, opts)
	if !errors.Is(err, seed.ErrAlreadySeeded) || !strings.Contains(err.Error(), "--seed 7") {
		t.Fatalf("second run: %v; want ErrAlreadySeeded naming the seed", err)
	}
	if u, m, r := count(); u != u1 || m != m1 || r != r1 {
		t.Fatalf("second run wrote rows: users %d->%d, memes %d->%d, reactions %d->%d", u1, u, m1, m, r1, r)
	}

	opts.Seed = 8
	if err := seed.Run(ctx, st, opts); err != nil {
		t.Fatalf("another seed: %v", err)
	}
	if u, m, _ := count(); u != 2*u1 || m != 2*m1 {
		t.Fatalf("another seed: %d users, %d memes; want %d and %d", u, m, 2*u1, 2*m1)
	}
}
