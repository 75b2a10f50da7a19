package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"memebot/kv/kvtest"
	"memebot/storage/storagetest"
)

// TestSimulateRunsASmallWorldWithOnlyItsTwoURLs: simulate needs no Telegram
// settings and no database of its own beforehand, and a world smaller than
// the default one runs without the default's 100 uploaders (one in 20 of
// its people upload).
func TestSimulateRunsASmallWorldWithOnlyItsTwoURLs(t *testing.T) {
	t.Setenv("BOT_TOKEN", "")
	t.Setenv("STORAGE_CHAT_ID", "")
	t.Setenv("REVIEW_CHAT_ID", "")
	t.Setenv("DATABASE_URL", withDatabase(t, storagetest.DatabaseURL(), "memebot_no_such_db"))
	t.Setenv("REDIS_URL", kvtest.RedisURL())
	db := "memebot_simcli_" + storagetest.RandomHex(4)
	t.Cleanup(func() { dropSimulation(t, db) })
	report := filepath.Join(t.TempDir(), "simulate.json")
	code, _, errOut := runMain("simulate", "--users", "30", "--memes", "300", "--sources", "6", "--min-seen", "10", "--max-seen", "40",
		"--join-over", "1h", "--session-gap", "30m", "--k", "4", "--noise", "0.5", "--seed", "1",
		"--database", db, "--quiet", "--png", "", "--json", report)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Worlds []struct {
			Bands []struct{ Band string } `json:"bands"`
		} `json:"worlds"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil || len(rep.Worlds) != 1 || len(rep.Worlds[0].Bands) != 4 {
		t.Fatalf("report %s: %v; want one world with four bands", raw, err)
	}
}

// dropSimulation drops the simulation's database and its Redis keys.
func dropSimulation(t *testing.T, db string) {
	ctx := context.Background()
	if conn, err := pgx.Connect(ctx, storagetest.DatabaseURL()); err == nil {
		for _, name := range []string{db, db + "_0", db + "_1", db + "_2"} { // one per run going at once
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
		conn.Close(ctx)
	}
	opts, err := redis.ParseURL(kvtest.RedisURL())
	if err != nil {
		t.Error(err)
		return
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	iter := rdb.Scan(ctx, 0, strings.ReplaceAll(db, "_", "-")+"*", 1000).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}
