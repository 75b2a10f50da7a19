package storage

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// pgxTx runs fn in a transaction on a connection of the pool, for what gorm
// does not give (COPY, batches, arrays of rows, row locks); the transaction
// commits when fn returns nil.
func (s *Store) pgxTx(ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

// pgxQuerier is what the pool and a pgx transaction both answer.
type pgxQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// queryStructs runs a query and collects its rows into Ts, each column into
// the field of the same name (created_at into CreatedAt); fields the query
// does not select stay zero.
func queryStructs[T any](ctx context.Context, q pgxQuerier, sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByNameLax[T])
}

// queryValues runs a query of one column and collects its values.
func queryValues[T any](ctx context.Context, q pgxQuerier, sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[T])
}
