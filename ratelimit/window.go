// Package ratelimit holds the limits memebot keeps in Redis so that they hold
// across replicas.
package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"memebot/kv"

	"github.com/redis/go-redis/v9"
)

// Window allows at most Limit events per key in any rolling Window (a
// sliding log in a sorted set: exact, unlike fixed buckets).
type Window struct {
	rdb    *kv.Redis
	name   string
	limit  int
	window time.Duration
}

// NewWindow returns a limiter called name (part of its Redis keys).
func NewWindow(rdb *kv.Redis, name string, limit int, window time.Duration) *Window {
	return &Window{rdb: rdb, name: name, limit: limit, window: window}
}

// takeScript drops events older than the window, then records one more if
// the limit allows. Returns {1, 0} when taken, {0, ms until a slot frees}.
var takeScript = redis.NewScript(`
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}`)

// Grant is a taken slot; Release gives it back (when the action did not happen).
type Grant struct {
	key, member string
}

// Take records one event for key if the limit allows. When it does not, it
// returns ok=false and how long until a slot frees.
func (w *Window) Take(ctx context.Context, key string) (g Grant, ok bool, retryIn time.Duration, err error) {
	out, err := w.TakeMany(ctx, []string{key})
	if err != nil {
		return Grant{}, false, 0, err
	}
	return out[0].Grant, out[0].OK, out[0].RetryIn, nil
}

// Outcome is the answer of TakeMany for one key.
type Outcome struct {
	Grant   Grant
	OK      bool
	RetryIn time.Duration // when !OK: until a slot frees
}

// TakeMany is Take for several keys in one round trip (a key may repeat: each
// occurrence takes one slot, in order).
func (w *Window) TakeMany(ctx context.Context, keys []string) ([]Outcome, error) {
	out := make([]Outcome, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	now := time.Now().UnixMilli()
	calls := make([]kv.ScriptCall, len(keys))
	for i, key := range keys {
		out[i].Grant = Grant{key: w.rdb.Key("ratelimit", w.name, key), member: randomID()}
		calls[i] = kv.ScriptCall{Keys: []string{out[i].Grant.key},
			Args: []any{now, w.window.Milliseconds(), w.limit, out[i].Grant.member}}
	}
	cmds, err := w.rdb.RunScripts(ctx, takeScript, calls)
	if err != nil {
		return nil, fmt.Errorf("ratelimit %s: %w", w.name, err)
	}
	for i, c := range cmds {
		res, err := c.Int64Slice()
		if err != nil {
			return nil, fmt.Errorf("ratelimit %s: %w", w.name, err)
		}
		if out[i].OK = res[0] == 1; !out[i].OK {
			out[i].Grant, out[i].RetryIn = Grant{}, time.Duration(res[1])*time.Millisecond
		}
	}
	return out, nil
}

// ReleaseMany gives slots back in one round trip.
func (w *Window) ReleaseMany(ctx context.Context, gs []Grant) error {
	_, err := w.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, g := range gs {
			if g.key != "" {
				p.ZRem(ctx, g.key, g.member)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ratelimit %s: release: %w", w.name, err)
	}
	return nil
}

// Release gives a slot back.
func (w *Window) Release(ctx context.Context, g Grant) error { return w.ReleaseMany(ctx, []Grant{g}) }

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
