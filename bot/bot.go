// Package bot wires memebot to Telegram with telebot: the HTTP client that
// retries 429s and 5xx, long polling that never confirms an unhandled update,
// a bounded pool that handles updates in parallel while keeping each chat's
// updates in order, panic recovery, role resolution and the command menu.
// What the bot says lives in handlers/.
package bot

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/metrics"
)

// Config is what the Telegram side needs.
type Config struct {
	Token       string
	APIURL      string
	PollTimeout time.Duration // long-poll timeout; Telegram allows up to 50 s
	Workers     int           // updates handled at once
	Offline     bool          // skip getMe (tests of wiring only)
}

// Bot is a telebot bot plus memebot's update loop.
type Bot struct {
	cfg     Config
	tb      *tele.Bot
	client  *http.Client
	log     *slog.Logger
	offsets *offsetTracker

	// ReactionHandler receives message_reaction updates, which telebot parses
	// but never routes.
	ReactionHandler func(ctx context.Context, r *tele.MessageReaction)
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
	client := &http.Client{
		Timeout: cfg.PollTimeout + 30*time.Second,
		Transport: &retryTransport{
			next: http.DefaultTransport, log: log, maxAttempts: 5, maxWait: 30 * time.Second, baseBackoff: 500 * time.Millisecond,
		},
	}
	b := &Bot{cfg: cfg, client: client, log: log, offsets: newOffsetTracker()}
	tb, err := tele.NewBot(tele.Settings{
		URL:         cfg.APIURL,
		Token:       cfg.Token,
		Client:      client,
		Synchronous: true, // the update pool below gives the concurrency, bounded
		Offline:     cfg.Offline,
		OnError:     b.onError,
	})
	if err != nil {
		return nil, fmt.Errorf("bot: connect to Telegram: %w", redact(err, cfg.Token))
	}
	b.tb = tb
	return b, nil
}

// Telebot is the underlying telebot bot: handlers register on it and send with it.
func (b *Bot) Telebot() *tele.Bot { return b.tb }

// Username is the bot's @username as Telegram reported it.
func (b *Bot) Username() string { return b.tb.Me.Username }

// Run long-polls for updates and handles them until ctx ends, then waits for
// the updates in hand to finish (up to drain).
func (b *Bot) Run(ctx context.Context, drain time.Duration) error {
	if err := b.call(ctx, "deleteWebhook", map[string]any{"drop_pending_updates": false}, nil); err != nil {
		b.log.Warn("deleteWebhook failed", slog.Any("error", err))
	}
	pool := b.newPool()
	b.log.Info("bot polling", slog.String("username", b.tb.Me.Username), slog.Int("workers", b.cfg.Workers))
	b.poll(ctx, pool.dispatch)
	pool.close(drain)
	return nil
}

// HandleUpdate handles one update synchronously (webhook mode and tests).
func (b *Bot) HandleUpdate(u tele.Update) {
	b.handle(context.Background(), u)
}

// handle runs one update through telebot's router, recovering from panics.
func (b *Bot) handle(ctx context.Context, u tele.Update) {
	kind := updateType(u)
	start := time.Now()
	metrics.Updates.WithLabelValues(kind).Inc()
	defer func() {
		metrics.UpdateDuration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
		if r := recover(); r != nil {
			metrics.HandlerPanics.Inc()
			b.log.Error("handler panic", slog.Int("update_id", u.ID), slog.String("type", kind),
				slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
		}
	}()
	if u.MessageReaction != nil {
		if b.ReactionHandler != nil {
			b.ReactionHandler(ctx, u.MessageReaction)
		}
		return
	}
	b.tb.ProcessUpdate(u)
}

func (b *Bot) onError(err error, c tele.Context) {
	attrs := []any{slog.Any("error", redact(err, b.cfg.Token))}
	if c != nil {
		attrs = append(attrs, slog.Int("update_id", c.Update().ID))
		if s := c.Sender(); s != nil {
			attrs = append(attrs, slog.Int64("user_id", s.ID))
		}
	}
	b.log.Error("handler failed", attrs...)
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

// chatKey is what orders updates: all updates of one chat go to one shard.
func chatKey(u tele.Update) int64 {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID
	case u.Callback != nil && u.Callback.Message != nil && u.Callback.Message.Chat != nil:
		return u.Callback.Message.Chat.ID
	case u.Callback != nil && u.Callback.Sender != nil:
		return u.Callback.Sender.ID
	case u.MessageReaction != nil && u.MessageReaction.Chat != nil:
		return u.MessageReaction.Chat.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return int64(u.ID)
}

// pool handles updates on a fixed number of goroutines; an update goes to the
// shard of its chat, so one chat's updates are handled in order.
type pool struct {
	b      *Bot
	shards []chan tele.Update
	wg     sync.WaitGroup
	seed   maphash.Seed
}

func (b *Bot) newPool() *pool {
	p := &pool{b: b, shards: make([]chan tele.Update, b.cfg.Workers), seed: maphash.MakeSeed()}
	for i := range p.shards {
		p.shards[i] = make(chan tele.Update, 16)
		p.wg.Add(1)
		go p.work(p.shards[i])
	}
	return p
}

func (p *pool) work(in <-chan tele.Update) {
	defer p.wg.Done()
	for u := range in {
		p.b.handle(context.Background(), u)
		p.b.offsets.done(u.ID)
	}
}

func (p *pool) dispatch(u tele.Update) {
	key := chatKey(u)
	h := maphash.Comparable(p.seed, key)
	p.shards[h%uint64(len(p.shards))] <- u
}

// close stops taking updates and waits up to drain for those in hand.
func (p *pool) close(drain time.Duration) {
	for _, s := range p.shards {
		close(s)
	}
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drain):
		p.b.log.Warn("updates still in hand at shutdown; Telegram will redeliver them")
	}
}
