package recommend

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"testing"
	"time"

	"memebot/kv/kvtest"
	"memebot/seed/seedtest"
	"memebot/storage"
	"memebot/storage/storagetest"
)

// benchFeed is the big seeded data set when MEMEBOT_BENCH_SEED=1, else a
// fresh database with `memes` memes and one user.
func benchFeed(b *testing.B, memes int) (*fixture, int64) {
	if seedtestEnabled() {
		st := seedtest.BigStore(b)
		rdb := kvtest.NewRedis(b)
		f := &fixture{t: b, ctx: context.Background(), st: st, db: storagetest.Pool(st), rdb: rdb}
		f.feed = NewFeed(st, rdb, Config{}, storagetest.Logger())
		b.Cleanup(f.feed.Close)
		var user int64
		// A mature, heavy user: the most expensive NOT EXISTS probes.
		if err := f.db.QueryRow(f.ctx, `SELECT user_id FROM user_stats WHERE sent BETWEEN 300 AND 3000 ORDER BY sent DESC LIMIT 1`).Scan(&user); err != nil {
			b.Fatal(err)
		}
		return f, user
	}
	f := newFixture(b)
	f.user(1, "en")
	f.exec(`INSERT INTO memes (type, status, storage_file_id) SELECT 'photo', 'ok', 'file-' || g FROM generate_series(1, $1) g`, memes)
	return f, 1
}

func seedtestEnabled() bool { return os.Getenv("MEMEBOT_BENCH_SEED") == "1" }

// BenchmarkNextWarmQueue: one pop and one claim INSERT per call, the queue
// never running low.
func BenchmarkNextWarmQueue(b *testing.B) {
	f, user := benchFeed(b, b.N+100)
	warmQueue(b, f, user, b.N+50)
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := f.feed.Next(f.ctx, user, false); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	seedtest.ReportPercentiles(b, durations)
}

// BenchmarkReactNextWarmQueue: a press as the bot makes it, one pop and one
// statement storing the reaction and claiming the next meme, the queue never
// running low.
func BenchmarkReactNextWarmQueue(b *testing.B) {
	f, user := benchFeed(b, b.N+100)
	warmQueue(b, f, user, b.N+50)
	shown, err := f.feed.Next(f.ctx, user, false)
	if err != nil {
		b.Fatal(err)
	}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		press, err := f.feed.ReactNext(f.ctx, user, shown.MemeID, storage.Like+i%2, false)
		if err != nil || !press.Changed {
			b.Fatalf("press %d: %+v, %v", i, press, err)
		}
		durations = append(durations, time.Since(start))
		shown = press.Next
	}
	b.StopTimer()
	seedtest.ReportPercentiles(b, durations)
}

