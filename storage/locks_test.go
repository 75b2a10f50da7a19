package storage_test

import (
	"context"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
)

func TestLockIsExclusiveAndLapsesWithItsHoldersConnection(t *testing.T) {
	ctx := context.Background()
	url := storagetest.NewDatabase(t)
	open := func() *storage.Store {
		s, err := storage.Open(ctx, url, storagetest.Logger())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	worker1, worker2 := open(), open()
	defer worker2.Close()

	release, ok, err := worker1.HoldLock(ctx, "upload:7", 0)
	if err != nil || !ok {
		t.Fatalf("first lock: ok=%v err=%v", ok, err)
	}
	if _, ok, err := worker2.HoldLock(ctx, "upload:7", 0); err != nil || ok {
		t.Fatalf("a held lock was taken again: ok=%v err=%v", ok, err)
	}
	if r, ok, err := worker2.HoldLock(ctx, "upload:8", 0); err != nil || !ok {
		t.Fatalf("another name: ok=%v err=%v", ok, err)
	} else {
		r()
	}
	release()
	r2, ok, err := worker2.HoldLock(ctx, "upload:7", 0)
	if err != nil || !ok {
		t.Fatalf("after release: ok=%v err=%v", ok, err)
	}
	r2()

	// A holder that dies (its connection ends, as when the process is
	// killed) frees the lock at once.
	if _, ok, _ := worker1.HoldLock(ctx, "upload:9", 0); !ok {
		t.Fatal("lock upload:9 not taken")
	}
	defer worker1.Close()
	if err := storagetest.DB(worker2).Exec(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Error; err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, ok, err := worker2.HoldLock(ctx, "upload:9", 0)
		if err == nil && ok {
			r()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lock of a closed connection was never freed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Connections kept between locks that PostgreSQL ended meanwhile (it
// restarted, say) do not fail the next lock.
func TestLockAfterItsConnectionsEnded(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	for range 2 {
		release, ok, err := st.HoldLock(ctx, "upload:1", 0)
		if err != nil || !ok {
			t.Fatalf("lock: ok=%v err=%v", ok, err)
		}
		release()
	}
	if err := storagetest.DB(st).Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).Error; err != nil {
		t.Fatal(err)
	}
	release, ok, err := st.HoldLock(ctx, "upload:1", 0)
	if err != nil || !ok {
		t.Fatalf("lock after PostgreSQL ended the connections: ok=%v err=%v", ok, err)
	}
	release()
}

// BenchmarkHoldLock takes and releases one lock, as a worker does for each
// job it processes.
func BenchmarkHoldLock(b *testing.B) {
	st := storagetest.NewStore(b)
	ctx := context.Background()
	for b.Loop() {
		release, ok, err := st.HoldLock(ctx, "bench", 0)
		if err != nil || !ok {
			b.Fatalf("lock: ok=%v err=%v", ok, err)
		}
		release()
	}
}
