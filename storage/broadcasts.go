package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Broadcast states.
const (
	BroadcastPreview   = "preview"
	BroadcastSending   = "sending"
	BroadcastDone      = "done"
	BroadcastCancelled = "cancelled"
)

// Broadcast outcomes per recipient.
const (
	DeliverySending = "sending"
	DeliverySent    = "sent"
	DeliveryBlocked = "blocked"
	DeliveryFailed  = "failed"
)

// Broadcast is an admin's message to every user who has not blocked the bot.
type Broadcast struct {
	ID                int64 `gorm:"primaryKey"`
	AdminID           int64
	FromChatID        int64
	FromMessageID     int64
	ProgressMessageID *int64
	Status            string `gorm:"default:preview"`
	Recipients        int
	LastUserID        int64
	CreatedAt         time.Time
	StartedAt         *time.Time
	FinishedAt        *time.Time
}

// BroadcastProgress counts a broadcast's deliveries by outcome.
type BroadcastProgress struct {
	Sent, Blocked, Failed int64
}

// Done is how many recipients were dealt with.
func (p BroadcastProgress) Done() int64 { return p.Sent + p.Blocked + p.Failed }

// CreateBroadcast records a previewed broadcast.
func (s *Store) CreateBroadcast(ctx context.Context, b *Broadcast) error {
	if err := s.db.WithContext(ctx).Create(b).Error; err != nil {
		return fmt.Errorf("storage: create broadcast: %w", err)
	}
	return nil
}

// Broadcast reads one broadcast.
func (s *Store) Broadcast(ctx context.Context, id int64) (Broadcast, error) {
	var b Broadcast
	if err := s.db.WithContext(ctx).First(&b, id).Error; err != nil {
		return Broadcast{}, fmt.Errorf("storage: broadcast %d: %w", id, notFound(err))
	}
	return b, nil
}

// StartBroadcast moves a previewed broadcast to sending, counting who will
// get it; false if it was not in preview any more (pressed twice, cancelled).
func (s *Store) StartBroadcast(ctx context.Context, id, progressMessageID int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
UPDATE broadcasts SET status = $1, started_at = now(), progress_message_id = $2,
    recipients = (SELECT count(*) FROM users WHERE blocked_bot_at IS NULL)
WHERE id = $3 AND status = $4`, BroadcastSending, progressMessageID, id, BroadcastPreview)
	if err != nil {
		return false, fmt.Errorf("storage: start broadcast %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// CancelBroadcasts stops the given broadcast (0: every one previewed or
// sending) and returns how many it stopped.
func (s *Store) CancelBroadcasts(ctx context.Context, id int64) (int64, error) {
	q := s.db.WithContext(ctx).Model(&Broadcast{}).Where("status IN ?", []string{BroadcastPreview, BroadcastSending})
	if id != 0 {
		q = q.Where("id = ?", id)
	}
	res := q.Updates(map[string]any{"status": BroadcastCancelled, "finished_at": time.Now().UTC()})
	if res.Error != nil {
		return 0, fmt.Errorf("storage: cancel broadcasts: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// SendingBroadcast is the oldest broadcast being sent; ErrNotFound if none.
func (s *Store) SendingBroadcast(ctx context.Context) (Broadcast, error) {
	var b Broadcast
	err := s.db.WithContext(ctx).Where("status = ?", BroadcastSending).Order("id").First(&b).Error
	if err != nil {
		return Broadcast{}, fmt.Errorf("storage: sending broadcast: %w", notFound(err))
	}
	return b, nil
}

// ClaimRecipients takes the next users (by id) who have not blocked the bot
// and records each as being sent the broadcast before anything is sent, so
// that a crash can cost someone the message but never give it twice. It
// returns their ids; none means everyone was dealt with.
func (s *Store) ClaimRecipients(ctx context.Context, b *Broadcast, n int) ([]int64, error) {
	var ids []int64
	err := s.pgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		var status string
		var lastUserID int64
		err := tx.QueryRow(ctx, `SELECT status, last_user_id FROM broadcasts WHERE id = $1 FOR UPDATE`, b.ID).Scan(&status, &lastUserID)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && status != BroadcastSending {
			return ErrBroadcastStopped
		}
		if err != nil {
			return err
		}
		ids, err = queryValues[int64](ctx, tx, `
INSERT INTO broadcast_deliveries (broadcast_id, user_id)
SELECT $1, id FROM users WHERE id > $2 AND blocked_bot_at IS NULL ORDER BY id LIMIT $3
ON CONFLICT DO NOTHING RETURNING user_id`, b.ID, lastUserID, n)
		if err != nil || len(ids) == 0 {
			return err
		}
		slices.Sort(ids)
		b.LastUserID = ids[len(ids)-1]
		_, err = tx.Exec(ctx, `UPDATE broadcasts SET last_user_id = $1 WHERE id = $2`, b.LastUserID, b.ID)
		return err
	})
	if errors.Is(err, ErrBroadcastStopped) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("storage: claim broadcast recipients: %w", err)
	}
	return ids, nil
}

// ErrBroadcastStopped: the broadcast was cancelled (or finished) meanwhile.
var ErrBroadcastStopped = errors.New("storage: broadcast stopped")

// RecordDelivery keeps what happened when the broadcast went to a user.
func (s *Store) RecordDelivery(ctx context.Context, broadcastID, userID int64, outcome string) error {
	_, err := s.pool.Exec(ctx, `UPDATE broadcast_deliveries SET outcome = $1, at = now() WHERE broadcast_id = $2 AND user_id = $3`,
		outcome, broadcastID, userID)
	if err != nil {
		return fmt.Errorf("storage: record delivery: %w", err)
	}
	return nil
}

// FinishBroadcast marks a broadcast whose recipients were all dealt with.
func (s *Store) FinishBroadcast(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE broadcasts SET status = $1, finished_at = now() WHERE id = $2 AND status = $3`,
		BroadcastDone, id, BroadcastSending)
	if err != nil {
		return fmt.Errorf("storage: finish broadcast %d: %w", id, err)
	}
	return nil
}

// BroadcastProgressOf counts a broadcast's deliveries.
func (s *Store) BroadcastProgressOf(ctx context.Context, id int64) (BroadcastProgress, error) {
	var p BroadcastProgress
	err := s.pool.QueryRow(ctx, `
SELECT count(*) FILTER (WHERE outcome = 'sent') AS sent, count(*) FILTER (WHERE outcome = 'blocked') AS blocked,
       count(*) FILTER (WHERE outcome IN ('failed', 'sending')) AS failed
FROM broadcast_deliveries WHERE broadcast_id = $1`, id).Scan(&p.Sent, &p.Blocked, &p.Failed)
	if err != nil {
		return BroadcastProgress{}, fmt.Errorf("storage: broadcast progress: %w", err)
	}
	return p, nil
}

// ReachableUsers counts users who have not blocked the bot.
func (s *Store) ReachableUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&User{}).Where("blocked_bot_at IS NULL").Count(&n).Error; err != nil {
		return 0, fmt.Errorf("storage: reachable users: %w", err)
	}
	return n, nil
}
