package storage

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// EngineCounts are the likes and dislikes of the memes one engine chose for
// people of one maturity stage: the evidence the learned blend draws from.
type EngineCounts struct {
	Stage, Engine   string
	Likes, Dislikes float64
}

// AddEngineStats multiplies every engine's counts by decay (old evidence
// fades) and adds counts; nothing happens without counts.
func (r *StatsRun) AddEngineStats(ctx context.Context, decay float64, counts []EngineCounts) error {
	if len(counts) == 0 {
		return nil
	}
	if _, err := r.tx.Exec(ctx, `UPDATE engine_stats SET likes = likes * $1, dislikes = dislikes * $1`, decay); err != nil {
		return fmt.Errorf("decay engine stats: %w", err)
	}
	for _, c := range counts {
		_, err := r.tx.Exec(ctx, `
INSERT INTO engine_stats (stage, engine, likes, dislikes) VALUES ($1, $2, $3, $4)
ON CONFLICT (stage, engine) DO UPDATE SET likes = engine_stats.likes + EXCLUDED.likes,
    dislikes = engine_stats.dislikes + EXCLUDED.dislikes, updated_at = now()`, c.Stage, c.Engine, c.Likes, c.Dislikes)
		if err != nil {
			return fmt.Errorf("engine stats: %w", err)
		}
	}
	return nil
}

// EngineEvidence reads each engine's likes and dislikes for a stage: its
// own in the stage, plus otherStages times those of the other stages.
func (s *Store) EngineEvidence(ctx context.Context, stage string, otherStages float64) ([]EngineCounts, error) {
	rows, err := s.pool.Query(ctx, `
SELECT engine, sum(CASE WHEN stage = $1 THEN likes ELSE likes * $2 END),
       sum(CASE WHEN stage = $1 THEN dislikes ELSE dislikes * $2 END)
FROM engine_stats GROUP BY engine`, stage, otherStages)
	if err != nil {
		return nil, fmt.Errorf("storage: engine stats: %w", err)
	}
	counts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (EngineCounts, error) {
		c := EngineCounts{Stage: stage}
		return c, row.Scan(&c.Engine, &c.Likes, &c.Dislikes)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: engine stats: %w", err)
	}
	return counts, nil
}
