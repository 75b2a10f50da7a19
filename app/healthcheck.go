package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	neturl "net/url"
	"time"
)

// healthcheck asks the memebot running next to it (same HTTP_ADDR) whether
// it is ready: GET /readyz must answer 200, which it does only while
// PostgreSQL and Redis answer. It is the image's HEALTHCHECK: the runtime
// image has neither curl nor wget, and a shell's /dev/tcp is bash-only.
func healthcheck(ctx context.Context, p *process) error {
	url := "http://" + dialable(p.cfg.HTTPAddr) + "/readyz"
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return configError{fmt.Errorf("HTTP_ADDR: %w", err)}
	}
	resp, err := http.DefaultClient.Do(req)
	if urlErr := (*neturl.Error)(nil); errors.As(err, &urlErr) {
		err = urlErr.Err // the request is already named
	}
	if err != nil {
		return plainError{fmt.Errorf("%s does not answer: %w", url, err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return plainError{fmt.Errorf("%s answered %s", url, resp.Status)}
	}
	return nil
}

// dialable is a listen address as a client reaches it: a wildcard or empty
// host means this machine.
func dialable(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
