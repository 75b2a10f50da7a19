package intake

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBatcherGathersConcurrentCallsAndAnswersEachItsOwn(t *testing.T) {
	release := make(chan struct{})
	var flushes, biggest atomic.Int64
	b := newBatcher(50, 1, func(reqs []int) ([]int, []error) {
		if flushes.Add(1) == 1 {
			<-release // the first flush is slow: the others pile up behind it
		}
		if n := int64(len(reqs)); n > biggest.Load() {
			biggest.Store(n)
		}
		res := make([]int, len(reqs))
		for i, r := range reqs {
			res[i] = r * 10
		}
		return res, make([]error, len(reqs))
	})
	var wg sync.WaitGroup
	got := make([]int, 120)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := b.do(i)
			if err != nil {
				t.Error(err)
			}
			got[i] = res
		}()
		if i == 0 {
			time.Sleep(20 * time.Millisecond) // call 0 is in the slow flush alone
		}
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	for i, v := range got {
		if v != i*10 {
			t.Fatalf("call %d got %d, want %d", i, v, i*10)
		}
	}
	// 1 alone, then 119 waiting in batches of at most 50: 4 flushes.
	if n := flushes.Load(); n != 4 {
		t.Errorf("%d flushes for 120 calls, want 4 (1 + 50 + 50 + 19)", n)
	}
	if biggest.Load() != 50 {
		t.Errorf("largest batch %d, want the limit 50", biggest.Load())
	}
}

func TestBatcherTurnsAPanicIntoErrors(t *testing.T) {
	b := newBatcher(10, 2, func(reqs []int) ([]int, []error) { panic("boom") })
	if _, err := b.do(1); err == nil {
		t.Fatal("a panicking flush returned no error")
	}
	if _, err := b.do(2); err == nil { // and the batcher still works
		t.Fatal("second call: no error")
	}
}
