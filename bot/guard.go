package bot

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/heal"
	"memebot/metrics"
)

// attempt is what the handlers made of one update, across the tries of an
// update held through an outage.
type attempt struct {
	ctx      context.Context // the current try's: the update's deadline, ends at shutdown
	tries    int             // tries begun
	err      error           // what the handler returned on the last try
	answered atomic.Bool     // the callback query was answered: never again
}

// attempts maps update id -> *attempt while the update is in hand.
type attempts struct{ m sync.Map }

func (a *attempts) begin(id int) *attempt {
	at := &attempt{}
	a.m.Store(id, at)
	return at
}

func (a *attempts) of(id int) *attempt {
	if at, ok := a.m.Load(id); ok {
		return at.(*attempt)
	}
	return &attempt{} // an update handled outside handle (unit tests)
}

func (a *attempts) end(id int) { a.m.Delete(id) }

// guard is the outermost middleware of every handler. It keeps the handler's
// error for handle, which decides whether the update is held through an
// outage or given up on, and it makes sure a callback query is answered
// exactly once, whatever the handler did: a press left unanswered keeps
// the button spinning on the user's screen (forged or stale data, a handler
// that returned early, failed or panicked).
func (b *Bot) guard(next tele.HandlerFunc) tele.HandlerFunc {
	return func(c tele.Context) error {
		at := b.attempts.of(c.Update().ID)
		at.tries++
		c.Set(retryKey, at.tries > 1)
		if at.ctx != nil {
			c.Set(ctxKey, at.ctx)
		}
		if c.Callback() != nil {
			once := &answerOnce{Context: c, answered: &at.answered}
			defer once.ensure()
			c = once
		}
		at.err = next(c)
		return nil
	}
}

const (
	retryKey = "memebot.retry"
	ctxKey   = "memebot.ctx"
)

// Context is the context of the update c is handling: it carries the
// update's deadline (Config.UpdateTimeout) and ends when the bot shuts down
// (after the drain). A handler passes it to everything it does I/O with.
// Outside the bot (a handler's unit test) it is context.Background().
func Context(c tele.Context) context.Context {
	if ctx, ok := c.Get(ctxKey).(context.Context); ok {
		return ctx
	}
	return context.Background()
}

// IsRetry reports whether this run of a handler is another try of an update
// held through an outage in this process: whatever the first try did not
// finish (an acknowledgement, say) is still owed.
func IsRetry(c tele.Context) bool {
	retry, _ := c.Get(retryKey).(bool)
	return retry
}

// answerOnce is a callback's context whose answers after the first are
// dropped (Telegram refuses a second answer to one query).
type answerOnce struct {
	tele.Context
	answered *atomic.Bool
}

func (a *answerOnce) Respond(resp ...*tele.CallbackResponse) error {
	if !a.answered.CompareAndSwap(false, true) {
		return nil
	}
	return a.Context.Respond(resp...)
}

func (a *answerOnce) RespondText(text string) error {
	return a.Respond(&tele.CallbackResponse{Text: text})
}

func (a *answerOnce) RespondAlert(text string) error {
	return a.Respond(&tele.CallbackResponse{Text: text, ShowAlert: true})
}

// ensure answers the query with nothing if no handler did.
func (a *answerOnce) ensure() {
	if a.answered.Load() {
		return
	}
	if err := a.Respond(); err != nil {
		metrics.CallbacksUnanswered.Inc()
	}
}

// unknownButton answers presses whose data names no button of this bot:
// forged by a modified client, or left from a keyboard of an older version.
func unknownButton(c tele.Context) error { return c.Respond() }

// outage decides whether a handler's failure is the infrastructure's (hold
// the update and try again once it answers) rather than the update's.
func (b *Bot) outage(ctx context.Context, err error, try int) bool {
	if b.cfg.Down != nil && b.cfg.Down(ctx) != nil {
		return true
	}
	// The outage may have ended between the failure and the probe.
	return try <= 3 && heal.Transient(err)
}

// holdThrough waits until the infrastructure answers again; false if ctx
// ended first (the update stays in the inbox for the next start).
func (b *Bot) holdThrough(ctx context.Context, u tele.Update, err error, try int) bool {
	if try == 1 {
		b.log.Warn("holding an update until the database and Redis answer", slog.Int("update_id", u.ID), slog.Any("error", err))
	}
	if b.cfg.Down == nil || b.cfg.Down(ctx) == nil {
		sleep(ctx, time.Second)
		return ctx.Err() == nil
	}
	for b.cfg.Down(ctx) != nil {
		sleep(ctx, 500*time.Millisecond)
		if ctx.Err() != nil {
			return false
		}
	}
	return true
}
