package storage

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Analyze gathers the planner's statistics of every table.
func (s *Store) Analyze(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("storage: analyze: %w", err)
	}
	return nil
}

// Autovacuum says whether the server vacuums and analyzes tables itself.
func (s *Store) Autovacuum(ctx context.Context) (bool, error) {
	var setting string
	if err := s.pool.QueryRow(ctx, `SHOW autovacuum`).Scan(&setting); err != nil {
		return false, fmt.Errorf("storage: autovacuum: %w", err)
	}
	return setting != "off", nil
}

// VacuumDue does what autovacuum would have done by now, at its default
// thresholds: vacuums and analyzes the tables with enough dead rows,
// analyzes those with enough changed ones.
func (s *Store) VacuumDue(ctx context.Context) error {
	rows, err := s.pool.Query(ctx, `
SELECT format('%I', relname), n_dead_tup > 50 + 0.2 * n_live_tup
FROM pg_stat_user_tables
WHERE n_dead_tup > 50 + 0.2 * n_live_tup OR n_mod_since_analyze > 50 + 0.1 * n_live_tup`)
	if err != nil {
		return fmt.Errorf("storage: tables to vacuum: %w", err)
	}
	type due struct {
		table  string
		vacuum bool
	}
	tables, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (due, error) {
		var d due
		return d, row.Scan(&d.table, &d.vacuum)
	})
	if err != nil {
		return fmt.Errorf("storage: tables to vacuum: %w", err)
	}
	for _, t := range tables {
		stmt := "ANALYZE " + t.table
		if t.vacuum {
			stmt = "VACUUM (ANALYZE) " + t.table
		}
		if _, err := s.pool.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("storage: %s: %w", stmt, err)
		}
	}
	return nil
}

// UnlogTables makes every table unlogged, for a database whose rows need
// not survive a crash (a simulation's): no write-ahead log is written for
// them. A permanent table may not reference an unlogged one, so the tables
// are converted referencing ones first: each pass converts those no
// permanent table references any more.
func (s *Store) UnlogTables(ctx context.Context) error {
	for {
		var tables []string
		err := s.pool.QueryRow(ctx, `
SELECT coalesce(array_agg(format('%I', c.relname)), '{}')
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relpersistence = 'p'
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid
      WHERE k.contype = 'f' AND k.confrelid = c.oid AND k.conrelid <> c.oid AND r.relpersistence = 'p')`).Scan(&tables)
		if err != nil {
			return fmt.Errorf("storage: tables to unlog: %w", err)
		}
		if len(tables) == 0 {
			return nil
		}
		for _, t := range tables {
			if _, err := s.pool.Exec(ctx, "ALTER TABLE "+t+" SET UNLOGGED"); err != nil {
				return fmt.Errorf("storage: unlog %s: %w", t, err)
			}
		}
	}
}
