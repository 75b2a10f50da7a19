package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"memebot/config"
	"memebot/kv"
	"memebot/storage"
)

// DatabaseName is the database the sandbox keeps its data in, next to the
// one DATABASE_URL names, so that a reset never touches a real bot's data.
const DatabaseName = "memebot_sandbox"

// DatabaseURL is base with its database replaced by DatabaseName.
func DatabaseURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("sandbox: database url: %w", err)
	}
	u.Path = "/" + DatabaseName
	return u.String(), nil
}

// prepareData makes the data directory and the database exist; with
// opts.Reset it first throws away the fake's state, the database and the
// Redis keys of the sandbox.
func prepareData(ctx context.Context, cfg *config.Config, opts Options) error {
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return fmt.Errorf("sandbox: data dir: %w", err)
	}
	if opts.Reset {
		if err := os.Remove(filepath.Join(opts.Dir, stateFileName)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sandbox: reset state: %w", err)
		}
		if err := deleteRedisKeys(ctx, cfg.RedisURL, cfg.RedisPrefix); err != nil {
			return err
		}
	}
	if err := ensureDatabase(ctx, cfg.DatabaseURL, opts.Reset); err != nil {
		return err
	}
	return migrate(ctx, cfg.DatabaseURL)
}

// migrate applies the migrations even when AUTO_MIGRATE is off: a new
// sandbox database would be empty otherwise.
func migrate(ctx context.Context, dbURL string) error {
	st, err := storage.Open(ctx, dbURL, slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// ensureDatabase creates the database named in dbURL when it is missing,
// after dropping it when recreate is set. Only sandbox or test databases
// are ever dropped.
func ensureDatabase(ctx context.Context, dbURL string, recreate bool) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("sandbox: database url: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if recreate && !strings.Contains(name, "sandbox") && !strings.Contains(name, "test") {
		return fmt.Errorf("sandbox: refusing to reset database %q: only sandbox or test databases are reset", name)
	}
	return storage.PrepareDatabase(ctx, dbURL, recreate)
}

// deleteRedisKeys deletes every key under prefix.
func deleteRedisKeys(ctx context.Context, redisURL, prefix string) error {
	if prefix == "" {
		return errors.New("sandbox: refusing to delete Redis keys without a prefix")
	}
	rdb, err := kv.Open(ctx, redisURL, prefix)
	if err != nil {
		return fmt.Errorf("sandbox: reset redis: %w", err)
	}
	defer rdb.Close()
	iter := rdb.Scan(ctx, 0, prefix+":*", 500).Iterator()
	for iter.Next(ctx) {
		if err := rdb.Del(ctx, iter.Val()).Err(); err != nil {
			return fmt.Errorf("sandbox: reset redis: %w", err)
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("sandbox: reset redis: %w", err)
	}
	return nil
}
