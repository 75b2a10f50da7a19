package stats

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"memebot/storage"
)

// engineArms counts, per maturity stage and engine, the likes and dislikes
// of a run's reactions: the evidence the learned blend draws from. The stage
// is the user's count of earlier reactions, the closest the replay has to
// the memes sent that chose the stage when the meme was queued.
type engineArms map[[2]string]*[2]float64

func (a engineArms) add(stage, engine string, like bool) {
	if stage == "" || engine == "" || engine == storage.EngineApprovalLike {
		return // no stages kept, or a like no engine chose
	}
	k := [2]string{stage, engine}
	c := a[k]
	if c == nil {
		c = &[2]float64{}
		a[k] = c
	}
	if like {
		c[0]++
	} else {
		c[1]++
	}
}

// writeEngines decays every engine's counts by EngineDecay (old evidence
// fades, so the blend follows a change) and adds the run's.
func (j *Job) writeEngines(ctx context.Context, tx pgx.Tx, arms engineArms) error {
	if len(arms) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE engine_stats SET likes = likes * $1, dislikes = dislikes * $1`, j.opts.EngineDecay); err != nil {
		return fmt.Errorf("decay engine stats: %w", err)
	}
	for k, c := range arms {
		_, err := tx.Exec(ctx, `
INSERT INTO engine_stats (stage, engine, likes, dislikes) VALUES ($1, $2, $3, $4)
ON CONFLICT (stage, engine) DO UPDATE SET likes = engine_stats.likes + EXCLUDED.likes,
    dislikes = engine_stats.dislikes + EXCLUDED.dislikes, updated_at = now()`, k[0], k[1], c[0], c[1])
		if err != nil {
			return fmt.Errorf("engine stats: %w", err)
		}
	}
	return nil
}
