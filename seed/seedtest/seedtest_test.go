package seedtest

import "testing"

// TestBigStore builds (or reuses) the benchmark database and reports its seed time.
func TestBigStore(t *testing.T) {
	st := BigStore(t)
	var n int64
	st.SQL().QueryRow(`SELECT count(*) FROM reactions`).Scan(&n)
	t.Logf("reactions: %d", n)
}
