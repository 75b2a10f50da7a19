// Package seed writes a synthetic but realistically skewed data set (users in
// several languages, sources, approved memes, reactions) for demos and
// benchmarks, then computes its stats. Bulk rows go in with PostgreSQL COPY.
package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"memebot/stats"
	"memebot/storage"
)

// Options size the data set. Seed makes it reproducible.
type Options struct {
	Users, Memes, Reactions int
	Seed                    int64
	Log                     *slog.Logger // nil: silent
}

// UserIDBase is where synthetic user ids start, far above real Telegram ids
// of today, so that a seeded database never collides with a real user.
const UserIDBase = 8_000_000_000_000

// Languages of the synthetic memes, and how common each is.
var (
	memeLanguages = []string{"en", "ru", "es", "de"}
	memeLangShare = []float64{0.55, 0.30, 0.10, 0.05}
	userLangSets  = [][]string{{"en"}, {"ru", "en"}, {"ru"}, {"es", "en"}, {"de", "en"}}
	userLangShare = []float64{0.45, 0.25, 0.15, 0.10, 0.05}
)

// Run writes the data set into the store's database and computes its stats.
// Secondary indexes of reactions and meme_stats are dropped during the load
// and rebuilt after it.
func Run(ctx context.Context, store *storage.Store, opts Options) error {
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Users <= 0 || opts.Memes <= 0 {
		return fmt.Errorf("seed: need users and memes, got %d and %d", opts.Users, opts.Memes)
	}
	err := store.RunBulkLoad(ctx, func(ctx context.Context, bulk *storage.BulkLoad) error {
		return load(ctx, bulk, store, opts)
	})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

func load(ctx context.Context, bulk *storage.BulkLoad, store *storage.Store, opts Options) error {
	if err := checkNotSeeded(ctx, bulk, opts.Seed); err != nil {
		return err
	}
	g, err := newGenerator(ctx, bulk, opts)
	if err != nil {
		return err
	}
	step := func(name string, fn func() error) error {
		start := time.Now()
		if err := fn(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		opts.Log.Info("seed: step done", slog.String("step", name), slog.Duration("took", time.Since(start)))
		return nil
	}
	if err := step("users", func() error { return g.copyUsers(ctx, bulk) }); err != nil {
		return err
	}
	if err := step("sources", func() error { return g.copySources(ctx, bulk) }); err != nil {
		return err
	}
	return bulk.WithoutIndexes(ctx, "meme_stats", func() error {
		if err := step("memes", func() error { return g.copyMemes(ctx, bulk) }); err != nil {
			return err
		}
		err := bulk.WithoutIndexes(ctx, "reactions", func() error {
			return step("reactions", func() error { return g.copyReactions(ctx, bulk) })
		})
		if err != nil {
			return err
		}
		if err := step("stats", func() error {
			_, err := stats.New(store, stats.DefaultOptions(), opts.Log).Run(ctx)
			return err
		}); err != nil {
			return err
		}
		return step("search ranks", func() error { _, err := store.RefreshSearchRanks(ctx); return err })
	})
}

// ErrAlreadySeeded is returned, before anything is written, when the database
// already holds the data set of the same seed: seeding is idempotent.
var ErrAlreadySeeded = errors.New("already seeded")

// checkNotSeeded looks for the sources of seed's data set (their handles
// carry the seed); another seed's data set is added next to it.
func checkNotSeeded(ctx context.Context, bulk *storage.BulkLoad, seed int64) error {
	sources, memes, err := bulk.SourcesWithHandlePrefix(ctx, fmt.Sprintf("seed_%d_", seed))
	if err != nil {
		return err
	}
	if sources > 0 {
		return fmt.Errorf("%w: the database holds the data set of --seed %d (%d sources, %d memes); nothing written "+
			"(another --seed adds a second data set)", ErrAlreadySeeded, seed, sources, memes)
	}
	return nil
}

// pick draws an index with the given shares.
func pick(rng *rand.Rand, shares []float64) int {
	x := rng.Float64()
	for i, s := range shares {
		if x -= s; x < 0 {
			return i
		}
	}
	return len(shares) - 1
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
