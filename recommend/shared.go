package recommend

import (
	"context"
	"errors"
	"fmt"

	"memebot/storage"
)

// EngineShared marks a meme served because the user followed a link to it.
const EngineShared = "shared"

// Serve claims one particular meme for the user (someone shared it with
// them): approved, in any language (they asked for this one), and never
// sent to them before. ErrNoMemes when it cannot be served.
func (f *Feed) Serve(ctx context.Context, userID, memeID int64) (Item, error) {
	m, err := f.store.ClaimSharedMeme(ctx, userID, memeID, EngineShared)
	if errors.Is(err, storage.ErrNotFound) {
		return Item{}, ErrNoMemes
	}
	if err != nil {
		return Item{}, fmt.Errorf("recommend: %w", err)
	}
	return Item{MemeID: m.ID, Type: m.Type, FileID: m.FileID, Caption: m.Caption, Engine: EngineShared}, nil
}
