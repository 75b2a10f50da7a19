package seed_test

import (
	"context"
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
		if err := st.SQL().QueryRowContext(ctx, query).Scan(&v); err != nil {
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
		{"meme_stats indexes rebuilt", `SELECT count(*) FROM pg_indexes WHERE tablename = 'meme_stats'`, 9, 9},
		{"reacted after sent", `SELECT count(*) FROM reactions WHERE reacted_at < sent_at`, 0, 0},
	}
	for _, c := range checks {
		if v := q(c.query); v < c.min || v > c.max {
			t.Errorf("%s = %v, want %v..%v", c.name, v, c.min, c.max)
		}
	}
}
