package recommend

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// EngineShared marks a meme served because the user followed a link to it.
const EngineShared = "shared"

// Serve claims one particular meme for the user (someone shared it with
// them): approved, in any language (they asked for this one), and never
// sent to them before. ErrNoMemes when it cannot be served.
func (f *Feed) Serve(ctx context.Context, userID, memeID int64) (Item, error) {
	it := Item{MemeID: memeID, Engine: EngineShared}
	err := f.db.QueryRow(ctx, `
WITH claimed AS (
    INSERT INTO reactions (user_id, meme_id, engine)
    SELECT $1, m.id, $3 FROM memes m WHERE m.id = $2 AND m.status = 'ok' AND m.storage_file_id <> ''
    ON CONFLICT (user_id, meme_id) DO NOTHING
    RETURNING meme_id)
SELECT m.type, m.storage_file_id, m.caption FROM claimed JOIN memes m ON m.id = claimed.meme_id`,
		userID, memeID, EngineShared).Scan(&it.Type, &it.FileID, &it.Caption)
	if errors.Is(err, pgx.ErrNoRows) {
		return Item{}, ErrNoMemes
	}
	if err != nil {
		return Item{}, fmt.Errorf("recommend: serve meme %d to %d: %w", memeID, userID, err)
	}
	return it, nil
}
