package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"memebot/config"
	"memebot/seed"
	"memebot/storage"
)

// seedCommand writes synthetic users, sources, memes and reactions (for demos
// and benchmarks) into DATABASE_URL.
func seedCommand(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	opts := seed.Options{Log: log}
	fs.IntVar(&opts.Users, "users", 1000, "synthetic users")
	fs.IntVar(&opts.Memes, "memes", 10000, "approved memes")
	fs.IntVar(&opts.Reactions, "reactions", 100000, "reactions (unique user-meme pairs)")
	fs.Int64Var(&opts.Seed, "seed", 1, "random seed (same seed, same data)")
	if err := fs.Parse(args); err != nil {
		return configError{fmt.Errorf("seed: %w (flags: --users N --memes N --reactions N --seed N)", err)}
	}
	st, err := storage.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	began := time.Now()
	if err := seed.Run(ctx, st, opts); err != nil {
		return err
	}
	log.Info("seeded", slog.Int("users", opts.Users), slog.Int("memes", opts.Memes),
		slog.Int("reactions", opts.Reactions), slog.Duration("took", time.Since(began)))
	return nil
}
