package storage

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PgxTx runs fn in a transaction on a pgx connection of the pool, for the
// batch jobs that need what database/sql does not give (COPY, batches, arrays
// of rows); the transaction commits when fn returns nil.
func (s *Store) PgxTx(ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	conn, err := s.SQL().Conn(ctx)
	if err != nil {
		return fmt.Errorf("storage: connection: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("storage: driver connection is %T, not pgx", dc)
		}
		tx, err := pc.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}
