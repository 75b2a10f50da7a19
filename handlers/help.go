package handlers

import (
	"strings"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/i18n"
)

// Help lists what the sender can do.
func (h *Handlers) Help(c tele.Context) error {
	return c.Send(h.helpText(c))
}

// helpText is the list of what the sender's role can do.
func (h *Handlers) helpText(c tele.Context) string {
	text := i18n.T(senderLang(c), "help", h.Settings.BotUsername)
	switch bot.RoleOf(c) {
	case bot.RoleAdmin:
		text += i18n.T(senderLang(c), "help_moderator") + i18n.T(senderLang(c), "help_admin")
	case bot.RoleModerator:
		text += i18n.T(senderLang(c), "help_moderator")
	}
	return text
}

// Text answers plain text in a private chat: unknown commands get help,
// anything else a reminder of what the bot takes.
func (h *Handlers) Text(c tele.Context) error {
	if c.Chat() == nil || c.Chat().Type != tele.ChatPrivate {
		return nil
	}
	if isSource, err := h.forwardedSource(c); isSource || err != nil {
		return err
	}
	if strings.HasPrefix(c.Text(), "/") {
		return c.Send(i18n.T(senderLang(c), "help_unknown") + h.helpText(c))
	}
	if link, ok := sourceLink(c); ok && h.Sources != nil {
		return h.AddSource(c, link)
	}
	return c.Send(i18n.T(senderLang(c), "not_media"))
}
