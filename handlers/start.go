package handlers

import (
	"fmt"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/i18n"
)

// Start registers the user (or refreshes their profile) and greets them.
func (h *Handlers) Start(c tele.Context) error {
	if c.Sender() == nil {
		return nil
	}
	u, created, err := h.Users.UpsertUser(ctxOf(c), profile(c.Sender()))
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	if created {
		h.Log.Info("user registered", "user_id", u.ID, "languages", []string(u.Languages))
	}
	if bot.RoleOf(c) == bot.RoleAdmin {
		if err := setAdminMenu(h.Telegram, u.ID); err != nil {
			h.Log.Warn("admin menu", "admin_id", u.ID, "error", err)
		}
	}
	name := u.FirstName
	if name == "" {
		name = u.Username
	}
	if created {
		if err := c.Send(i18n.T(senderLang(c), "welcome", name)); err != nil {
			return fmt.Errorf("start: greet: %w", err)
		}
	}
	if sent, err := h.startFromLink(ctxOf(c), c, created); sent || err != nil {
		return err
	}
	return h.sendNext(ctxOf(c), h.Telegram, c.Sender(), bot.RoleOf(c), true)
}
