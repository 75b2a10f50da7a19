package recommend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"memebot/kv"
	"memebot/storage"
)

// ErrNoMemes means nothing is left to serve to the user.
var ErrNoMemes = errors.New("recommend: no memes left")

// Config tunes the per-user queues; zero values take the defaults.
type Config struct {
	RefillSize int           // items added per refill (15)
	LowWater   int           // refill when the queue holds this many or fewer (8)
	QueueTTL   time.Duration // a queue not touched for this long expires (1 h)
	LockTTL    time.Duration // a refill lock outlives a crashed owner by this much (30 s)
	// IsModerator tells the background refills which users review the long
	// tail besides those with role moderator in the database (config ids).
	IsModerator func(userID int64) bool
	// FixedBlend mixes the engines by the hand-set weights of each stage
	// (PlanFor), as the feed did before it learned; moderators always are.
	FixedBlend bool
	// Learner tunes the learned blend.
	Learner Learner
	// Refresh: the learned feed rebuilds a person's queue after every
	// Refresh memes (3), so what they pressed shows in their next memes
	// instead of 8-15 memes later, whatever their maturity (in simulation
	// rebuilding past the first 30 memes too raised taste captured at 31-100
	// memes by up to .1). 0 takes the default; negative turns it off.
	Refresh int
}

func (c Config) withDefaults() Config {
	if c.RefillSize <= 0 {
		c.RefillSize = 15
	}
	if c.LowWater <= 0 {
		c.LowWater = 8
	}
	if c.QueueTTL <= 0 {
		c.QueueTTL = time.Hour
	}
	if c.LockTTL <= 0 {
		c.LockTTL = 30 * time.Second
	}
	if c.Refresh == 0 {
		c.Refresh = 3
	}
	if c.IsModerator == nil {
		c.IsModerator = func(int64) bool { return false }
	}
	return c
}

// Feed serves each user memes from a Redis queue, refilled from the engines,
// and records what was sent and how the user reacted.
type Feed struct {
	store      *storage.Store
	rdb        *kv.Redis
	engines    *Engines
	cfg        Config
	log        *slog.Logger
	bg         sync.WaitGroup
	freshCache freshShareCache
}

// NewFeed returns a feed over the store and Redis.
func NewFeed(store *storage.Store, rdb *kv.Redis, cfg Config, log *slog.Logger) *Feed {
	return &Feed{store: store, rdb: rdb, engines: NewEngines(store), cfg: cfg.withDefaults(), log: log}
}

// Engines exposes the engines (thresholds can be tuned before use).
func (f *Feed) Engines() *Engines { return f.engines }

// Close waits for the background refills and queue rebuilds started so far
// to finish. The feed stays usable: the simulation, whose presses come
// faster than a person's, waits here after each tick.
func (f *Feed) Close() { f.bg.Wait() }

func (f *Feed) queueKey(userID int64) string {
	return f.rdb.Key("feed", "queue", strconv.FormatInt(userID, 10))
}

func (f *Feed) lockKey(userID int64) string {
	return f.rdb.Key("feed", "lock", strconv.FormatInt(userID, 10))
}

// Next claims the next meme for the user: it pops the queue (refilling it
// first when empty), and records the meme as sent before returning it, so a
// meme is never returned twice for one user, even to concurrent callers. The
// caller must Unsend the item if delivery fails. A low queue is topped up in
// the background.
func (f *Feed) Next(ctx context.Context, userID int64, isModerator bool) (Item, error) {
	for refills := 0; ; {
		it, remaining, ok, err := f.pop(ctx, userID)
		if err != nil {
			return Item{}, err
		}
		if !ok {
			if refills == 3 {
				return Item{}, ErrNoMemes
			}
			refills++
			added, err := f.refillOrWait(ctx, userID, isModerator)
			if err != nil {
				return Item{}, err
			}
			if added == 0 { // nothing to add, unless a concurrent refill got there first
				length, err := f.QueueLength(ctx, userID)
				if err != nil {
					return Item{}, err
				}
				if length == 0 {
					return Item{}, ErrNoMemes
				}
			}
			continue
		}
		claimed, err := f.claim(ctx, userID, it)
		if err != nil {
			return Item{}, err
		}
		if !claimed {
			continue // sent meanwhile, or no longer servable
		}
		f.topUp(userID, isModerator, it, remaining)
		return it, nil
	}
}

