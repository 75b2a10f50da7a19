package recommend

import (
	"testing"
	"time"

	"memebot/seed/seedtest"
)

// BenchmarkFactorsJob: the factors job folding in 30,000 new reactions
// (2,000 people x 15) on a model rebuilt from 100,000 earlier ones (10,000
// people, 20,000 memes with six words each).
func BenchmarkFactorsJob(b *testing.B) {
	if seedtestEnabled() {
		b.Skip("small data set only")
	}
	f, _ := benchFeed(b, 20000)
	f.exec(`UPDATE memes SET ocr_text = 'w' || id % 500 || ' w' || id % 71 || ' w' || id % 13 || ' x' || id % 997 || ' x' || id % 331 || ' y' || id % 7`)
	f.exec(`INSERT INTO users (id, languages) SELECT g, '{en}' FROM generate_series(100, 10099) g`)
	f.exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at)
SELECT u, m.id, 'lr_smoothed', now() - interval '2 days', 1 + (u + m.id) % 2, now() - interval '2 days' + make_interval(secs => m.id)
FROM generate_series(100, 10099) u CROSS JOIN LATERAL (SELECT id FROM memes ORDER BY (id * u) % 19997 LIMIT 10) m`)
	job := NewFactors(f.st, f.feed.log)
	job.Lag, job.MinRebuild = 0, 1<<40
	if _, err := job.Rebuild(f.ctx); err != nil {
		b.Fatal(err)
	}
	durations := make([]time.Duration, 0, b.N)
	for i := range b.N {
		b.StopTimer()
		f.exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at)
SELECT u, m.id, 'bench', now(), 1 + (u + m.id) % 2, clock_timestamp()
FROM generate_series(100 + $1::int * 2000 % 10000, 2099 + $1::int * 2000 % 10000) u
CROSS JOIN LATERAL (SELECT id FROM memes mm WHERE NOT EXISTS (SELECT 1 FROM reactions r WHERE r.user_id = u AND r.meme_id = mm.id)
                    ORDER BY (id * u + $1) % 19997 LIMIT 15) m`, i)
		res, took, err := measuredRun(b, func() (FactorsResult, error) { return job.Run(f.ctx) })
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, took)
		if res.Rebuilt || res.Reactions != 30000 {
			b.Fatalf("run %+v: want a fold of 30,000 reactions", res)
		}
	}
	seedtest.ReportPercentiles(b, durations)
}
