package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FeedUser is what a refill needs to know of a person.
type FeedUser struct {
	Languages []string
	Role      string
	Sent      int // memes sent to them, counted up to the limit asked for
}

// FeedUser reads the person's languages, role and the memes sent to them
// (counted up to upTo: read from at most that many primary-key entries),
// in one round trip. ErrNotFound for an unknown person.
func (s *Store) FeedUser(ctx context.Context, userID int64, upTo int) (FeedUser, error) {
	var u FeedUser
	err := s.pool.QueryRow(ctx, `
SELECT languages, role, (SELECT count(*) FROM (SELECT 1 FROM reactions WHERE user_id = $1 LIMIT $2) t)
FROM users WHERE id = $1`, userID, upTo).Scan(&u.Languages, &u.Role, &u.Sent)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, fmt.Errorf("storage: user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("storage: user %d: %w", userID, err)
	}
	return u, nil
}

// MemesSent counts the memes sent to the person, up to upTo (read from at
// most that many primary-key entries).
func (s *Store) MemesSent(ctx context.Context, userID int64, upTo int) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx,
		`SELECT count(*) FROM (SELECT 1 FROM reactions WHERE user_id = $1 LIMIT $2) t`, userID, upTo).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("storage: memes sent to %d: %w", userID, err)
	}
	return n, nil
}

// ActiveUser is a person active lately, and their role.
type ActiveUser struct {
	ID   int64
	Role string
}

// ActiveUsers lists the people active within since who have not blocked
// the bot, most recently active first.
func (s *Store) ActiveUsers(ctx context.Context, since time.Duration) ([]ActiveUser, error) {
	rows, err := s.pool.Query(ctx, `
SELECT id, role FROM users
WHERE last_active_at > now() - make_interval(secs => $1) AND blocked_bot_at IS NULL
ORDER BY last_active_at DESC`, since.Seconds())
	if err != nil {
		return nil, fmt.Errorf("storage: active users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ActiveUser, error) {
		var u ActiveUser
		return u, row.Scan(&u.ID, &u.Role)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: active users: %w", err)
	}
	return users, nil
}
