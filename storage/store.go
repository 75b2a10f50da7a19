// Package storage is memebot's persistence: the PostgreSQL schema (versioned
// SQL migrations), the models, and the queries every other package uses.
// PostgreSQL is the source of truth; Redis (package kv) only holds queues,
// locks and limits that can be rebuilt.
package storage

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

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
	db    *gorm.DB
	pool  *pgxpool.Pool
	locks *lockConns
}

// Connections per process: gorm and pgx (the feed, the batch jobs, the
// figures) keep separate pools, each sized for its own callers; the locks
// hold connections of their own (lockConns).
const (
	maxGormConns = 20
	maxPgxConns  = 20
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
	gormPool, err := db.DB()
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	gormPool.SetMaxOpenConns(maxGormConns)
	gormPool.SetMaxIdleConns(maxGormConns / 2)
	gormPool.SetConnMaxIdleTime(5 * time.Minute)
	if err := gormPool.PingContext(ctx); err != nil {
		gormPool.Close()
		pool.Close()
		return nil, heal.NewConnectError("PostgreSQL", url, err)
	}
	return &Store{db: db, pool: pool, locks: &lockConns{config: cfg.ConnConfig}}, nil
}

func init() {
	handles.Gorm = func(st any) *gorm.DB { return st.(*Store).db }
	handles.Pool = func(st any) *pgxpool.Pool { return st.(*Store).pool }
	handles.EncodeVector, handles.DecodeVector = encodeVector, decodeVector
}

// Ping reports whether PostgreSQL answers (on gorm's pool: both pools reach
// the same server, and the health check has always asked this one).
func (s *Store) Ping(ctx context.Context) error {
	gormPool, err := s.db.DB()
	if err != nil {
		return err
	}
	return gormPool.PingContext(ctx)
}

// Close closes the connection pools.
func (s *Store) Close() error {
	gormPool, err := s.db.DB()
	if err == nil {
		err = gormPool.Close()
	}
	s.pool.Close()
	s.locks.close()
	return err
}

// Migrate applies every pending migration, each in its own transaction.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	// Out of order: branches developed side by side land migrations whose
	// numbers interleave (00064 landed after 00070); a database that already
	// has the later one still gets the earlier one instead of refusing to start.
	// goose takes a *sql.DB: pgx's adapter lends it connections of the pgx
	// pool for the migrations' run (goose's input, not a third way the
	// program reaches the database).
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrationsFS(), goose.WithAllowOutofOrder(true))
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
