package seedtest

import (
	"context"
	"testing"

	"memebot/storage/storagetest"
)

// TestBigStore builds (or reuses) the benchmark database and checks that it
// holds the data set Scale asks for: a run cut off half-way, reused as it
// is, would make every benchmark on it measure something smaller.
func TestBigStore(t *testing.T) {
	st := BigStore(t)
	opts := Scale()
	ctx := context.Background()
	count := func(table string) int64 {
		t.Helper()
		var n int64
		if err := storagetest.SQL(st).QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		return n
	}
	if n := count("users"); n != int64(opts.Users) {
		t.Errorf("users = %d, want %d", n, opts.Users)
	}
	if n := count("memes"); n != int64(opts.Memes) {
		t.Errorf("memes = %d, want %d", n, opts.Memes)
	}
	// seed.Run's own test finds reactions within 1% of those asked for.
	if n, want := count("reactions"), int64(opts.Reactions); n < want*99/100 || n > want*101/100 {
		t.Errorf("reactions = %d, want %d within 1%%", n, want)
	}
}
