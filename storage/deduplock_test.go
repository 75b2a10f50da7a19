package storage_test

import (
	"context"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
)

// TestDedupTxRunsOneAtATime: while one upload's duplicate lookup holds the
// lock, a second one waits in PostgreSQL for it (seen in pg_stat_activity)
// and starts only once the first has committed, so two near-identical
// uploads cannot both pass as new.
func TestDedupTxRunsOneAtATime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := storagetest.NewStore(t)
	firstIn, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- st.DedupTx(ctx, func(*storage.Store) error {
			close(firstIn)
			<-release
			return nil
		})
	}()
	<-firstIn
	secondIn := make(chan struct{})
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- st.DedupTx(ctx, func(*storage.Store) error {
			close(secondIn)
			return nil
		})
	}()
	for waiting := 0; waiting == 0; {
		if err := storagetest.SQL(st).QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		select {
		case <-secondIn:
			t.Fatal("the second duplicate lookup ran while the first held the lock")
		case <-ctx.Done():
			t.Fatal("the second duplicate lookup never waited for the lock")
		case <-time.After(10 * time.Millisecond):
		}
	}
	select {
	case <-secondIn:
		t.Fatal("the second duplicate lookup ran while the first held the lock")
	default:
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if err := <-secondDone; err != nil {
		t.Fatal(err)
	}
	<-secondIn
}
