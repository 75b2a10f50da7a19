package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// watermarked is a batch job's transaction over the rows since its
// watermark (a stats_watermarks row): each run reads the window after the
// previous one's, so however the runs are split every row is read once.
type watermarked struct {
	tx   pgx.Tx
	name string
}

// Window locks the job's watermark (concurrent runs wait for each other)
// and returns the run's window (from, to]: from the watermark to now minus
// lag, or until if earlier.
func (w *watermarked) Window(ctx context.Context, lag time.Duration, until time.Time) (from, to time.Time, err error) {
	err = w.tx.QueryRow(ctx, `
SELECT processed_until, least(clock_timestamp() - make_interval(secs => $1), $2)
FROM stats_watermarks WHERE name = $3 FOR UPDATE`, lag.Seconds(), until, w.name).Scan(&from, &to)
	if err != nil {
		return from, to, fmt.Errorf("watermark: %w", err)
	}
	return from, to, nil
}

// AdvanceWatermark records that the rows up to until are counted.
func (w *watermarked) AdvanceWatermark(ctx context.Context, until time.Time) error {
	_, err := w.tx.Exec(ctx, `UPDATE stats_watermarks SET processed_until = $1, updated_at = now() WHERE name = $2`, until, w.name)
	if err != nil {
		return fmt.Errorf("advance watermark: %w", err)
	}
	return nil
}
