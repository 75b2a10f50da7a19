// Package bot wires memebot to Telegram with telebot: the HTTP client that
// retries 429s and 5xx, the outgoing rate limit that keeps every process on
// the token within Telegram's flood limits (answers first), long polling that
// never confirms an unhandled update, a bounded pool that handles updates in
// parallel while keeping each chat's updates in order, panic recovery, role
// resolution and the command menu. What the bot says lives in handlers/.
package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/kv"
	"memebot/metrics"
)

// Config is what the Telegram side needs.
type Config struct {
	Token       string
	APIURL      string
	PollTimeout time.Duration // long-poll timeout; Telegram allows up to 50 s
	Workers     int           // updates handled at once
	MaxInHand   int           // updates fetched and not finished, at most (default Workers)
	Offline     bool          // skip getMe (tests of wiring only)

	// Redis holds the outgoing rate limit, shared by every process using
	// Token; nil sends unlimited (tests of wiring only).
	Redis  *kv.Redis
	Limits Limits // zero fields take Telegram's limits

	// Down, if set, says why the database or Redis is out (nil while they
	// answer). An update whose handler fails while they are out is held and
	// handled again once they are back, instead of being dropped.
	Down func(ctx context.Context) error
}

// Bot is a telebot bot plus memebot's update loop.
type Bot struct {
	cfg    Config
	tb     *tele.Bot
	client *http.Client
	log    *slog.Logger
	// notify and bulk are the same bot with clients of lower priority for
	// the rate limit: the workers' Sender and broadcasts.
	notify, bulk *tele.Bot
	limiter      *limiter // nil without Redis
	maxSeen      int      // the highest update id this run fetched (poller only)
	inbox        *inbox
	attempts     attempts // the updates in hand, as handlers left them

	// ReactionHandler receives message_reaction updates, which telebot parses
	// but never routes.
	ReactionHandler func(ctx context.Context, r *tele.MessageReaction) error
}

// New connects to the Bot API (getMe) and prepares the bot; call Run to start
// taking updates.
func New(cfg Config, log *slog.Logger) (*Bot, error) {
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.MaxInHand <= 0 {
		cfg.MaxInHand = cfg.Workers
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if cfg.Redis == nil && !cfg.Offline {
		log.Warn("no Redis for the rate limit: outgoing messages are not limited")
	}
	clients, lim := newClients(cfg, log)
	b := &Bot{cfg: cfg, client: clients[PriorityInteractive], limiter: lim, log: log,
		inbox: newInbox(cfg.Redis, cfg.Token, log)}
	tb, err := tele.NewBot(tele.Settings{
		URL:         cfg.APIURL,
		Token:       cfg.Token,
		Client:      b.client,
		Synchronous: true, // the update pool below gives the concurrency, bounded
		Offline:     cfg.Offline,
		OnError:     b.onError,
	})
	if err != nil {
		return nil, fmt.Errorf("bot: connect to Telegram: %w", redact(err, cfg.Token))
	}
	b.tb = tb
	tb.Use(b.guard) // before any handler is registered: it wraps them all
	tb.Handle(tele.OnCallback, unknownButton)
	if b.notify, err = b.sibling(clients[PriorityNotify]); err != nil {
		return nil, err
	}
	if b.bulk, err = b.sibling(clients[PriorityBulk]); err != nil {
		return nil, err
	}
	return b, nil
}

// newClients builds one HTTP client per priority. They share the retry
// transport and, with Redis, the rate limiter, which learns a request's
// priority from the client that makes it.
func newClients(cfg Config, log *slog.Logger) ([priorities]*http.Client, *limiter) {
	retry := &retryTransport{
		next: apiTransport(cfg.Workers), log: log, maxAttempts: 5, maxWait: 30 * time.Second, baseBackoff: 500 * time.Millisecond,
	}
	var lim *limiter
	if cfg.Redis != nil {
		lim = newLimiter(&budget{rdb: cfg.Redis, limits: cfg.Limits}, cfg.Limits.Global.interval(), log)
		retry.onFlood = lim.floodHold
	}
	var clients [priorities]*http.Client
	for p := range clients {
		var rt http.RoundTripper = retry
		if lim != nil {
			rt = &limitTransport{limiter: lim, priority: Priority(p), maxBuffer: cfg.Limits.MaxBufferedUpload, next: retry}
		}
		// The timeout bounds the wait for the rate limit too: a request
		// waits rather than fails, but not forever.
		clients[p] = &http.Client{Timeout: cfg.PollTimeout + 30*time.Second, Transport: rt}
	}
	return clients, lim
}

// apiTransport is the connection pool to the Bot API: every request goes to
// one host, so it keeps as many idle connections as there are update workers
// sending at once (Go's default keeps 2 per host, so a busy bot would open
// and close a connection for nearly every message).
func apiTransport(workers int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2 * workers
	t.MaxIdleConnsPerHost = 2 * workers
	return t
}

// sibling is a second telebot bot on the same token whose calls go through
// client; it shares the first one's identity and never polls.
func (b *Bot) sibling(client *http.Client) (*tele.Bot, error) {
	tb, err := tele.NewBot(tele.Settings{
		URL: b.tb.URL, Token: b.cfg.Token, Client: client, Synchronous: true, Offline: true, OnError: b.onError,
	})
	if err != nil {
		return nil, fmt.Errorf("bot: sender bot: %w", redact(err, b.cfg.Token))
	}
	tb.Me = b.tb.Me
	return tb, nil
}

// Telebot is the underlying telebot bot: handlers register on it and send
// with it, first in line for the rate limit.
func (b *Bot) Telebot() *tele.Bot { return b.tb }

// Username is the bot's @username as Telegram reported it.
func (b *Bot) Username() string { return b.tb.Me.Username }

// Run long-polls for updates and handles them until ctx ends, then waits for
// the updates in hand to finish (up to drain).
func (b *Bot) Run(ctx context.Context, drain time.Duration) error {
	if err := b.call(ctx, "deleteWebhook", map[string]any{"drop_pending_updates": false}, nil); err != nil {
		b.log.Warn("deleteWebhook failed", slog.Any("error", err))
	}
	pool := b.newPool(ctx)
	forgotten := make(chan struct{})
	go func() { b.inbox.forget(); close(forgotten) }()
	b.log.Info("bot polling", slog.String("username", b.tb.Me.Username), slog.Int("workers", b.cfg.Workers))
	b.poll(ctx, pool.dispatch, pool.room)
	if pool.close(drain) {
		close(b.inbox.finished) // no handler will finish another update
		<-forgotten
	}
	b.confirmHandled()
	return nil
}

// confirmHandled tells Telegram which updates were fetched before a shutdown
// (those not handled yet wait in the inbox), so the next start does not get
// them again. It is best effort: were it lost, the next start skips the ones
// its inbox replayed, and handlers are idempotent.
func (b *Bot) confirmHandled() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	params := map[string]string{"offset": strconv.Itoa(b.offset()), "timeout": "0", "limit": "1"}
	if err := b.call(ctx, "getUpdates", params, nil); err != nil {
		b.log.Debug("confirming handled updates at shutdown", slog.Any("error", err))
	}
}

