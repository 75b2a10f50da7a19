package telegram

import (
	"context"
	"fmt"
	"time"

	"memebot/kv"

	"github.com/redis/go-redis/v9"
)

// budget is the part of the rate limit every process shares: GCRA schedules
// in Redis (one global, one per chat) and the holds set after a 429. It is
// our own small script rather than redis_rate because a message must take
// from the chat's and the global budget atomically (taking one and being
// refused the other would waste it), and the global burst depends on the
// priority.
type budget struct {
	rdb    *kv.Redis
	limits Limits
}

// target is the chat a limited request writes to.
type target struct {
	chat  string // chat_id as sent; "" when the request names none (inline messages)
	group bool   // the group limit applies rather than the private one
	cost  int    // messages it makes: sendMediaGroup and forwardMessages make several
}

// verdict says how long a request must still wait for its chat and for the
// global budget; both zero means it was admitted (and charged).
type verdict struct {
	chatWait, globalWait time.Duration
}

func (v verdict) admitted() bool { return v.chatWait <= 0 && v.globalWait <= 0 }

// takeScript is GCRA over up to two schedules. A schedule's key holds its
// theoretical arrival time (TAT, µs, Redis clock so that processes agree); a
// request of cost c may go when TAT + c*interval - tolerance <= now, and then
// moves TAT on by c*interval. A cost above the burst is checked as the burst
// (it could never pass otherwise) and charged in full. A hold key, set after
// a 429, refuses everything for its lifetime.
//
// KEYS: global schedule, global hold[, chat schedule, chat hold]
// ARGV: cost, global interval µs, global tolerance µs[, chat interval µs, chat tolerance µs]
// Returns {chat wait µs, global wait µs}; {0, 0} = admitted.
var takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cost = tonumber(ARGV[1])

local function wait_for(sched, hold, interval, tolerance)
  local tat = tonumber(redis.call('GET', sched) or '0')
  if tat < now then tat = now end
  local burst = math.floor(tolerance / interval + 0.5)
  local wait = tat + math.min(cost, burst) * interval - tolerance - now
  local held = redis.call('PTTL', hold)
  if held > 0 and held * 1000 > wait then wait = held * 1000 end
  return wait, tat
end

local function charge(sched, tat, interval)
  local next = tat + cost * interval
  redis.call('SET', sched, string.format('%.0f', next), 'PX', string.format('%d', math.ceil((next - now) / 1000) + 1))
end

local gwait, gtat = wait_for(KEYS[1], KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[3]))
local cwait, ctat = 0, 0
if #KEYS == 4 then
  cwait, ctat = wait_for(KEYS[3], KEYS[4], tonumber(ARGV[4]), tonumber(ARGV[5]))
end
if gwait > 0 or cwait > 0 then
  return {math.max(0, math.ceil(cwait)), math.max(0, math.ceil(gwait))}
end
charge(KEYS[1], gtat, tonumber(ARGV[2]))
if #KEYS == 4 then charge(KEYS[3], ctat, tonumber(ARGV[4])) end
return {0, 0}`)

// holdScript sets a hold unless a longer one is already there.
var holdScript = redis.NewScript(`
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0`)

// key names a limiter key; the {tg} hash tag keeps them in one Redis Cluster
// slot, which a script touching several of them needs.
func (b *budget) key(parts ...string) string {
	return b.rdb.Key(append([]string{"tglimit{tg}"}, parts...)...)
}

// ask is one request for the budget: its target at a priority.
type ask struct {
	target target
	prio   Priority
}

// take admits each ask now, or says how long it must wait, in one round trip;
// Redis decides them in order, as if asked one by one.
func (b *budget) take(ctx context.Context, asks []ask) ([]verdict, error) {
	calls := make([]kv.ScriptCall, len(asks))
	for i, a := range asks {
		g := b.limits.Global
		c := kv.ScriptCall{
			Keys: []string{b.key("global"), b.key("hold", "global")},
			Args: []any{max(a.target.cost, 1), micros(g.interval()), micros(g.interval()) * float64(b.limits.globalBurst(a.prio))},
		}
		if a.target.chat != "" {
			cl := b.chatLimit(a.target)
			c.Keys = append(c.Keys, b.key("chat", a.target.chat), b.key("hold", "chat", a.target.chat))
			c.Args = append(c.Args, micros(cl.interval()), micros(cl.interval())*float64(cl.Burst))
		}
		calls[i] = c
	}
	cmds, err := b.rdb.RunScripts(ctx, takeScript, calls)
	if err != nil {
		return nil, fmt.Errorf("telegram: rate limit: %w", err)
	}
	out := make([]verdict, len(asks))
	for i, cmd := range cmds {
		res, err := cmd.Int64Slice()
		if err != nil {
			return nil, fmt.Errorf("telegram: rate limit: %w", err)
		}
		out[i] = verdict{chatWait: time.Duration(res[0]) * time.Microsecond, globalWait: time.Duration(res[1]) * time.Microsecond}
	}
	return out, nil
}

// hold refuses t's chat (everything when t names no chat) for d, in every process.
func (b *budget) hold(ctx context.Context, t target, d time.Duration) error {
	key := b.key("hold", "global")
	if t.chat != "" {
		key = b.key("hold", "chat", t.chat)
	}
	if err := holdScript.Run(ctx, b.rdb, []string{key}, d.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("telegram: rate limit hold: %w", err)
	}
	return nil
}

func (b *budget) chatLimit(t target) Limit {
	if t.group {
		return b.limits.Group
	}
	return b.limits.Private
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
