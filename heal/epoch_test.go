package heal_test

import (
	"context"
	"sync/atomic"
	"testing"

	"memebot/heal"
	"memebot/kv/kvtest"
	"memebot/storage/storagetest"
)

func TestRebuildRunsOnceWhenRedisLostItsData(t *testing.T) {
	rdb := kvtest.NewRedis(t)
	ctx := context.Background()
	var rebuilds atomic.Int32
	fail := true
	watch := func() heal.EpochWatch {
		return heal.EpochWatch{Redis: rdb, Key: rdb.Key("epoch"), Log: storagetest.Logger(),
			Rebuilds: []heal.Rebuild{{Name: "jobs", Run: func(context.Context) error {
				rebuilds.Add(1)
				if fail {
					fail = false
					return context.DeadlineExceeded // PostgreSQL out, say: tried again at the next check
				}
				return nil
			}}}}
	}
	a, b := watch(), watch()
	a.Check(ctx)
	if n := rebuilds.Load(); n != 1 {
		t.Fatalf("%d rebuilds on a Redis without the marker, want 1", n)
	}
	b.Check(ctx) // the first rebuild failed: the next check tries again
	a.Check(ctx)
	b.Check(ctx)
	if n := rebuilds.Load(); n != 2 {
		t.Fatalf("%d rebuilds after a failed one and three checks, want 2", n)
	}
	if err := rdb.Del(ctx, rdb.Key("epoch")).Err(); err != nil { // Redis loses its data again
		t.Fatal(err)
	}
	b.Check(ctx)
	a.Check(ctx)
	if n := rebuilds.Load(); n != 3 {
		t.Fatalf("%d rebuilds after the second loss, want 3", n)
	}
}
