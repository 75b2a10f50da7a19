package jobs

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"time"

	"memebot/media"
	"memebot/moderation/vision"
)

// DescribeJob is the name of the scheduled describe job (as /pause lists it).
const DescribeJob = "describe"

// Describer describes a meme image with a vision model.
type Describer interface {
	Describe(ctx context.Context, img image.Image) (vision.Description, error)
}

// DescribeStore is the storage the describe job needs (jobstore.Store).
type DescribeStore interface {
	// MemesToDescribe lists up to limit memes without a description that
	// failed fewer than maxFailures times.
	MemesToDescribe(ctx context.Context, limit, maxFailures int) ([]MemeFile, error)
	SetMemeDescription(ctx context.Context, memeID int64, d vision.Description) error
	CountDescribeFailure(ctx context.Context, memeID int64) error
}

// Downloader fetches a file by file_id.
type Downloader interface {
	Download(ctx context.Context, fileID string, maxBytes int64) ([]byte, error)
}

// Describe backfills vision descriptions: up to batch memes without one,
// recent uploads first, then the most liked. Quota spent, every model cooling
// down, or the breaker open end the batch quietly (they are not the memes'
// fault); three memes failing in a row end it too.
func Describe(store DescribeStore, tg Downloader, d Describer, batch int, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		memes, err := store.MemesToDescribe(ctx, batch, 3)
		if err != nil {
			return err
		}
		failedInARow := 0
		for _, m := range memes {
			err := describeOne(ctx, store, tg, d, m)
			switch {
			case err == nil:
				failedInARow = 0
			case errors.Is(err, vision.ErrQuotaExhausted), errors.Is(err, vision.ErrAllModelsCoolingDown), errors.Is(err, vision.ErrBreakerOpen):
				log.Info("describe batch stopped", slog.String("why", err.Error()))
				return nil
			default:
				log.Warn("describe failed", slog.Int64("meme_id", m.MemeID), slog.Any("error", err))
				if err := store.CountDescribeFailure(ctx, m.MemeID); err != nil {
					return err
				}
				if failedInARow++; failedInARow == 3 {
					return fmt.Errorf("describe: 3 memes failed in a row: %w", err)
				}
			}
		}
		return nil
	}
}

func describeOne(ctx context.Context, store DescribeStore, tg Downloader, d Describer, m MemeFile) error {
	data, err := tg.Download(ctx, m.FileID, 20<<20)
	if err != nil {
		return err
	}
	img, _, err := media.DecodeImage(data, media.DefaultLimits())
	if err != nil {
		return err
	}
	desc, err := d.Describe(ctx, img)
	if err != nil {
		return err
	}
	return store.SetMemeDescription(ctx, m.MemeID, desc)
}

// NewDescribe is the vision backfill as a scheduled job. The describer's
// breaker pauses it through the same switch as /pause (Breaker.OnTrip), and
// resuming it resets the breaker.
func NewDescribe(store DescribeStore, tg Downloader, describer ResettableDescriber, batch int, log *slog.Logger) Job {
	return Job{Name: DescribeJob, Schedule: "@every 15m", Timeout: 10 * time.Minute,
		Run:      Describe(store, tg, describer, batch, log),
		OnResume: describer.Reset}
}

// ResettableDescriber is a Describer whose breaker can be reset (vision.Describer).
type ResettableDescriber interface {
	Describer
	Reset(ctx context.Context) error
}
