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
