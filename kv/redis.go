// Package kv is memebot's Redis: the client with the key namespace every key
// is built in, locks with an expiry, and scripts run in batches. Redis holds
// only what can be rebuilt from PostgreSQL (queues, locks, limits, caches),
// so this package knows nothing of the database.
package kv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"memebot/heal"
)

// Redis is the Redis client with the key namespace every key is built in,
// so that several deployments (or parallel tests) can share one server.
type Redis struct {
	redis.UniversalClient
	prefix string
}

// Open connects to REDIS_URL and checks the connection.
func Open(ctx context.Context, url, prefix string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("kv: redis url: %w", err)
	}
	// A plain dial first: the client's pool would log a raw line for every
	// failed dial of its retries before Ping returned.
	var d net.Dialer
	conn, err := d.DialContext(ctx, opts.Network, opts.Addr)
	if err != nil {
		return nil, heal.NewConnectError("Redis", url, err)
	}
	conn.Close()
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, heal.NewConnectError("Redis", url, err)
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
		return nil, false, fmt.Errorf("kv: lock %s: %w", name, err)
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
			err = fmt.Errorf("kv: lock %s: %w", name, err)
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

// ScriptCall is one run of a script: its keys and arguments.
type ScriptCall struct {
	Keys []string
	Args []any
}

// RunScripts runs script once per call in one round trip, in order (Redis
// runs them one after another, as if sent one by one). When Redis has lost
// the script (a restart), the script itself is sent instead of its hash.
func (r *Redis) RunScripts(ctx context.Context, script *redis.Script, calls []ScriptCall) ([]*redis.Cmd, error) {
	run := func(byHash bool) ([]*redis.Cmd, error) {
		cmds := make([]*redis.Cmd, len(calls))
		_, err := r.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, c := range calls {
				if byHash {
					cmds[i] = script.EvalSha(ctx, p, c.Keys, c.Args...)
				} else {
					cmds[i] = script.Eval(ctx, p, c.Keys, c.Args...)
				}
			}
			return nil
		})
		return cmds, err
	}
	cmds, err := run(true)
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		cmds, err = run(false)
	}
	return cmds, err
}
