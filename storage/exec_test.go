package storage_test

import (
	"context"
	"testing"

	"memebot/storage"
	"memebot/storage/storagetest"
)

// execer runs the tests' SQL on the store's database, failing the test on an
// error.
func execer(t *testing.T, st *storage.Store) func(q string, args ...any) {
	return func(q string, args ...any) {
		t.Helper()
		if _, err := storagetest.SQL(st).ExecContext(context.Background(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
