// Package kvtest gives tests a private Redis namespace on the real server
// named by TEST_REDIS_URL (falling back to REDIS_URL and the default).
// `make test` starts the server when none answers.
package kvtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"memebot/kv"
)

const defaultRedisURL = "redis://127.0.0.1:6379/0"

// RedisURL is the Redis server tests use.
func RedisURL() string {
	for _, name := range []string{"TEST_REDIS_URL", "REDIS_URL"} {
		if v := os.Getenv(name); v != "" {
			return v
		}
	}
	return defaultRedisURL
}

// NewRedis returns a client whose keys live under a namespace of this test's
// own; they are deleted when the test ends.
func NewRedis(t testing.TB) *kv.Redis {
	t.Helper()
	ctx := context.Background()
	prefix := "memebot-test-" + randomHex(6)
	r, err := kv.Open(ctx, RedisURL(), prefix)
	if err != nil {
		t.Fatalf("kvtest: redis at %s: %v (make test starts one)", RedisURL(), err)
	}
	t.Cleanup(func() {
		iter := r.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		for iter.Next(ctx) {
			r.Del(ctx, iter.Val())
		}
		r.Close()
	})
	return r
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
