package bot

import (
	"context"
	"sync"
	"time"

	tele "gopkg.in/telebot.v3"
)

// The roles a user may hold, as Role returns them: the same words the
// database keeps in users.role for promoted moderators.
const (
	RoleUser      = "user"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// RoleSource answers which role a user holds (admin, moderator or user).
type RoleSource interface {
	ModeratorIDs(ctx context.Context) ([]int64, error)
}

// Roles resolves a user's role: admins and moderators from configuration,
// plus moderators promoted in the database (cached briefly, so promotion takes
// effect within the TTL on every replica).
type Roles struct {
	admins, moderators map[int64]bool
	src                RoleSource
	ttl                time.Duration

	mu        sync.Mutex
	promoted  map[int64]bool
	loadedAt  time.Time // zero: never loaded, or invalidated
	reloading bool
	gen       int // bumped by Invalidate: a reload begun before it is dropped
}

// NewRoles builds a resolver from the configured ids and the database.
func NewRoles(adminIDs, moderatorIDs []int64, src RoleSource) *Roles {
	r := &Roles{admins: set(adminIDs), moderators: set(moderatorIDs), src: src, ttl: 5 * time.Second}
	return r
}

func set(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// Role returns RoleAdmin, RoleModerator or RoleUser.
func (r *Roles) Role(ctx context.Context, userID int64) string {
	switch {
	case r.admins[userID]:
		return RoleAdmin
	case r.moderators[userID] || r.isPromoted(ctx, userID):
		return RoleModerator
	}
	return RoleUser
}

// Invalidate drops the cache, e.g. right after /promote or /demote.
func (r *Roles) Invalidate() {
	r.mu.Lock()
	r.loadedAt = time.Time{}
	r.gen++
	r.mu.Unlock()
}

// AdminIDs lists the configured admins.
func (r *Roles) AdminIDs() []int64 {
	ids := make([]int64, 0, len(r.admins))
	for id := range r.admins {
		ids = append(ids, id)
	}
	return ids
}

// isPromoted answers from the cache. A stale cache is refreshed in the
// background (the update at hand is not kept waiting for the database); an
// empty or invalidated one is loaded first.
func (r *Roles) isPromoted(ctx context.Context, userID int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.loadedAt.IsZero():
		if ids, err := r.src.ModeratorIDs(ctx); err == nil {
			r.promoted, r.loadedAt = set(ids), time.Now()
		}
	case time.Since(r.loadedAt) > r.ttl && !r.reloading:
		r.reloading = true
		go r.reload(r.gen)
	}
	return r.promoted[userID]
}

func (r *Roles) reload(gen int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ids, err := r.src.ModeratorIDs(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reloading = false
	if err == nil && gen == r.gen {
		r.promoted, r.loadedAt = set(ids), time.Now()
	}
}

const roleKey = "memebot.role"

// Middleware stores the sender's role in the context for handlers (RoleOf).
func (r *Roles) Middleware(next tele.HandlerFunc) tele.HandlerFunc {
	return func(c tele.Context) error {
		role := RoleUser
		if s := c.Sender(); s != nil {
			role = r.Role(Context(c), s.ID)
		}
		c.Set(roleKey, role)
		return next(c)
	}
}

// RoleOf is the sender's role as resolved by Roles.Middleware.
func RoleOf(c tele.Context) string {
	if role, ok := c.Get(roleKey).(string); ok {
		return role
	}
	return RoleUser
}

// IsModerator reports whether the role may review (moderators and admins).
func IsModerator(role string) bool { return role == RoleModerator || role == RoleAdmin }