// warmQueue queues n memes the user was never sent, marked with the engine
// "bench"; the rows the benchmark writes for them are deleted after it.
func warmQueue(b *testing.B, f *fixture, user int64, n int) {
	rows, err := f.db.Query(f.ctx, `
SELECT m.id FROM memes m JOIN users u ON u.id = $1
WHERE m.status = 'ok' AND m.language = ANY(u.languages)
  AND NOT EXISTS (SELECT 1 FROM reactions r WHERE r.user_id = $1 AND r.meme_id = m.id)
ORDER BY m.id DESC LIMIT $2`, user, n)
	if err != nil {
		b.Fatal(err)
	}
	var values []any
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		raw, _ := json.Marshal(Item{MemeID: id, Type: "photo", FileID: "f", Engine: "bench"})
		values = append(values, raw)
	}
	rows.Close()
	if len(values) < n {
		b.Fatalf("only %d unsent memes for %d iterations", len(values), b.N)
	}
	b.Cleanup(func() { f.exec(`DELETE FROM reactions WHERE user_id = $1 AND engine = 'bench'`, user) })
	if err := f.rdb.RPush(f.ctx, f.feed.queueKey(user), values...).Err(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRefillMatureUser: one refill of 15 blended items (lock, user,
// maturity, five engines in parallel, push) for mature users of the seeded set.
func BenchmarkRefillMatureUser(b *testing.B) {
	if !seedtestEnabled() {
		b.Skip("needs MEMEBOT_BENCH_SEED=1")
	}
	f, _ := benchFeed(b, 0)
	users := matureUsers(b, f)
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		u := users[i%len(users)]
		b.StopTimer()
		f.rdb.Del(f.ctx, f.feed.queueKey(u))
		b.StartTimer()
		start := time.Now()
		n, err := f.feed.Refill(f.ctx, u, false)
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
		if n != 15 {
			b.Fatalf("refill of %d added %d", u, n)
		}
	}
	b.StopTimer()
	seedtest.ReportPercentiles(b, durations)
}

// BenchmarkEngine times each engine alone for mature users of the seeded set.
func BenchmarkEngine(b *testing.B) {
	if !seedtestEnabled() {
		b.Skip("needs MEMEBOT_BENCH_SEED=1")
	}
	f, _ := benchFeed(b, 0)
	users := matureUsers(b, f)
	langs := map[int64][]string{}
	for _, u := range users {
		var l []string
		f.db.QueryRow(f.ctx, `SELECT languages FROM users WHERE id = $1`, u).Scan(&l)
		langs[u] = l
	}
	for _, engine := range EngineNames {
		b.Run(engine, func(b *testing.B) {
			durations := make([]time.Duration, 0, b.N)
			for i := range b.N {
				u := users[i%len(users)]
				start := time.Now()
				if _, err := f.feed.Engines().Candidates(f.ctx, engine, Query{UserID: u, Languages: langs[u], Limit: 15}); err != nil {
					b.Fatal(err)
				}
				durations = append(durations, time.Since(start))
			}
			seedtest.ReportPercentiles(b, durations)
		})
	}
}

// matureUsers are 200 users with at least 100 memes sent, heaviest included.
func matureUsers(b *testing.B, f *fixture) []int64 {
	rows, err := f.db.Query(f.ctx, `
(SELECT user_id FROM user_stats WHERE sent >= 100 ORDER BY user_id LIMIT 190)
UNION ALL (SELECT user_id FROM user_stats ORDER BY sent DESC LIMIT 10)`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var users []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		users = append(users, id)
	}
	if len(users) == 0 {
		b.Fatal("no mature users in the seeded set")
	}
	return users
}

// BenchmarkRefillNewUser: the first refill of a user who has seen nothing
// (cold_start_explore) on the seeded set.
func BenchmarkRefillNewUser(b *testing.B) {
	if !seedtestEnabled() {
		b.Skip("needs MEMEBOT_BENCH_SEED=1")
	}
	f, _ := benchFeed(b, 0)
	base := time.Now().UnixNano() % 1_000_000_000 * 1000
	b.Cleanup(func() { f.exec(`DELETE FROM users WHERE id >= $1 AND id < $2`, base, base+int64(b.N)) })
	durations := make([]time.Duration, 0, b.N)
	for i := range b.N {
		u := base + int64(i)
		b.StopTimer()
		f.exec(`INSERT INTO users (id, languages) VALUES ($1, '{ru,en}')`, u)
		b.StartTimer()
		start := time.Now()
		n, err := f.feed.Refill(f.ctx, u, false)
		if err != nil || n != 15 {
			b.Fatalf("refill of a new user added %d, err %v", n, err)
		}
		durations = append(durations, time.Since(start))
	}
	seedtest.ReportPercentiles(b, durations)
}

// BenchmarkCoLikesJob: one run of the colikes job over 30,000 new reactions
// (2,000 users, 15 each, half of them likes) on top of as many older ones,
// on a fresh database of 5,000 memes.
func BenchmarkCoLikesJob(b *testing.B) {
	if seedtestEnabled() {
		b.Skip("small data set only")
	}
	f, _ := benchFeed(b, 5000)
	{
		f.exec(`INSERT INTO users (id, languages) SELECT g, '{en}' FROM generate_series(100, 2099) g`)
		f.exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at)
SELECT u, m.id, 'lr_smoothed', now() - interval '2 days', 1 + (u + m.id) % 2, now() - interval '2 days' + make_interval(secs => m.id)
FROM generate_series(100, 2099) u CROSS JOIN LATERAL (SELECT id FROM memes ORDER BY (id * u) % 4999 LIMIT 15) m`)
	}
	job := NewCoLikes(f.st, f.feed.log)
	job.Lag = 0
	if _, err := job.Run(f.ctx); err != nil { // the history
		b.Fatal(err)
	}
	durations := make([]time.Duration, 0, b.N)
	for i := range b.N {
		b.StopTimer()
		f.exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at)
SELECT u, m.id, 'bench', now(), 1 + (u + m.id) % 2, clock_timestamp()
FROM (SELECT DISTINCT user_id AS u FROM reactions ORDER BY 1 LIMIT 2000) us
CROSS JOIN LATERAL (SELECT id FROM memes mm WHERE NOT EXISTS (SELECT 1 FROM reactions r WHERE r.user_id = us.u AND r.meme_id = mm.id)
                    ORDER BY (id * us.u + $1) % 4999 LIMIT 15) m`, i)
		b.StartTimer()
		start := time.Now()
		res, err := job.Run(f.ctx)
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
		b.ReportMetric(float64(res.Likes), "likes")
	}
	b.StopTimer()
	seedtest.ReportPercentiles(b, durations)
}

