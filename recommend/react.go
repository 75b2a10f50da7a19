package recommend

import (
	"context"
	"errors"
	"fmt"

	"memebot/storage"

	"github.com/jackc/pgx/v5"
)

// reactSQL stores the first reaction to a sent meme and returns the engine
// that chose it; a row already reacted to (or none) matches nothing, also for
// a concurrent press, which re-checks the row once the first one commits.
const reactSQL = `
UPDATE reactions SET reaction = $3, reacted_at = now()
WHERE user_id = $1 AND meme_id = $2 AND reaction IS NULL
RETURNING engine`

// ReactEngine records a like (storage.Like) or dislike (storage.Dislike) on a
// sent meme and returns the engine that chose it (for per-engine like rates).
// A reaction is never overwritten: changed is false when the meme was already
// reacted to (or never sent), and then the caller sends nothing new.
func (f *Feed) ReactEngine(ctx context.Context, userID, memeID int64, reaction int) (string, bool, error) {
	if err := checkReaction(reaction); err != nil {
		return "", false, err
	}
	var engine string
	err := f.pressRow(ctx, []any{&engine}, reactSQL, userID, memeID, reaction)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("recommend: react %d to meme %d: %w", userID, memeID, err)
	}
	return engine, true, nil
}

// Press is what a like or dislike did.
type Press struct {
	// Changed is false when the meme was already reacted to (or never sent):
	// nothing was stored, nothing was claimed, and nothing should be sent.
	Changed bool
	// Engine chose the reacted meme (for per-engine like rates).
	Engine string
	// Next is the user's next meme, claimed as Next claims it.
	Next Item
}

// reactClaimSQL is reactSQL ($1 user, $4 meme, $5 reaction) and claimSQL
// ($1 user, $2 meme, $3 engine) in one statement, hence one commit: the next
// meme is claimed only if the reaction was stored.
const reactClaimSQL = `
WITH reacted AS (
    UPDATE reactions SET reaction = $5, reacted_at = now()
    WHERE user_id = $1 AND meme_id = $4 AND reaction IS NULL
    RETURNING engine
), claimed AS (
    INSERT INTO reactions (user_id, meme_id, engine)
    SELECT $1, $2, $3 FROM reacted WHERE ` + servableSQL + `
    ON CONFLICT (user_id, meme_id) DO NOTHING
    RETURNING meme_id
)
SELECT engine, EXISTS (SELECT 1 FROM claimed) FROM reacted`

// ReactNext records a reaction as ReactEngine does and, when it was stored,
// claims the user's next meme as Next does. With a meme in the queue, both
// writes are one statement: a press costs one queue pop and one database
// round trip before the next meme can go out, and the reaction is committed
// before (and with) the claim. When Changed is true an error concerns the
// next meme (ErrNoMemes: none left); the reaction was stored.
func (f *Feed) ReactNext(ctx context.Context, userID, memeID int64, reaction int, isModerator bool) (Press, error) {
	if err := checkReaction(reaction); err != nil {
		return Press{}, err
	}
	it, remaining, ok, err := f.pop(ctx, userID)
	if err != nil || !ok { // the reaction first, alone; Next refills (or reports Redis down)
		return f.reactThenNext(ctx, userID, memeID, reaction, isModerator)
	}
	var p Press
	var claimed bool
	err = f.pressRow(ctx, []any{&p.Engine, &claimed}, reactClaimSQL, userID, it.MemeID, it.Engine, memeID, reaction)
	if errors.Is(err, pgx.ErrNoRows) { // already reacted to, or never sent
		f.unpop(context.WithoutCancel(ctx), userID, it)
		return Press{}, nil
	}
	if err != nil {
		f.unpop(context.WithoutCancel(ctx), userID, it)
		return Press{}, fmt.Errorf("recommend: react %d to meme %d: %w", userID, memeID, err)
	}
	p.Changed = true
	if !claimed { // sent meanwhile, or no longer servable
		p.Next, err = f.Next(ctx, userID, isModerator)
		return p, err
	}
	f.topUp(userID, isModerator, it, remaining)
	p.Next = it
	return p, nil
}

func (f *Feed) reactThenNext(ctx context.Context, userID, memeID int64, reaction int, isModerator bool) (Press, error) {
	engine, changed, err := f.ReactEngine(ctx, userID, memeID, reaction)
	if err != nil || !changed {
		return Press{}, err
	}
	next, err := f.Next(ctx, userID, isModerator)
	return Press{Changed: true, Engine: engine, Next: next}, err
}

func checkReaction(reaction int) error {
	if reaction != storage.Like && reaction != storage.Dislike {
		return fmt.Errorf("recommend: react: invalid reaction %d", reaction)
	}
	return nil
}
