package app

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"

	"memebot/heal"
)

// report prints why a subcommand failed and returns the exit code. What a
// person can fix (the configuration, a server that does not answer, a port
// in use) is one plain line saying what to check; anything else is logged
// with its details.
func report(stderr io.Writer, log *slog.Logger, cmd string, err error) int {
	var cfgErr configError
	if errors.As(err, &cfgErr) {
		fmt.Fprintln(stderr, "config:", cfgErr.err)
		return 2
	}
	if line := explain(err); line != "" {
		fmt.Fprintf(stderr, "memebot %s: %s\n", cmd, line)
		return 1
	}
	log.Error("exiting", slog.String("command", cmd), slog.Any("error", err))
	return 1
}

// explain turns the start-up failures a newcomer meets into one line that
// names the setting to check; "" when err is none of them.
func explain(err error) string {
	var plain plainError
	if errors.As(err, &plain) {
		return plain.Error()
	}
	var connErr *heal.ConnectError
	if errors.As(err, &connErr) {
		variable := map[string]string{"PostgreSQL": "DATABASE_URL", "Redis": "REDIS_URL"}[connErr.Server]
		return fmt.Sprintf("%s (check %s)", connErr, variable)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "listen" {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Sprintf("HTTP_ADDR %s is already in use (another memebot still running?): stop it or set HTTP_ADDR to a free address, e.g. 127.0.0.1:8081", opErr.Addr)
		}
		return fmt.Sprintf("cannot listen on HTTP_ADDR %s: %v", opErr.Addr, opErr.Err)
	}
	return ""
}

// plainError is a failure whose message is already the line to print.
type plainError struct{ err error }

func (e plainError) Error() string { return e.err.Error() }
