package handlers

import (
	"strings"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
)

// Help lists what the sender can do; it also answers unknown commands.
func (h *Handlers) Help(c tele.Context) error {
	text := t(c, "help")
	switch bot.RoleOf(c) {
	case bot.RoleAdmin:
		text += t(c, "help_moderator") + t(c, "help_admin")
	case bot.RoleModerator:
		text += t(c, "help_moderator")
	}
	return c.Send(text)
}

// Text answers plain text in a private chat: unknown commands get help,
// anything else a reminder of what the bot takes.
func (h *Handlers) Text(c tele.Context) error {
	if c.Chat() == nil || c.Chat().Type != tele.ChatPrivate {
		return nil
	}
	if strings.HasPrefix(c.Text(), "/") {
		return h.Help(c)
	}
	if link, ok := sourceLink(c); ok && h.Sources != nil {
		return h.AddSource(c, link)
	}
	return c.Send(t(c, "not_media"))
}
