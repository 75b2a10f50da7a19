package bot

import (
	"context"
	"sync"
	"testing"
	"time"
)

// slowSource lists promoted moderators; a read waits for gate when one is set.
type slowSource struct {
	mu    sync.Mutex
	ids   []int64
	reads int
	gate  chan struct{} // a read waits for it when set
}

func (s *slowSource) ModeratorIDs(context.Context) ([]int64, error) {
	s.mu.Lock()
	s.reads++
	ids, gate := append([]int64(nil), s.ids...), s.gate
	s.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return ids, nil
}

func (s *slowSource) set(ids []int64, gate chan struct{}) {
	s.mu.Lock()
	s.ids, s.gate = ids, gate
	s.mu.Unlock()
}

func TestRolesRefreshStaleCacheWithoutKeepingUpdatesWaiting(t *testing.T) {
	src := &slowSource{ids: []int64{5}}
	r := NewRoles([]int64{1}, nil, src)
	r.ttl = 10 * time.Millisecond
	ctx := context.Background()
	if r.Role(ctx, 5) != RoleModerator || r.Role(ctx, 1) != RoleAdmin || r.Role(ctx, 9) != RoleUser {
		t.Fatal("roles wrong on first load")
	}
	// The database becomes slow and 5 is demoted: a stale cache still
	// answers at once (with what it knows) while it reloads.
	gate := make(chan struct{})
	src.set(nil, gate)
	time.Sleep(20 * time.Millisecond)
	// The reload cannot finish before the gate opens: an answer before that
	// is one that did not wait for it.
	answered := make(chan string, 1)
	go func() { answered <- r.Role(ctx, 5) }()
	select {
	case role := <-answered:
		if role != RoleModerator {
			t.Fatal("stale cache was not used")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an update waited for the reload")
	}
	close(gate)
	deadline := time.Now().Add(2 * time.Second)
	for r.Role(ctx, 5) != RoleUser {
		if time.Now().After(deadline) {
			t.Fatal("the background reload never took effect")
		}
		time.Sleep(time.Millisecond)
	}
	// After /promote the cache is invalidated: the next answer is fresh.
	src.set([]int64{9}, nil)
	r.Invalidate()
	if r.Role(ctx, 9) != RoleModerator {
		t.Fatal("promotion not seen right after Invalidate")
	}
}
