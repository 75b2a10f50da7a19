package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the Redis client with the key namespace every key is built in,
// so that several deployments (or parallel tests) can share one server.
type Redis struct {
	redis.UniversalClient
	prefix string
}

// OpenRedis connects to REDIS_URL and checks the connection.
func OpenRedis(ctx context.Context, url, prefix string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("storage: redis url: %w", err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("storage: redis ping: %w", err)
	}
	return &Redis{UniversalClient: client, prefix: prefix}, nil
}

// Key joins parts under the namespace: Key("queue", "42") = "memebot:queue:42".
func (r *Redis) Key(parts ...string) string {
	return r.prefix + ":" + strings.Join(parts, ":")
}

// Prefix is the namespace every key starts with.
func (r *Redis) Prefix() string { return r.prefix }

var (
	unlockScript = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`)
	extendScript = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`)
)

// TryLock takes the lock called name for ttl if nobody holds it. The returned
// release frees it only while this holder still owns it (after the ttl it may
// belong to someone else).
func (r *Redis) TryLock(ctx context.Context, name string, ttl time.Duration) (release func(), ok bool, err error) {
	key, token := r.Key("lock", name), newToken()
	ok, err = r.SetNX(ctx, key, token, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("storage: lock %s: %w", name, err)
	}
	if !ok {
		return nil, false, nil
	}
	return func() { r.unlock(key, token) }, true, nil
}

// HoldLock takes the lock called name and keeps it while its holder lives:
// it is renewed every ttl/3 until release is called, so a holder that dies
// loses it within ttl, while a long-running live one never does.
func (r *Redis) HoldLock(ctx context.Context, name string, ttl time.Duration) (release func(), ok bool, err error) {
	key, token := r.Key("lock", name), newToken()
	ok, err = r.SetNX(ctx, key, token, ttl).Result()
	if err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("storage: lock %s: %w", name, err)
		}
		return nil, false, err
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				renewCtx, cancel := context.WithTimeout(context.Background(), ttl/3)
				_ = extendScript.Run(renewCtx, r, []string{key}, token, ttl.Milliseconds()).Err()
				cancel()
			}
		}
	}()
	return func() { close(stop); <-done; r.unlock(key, token) }, true, nil
}

func (r *Redis) unlock(key, token string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = unlockScript.Run(ctx, r, []string{key}, token).Err()
}

func newToken() string {
	buf := make([]byte, 12)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}
