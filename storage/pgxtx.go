package storage

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// PgxTx runs fn in a transaction on a connection of the pool, for the batch
// jobs that need what gorm does not give (COPY, batches, arrays of
// rows); the transaction commits when fn returns nil.
func (s *Store) PgxTx(ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(ctx, tx) })
}
