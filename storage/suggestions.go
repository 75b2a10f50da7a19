package storage

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SourceSuggestion is a public channel users forwarded memes from.
type SourceSuggestion struct {
	Handle          string
	Title           string
	Forwards        int
	LastForwardedAt time.Time
}

// SuggestSource counts one more meme forwarded from a public Telegram
// channel (handle is its username).
func (s *Store) SuggestSource(ctx context.Context, handle, title string, userID int64) error {
	_, err := s.pool.Exec(ctx, `
INSERT INTO source_suggestions (handle, title, forwards, last_user_id) VALUES ($1, $2, 1, $3)
ON CONFLICT (handle) DO UPDATE SET forwards = source_suggestions.forwards + 1, title = EXCLUDED.title,
    last_user_id = EXCLUDED.last_user_id, last_forwarded_at = now()`,
		strings.ToLower(handle), title, userID)
	if err != nil {
		return fmt.Errorf("storage: suggest source %s: %w", handle, err)
	}
	return nil
}

// SourceSuggestions lists the suggested channels that are not sources yet,
// the most forwarded first.
func (s *Store) SourceSuggestions(ctx context.Context, limit int) ([]SourceSuggestion, error) {
	out, err := queryStructs[SourceSuggestion](ctx, s.pool, `
SELECT g.handle, g.title, g.forwards, g.last_forwarded_at FROM source_suggestions g
WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.platform = 'telegram' AND s.handle = g.handle)
ORDER BY g.forwards DESC, g.last_forwarded_at DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: source suggestions: %w", err)
	}
	return out, nil
}
