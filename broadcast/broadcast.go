// Package broadcast delivers admins' broadcasts: a message copied to every
// user who has not blocked the bot, a few at a time at the lowest priority
// of the outgoing rate limit (answers to presses go first), with progress
// edited into the admin's chat. State is in PostgreSQL: a run that stops
// (a deploy, a crash) is resumed by the next, and every recipient is
// recorded before their copy is sent, so nobody gets a broadcast twice.
package broadcast

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"memebot/i18n"
	"memebot/storage"
)

// Store is the broadcast state the deliverer reads and writes.
type Store interface {
	SendingBroadcast(ctx context.Context) (storage.Broadcast, error)
	ClaimRecipients(ctx context.Context, b *storage.Broadcast, n int) ([]int64, error)
	RecordDelivery(ctx context.Context, broadcastID, userID int64, outcome string) error
	FinishBroadcast(ctx context.Context, id int64) error
	BroadcastProgressOf(ctx context.Context, id int64) (storage.BroadcastProgress, error)
	MarkBlocked(ctx context.Context, userID int64) error
	User(ctx context.Context, id int64) (storage.User, error)
}

// Sender is the Telegram side: the two Bot API calls a broadcast makes.
type Sender interface {
	// Copy copies message messageID of chat fromChatID to chat toChatID.
	Copy(ctx context.Context, toChatID, fromChatID, messageID int64) error
	// EditText replaces the text of a message the bot sent.
	EditText(ctx context.Context, chatID, messageID int64, text string) error
	// IsBlocked reports whether err says the user blocked the bot.
	IsBlocked(err error) bool
}

// Deliverer sends the broadcast being sent, if any.
type Deliverer struct {
	Store  Store
	Sender Sender
	// Batch is how many recipients are claimed (and sent to concurrently) at once.
	Batch int
	// Budget is how long one Run sends before it returns (the job runs again).
	Budget time.Duration
	// ProgressEvery is how often the admin's progress message is edited.
	ProgressEvery time.Duration
	Log           *slog.Logger
}

// Run sends the oldest broadcast being sent for up to Budget (at least one
// batch); a broadcast
// that is finished or stopped gets its last progress line.
func (d *Deliverer) Run(ctx context.Context) error {
	b, err := d.Store.SendingBroadcast(ctx)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	lang := d.adminLanguage(ctx, b.AdminID)
	deadline, lastEdit := time.Now().Add(d.Budget), time.Now()
	for {
		ids, err := d.Store.ClaimRecipients(ctx, &b, d.Batch)
		switch {
		case errors.Is(err, storage.ErrBroadcastStopped):
			return d.report(ctx, b, lang, "broadcast_stopped")
		case err != nil:
			return fmt.Errorf("broadcast %d: %w", b.ID, err)
		case len(ids) == 0:
			if err := d.Store.FinishBroadcast(ctx, b.ID); err != nil {
				return err
			}
			d.Log.Info("broadcast finished", "broadcast_id", b.ID)
			return d.report(ctx, b, lang, "broadcast_finished")
		}
		if err := d.sendBatch(ctx, b, ids); err != nil {
			return err
		}
		if time.Since(lastEdit) >= d.ProgressEvery {
			lastEdit = time.Now()
			if err := d.report(ctx, b, lang, "broadcast_progress"); err != nil {
				d.Log.Info("broadcast progress not shown", "broadcast_id", b.ID, "error", err)
			}
		}
		if !time.Now().Before(deadline) || ctx.Err() != nil {
			return d.report(ctx, b, lang, "broadcast_progress")
		}
	}
}

// sendBatch copies the message to each claimed recipient and records how
// it went; a user who blocked the bot is marked and never retried.
func (d *Deliverer) sendBatch(ctx context.Context, b storage.Broadcast, ids []int64) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, id := range ids {
		g.Go(func() error {
			outcome := storage.DeliverySent
			if err := d.Sender.Copy(gctx, id, b.FromChatID, b.FromMessageID); err != nil {
				outcome = storage.DeliveryFailed
				if d.Sender.IsBlocked(err) {
					outcome = storage.DeliveryBlocked
					if err := d.Store.MarkBlocked(gctx, id); err != nil {
						return err
					}
				} else {
					d.Log.Info("broadcast not delivered", "broadcast_id", b.ID, "user_id", id, "error", err)
				}
			}
			return d.Store.RecordDelivery(context.WithoutCancel(gctx), b.ID, id, outcome)
		})
	}
	return g.Wait()
}

// report edits the admin's progress message with the figures so far.
func (d *Deliverer) report(ctx context.Context, b storage.Broadcast, lang, key string) error {
	if b.ProgressMessageID == nil {
		return nil
	}
	p, err := d.Store.BroadcastProgressOf(ctx, b.ID)
	if err != nil {
		return err
	}
	var text string
	switch key {
	case "broadcast_progress":
		text = i18n.T(lang, key, p.Done(), b.Recipients, p.Sent, p.Blocked, p.Failed)
	case "broadcast_stopped":
		text = i18n.T(lang, key, p.Done(), p.Sent, p.Blocked, p.Failed)
	default:
		text = i18n.T(lang, key, p.Sent, p.Blocked, p.Failed)
	}
	return d.Sender.EditText(ctx, b.FromChatID, *b.ProgressMessageID, text)
}

func (d *Deliverer) adminLanguage(ctx context.Context, adminID int64) string {
	u, err := d.Store.User(ctx, adminID)
	if err != nil {
		return ""
	}
	return u.LanguageCode
}
