package intake

import (
	"fmt"
	"sync"
)

// batcher gathers concurrent calls into batches for one flush function
// (group commit). A call is flushed at once when fewer than maxFlushes
// batches are in flight; otherwise it waits with the others that arrive
// meanwhile and they go together, up to maxBatch, when a flush finishes.
type batcher[Req, Res any] struct {
	flush      func([]Req) ([]Res, []error)
	maxBatch   int
	maxFlushes int

	mu      sync.Mutex
	pending []*call[Req, Res]
	running int
}

type call[Req, Res any] struct {
	req  Req
	res  Res
	err  error
	done chan struct{}
}

func newBatcher[Req, Res any](maxBatch, maxFlushes int, flush func([]Req) ([]Res, []error)) *batcher[Req, Res] {
	return &batcher[Req, Res]{flush: flush, maxBatch: maxBatch, maxFlushes: maxFlushes}
}

// do hands req to a batch and waits for its result.
func (b *batcher[Req, Res]) do(req Req) (Res, error) {
	c := &call[Req, Res]{req: req, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	b.startLocked()
	b.mu.Unlock()
	<-c.done
	return c.res, c.err
}

// startLocked starts flushes for the pending calls while there is room.
func (b *batcher[Req, Res]) startLocked() {
	for b.running < b.maxFlushes && len(b.pending) > 0 {
		n := min(len(b.pending), b.maxBatch)
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		b.running++
		go b.run(batch)
	}
}

func (b *batcher[Req, Res]) run(batch []*call[Req, Res]) {
	reqs := make([]Req, len(batch))
	for i, c := range batch {
		reqs[i] = c.req
	}
	res, errs := b.safeFlush(reqs)
	for i, c := range batch {
		c.res, c.err = res[i], errs[i]
		close(c.done)
	}
	b.mu.Lock()
	b.running--
	b.startLocked()
	b.mu.Unlock()
}

// safeFlush turns a panicking flush into an error for each call, so no
// caller waits forever.
func (b *batcher[Req, Res]) safeFlush(reqs []Req) (res []Res, errs []error) {
	defer func() {
		if p := recover(); p != nil {
			res, errs = make([]Res, len(reqs)), make([]error, len(reqs))
			for i := range errs {
				errs[i] = fmt.Errorf("intake: batch panicked: %v", p)
			}
		}
	}()
	return b.flush(reqs)
}
