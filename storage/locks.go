package storage

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"
)

// HoldLock takes the PostgreSQL advisory lock called name if nobody holds it
// and keeps it on a connection of its own until release is called. It lapses
// the moment its holder's connection ends, so a worker killed mid-job frees
// its submission at once, and unlike a lock in Redis it survives Redis
// restarting empty: two workers never process one submission together, which
// is what keeps a review post from being sent twice. The ttl of the Redis
// lock it replaces is not needed and ignored.
func (s *Store) HoldLock(ctx context.Context, name string, _ time.Duration) (release func(), ok bool, err error) {
	conn, err := s.sqlDB().Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("storage: lock %s: %w", name, err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, name).Scan(&ok); err != nil || !ok {
		conn.Close()
		if err != nil {
			err = fmt.Errorf("storage: lock %s: %w", name, err)
		}
		return nil, false, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, name); err != nil {
			// The connection may still hold the lock: end it rather than
			// hand it back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, true, nil
}
