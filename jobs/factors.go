package jobs

import (
	"context"
	"log/slog"
	"time"

	"memebot/recommend"
)

// NewFactors folds new reactions into the factor model the collab and
// content engines read (and rebuilds it when it is due).
func NewFactors(factors *recommend.Factors, log *slog.Logger) Job {
	return Job{Name: "factors", Schedule: "@every 5m", Timeout: 4 * time.Minute,
		Run: func(ctx context.Context) error {
			began := time.Now()
			res, err := factors.Run(ctx)
			if err == nil {
				log.Info("factor model updated", slog.Bool("rebuilt", res.Rebuilt), slog.Int("reactions", res.Reactions),
					slog.Int("users", res.Users), slog.Int("memes", res.Memes), slog.Duration("took", time.Since(began)))
			}
			return err
		}}
}
