package vision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

func (d *Describer) key(parts ...string) string {
	k := d.cfg.KeyPrefix + "vision"
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

func (d *Describer) coolingDown(ctx context.Context, model string) (bool, error) {
	n, err := d.cfg.Redis.Exists(ctx, d.key("cooldown", model)).Result()
	if err != nil {
		return false, fmt.Errorf("vision: read cooldown: %w", err)
	}
	return n > 0, nil
}

// coolDown rests a model. NX: a replica that sees a later 429 does not
// extend the cooldown another one already set.
func (d *Describer) coolDown(ctx context.Context, model string, dur time.Duration, why string) {
	if dur <= 0 {
		dur = d.cfg.Cooldown
	}
	dur = min(dur, d.cfg.MaxCooldown)
	err := d.cfg.Redis.SetArgs(ctx, d.key("cooldown", model), why, redis.SetArgs{Mode: "NX", TTL: dur}).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		d.cfg.Logger.WarnContext(ctx, "vision: set cooldown failed", slog.String("model", model), slog.Any("error", err))
		return
	}
	d.cfg.Logger.InfoContext(ctx, "vision: model cooling down", slog.String("model", model),
		slog.String("why", why), slog.Duration("for", dur))
}

// spendQuota counts one model call against today's (UTC) quota, atomically
// across replicas, and refuses once the quota is spent.
func (d *Describer) spendQuota(ctx context.Context) error {
	now := d.cfg.Now().UTC()
	day := now.Format(time.DateOnly)
	key := d.key("quota", day)
	pipe := d.cfg.Redis.TxPipeline()
	incr := pipe.Incr(ctx, key)
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	// Relative TTL: the key outlives its day by an hour, whatever the clock.
	pipe.PExpire(ctx, key, endOfDay.Add(time.Hour).Sub(now))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("vision: count quota: %w", err)
	}
	if incr.Val() > int64(d.cfg.DailyQuota) {
		return fmt.Errorf("%w: %d calls on %s", ErrQuotaExhausted, d.cfg.DailyQuota, day)
	}
	return nil
}

// QuotaUsed returns how many model calls today's quota has counted.
func (d *Describer) QuotaUsed(ctx context.Context) (int, error) {
	n, err := d.cfg.Redis.Get(ctx, d.key("quota", d.cfg.Now().UTC().Format(time.DateOnly))).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("vision: read quota: %w", err)
	}
	return min(n, d.cfg.DailyQuota), nil
}

// recordFailure adds a failure to the breaker window and opens the breaker
// when the window holds BreakerThreshold failures. Only the replica whose
// SET NX opened it calls OnTrip.
func (d *Describer) recordFailure(ctx context.Context, reason string) {
	now := d.cfg.Now()
	key := d.key("breaker", "failures")
	pipe := d.cfg.Redis.TxPipeline()
	pipe.ZAdd(ctx, key, redis.Z{Score: float64(now.UnixMilli()), Member: strconv.FormatInt(now.UnixNano(), 10) + ":" + strconv.FormatUint(uint64(rand.Uint32()), 10)})
	pipe.ZRemRangeByScore(ctx, key, "-inf", strconv.FormatInt(now.Add(-d.cfg.BreakerWindow).UnixMilli(), 10))
	count := pipe.ZCard(ctx, key)
	pipe.PExpire(ctx, key, d.cfg.BreakerWindow)
	if _, err := pipe.Exec(ctx); err != nil {
		d.cfg.Logger.WarnContext(ctx, "vision: record failure", slog.Any("error", err))
		return
	}
	if count.Val() < int64(d.cfg.BreakerThreshold) {
		return
	}
	why := fmt.Sprintf("%d failures within %s; last: %s", count.Val(), d.cfg.BreakerWindow, reason)
	opened, err := d.cfg.Redis.SetNX(ctx, d.key("breaker", "open"), why, 0).Result()
	if err != nil {
		d.cfg.Logger.WarnContext(ctx, "vision: open breaker", slog.Any("error", err))
		return
	}
	if opened {
		d.cfg.Logger.ErrorContext(ctx, "vision: circuit breaker opened", slog.String("reason", why))
		d.cfg.OnTrip(ctx, why)
	}
}

// BreakerOpen reports whether the breaker is open, and why.
func (d *Describer) BreakerOpen(ctx context.Context) (bool, string, error) {
	reason, err := d.cfg.Redis.Get(ctx, d.key("breaker", "open")).Result()
	if errors.Is(err, redis.Nil) {
		return false, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("vision: read breaker: %w", err)
	}
	return true, reason, nil
}

// Reset closes the breaker and forgets past failures (the /resume command,
// after the cause is fixed).
func (d *Describer) Reset(ctx context.Context) error {
	if err := d.cfg.Redis.Del(ctx, d.key("breaker", "open"), d.key("breaker", "failures")).Err(); err != nil {
		return fmt.Errorf("vision: reset breaker: %w", err)
	}
	return nil
}
