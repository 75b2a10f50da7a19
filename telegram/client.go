// Package telegram is memebot's Bot API client: the HTTP transport with the
// one retry layer (429 after retry_after, 5xx and network failures; never a
// 4xx), the outgoing rate limit that keeps every process on the token within
// Telegram's flood limits (answers first, then notifications, then bulk),
// JSON calls bound to a context, and the Sender the background workers use.
// It knows nothing of updates or handlers: receiving them is package bot.
package telegram

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/kv"
)

// Config is what the client needs.
type Config struct {
	Token  string
	APIURL string
	// Timeout bounds one call, its wait for the rate limit and its retries
	// included: a request waits rather than fails, but not forever.
	Timeout time.Duration
	// Conns is how many idle connections to the Bot API are kept: as many
	// as there are callers sending at once (default 64).
	Conns int

	// Redis holds the outgoing rate limit, shared by every process using
	// Token; nil sends unlimited (tests of wiring only).
	Redis  *kv.Redis
	Limits Limits // zero fields take Telegram's limits
}

// Client makes Bot API calls. Its HTTP clients, one per priority, share the
// retry transport and, with Redis, the rate limiter, which learns a
// request's priority from the client that makes it.
type Client struct {
	token, url string
	http       [priorities]*http.Client
	senders    [priorities]*tele.Bot // telebot on each priority's client, never polling
	retry      *retryTransport
	limiter    *limiter // nil without Redis
	log        *slog.Logger
}

// New builds the client; it makes no call.
func New(cfg Config, log *slog.Logger) (*Client, error) {
	if cfg.APIURL == "" {
		cfg.APIURL = tele.DefaultApiURL
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 55 * time.Second
	}
	if cfg.Conns <= 0 {
		cfg.Conns = 64
	}
	cfg.Limits = cfg.Limits.withDefaults()
	retry := &retryTransport{
		next: apiTransport(cfg.Conns), log: log, maxAttempts: 5, maxWait: 30 * time.Second,
		baseBackoff: 500 * time.Millisecond, maxBuffer: cfg.Limits.MaxBufferedUpload,
	}
	c := &Client{token: cfg.Token, url: cfg.APIURL, retry: retry, log: log}
	if cfg.Redis != nil {
		c.limiter = newLimiter(&budget{rdb: cfg.Redis, limits: cfg.Limits}, cfg.Limits.Global.interval(), log)
		retry.onFlood = c.limiter.floodHold
	}
	for p := range c.http {
		var rt http.RoundTripper = retry
		if c.limiter != nil {
			rt = &limitTransport{limiter: c.limiter, priority: Priority(p), maxBuffer: cfg.Limits.MaxBufferedUpload, next: retry}
		}
		c.http[p] = &http.Client{Timeout: cfg.Timeout, Transport: rt}
		tb, err := tele.NewBot(tele.Settings{URL: cfg.APIURL, Token: cfg.Token, Client: c.http[p], Offline: true, Synchronous: true})
		if err != nil {
			return nil, fmt.Errorf("telegram: client: %w", c.Redact(err))
		}
		c.senders[p] = tb
	}
	return c, nil
}

// apiTransport is the connection pool to the Bot API: every request goes to
// one host, so it keeps as many idle connections as there are callers
// sending at once (Go's default keeps 2 per host, so a busy bot would open
// and close a connection for nearly every message).
func apiTransport(conns int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2 * conns
	t.MaxIdleConnsPerHost = 2 * conns
	return t
}

// HTTP is the HTTP client whose limited calls wait at priority p; telebot
// bots are built on it.
func (c *Client) HTTP(p Priority) *http.Client { return c.http[p] }

// URL is the Bot API base URL.
func (c *Client) URL() string { return c.url }

// Token is the bot token. Keep it out of logs: see Redact.
func (c *Client) Token() string { return c.token }

// Sender returns the worker-side client; its messages wait for the rate
// limit behind the handlers' answers (PriorityNotify).
func (c *Client) Sender() *Sender {
	return &Sender{c: c, tb: c.senders[PriorityNotify], priority: PriorityNotify}
}

// BulkSender is a Sender for broadcasts: its messages get only what the
// handlers and the workers leave of the rate limit (PriorityBulk). Each
// call still waits at most the client timeout, so send a broadcast a few
// messages at a time rather than all at once.
func (c *Client) BulkSender() *Sender {
	return &Sender{c: c, tb: c.senders[PriorityBulk], priority: PriorityBulk}
}
