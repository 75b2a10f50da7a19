package heal

import (
	"database/sql/driver"
	"errors"
	"io"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"
)

// Transient reports whether err is the database or Redis failing to answer
// (refused or broken connection, a server shutting down or starting up)
// rather than a fault of the request: the same request may well succeed
// once the dependency is back.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	var connect *pgconn.ConnectError
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connect), pgconn.SafeToRetry(err), pgconn.Timeout(err):
		return true
	case errors.As(err, &pgErr):
		// 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, redis.ErrPoolTimeout), errors.Is(err, redis.ErrClosed):
		return true
	}
	msg := err.Error()
	// gorm and the pool do not always keep the cause's type.
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "connection refused") ||
		strings.HasPrefix(msg, "LOADING ") || strings.Contains(msg, "failed to connect")
}
