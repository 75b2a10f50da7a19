package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
)

// The feed's models read a person's history: every meme sent to them (never
// to be served again) and what their latest likes and dislikes say.
func TestSentMemesReadsEverySentMemeAndTheLatestTaste(t *testing.T) {
	st := storagetest.NewStore(t)
	ctx := context.Background()
	exec := storagetest.Exec(t, st)
	exec(`INSERT INTO users (id) VALUES (1), (2)`)
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for id := int64(1); id <= 6; id++ {
		exec(`INSERT INTO memes (id, type, status, ocr_text, uploader_id) VALUES ($1, 'photo', 'ok', $2, CASE WHEN $1::bigint = 6 THEN 1 END)`,
			id, []string{"", "cats", "dogs", "frogs", "birds", "unseen", "mine"}[id])
	}
	// Meme 1 liked first, then 2 disliked, 3 liked last; 4 sent and not
	// pressed; 6 is the person's own upload with its approval like (the
	// newest); 5 went to somebody else.
	exec(`INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at) VALUES
		(1, 1, 'fresh', 1, $1), (1, 2, 'fresh', 2, $2), (1, 3, 'co_liked', 1, $3), (1, 4, 'fresh', NULL, NULL),
		(1, 6, $4, 1, $5), (2, 5, 'fresh', 1, $3)`,
		at, at.Add(time.Minute), at.Add(2*time.Minute), storage.EngineApprovalLike, at.Add(3*time.Minute))

	sent, taste, err := st.SentMemes(ctx, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(sent)
	if want := []int64{1, 2, 3, 4, 6}; !slices.Equal(sent, want) {
		t.Errorf("sent = %v, want %v", sent, want)
	}
	var got []string
	for _, m := range taste {
		r := "like"
		if m.Reaction == storage.Dislike {
			r = "dislike"
		}
		got = append(got, strings.Join(append(strings.Fields(m.Text.Says), r), " "))
	}
	// The latest two that count for taste, latest first: not the approval
	// like, not the meme never pressed, not the oldest beyond the limit.
	if want := []string{"frogs like", "dogs dislike"}; !slices.Equal(got, want) {
		t.Errorf("taste = %q, want %q", got, want)
	}
}
