package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/i18n"
	"memebot/storage"
)

// RoleAdmin changes who is a moderator.
type RoleAdmin interface {
	SetUserRole(ctx context.Context, id int64, role string) error
}

// RoleCache is told when roles change, so they take effect at once.
type RoleCache interface{ Invalidate() }

// Promote makes a user a moderator (/promote USER_ID).
func (h *Handlers) Promote(c tele.Context) error { return h.setRole(c, storage.RoleModerator) }

// Demote makes a moderator a plain user again (/demote USER_ID).
func (h *Handlers) Demote(c tele.Context) error { return h.setRole(c, storage.RoleUser) }

func (h *Handlers) setRole(c tele.Context, role string) error {
	if bot.RoleOf(c) != bot.RoleAdmin {
		return c.Send(i18n.T(senderLang(c), "admin_only"))
	}
	id, err := strconv.ParseInt(strings.TrimSpace(c.Message().Payload), 10, 64)
	if err != nil || id <= 0 {
		return c.Send(i18n.T(senderLang(c), "role_usage"))
	}
	if err := h.Roles.SetUserRole(ctxOf(c), id, role); err != nil {
		return fmt.Errorf("set role: %w", err)
	}
	if h.RoleCache != nil {
		h.RoleCache.Invalidate()
	}
	h.Log.Info("role changed", "user_id", id, "role", role, "admin_id", c.Sender().ID)
	return c.Send(i18n.T(senderLang(c), "role_"+role, id))
}
