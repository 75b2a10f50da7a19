package storage

import (
	"context"
	"fmt"
	"strings"

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
