package jobs

import (
	"context"
	"log/slog"
	"time"

	"memebot/recommend"
)

// NewCoLikes builds the co-likes the co_liked engine reads, from new likes only.
func NewCoLikes(coLikes *recommend.CoLikes, log *slog.Logger) Job {
	return Job{Name: "colikes", Schedule: "@every 5m", Timeout: 4 * time.Minute,
		Run: func(ctx context.Context) error {
			res, err := coLikes.Run(ctx)
			if err == nil {
				log.Info("co-likes updated", slog.Int("likes", res.Likes), slog.Int("pairs", res.Pairs))
			}
			return err
		}}
}
