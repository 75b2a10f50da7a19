package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Errors of the HTTP client.
var (
	// ErrBlockedAddress: the URL resolves to a loopback, private, link-local,
	// multicast or unspecified address, which ingestion must never reach.
	ErrBlockedAddress = errors.New("ingest: address not allowed")
	// ErrTooLarge: the body is larger than the limit given for it.
	ErrTooLarge = errors.New("ingest: response too large")
	// ErrBadURL: not an absolute http(s) URL.
	ErrBadURL = errors.New("ingest: bad url")
)

// StatusError is a non-2xx answer that retries did not fix.
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string { return fmt.Sprintf("ingest: GET %s: HTTP %d", e.URL, e.Code) }

// ClientOptions tune the HTTP client. Zero values take the defaults.
type ClientOptions struct {
	Timeout      time.Duration // one attempt, body included (default 20s)
	MaxRetries   int           // further attempts after a 429, a 5xx or a network error (default 3; negative = none)
	BaseBackoff  time.Duration // first retry delay, doubled each time (default 1s)
	MaxBackoff   time.Duration // longest wait between attempts, Retry-After included (default 60s)
	HostInterval time.Duration // least time between two requests to one host (default 1s; negative = none)
	MaxPageBytes int64         // limit of API answers and pages (default 4 MiB)
	UserAgent    string
	// AllowPrivateHosts lets requests reach loopback and private addresses.
	// Tests only (INGEST_ALLOW_PRIVATE_HOSTS).
	AllowPrivateHosts bool
	Log               *slog.Logger
}

// Client is the one HTTP client of ingestion: timeouts, retries with
// exponential backoff on 429 and 5xx (honouring Retry-After), a polite pace
// per host, a byte limit on every body, and refusal of internal addresses,
// checked on the resolved IP when connecting (so DNS names and redirects
// cannot sneak past it).
type Client struct {
	http *http.Client
	opts ClientOptions
	pace *pacer
	log  *slog.Logger
	// exempt lists "ip:port" addresses let through although internal: set
	// by tests only, to stand for a public server.
	exempt map[string]bool
}

// NewClient builds a Client.
func NewClient(opts ClientOptions) *Client {
	opts = opts.withDefaults()
	c := &Client{opts: opts, pace: newPacer(opts.HostInterval), log: opts.Log}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !opts.AllowPrivateHosts {
		dialer.Control = c.refusePrivate
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would be dialed instead of the target, defeating the check
		DialContext:           dialer.DialContext,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opts.Timeout,
	}
	c.http = &http.Client{
		Transport: transport,
		Timeout:   opts.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("ingest: too many redirects")
			}
			return c.checkURL(req.URL)
		},
	}
	return c
}

func (o ClientOptions) withDefaults() ClientOptions {
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 3
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 60 * time.Second
	}
	if o.HostInterval == 0 {
		o.HostInterval = time.Second
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = 4 << 20
	}
	if o.UserAgent == "" {
		o.UserAgent = "Mozilla/5.0 (compatible; memebot-ingest/1.0)"
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// refusePrivate is the dialer's Control: it runs on the resolved address of
// every connection, including those of redirects.
func (c *Client) refusePrivate(network, address string, _ syscall.RawConn) error {
	if c.exempt[address] {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
	}
	ip := net.ParseIP(host)
	if ip == nil || !publicIP(ip) {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, host)
	}
	return nil
}

// cgnat is 100.64.0.0/10, shared address space often used inside clouds.
var cgnat = &net.IPNet{IP: net.IPv4(100, 64, 0, 0), Mask: net.CIDRMask(10, 32)}

func publicIP(ip net.IP) bool {
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || cgnat.Contains(ip))
}

// checkURL refuses what is not http(s), and literal internal IPs early (the
// dial-time check stays the one that counts).
func (c *Client) checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%w: %s", ErrBadURL, safeURL(u))
	}
	if ip := net.ParseIP(u.Hostname()); ip != nil && !c.opts.AllowPrivateHosts && !publicIP(ip) && !c.exempt[u.Host] {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, ip)
	}
	return nil
}

// Download fetches a media file of at most maxBytes.
func (c *Client) Download(ctx context.Context, rawURL string, maxBytes int64) ([]byte, error) {
	return c.Get(ctx, rawURL, maxBytes, nil)
}

// Get fetches rawURL with the given extra headers and returns its body,
// refusing bodies over maxBytes (0 = MaxPageBytes).
func (c *Client) Get(ctx context.Context, rawURL string, maxBytes int64, header http.Header) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = c.opts.MaxPageBytes
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	if err := c.checkURL(u); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		body, retryAfter, err := c.attempt(ctx, u, maxBytes, header)
		if err == nil || retryAfter < 0 || retryAfter > c.opts.MaxBackoff || attempt >= c.opts.MaxRetries {
			return body, err // done, final, asked to come back too late, or out of attempts
		}
		wait := c.backoff(attempt, retryAfter)
		c.log.Debug("ingest: retrying", slog.String("host", u.Host), slog.Int("attempt", attempt+1),
			slog.Duration("wait", wait), slog.Any("error", err))
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt makes one request. retryAfter < 0 means the error is final; 0 means
// retry after the usual backoff; > 0 is the server's Retry-After.
func (c *Client) attempt(ctx context.Context, u *url.URL, maxBytes int64, header http.Header) ([]byte, time.Duration, error) {
	if err := c.pace.wait(ctx, u.Host); err != nil {
		return nil, -1, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, -1, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL, query (and token) included
		}
		if errors.Is(err, ErrBlockedAddress) || errors.Is(err, ErrBadURL) || ctx.Err() != nil {
			return nil, -1, fmt.Errorf("ingest: GET %s: %w", safeURL(u), err)
		}
		return nil, 0, fmt.Errorf("ingest: GET %s: %w", safeURL(u), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, retryAfter(resp.Header.Get("Retry-After")), &StatusError{URL: safeURL(u), Code: resp.StatusCode}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, -1, &StatusError{URL: safeURL(u), Code: resp.StatusCode}
	}
	if resp.ContentLength > maxBytes {
		return nil, -1, fmt.Errorf("%w: %s is %d bytes, limit %d", ErrTooLarge, safeURL(u), resp.ContentLength, maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("ingest: read %s: %w", safeURL(u), err)
	}
	if int64(len(body)) > maxBytes {
		return nil, -1, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, safeURL(u), maxBytes)
	}
	return body, -1, nil
}

// safeURL is u without its query and credentials, fit for errors and logs:
// API tokens travel in queries.
func safeURL(u *url.URL) string { return u.Scheme + "://" + u.Host + u.Path }

func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	wait := c.opts.BaseBackoff << attempt
	if retryAfter > wait {
		wait = retryAfter
	}
	return min(wait, c.opts.MaxBackoff)
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); 0 when
// absent or unreadable.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(t))
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pacer spaces requests to one host at least interval apart.
type pacer struct {
	interval time.Duration
	mu       sync.Mutex
	next     map[string]time.Time
}

func newPacer(interval time.Duration) *pacer {
	return &pacer{interval: interval, next: map[string]time.Time{}}
}

func (p *pacer) wait(ctx context.Context, host string) error {
	if p.interval <= 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	now := time.Now()
	slot := p.next[host]
	if slot.Before(now) {
		slot = now
	}
	p.next[host] = slot.Add(p.interval)
	p.mu.Unlock()
	if d := time.Until(slot); d > 0 {
		return sleep(ctx, d)
	}
	return ctx.Err()
}
