package recommend

import (
	"context"
	"fmt"

	"memebot/storage"
)

// ReactEngine records a like (storage.Like) or dislike (storage.Dislike) on a
// sent meme and returns the engine that chose it (for per-engine like rates).
// A reaction is never overwritten: changed is false when the meme was already
// reacted to (or never sent), and then the caller sends nothing new.
func (f *Feed) ReactEngine(ctx context.Context, userID, memeID int64, reaction int) (string, bool, error) {
	if err := checkReaction(reaction); err != nil {
		return "", false, err
	}
	engine, changed, err := f.store.React(ctx, userID, memeID, reaction)
	if err != nil {
		return "", false, fmt.Errorf("recommend: %w", err)
	}
	return engine, changed, nil
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
	p.Engine, p.Changed, claimed, err = f.store.ReactAndClaim(ctx, userID, memeID, reaction, it.MemeID, it.Engine)
	if err != nil || !p.Changed { // failed, or already reacted to, or never sent
		f.unpop(context.WithoutCancel(ctx), userID, it)
		if err != nil {
			return Press{}, fmt.Errorf("recommend: %w", err)
		}
		return Press{}, nil
	}
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