// pop takes the queue's head and reports how many items remain.
func (f *Feed) pop(ctx context.Context, userID int64) (Item, int64, bool, error) {
	key := f.queueKey(userID)
	pipe := f.rdb.TxPipeline()
	popped := pipe.LPop(ctx, key)
	length := pipe.LLen(ctx, key)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redisNil) {
		return Item{}, 0, false, fmt.Errorf("recommend: pop queue of %d: %w", userID, err)
	}
	raw, err := popped.Bytes()
	if errors.Is(err, redisNil) {
		return Item{}, 0, false, nil
	}
	if err != nil {
		return Item{}, 0, false, fmt.Errorf("recommend: pop queue of %d: %w", userID, err)
	}
	var it Item
	if err := json.Unmarshal(raw, &it); err != nil {
		f.log.Warn("recommend: dropping malformed queue item", slog.Int64("user_id", userID), slog.String("error", err.Error()))
		return f.pop(ctx, userID)
	}
	return it, length.Val(), true, nil
}

func (f *Feed) claim(ctx context.Context, userID int64, it Item) (bool, error) {
	claimed, err := f.store.ClaimMeme(ctx, userID, it.MemeID, it.Engine)
	if err != nil {
		return false, fmt.Errorf("recommend: %w", err)
	}
	return claimed, nil
}

// unpop puts an item that was popped but not claimed back at the head of the
// queue (with the queue's expiry, in case the pop emptied and so deleted it).
func (f *Feed) unpop(ctx context.Context, userID int64, it Item) {
	raw, _ := json.Marshal(it) // Item always marshals
	key := f.queueKey(userID)
	pipe := f.rdb.TxPipeline()
	pipe.LPush(ctx, key, raw)
	pipe.Expire(ctx, key, f.cfg.QueueTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		f.log.Warn("recommend: could not put a meme back in the queue", slog.Int64("user_id", userID),
			slog.Int64("meme_id", it.MemeID), slog.String("error", err.Error()))
	}
}

// Unsend forgets that a meme was sent, when its delivery failed; a meme the
// user already reacted to is kept.
func (f *Feed) Unsend(ctx context.Context, userID, memeID int64) error {
	if err := f.store.Unsend(ctx, userID, memeID); err != nil {
		return fmt.Errorf("recommend: %w", err)
	}
	return nil
}

// QueueLength is how many items wait in the user's queue.
func (f *Feed) QueueLength(ctx context.Context, userID int64) (int64, error) {
	n, err := f.rdb.LLen(ctx, f.queueKey(userID)).Result()
	if err != nil {
		return 0, fmt.Errorf("recommend: queue length of %d: %w", userID, err)
	}
	return n, nil
}

// Reset empties the user's queue, e.g. after they changed their languages.
func (f *Feed) Reset(ctx context.Context, userID int64) error {
	if err := f.rdb.Del(ctx, f.queueKey(userID)).Err(); err != nil {
		return fmt.Errorf("recommend: reset queue of %d: %w", userID, err)
	}
	return nil
}

// MemesSent counts the memes sent to a user, up to VeteranStart: all the
// stages need, read from at most that many primary-key entries.
func (f *Feed) MemesSent(ctx context.Context, userID int64) (int, error) {
	n, err := f.store.MemesSent(ctx, userID, VeteranStart)
	if err != nil {
		return 0, fmt.Errorf("recommend: %w", err)
	}
	return n, nil
}

// topUp starts a background refill after serving it when the queue ran low,
// or when it was the item marked to rebuild the person's queue.
func (f *Feed) topUp(userID int64, isModerator bool, it Item, remaining int64) {
	if it.Refresh {
		f.refreshInBackground(userID, isModerator)
	} else if remaining <= int64(f.cfg.LowWater) {
		f.refillInBackground(userID, isModerator)
	}
}
