package heal

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// ConnectError says that PostgreSQL or Redis could not be reached, or
// refused us, when a process started: which server, where (without
// credentials), and the one reason that matters, so that a typo in
// DATABASE_URL or REDIS_URL reads as one clear line.
type ConnectError struct {
	Server string // "PostgreSQL" or "Redis"
	Where  string // host:port and database, no user or password
	Err    error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("cannot connect to %s at %s: %s", e.Server, e.Where, reason(e.Err))
}

func (e *ConnectError) Unwrap() error { return e.Err }

// NewConnectError describes a failed first contact with the server at rawURL.
func NewConnectError(server, rawURL string, err error) *ConnectError {
	return &ConnectError{Server: server, Where: where(rawURL), Err: err}
}

// where is the URL's host and path: enough to spot a typo, no secrets.
func where(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	return u.Host + u.Path
}

// reason is the part of a driver's error a person acts on: the server's own
// message, the DNS failure, or the system call's error ("connection refused")
// rather than the layers of wrapping around them.
func reason(err error) string {
	var pgErr *pgconn.PgError
	var dnsErr *net.DNSError
	var errno syscall.Errno
	switch {
	case errors.As(err, &pgErr):
		return pgErr.Message
	case errors.As(err, &dnsErr):
		return dnsErr.Error()
	case errors.As(err, &errno):
		return errno.Error()
	}
	return err.Error()
}
