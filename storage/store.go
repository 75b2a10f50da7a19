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

	"memebot/heal"

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
	db *gorm.DB
}

// Open connects to PostgreSQL and checks the connection.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
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
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	sqlDB.SetMaxOpenConns(40)
	sqlDB.SetMaxIdleConns(20)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, heal.NewConnectError("PostgreSQL", url, err)
	}
	return &Store{db: db}, nil
}

// DB exposes the gorm handle to packages that own their own queries
// (recommendation engines, stats jobs).
func (s *Store) DB() *gorm.DB { return s.db }

// SQL returns the underlying database/sql handle.
func (s *Store) SQL() *sql.DB {
	sqlDB, _ := s.db.DB() // cannot fail: Open checked it
	return sqlDB
}

// Ping reports whether PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error { return s.SQL().PingContext(ctx) }

// Close closes the connection pool.
func (s *Store) Close() error { return s.SQL().Close() }

// Migrate applies every pending migration, each in its own transaction.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	provider, err := goose.NewProvider(goose.DialectPostgres, s.SQL(), migrationsFS())
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
