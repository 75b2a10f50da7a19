// Package bot receives memebot's updates and runs them through the handlers:
// long polling that never confirms an unhandled update (a Redis inbox keeps
// what was fetched), or the webhook; a bounded pool that handles updates in
// parallel while keeping each chat's updates in order; panic recovery,
// holding updates through an outage, answering every button press once, and
// role resolution. Calls to the Bot API go through package telegram; what
// the bot says lives in handlers/.
package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/kv"
	"memebot/metrics"
	"memebot/telegram"
)

// Config is what receiving updates needs.
type Config struct {
	PollTimeout time.Duration // long-poll timeout; Telegram allows up to 50 s
	Workers     int           // updates handled at once
	MaxInHand   int           // updates fetched and not finished, at most (default Workers)
	Offline     bool          // skip getMe (tests of wiring only)
	// UpdateTimeout is the deadline of one try at an update: the handlers'
	// context (Context) ends then (default 30 s).
	UpdateTimeout time.Duration

	// Redis keeps the inbox of fetched updates; nil keeps none (tests of
	// wiring only).
	Redis *kv.Redis

	// Down, if set, says why the database or Redis is out (nil while they
	// answer). An update whose handler fails while they are out is held and
	// handled again once they are back, instead of being dropped.
	Down func(ctx context.Context) error
}

// Bot is a telebot bot plus memebot's update loop.
type Bot struct {
	cfg      Config
	tg       *telegram.Client
	tb       *tele.Bot
	log      *slog.Logger
	maxSeen  int // the highest update id this run fetched (poller only)
	inbox    *inbox
	attempts attempts // the updates in hand, as handlers left them

	// ReactionHandler receives message_reaction updates, which telebot parses
	// but never routes.
	ReactionHandler func(ctx context.Context, r *tele.MessageReaction) error
}

// New connects to the Bot API through tg (getMe) and prepares the bot; call
// Run to start taking updates. tg's timeout must exceed cfg.PollTimeout.
func New(tg *telegram.Client, cfg Config, log *slog.Logger) (*Bot, error) {
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.MaxInHand <= 0 {
		cfg.MaxInHand = cfg.Workers
	}
	if cfg.UpdateTimeout <= 0 {
		cfg.UpdateTimeout = 30 * time.Second
	}
	if cfg.Redis == nil && !cfg.Offline {
		log.Warn("no Redis: fetched updates are not kept through a crash")
	}
	b := &Bot{cfg: cfg, tg: tg, log: log, inbox: newInbox(cfg.Redis, tg.Token(), log)}
	tb, err := tele.NewBot(tele.Settings{
		URL:         tg.URL(),
		Token:       tg.Token(),
		Client:      tg.HTTP(telegram.PriorityInteractive),
		Synchronous: true, // the update pool below gives the concurrency, bounded
		Offline:     cfg.Offline,
		OnError:     b.onError,
	})
	if err != nil {
		return nil, fmt.Errorf("bot: connect to Telegram: %w", tg.Redact(err))
	}
	b.tb = tb
	tb.Use(b.guard) // before any handler is registered: it wraps them all
	tb.Handle(tele.OnCallback, unknownButton)
	return b, nil
}

// Telebot is the underlying telebot bot: handlers register on it and send
// with it, first in line for the rate limit.
func (b *Bot) Telebot() *tele.Bot { return b.tb }

// Username is the bot's @username as Telegram reported it.
func (b *Bot) Username() string { return b.tb.Me.Username }

// Run long-polls for updates and handles them until ctx ends, then waits for
// the updates in hand to finish (up to drain).
func (b *Bot) Run(ctx context.Context, drain time.Duration) error {
	if err := b.tg.Call(ctx, "deleteWebhook", map[string]any{"drop_pending_updates": false}, nil); err != nil {
		b.log.Warn("deleteWebhook failed", slog.Any("error", err))
	}
	// The handlers' context outlives ctx by the drain, so that the updates
	// in hand may finish, and ends when Run returns.
	handlers, stopHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHandlers()
	pool := b.newPool(ctx, handlers)
	forgotten := make(chan struct{})
	go func() { b.inbox.forget(); close(forgotten) }()
	b.log.Info("bot polling", slog.String("username", b.tb.Me.Username), slog.Int("workers", b.cfg.Workers))
	b.poll(ctx, pool.dispatch, pool.room)
	if pool.close(drain) {
		close(b.inbox.finished) // no handler will finish another update
		<-forgotten
	}
	stopHandlers() // those still in hand stop: the next start replays them
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
	if err := b.tg.Call(ctx, "getUpdates", params, nil); err != nil {
		b.log.Debug("confirming handled updates at shutdown", slog.Any("error", err))
	}
}

// HandleUpdate handles one update synchronously (tests).
func (b *Bot) HandleUpdate(u tele.Update) {
	b.handle(context.Background(), context.Background(), u)
}

// handle runs one update through telebot's router, recovering from panics.
// An update whose handler failed because the database or Redis is out is
// held and run again once they answer, so it is answered late rather than
// never. It reports false only when ctx ended while the update was held: it
// was not handled and stays in the inbox for the next start. Each try's
// context derives from base, with the update's deadline.
func (b *Bot) handle(ctx, base context.Context, u tele.Update) (handled bool) {
	at := b.attempts.begin(u.ID)
	defer b.attempts.end(u.ID)
	for try := 1; ; try++ {
		b.handleOnce(base, u)
		err := at.err
		if err == nil {
			if try > 1 {
				metrics.Recoveries.WithLabelValues("update_held").Inc()
				b.log.Info("held update handled", slog.Int("update_id", u.ID), slog.Int("tries", try))
			}
			return true
		}
		if base.Err() != nil { // cut off at shutdown: it stays in the inbox for the next start
			return false
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

// handleOnce is one try at an update, under a context of its own with the
// update's deadline; the handler's error is left in its attempt.
func (b *Bot) handleOnce(base context.Context, u tele.Update) {
	ctx, cancel := context.WithTimeout(base, b.cfg.UpdateTimeout)
	defer cancel()
	at := b.attempts.of(u.ID)
	at.ctx = ctx
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
			at.err = b.ReactionHandler(ctx, u.MessageReaction)
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
	attrs := []any{slog.Any("error", b.tg.Redact(err)), slog.Int("update_id", u.ID)}
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
