package app

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"time"

	"memebot/seed"
	"memebot/storage"
)

// seedFlags: `memebot seed` writes synthetic users, sources, memes and
// reactions (for demos and benchmarks) into DATABASE_URL.
func seedFlags(fs *flag.FlagSet) action {
	var opts seed.Options
	fs.IntVar(&opts.Users, "users", 1000, "synthetic users")
	fs.IntVar(&opts.Memes, "memes", 10000, "approved memes")
	fs.IntVar(&opts.Reactions, "reactions", 100000, "reactions (unique user-meme pairs)")
	fs.Int64Var(&opts.Seed, "seed", 1, "random seed (same seed, same data)")
	return func(ctx context.Context, p *process) error {
		opts.Log = p.log
		st, err := storage.Open(ctx, p.cfg.DatabaseURL, p.log)
		if err != nil {
			return err
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			return err
		}
		began := time.Now()
		if err := seed.Run(ctx, st, opts); errors.Is(err, seed.ErrAlreadySeeded) {
			p.log.Info(err.Error())
			return nil
		} else if err != nil {
			return err
		}
		p.log.Info("seeded", slog.Int("users", opts.Users), slog.Int("memes", opts.Memes),
			slog.Int("reactions", opts.Reactions), slog.Duration("took", time.Since(began)))
		return nil
	}
}
