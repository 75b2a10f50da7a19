package simulate

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"memebot/kv/kvtest"
	"memebot/storage/storagetest"
)

func tinyWorld() Params {
	p := DefaultParams()
	p.Name, p.Users, p.Memes, p.Sources, p.Uploaders = "tiny", 40, 400, 8, 5
	p.MinSeen, p.MaxSeen, p.SessionMean = 15, 40, 15
	p.JoinOver, p.SessionGap, p.ArrivalsPerHour = time.Hour, 30*time.Minute, 20
	return p
}

func TestReferencesBracketAnyPolicy(t *testing.T) {
	w := NewWorld(tinyWorld())
	for u := range 5 {
		ref := newReference(w, u)
		prev := math.Inf(1)
		var oracleSum, ceilingSum float64 // no k memes beat the oracle's first k
		for range w.Users[u].Planned {
			random, oracle, ceiling := ref.serve(0)
			oracleSum, ceilingSum = oracleSum+oracle, ceilingSum+ceiling
			if oracle > prev+1e-12 {
				t.Fatalf("user %d: the oracle served %.3f after %.3f; want the best first", u, oracle, prev)
			}
			if oracle < random || oracleSum < ceilingSum-1e-9 || ceiling < random {
				t.Fatalf("user %d: oracle %.3f (sum %.3f), ceiling %.3f (sum %.3f), random %.3f; want random <= ceiling, oracle",
					u, oracle, oracleSum, ceiling, ceilingSum, random)
			}
			prev = oracle
		}
	}
}

func TestWorldIsReproducible(t *testing.T) {
	a, b := NewWorld(tinyWorld()), NewWorld(tinyWorld())
	if len(a.Memes) != len(b.Memes) || a.LikeProb(3, 17) != b.LikeProb(3, 17) || a.Users[5].Planned != b.Users[5].Planned {
		t.Fatal("the same parameters built different worlds")
	}
}

// TestSimulateTinyWorld drives both policies (at once) through a tiny world
// on the real servers and checks the report: the contract's bands, no meme served twice
// or in a language the user does not read, and the references in order.
func TestSimulateTinyWorld(t *testing.T) {
	name := "memebot_simtest_" + storagetest.RandomHex(4)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, storagetest.DatabaseURL())
		if err == nil {
			for _, db := range []string{name + "_0", name + "_1"} { // one per run going at once
				conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
			}
			conn.Close(ctx)
		}
		for _, db := range []string{name + "_0", name + "_1"} { // and their queues
			if rdb, err := freshRedis(ctx, kvtest.RedisURL(), redisPrefix(db)); err == nil {
				rdb.Close()
			}
		}
	})
	env := Env{DatabaseURL: storagetest.DatabaseURL(), RedisURL: kvtest.RedisURL(), Database: name, Parallel: 2, Log: storagetest.Logger()}
	rep, err := Compare(context.Background(), []Params{tinyWorld()}, Policies(true), env)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.json")
	if err := rep.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	var contract struct {
		Worlds []struct {
			Name  string `json:"name"`
			Bands []struct {
				Band                           string
				Random, Oracle, Feed, Captured float64
			} `json:"bands"`
		} `json:"worlds"`
	}
	if err := json.Unmarshal(raw, &contract); err != nil || len(contract.Worlds) != 1 {
		t.Fatalf("report %s: %v", raw, err)
	}
	bands := contract.Worlds[0].Bands
	if len(bands) != 4 || bands[0].Band != "1-10" || bands[1].Band != "11-30" || bands[2].Band != "31-100" || bands[3].Band != "101-300" {
		t.Fatalf("bands %+v", bands)
	}
	// No ten memes beat the ten best, so the first band's feed is at most the oracle's.
	if b := bands[0]; !(b.Random < b.Oracle) || b.Feed <= 0 || b.Feed > b.Oracle+1e-9 {
		t.Errorf("band %s: random %.3f, feed %.3f, oracle %.3f; want random < oracle and 0 < feed <= oracle", b.Band, b.Random, b.Feed, b.Oracle)
	}
	for _, o := range []Outcome{*rep.Worlds[0].Baseline, rep.Worlds[0].Outcome} {
		if o.Repeats != 0 || o.Foreign != 0 || o.Served == 0 {
			t.Errorf("%s: served %d, %d twice to a user, %d in a language the user does not read", o.Policy, o.Served, o.Repeats, o.Foreign)
		}
	}
}

// TestSimulationDatabaseIsUnlogged checks that every table of a fresh
// simulation database is unlogged (foreign keys and all), so that a run
// writes no write-ahead log for rows it throws away.
func TestSimulationDatabaseIsUnlogged(t *testing.T) {
	ctx := context.Background()
	name := "memebot_simtest_" + storagetest.RandomHex(4)
	st, err := freshStore(ctx, storagetest.DatabaseURL(), name, storagetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		if conn, err := pgx.Connect(ctx, storagetest.DatabaseURL()); err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	var tables, logged []string
	err = storagetest.Pool(st).QueryRow(ctx, `
SELECT array_agg(relname ORDER BY relname), coalesce(array_agg(relname ORDER BY relname) FILTER (WHERE relpersistence = 'p'), '{}')
FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`).Scan(&tables, &logged)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 || len(logged) > 0 {
		t.Fatalf("%d tables, logged: %v; want every table unlogged", len(tables), logged)
	}
}
