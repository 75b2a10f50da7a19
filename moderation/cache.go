package moderation

import (
	"context"
	"sync"
)

// Cache keeps reports by the SHA-256 of the file, so that a file analysed
// once is never sent to the remote services again. The PostgreSQL
// implementation lives in storage; MemoryCache is for tests and tools.
type Cache interface {
	// Get returns the report stored for sha256; ok is false when there is none.
	Get(ctx context.Context, sha256 string) (rep Report, ok bool, err error)
	Put(ctx context.Context, sha256 string, rep Report) error
}

// MemoryCache is a Cache in a map, safe for concurrent use.
type MemoryCache struct {
	mu      sync.Mutex
	reports map[string]Report
}

// NewMemoryCache returns an empty MemoryCache.
func NewMemoryCache() *MemoryCache {
	return &MemoryCache{reports: map[string]Report{}}
}

// Get implements Cache.
func (c *MemoryCache) Get(_ context.Context, sha256 string) (Report, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rep, ok := c.reports[sha256]
	return rep, ok, nil
}

// Put implements Cache.
func (c *MemoryCache) Put(_ context.Context, sha256 string, rep Report) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reports[sha256] = rep
	return nil
}