// HandleUpdate handles one update synchronously (webhook mode and tests).
func (b *Bot) HandleUpdate(u tele.Update) {
	b.handle(context.Background(), u)
}

// handle runs one update through telebot's router, recovering from panics.
// An update whose handler failed because the database or Redis is out is
// held and run again once they answer, so it is answered late rather than
// never. It reports false only when ctx ended while the update was held: it
// was not handled and stays in the inbox for the next start.
func (b *Bot) handle(ctx context.Context, u tele.Update) (handled bool) {
	at := b.attempts.begin(u.ID)
	defer b.attempts.end(u.ID)
	for try := 1; ; try++ {
		b.handleOnce(ctx, u)
		err := at.err
		if err == nil {
			if try > 1 {
				metrics.Recoveries.WithLabelValues("update_held").Inc()
				b.log.Info("held update handled", slog.Int("update_id", u.ID), slog.Int("tries", try))
			}
			return true
		}
		if !b.outage(ctx, err, try) {
			b.failed(err, u)
			return true
		}
		if !b.holdThrough(ctx, u, err, try) {
			return false
		}
	}
}

// handleOnce is one try at an update; the handler's error is left in its attempt.
func (b *Bot) handleOnce(ctx context.Context, u tele.Update) {
	kind := updateType(u)
	start := time.Now()
	metrics.Updates.WithLabelValues(kind).Inc()
	defer func() {
		took := time.Since(start)
		metrics.UpdateDuration.WithLabelValues(kind).Observe(took.Seconds())
		b.log.Debug("update handled", slog.Int("update_id", u.ID), slog.String("type", kind), slog.Duration("took", took))
		if r := recover(); r != nil {
			metrics.HandlerPanics.Inc()
			b.log.Error("handler panic", slog.Int("update_id", u.ID), slog.String("type", kind),
				slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
		}
	}()
	if u.MessageReaction != nil {
		if b.ReactionHandler != nil {
			b.attempts.of(u.ID).err = b.ReactionHandler(ctx, u.MessageReaction)
		}
		return
	}
	b.tb.ProcessUpdate(u)
}

// onError is telebot's report of a failure outside the handlers.
func (b *Bot) onError(err error, c tele.Context) {
	var u tele.Update
	if c != nil {
		u = c.Update()
	}
	b.failed(err, u)
}

// failed logs a failure that handle gave up on.
func (b *Bot) failed(err error, u tele.Update) {
	attrs := []any{slog.Any("error", redact(err, b.cfg.Token)), slog.Int("update_id", u.ID)}
	if s := senderOf(u); s != nil {
		attrs = append(attrs, slog.Int64("user_id", s.ID))
	}
	b.log.Error("handler failed", attrs...)
}

func senderOf(u tele.Update) *tele.User {
	switch {
	case u.Message != nil:
		return u.Message.Sender
	case u.Callback != nil:
		return u.Callback.Sender
	case u.MessageReaction != nil:
		return u.MessageReaction.User
	}
	return nil
}

func updateType(u tele.Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.Callback != nil:
		return "callback"
	case u.MessageReaction != nil:
		return "reaction"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.MyChatMember != nil:
		return "my_chat_member"
	}
	return "other"
}