// BenchmarkRefillLearned: one learned refill of 15 (lock, user, maturity,
// engine evidence, the drawn engines in parallel, push) for users with 40
// reactions each, on a fresh database of 5,000 memes from 30 sources with
// co-likes built.
func BenchmarkRefillLearned(b *testing.B) {
	if seedtestEnabled() {
		b.Skip("small data set only")
	}
	f, _ := benchFeed(b, 0)
	f.exec(`INSERT INTO sources (platform, handle) SELECT 'telegram', 'bench' || g FROM generate_series(1, 30) g`)
	f.exec(`INSERT INTO memes (type, status, storage_file_id, source_id)
SELECT 'photo', 'ok', 'file-' || g, (SELECT min(id) FROM sources) + g % 30 FROM generate_series(1, 5000) g`)
	f.exec(`INSERT INTO users (id, languages) SELECT g, '{en}' FROM generate_series(100, 399) g`)
	f.exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at)
SELECT u, m.id, 'lr_smoothed', now() - interval '1 hour', 1 + (u + m.id) % 2, now() - interval '1 hour' + make_interval(secs => m.id)
FROM generate_series(100, 399) u CROSS JOIN LATERAL (SELECT id FROM memes ORDER BY (id * u) % 4999 LIMIT 40) m`)
	f.exec(`ANALYZE`)
	job := NewCoLikes(f.st, f.feed.log)
	job.Lag = 0
	if _, err := job.Run(f.ctx); err != nil {
		b.Fatal(err)
	}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		u := int64(100 + i%300)
		b.StopTimer()
		f.rdb.Del(f.ctx, f.feed.queueKey(u))
		b.StartTimer()
		start := time.Now()
		if n, err := f.feed.Refill(f.ctx, u, false); err != nil || n != 15 {
			b.Fatalf("refill of %d added %d, %v", u, n, err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	seedtest.ReportPercentiles(b, durations)
}

// BenchmarkCoLikesJobSeeded: one run of the colikes job after 30,000 new
// reactions (2,000 users, 15 each, about half likes) on the seeded data set
// (MEMEBOT_BENCH_SEED=1); the history before the first run is skipped.
// Reports the run's time, the bytes it allocated and the heap in use after.
func BenchmarkCoLikesJobSeeded(b *testing.B) {
	if !seedtestEnabled() {
		b.Skip("needs MEMEBOT_BENCH_SEED=1")
	}
	f, _ := benchFeed(b, 0)
	f.exec(`UPDATE stats_watermarks SET processed_until = now() WHERE name = 'colikes'`)
	job := NewCoLikes(f.st, f.feed.log)
	job.Lag = 0
	var minMeme, maxMeme int64
	if err := f.db.QueryRow(f.ctx, `SELECT min(id), max(id) FROM memes`).Scan(&minMeme, &maxMeme); err != nil {
		b.Fatal(err)
	}
	durations := make([]time.Duration, 0, b.N)
	for i := range b.N {
		b.StopTimer()
		f.exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at)
SELECT u.id, $1::bigint + (hashint8(u.id * 31 + k + $3::bigint) & 2147483647) % ($2::bigint - $1::bigint + 1), 'bench', now(), 1 + (u.id + k) % 2, clock_timestamp()
FROM (SELECT id FROM users ORDER BY hashint8(id + $3::bigint) LIMIT 2000) u CROSS JOIN generate_series(1, 15) k
ON CONFLICT DO NOTHING`, minMeme, maxMeme, int64(i))
		res, took, err := measuredRun(b, func() (CoLikesResult, error) { return job.Run(f.ctx) })
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, took)
		b.ReportMetric(float64(res.Likes), "likes")
	}
	seedtest.ReportPercentiles(b, durations)
}

// measuredRun runs a job once with the benchmark timer on, and reports the
// memory it allocated and the heap in use after it.
func measuredRun[T any](b *testing.B, run func() (T, error)) (T, time.Duration, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.StartTimer()
	start := time.Now()
	res, err := run()
	took := time.Since(start)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/1e6, "alloc-MB")
	b.ReportMetric(float64(after.HeapInuse)/1e6, "heap-MB")
	return res, took, err
}
