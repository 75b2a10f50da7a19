package handlers

import (
	"strings"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/i18n"
)

// Help lists what the sender can do; it also answers unknown commands.
func (h *Handlers) Help(c tele.Context) error {
	text := i18n.T(senderLang(c), "help")
	switch bot.RoleOf(c) {
	case bot.RoleAdmin:
		text += i18n.T(senderLang(c), "help_moderator") + i18n.T(senderLang(c), "help_admin")
	case bot.RoleModerator:
		text += i18n.T(senderLang(c), "help_moderator")
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
	return c.Send(i18n.T(senderLang(c), "not_media"))
}
