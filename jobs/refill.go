package jobs

import (
	"context"
	"log/slog"
	"time"

	"memebot/recommend"
)

// NewRefill refills ahead of time the queues of users active in the last
// half hour, so their next press finds memes waiting.
func NewRefill(feed *recommend.Feed, log *slog.Logger) Job {
	return Job{Name: "refill", Schedule: "@every 2m", Timeout: 5 * time.Minute,
		Run: func(ctx context.Context) error {
			n, err := feed.RefillActive(ctx, 30*time.Minute)
			if n > 0 {
				log.Debug("queues refilled ahead of time", slog.Int("users", n))
			}
			return err
		}}
}
