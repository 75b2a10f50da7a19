// Package storagetest gives tests a fresh, migrated PostgreSQL database on
// the real server named by TEST_DATABASE_URL (falling back to DATABASE_URL
// and the default). `make test` starts the server when none answers. Redis
// namespaces for tests are in kv/kvtest.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"memebot/storage"
	"memebot/storage/internal/handles"
)

const (
	defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

// DatabaseURL is the base URL the test databases are created next to.
func DatabaseURL() string { return firstSet("TEST_DATABASE_URL", "DATABASE_URL", defaultDatabaseURL) }

func firstSet(names ...string) string {
	for _, n := range names[:len(names)-1] {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return names[len(names)-1]
}

// NewDatabase creates an empty, migrated database for one test and returns its
// URL; the database is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin := connectAdmin(ctx, t)
	defer admin.Close(context.Background())

	template := ensureTemplate(ctx, t, admin)
	name := "memebot_test_" + RandomHex(6)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("storagetest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, withDatabase(DatabaseURL(), "postgres"))
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		_, _ = conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDatabase(DatabaseURL(), name)
}

// NewStore opens a fresh, migrated database for one test.
func NewStore(t testing.TB) *storage.Store {
	t.Helper()
	dbURL := NewDatabase(t)
	st, err := storage.Open(context.Background(), dbURL, Logger())
	if err != nil {
		t.Fatalf("storagetest: open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Logger is a quiet logger for tests; set TEST_LOG=1 to see everything.
func Logger() *slog.Logger {
	if os.Getenv("TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// RandomHex returns n random bytes as hex.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func connectAdmin(ctx context.Context, t testing.TB) *pgx.Conn {
	conn, err := pgx.Connect(ctx, withDatabase(DatabaseURL(), "postgres"))
	if err != nil {
		t.Fatalf("storagetest: PostgreSQL at %s: %v (make test starts one)", DatabaseURL(), err)
	}
	return conn
}

// ensureTemplate migrates a template database once per schema version, so that
// each test's database is a cheap copy. Concurrent test binaries serialise on
// an advisory lock.
func ensureTemplate(ctx context.Context, t testing.TB, admin *pgx.Conn) string {
	name := "memebot_template_" + storage.SchemaVersion()
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(7274001)"); err != nil {
		t.Fatalf("storagetest: lock: %v", err)
	}
	defer admin.Exec(context.Background(), "SELECT pg_advisory_unlock(7274001)")

	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	if exists {
		return name
	}
	building := name + "_building"
	_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		t.Fatalf("storagetest: create template: %v", err)
	}
	st, err := storage.Open(ctx, withDatabase(DatabaseURL(), building), Logger())
	if err != nil {
		t.Fatalf("storagetest: open template: %v", err)
	}
	_, err = st.Migrate(ctx)
	st.Close()
	if err != nil {
		t.Fatalf("storagetest: migrate template: %v", err)
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		t.Fatalf("storagetest: rename template: %v", err)
	}
	return name
}

func withDatabase(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + db
	return u.String()
}

// DB is st's gorm handle, for tests that set up or look at rows directly;
// the program itself reaches the database only through st's methods.
func DB(st *storage.Store) *gorm.DB { return handles.Gorm(st) }

// Pool is st's pgx pool, for tests that set up or look at rows directly
// (see DB).
func Pool(st *storage.Store) *pgxpool.Pool { return handles.Pool(st) }

// EncodeVector and DecodeVector store and read a factor vector as storage
// does (meme_factors.vec, user_factors.vec, word_factors.sum), for tests
// that write or read those rows directly.
func EncodeVector(v []float32) []byte { return handles.EncodeVector(v) }

// DecodeVector: see EncodeVector.
func DecodeVector(b []byte) []float32 { return handles.DecodeVector(b) }

// SQL is the database/sql handle under st's gorm handle (see DB).
func SQL(st *storage.Store) *sql.DB {
	db, err := DB(st).DB()
	if err != nil {
		panic(err) // storage.Open checked it
	}
	return db
}

// Exec returns a function that runs a test's SQL on st's database, failing
// the test on an error.
func Exec(t testing.TB, st *storage.Store) func(q string, args ...any) {
	return func(q string, args ...any) {
		t.Helper()
		if _, err := SQL(st).ExecContext(context.Background(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
