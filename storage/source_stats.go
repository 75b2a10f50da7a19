package storage

import (
	"context"
	"fmt"
)

// SourceCounts are what a stats run adds to one source.
type SourceCounts struct {
	SourceID              int64
	Sent, Likes, Dislikes int32
}

// AddSourceStats adds counts to the sources' figures, in one statement.
func (r *StatsRun) AddSourceStats(ctx context.Context, counts []SourceCounts) error {
	if len(counts) == 0 {
		return nil
	}
	ids := make([]int64, len(counts))
	sent, likes, dislikes := make([]int32, len(counts)), make([]int32, len(counts)), make([]int32, len(counts))
	for i, c := range counts {
		ids[i], sent[i], likes[i], dislikes[i] = c.SourceID, c.Sent, c.Likes, c.Dislikes
	}
	_, err := r.tx.Exec(ctx, `
INSERT INTO source_stats (source_id, sent, likes, dislikes)
SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[])
ON CONFLICT (source_id) DO UPDATE SET sent = source_stats.sent + EXCLUDED.sent, likes = source_stats.likes + EXCLUDED.likes,
    dislikes = source_stats.dislikes + EXCLUDED.dislikes, updated_at = now()`, ids, sent, likes, dislikes)
	if err != nil {
		return fmt.Errorf("source stats: %w", err)
	}
	return nil
}
