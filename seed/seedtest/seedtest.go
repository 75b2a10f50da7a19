// Package seedtest gives benchmarks a big seeded database (by default 100,000
// users, 1,000,000 memes, 20,000,000 reactions), built once with seed.Run and
// kept between runs. It is opt-in: set MEMEBOT_BENCH_SEED=1.
// MEMEBOT_BENCH_SCALE=users,memes,reactions changes the size (each size gets
// its own database); MEMEBOT_BENCH_RESEED=1 rebuilds it.
package seedtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"memebot/seed"
	"memebot/storage"
	"memebot/storage/storagetest"
)

// Scale is the size of the benchmark data set.
func Scale() seed.Options {
	opts := seed.Options{Users: 100_000, Memes: 1_000_000, Reactions: 20_000_000, Seed: 1}
	if s := os.Getenv("MEMEBOT_BENCH_SCALE"); s != "" {
		fmt.Sscanf(strings.ReplaceAll(s, ",", " "), "%d %d %d", &opts.Users, &opts.Memes, &opts.Reactions)
	}
	return opts
}

// BigStore opens the seeded benchmark database, seeding it first if needed;
// it skips the benchmark unless MEMEBOT_BENCH_SEED=1.
func BigStore(tb testing.TB) *storage.Store {
	tb.Helper()
	if os.Getenv("MEMEBOT_BENCH_SEED") != "1" {
		tb.Skip("set MEMEBOT_BENCH_SEED=1 to run against the seeded 1M-meme data set")
	}
	ctx := context.Background()
	opts := Scale()
	name := fmt.Sprintf("memebot_bench_%d_%d_%d_%s", opts.Users, opts.Memes, opts.Reactions, storage.SchemaVersion())
	admin, err := pgx.Connect(ctx, withDatabase(storagetest.DatabaseURL(), "postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close(ctx)
	var exists bool
	admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists)
	if exists && os.Getenv("MEMEBOT_BENCH_RESEED") == "1" {
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Fatal(err)
		}
		exists = false
	}
	if !exists {
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			tb.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	st, err := storage.Open(ctx, withDatabase(storagetest.DatabaseURL(), name), log)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	var seeded bool
	storagetest.Pool(st).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memes)`).Scan(&seeded)
	if !seeded {
		start := time.Now()
		opts.Log = log
		if err := seed.Run(ctx, st, opts); err != nil {
			tb.Fatal(err)
		}
		if _, err := storagetest.Pool(st).Exec(ctx, `VACUUM ANALYZE`); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("seeded %d users, %d memes, %d reactions in %v (incl. VACUUM ANALYZE)",
			opts.Users, opts.Memes, opts.Reactions, time.Since(start).Round(time.Second))
	}
	return st
}

func withDatabase(raw, db string) string {
	i := strings.LastIndex(raw, "/")
	q := ""
	if j := strings.Index(raw[i:], "?"); j >= 0 {
		q = raw[i+j:]
	}
	return raw[:i+1] + db + q
}

// ReportPercentiles reports p50/p95/p99 of the recorded durations in
// milliseconds as benchmark metrics.
func ReportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	at := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
