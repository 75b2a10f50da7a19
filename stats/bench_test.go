package stats_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"memebot/seed/seedtest"
	"memebot/stats"
	"memebot/storage/storagetest"
)

// BenchmarkIncrementalRun: one stats run after 30,000 new reactions on the
// seeded data set (MEMEBOT_BENCH_SEED=1).
func BenchmarkIncrementalRun(b *testing.B) {
	st := seedtest.BigStore(b)
	ctx := context.Background()
	job := stats.New(st, stats.DefaultOptions(), storagetest.Logger())
	if _, err := job.Run(ctx); err != nil { // catch up first
		b.Fatal(err)
	}
	var users []int64
	rows, err := storagetest.SQL(st).Query(`SELECT id FROM users`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		users = append(users, id)
	}
	rows.Close()
	var minMeme, maxMeme int64
	storagetest.SQL(st).QueryRow(`SELECT min(id), max(id) FROM memes`).Scan(&minMeme, &maxMeme)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))

	for range b.N {
		b.StopTimer()
		// The job's own watermark: stats_watermarks holds others too (colikes),
		// and reactions stamped before this one are never read by design.
		var from time.Time
		storagetest.SQL(st).QueryRow(`SELECT processed_until FROM stats_watermarks WHERE name = 'reactions'`).Scan(&from)
		until := time.Now().Add(-stats.DefaultOptions().Lag - 2*time.Second)
		if !until.After(from.Add(time.Second)) {
			time.Sleep(from.Sub(until) + 2*time.Second)
			until = time.Now().Add(-stats.DefaultOptions().Lag - 2*time.Second)
		}
		const n = 30000
		us, ms, sent, reacted := make([]int64, n), make([]int64, n), make([]time.Time, n), make([]time.Time, n)
		likes := make([]int16, n)
		span := until.Sub(from) - 10*time.Millisecond
		for i := range n {
			us[i] = users[rng.IntN(len(users))]
			ms[i] = minMeme + rng.Int64N(maxMeme-minMeme+1)
			sent[i] = from.Add(time.Duration(float64(span) * float64(i+1) / (n + 1) * 0.9))
			reacted[i] = sent[i].Add(span / 20)
			likes[i] = int16(1 + rng.IntN(2))
		}
		inserted, err := storagetest.SQL(st).ExecContext(ctx, `
INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamptz[], $5::smallint[], $6::timestamptz[])
ON CONFLICT DO NOTHING`, us, ms, repeat("bench", n), sent, likes, reacted)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := job.Run(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		// Every reaction in the run's window is counted: the ones inserted
		// here, and any another benchmark wrote within the job's lag before
		// (CoLikesJobSeeded's, when the two run back to back).
		var to time.Time
		var want int64
		storagetest.SQL(st).QueryRow(`SELECT processed_until FROM stats_watermarks WHERE name = 'reactions'`).Scan(&to)
		storagetest.SQL(st).QueryRow(`SELECT count(*) FROM reactions
WHERE reacted_at > $1 AND reacted_at <= $2 AND reaction IS NOT NULL`, from, to).Scan(&want)
		if ours, _ := inserted.RowsAffected(); int64(res.Reactions) != want || want < ours {
			b.Fatalf("run processed %d reactions, %d are in its window (%d inserted here)", res.Reactions, want, ours)
		}
		b.ReportMetric(float64(res.Reactions), "reactions/run")
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
