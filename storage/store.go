// Package storage is memebot's persistence: the PostgreSQL schema (versioned
// SQL migrations), the models, and the queries every other package uses.
// PostgreSQL is the source of truth; Redis (package kv) only holds queues,
// locks and limits that can be rebuilt.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"memebot/heal"
	"memebot/storage/internal/handles"

	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("storage: not found")

//go:embed migrations/*.sql
var migrations embed.FS

// Store holds the database handle; its methods are the application's queries.
type Store struct {
	db   *gorm.DB
	pool *pgxpool.Pool
}

// Connections per process: database/sql (gorm, the locks) and pgx (the
// feed, the batch jobs) keep separate pools, so that closing one never
// waits for a connection the other lends out for good (a held lock).
const (
	maxSQLConns = 20
	maxPgxConns = 20
)

// Open connects to PostgreSQL and checks the connection.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	cfg.MaxConns = maxPgxConns
	cfg.MaxConnIdleTime = 5 * time.Minute
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	db, err := gorm.Open(postgres.Open(url), &gorm.Config{
		TranslateError: true,
		Logger: logger.NewSlogLogger(log.With("component", "gorm"), logger.Config{
			SlowThreshold:             500 * time.Millisecond,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
		}),
		NowFunc: func() time.Time { return time.Now().UTC() },
		// Our own ping below reports a failed first contact as a ConnectError;
		// gorm's would log a second, raw line about it.
		DisableAutomaticPing: true,
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	sqlDB.SetMaxOpenConns(maxSQLConns)
	sqlDB.SetMaxIdleConns(maxSQLConns / 2)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		pool.Close()
		return nil, heal.NewConnectError("PostgreSQL", url, err)
	}
	return &Store{db: db, pool: pool}, nil
}

// Pool is the pgx pool, for the packages that speak pgx (the feed, the
// batch jobs).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// sqlDB is gorm's database/sql handle, for what gorm does not say: the
// migrations, the advisory locks, a repeatable-read snapshot.
func (s *Store) sqlDB() *sql.DB {
	sqlDB, _ := s.db.DB() // cannot fail: Open checked it
	return sqlDB
}

func init() {
	handles.Gorm = func(st any) *gorm.DB { return st.(*Store).db }
	handles.SQL = func(st any) *sql.DB { return st.(*Store).sqlDB() }
}

// Ping reports whether PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error { return s.sqlDB().PingContext(ctx) }

// Close closes the connection pool.
func (s *Store) Close() error {
	err := s.sqlDB().Close()
	s.pool.Close()
	return err
}

// Migrate applies every pending migration, each in its own transaction.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	// Out of order: branches developed side by side land migrations whose
	// numbers interleave (00064 landed after 00070); a database that already
	// has the later one still gets the earlier one instead of refusing to start.
	provider, err := goose.NewProvider(goose.DialectPostgres, s.sqlDB(), migrationsFS(), goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("storage: migrate: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: migrate: %w", err)
	}
	applied := make([]string, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	return applied, nil
}

// tx runs fn in a transaction bound to ctx.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
