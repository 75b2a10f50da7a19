package recommend

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"memebot/storage"
)

var redisNil = redis.Nil

// errLocked means another caller is refilling this user's queue right now.
var errLocked = errors.New("recommend: refill in progress")

// unlockScript deletes the lock only if it still holds our token, so a refill
// that outlived its lock never releases someone else's.
var unlockScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`)

// Refill adds a blended batch to the user's queue, unless another refill of
// this queue is running. It returns how many items were added.
func (f *Feed) Refill(ctx context.Context, userID int64, isModerator bool) (int, error) {
	return f.refillIfAtMost(ctx, userID, isModerator, math.MaxInt64)
}

// refillIfAtMost refills unless another refill is running or, once the lock
// is held, the queue holds more than limit items (a refill that just finished
// already topped it up).
func (f *Feed) refillIfAtMost(ctx context.Context, userID int64, isModerator bool, limit int64) (int, error) {
	n, err := f.refill(ctx, userID, isModerator, limit, false)
	if errors.Is(err, errLocked) {
		return 0, nil
	}
	return n, err
}

// refill pushes a blended batch; with rebuild it replaces what the queue
// holds (a refresh: the queued memes were ranked on fewer reactions).
func (f *Feed) refill(ctx context.Context, userID int64, isModerator bool, limit int64, rebuild bool) (int, error) {
	token := randomToken()
	lock := f.lockKey(userID)
	ok, err := f.rdb.SetNX(ctx, lock, token, f.cfg.LockTTL).Result()
	if err != nil {
		return 0, fmt.Errorf("recommend: lock queue of %d: %w", userID, err)
	}
	if !ok {
		return 0, errLocked
	}
	defer unlockScript.Run(context.WithoutCancel(ctx), f.rdb, []string{lock}, token)
	if limit < math.MaxInt64 {
		length, err := f.QueueLength(ctx, userID)
		if err != nil || length > limit {
			return 0, err
		}
	}

	items, learned, err := f.blend(ctx, userID, isModerator, rebuild)
	if err != nil || len(items) == 0 || (rebuild && !learned) {
		return 0, err // (a hand-set blend's queue runs its course)
	}
	if learned && f.cfg.Refresh > 0 && len(items) > f.cfg.Refresh {
		items[f.cfg.Refresh-1].Refresh = true
	}
	values := make([]any, len(items))
	for i, it := range items {
		b, _ := json.Marshal(it) // Item always marshals
		values[i] = b
	}
	key := f.queueKey(userID)
	pipe := f.rdb.TxPipeline()
	if rebuild && learned {
		pipe.Del(ctx, key)
	}
	pipe.RPush(ctx, key, values...)
	pipe.Expire(ctx, key, f.cfg.QueueTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("recommend: push queue of %d: %w", userID, err)
	}
	return len(items), nil
}

// refillOrWait refills an empty queue; when another caller holds the lock it
// waits for that refill instead. It reports how many items the queue got.
func (f *Feed) refillOrWait(ctx context.Context, userID int64, isModerator bool) (int, error) {
	n, err := f.refill(ctx, userID, isModerator, 0, false)
	if !errors.Is(err, errLocked) {
		return n, err
	}
	deadline := time.Now().Add(f.cfg.LockTTL)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		length, err := f.QueueLength(ctx, userID)
		if err != nil {
			return 0, err
		}
		if length > 0 {
			return int(length), nil
		}
		held, err := f.rdb.Exists(ctx, f.lockKey(userID)).Result()
		if err != nil {
			return 0, fmt.Errorf("recommend: check lock of %d: %w", userID, err)
		}
		if held == 0 {
			return f.refillIfAtMost(ctx, userID, isModerator, 0)
		}
	}
	return 0, nil
}

// refreshInBackground rebuilds a person's queue from what they pressed so far.
func (f *Feed) refreshInBackground(userID int64, isModerator bool) {
	f.bg.Add(1)
	go func() {
		defer f.bg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), f.cfg.LockTTL)
		defer cancel()
		if _, err := f.refill(ctx, userID, isModerator, math.MaxInt64, true); err != nil && !errors.Is(err, errLocked) {
			f.log.Warn("recommend: background refresh failed", slog.Int64("user_id", userID), slog.String("error", err.Error()))
		}
	}()
}

func (f *Feed) refillInBackground(userID int64, isModerator bool) {
	f.bg.Add(1)
	go func() {
		defer f.bg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), f.cfg.LockTTL)
		defer cancel()
		if _, err := f.refillIfAtMost(ctx, userID, isModerator, int64(f.cfg.LowWater)); err != nil {
			f.log.Warn("recommend: background refill failed", slog.Int64("user_id", userID), slog.String("error", err.Error()))
		}
	}()
}

// blend queries the engines of the user's plan and mixes their candidates.
// learned says the learned blend served the user (whose queue is
// refreshed); with rebuild the queued memes may be chosen again.
func (f *Feed) blend(ctx context.Context, userID int64, isModerator, rebuild bool) ([]Item, bool, error) {
	// The user's languages, role and maturity in one round trip (the
	// count as MemesSent reads it).
	user, err := f.store.FeedUser(ctx, userID, VeteranStart)
	if err != nil {
		return nil, false, fmt.Errorf("recommend: %w", err)
	}
	langs, sent := user.Languages, user.Sent
	moderator := isModerator || user.Role == storage.RoleModerator
	learned := !f.cfg.FixedBlend && !moderator
	var queued []int64
	if !rebuild || !learned { // a rebuilt queue may take its memes again
		if queued, err = f.queuedIDs(ctx, userID); err != nil {
			return nil, false, err
		}
	}
	q := Query{UserID: userID, Languages: langs, Exclude: queued, Limit: f.cfg.RefillSize, history: &sharedHistory{}}
	rng := rand.New(rand.NewPCG(seedWord(), uint64(userID)))
	var items []Item
	var stage string
	fallbacks := []string{LRSmoothed, LastResort}
	if learned {
		if items, stage, err = f.learnedBlend(ctx, sent, q, rng); err != nil {
			return nil, false, err
		}
	} else {
		plan := PlanFor(sent, moderator)
		stage, fallbacks = plan.Stage, plan.Fallbacks
		pools, err := f.candidates(ctx, plan.Engines(), q)
		if err != nil {
			return nil, false, err
		}
		items = Blend(pools, plan.Weights, plan.Fixed, f.cfg.RefillSize, rng)
	}
	for _, engine := range fallbacks {
		if len(items) >= f.cfg.RefillSize {
			break
		}
		q.Exclude = append(queued[:len(queued):len(queued)], ids(items)...)
		q.Limit = f.cfg.RefillSize - len(items)
		more, err := f.engines.Candidates(ctx, engine, q)
		if err != nil {
			return nil, false, err
		}
		items = append(items, more...)
	}
	f.log.Debug("recommend: refill", slog.Int64("user_id", userID), slog.String("stage", stage),
		slog.Int("sent", sent), slog.Int("queued", len(queued)), slog.Int("added", len(items)))
	return items, learned, nil
}

// candidates runs the engines concurrently.
func (f *Feed) candidates(ctx context.Context, engines []string, q Query) (map[string][]Item, error) {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		pools = make(map[string][]Item, len(engines))
		errs  []error
	)
	for _, name := range engines {
		wg.Go(func() {
			items, err := f.engines.Candidates(ctx, name, q)
			mu.Lock()
			defer mu.Unlock()
			pools[name] = items
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return pools, errors.Join(errs...)
}

func (f *Feed) queuedIDs(ctx context.Context, userID int64) ([]int64, error) {
	raw, err := f.rdb.LRange(ctx, f.queueKey(userID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("recommend: read queue of %d: %w", userID, err)
	}
	out := make([]int64, 0, len(raw))
	for _, r := range raw {
		var it Item
		if json.Unmarshal([]byte(r), &it) == nil {
			out = append(out, it.MemeID)
		}
	}
	return out, nil
}

// QueueOwner is a user whose queue a scheduled refill may top up.
type QueueOwner struct {
	ID        int64
	Moderator bool
}

// RefillActive tops up the queues of users active within `since` whose queue
// is low, so that their next meme comes from a warm queue. It returns how many
// queues it refilled.
func (f *Feed) RefillActive(ctx context.Context, since time.Duration) (int, error) {
	active, err := f.store.ActiveUsers(ctx, since)
	if err != nil {
		return 0, fmt.Errorf("recommend: %w", err)
	}
	users := make([]QueueOwner, len(active))
	for i, u := range active {
		users[i] = QueueOwner{ID: u.ID, Moderator: u.Role == storage.RoleModerator || f.cfg.IsModerator(u.ID)}
	}
	return f.RefillLow(ctx, users)
}

// RefillLow tops up those of the users' queues that hold LowWater items or
// fewer, and returns how many it refilled. The queues' lengths are read in
// one pipeline, not a round trip per user.
func (f *Feed) RefillLow(ctx context.Context, users []QueueOwner) (int, error) {
	lengths := make([]*redis.IntCmd, len(users))
	pipe := f.rdb.Pipeline()
	for i, u := range users {
		lengths[i] = pipe.LLen(ctx, f.queueKey(u.ID))
	}
	if len(users) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return 0, fmt.Errorf("recommend: queue lengths: %w", err)
		}
	}
	refilled := 0
	for i, u := range users {
		if lengths[i].Val() > int64(f.cfg.LowWater) {
			continue
		}
		n, err := f.refillIfAtMost(ctx, u.ID, u.Moderator, int64(f.cfg.LowWater))
		if err != nil {
			return refilled, err
		}
		if n > 0 {
			refilled++
		}
	}
	return refilled, nil
}

func ids(items []Item) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.MemeID
	}
	return out
}

func randomToken() string {
	b := make([]byte, 12)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}

func seedWord() uint64 {
	var b [8]byte
	_, _ = crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}
