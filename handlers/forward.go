package handlers

import (
	"context"
	"fmt"
	"strings"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/i18n"
	"memebot/ingest"
	"memebot/storage"
)

// Suggestions remembers the public channels users forward memes from.
type Suggestions interface {
	SuggestSource(ctx context.Context, handle, title string, userID int64) error
	SourceSuggestions(ctx context.Context, limit int) ([]storage.SourceSuggestion, error)
}

const suggestionButton = "sug"

// forwardedChannel is the channel a message was forwarded from, as the Bot
// API says it today (forward_origin) or said it before (forward_from_chat).
func forwardedChannel(m *tele.Message) (*tele.Chat, bool) {
	if o := m.Origin; o != nil && o.Type == "channel" && o.Chat != nil {
		return o.Chat, true
	}
	if m.OriginalChat != nil && m.OriginalChat.Type == tele.ChatChannel {
		return m.OriginalChat, true
	}
	return nil, false
}

// forwardedSource answers a moderator's forward from a channel with the
// same source card a link gets; ok is false for any other message.
func (h *Handlers) forwardedSource(c tele.Context) (ok bool, err error) {
	channel, forwarded := forwardedChannel(c.Message())
	if !forwarded || !bot.IsModerator(bot.RoleOf(c)) || h.Sources == nil {
		return false, nil
	}
	if channel.Username == "" {
		return true, c.Send(i18n.T(senderLang(c), "forward_private_channel", channel.Title))
	}
	link, err := ingest.ParseSourceLink("@" + channel.Username)
	if err != nil {
		return true, c.Send(i18n.T(senderLang(c), "forward_private_channel", channel.Title))
	}
	return true, h.AddSource(c, link)
}

// suggestForwardedSource remembers the public channel a user's upload was
// forwarded from, for moderators to consider.
func (h *Handlers) suggestForwardedSource(ctx context.Context, c tele.Context) {
	channel, forwarded := forwardedChannel(c.Message())
	if !forwarded || channel.Username == "" || h.Suggestions == nil {
		return
	}
	if err := h.Suggestions.SuggestSource(ctx, channel.Username, channel.Title, c.Sender().ID); err != nil {
		h.Log.Warn("source suggestion not recorded", "channel", channel.Username, "error", err)
	}
}

// suggestionsText lists the most forwarded channels that are not sources,
// with a button each that opens their source card.
func (h *Handlers) suggestionsText(ctx context.Context, c tele.Context) (string, *tele.ReplyMarkup) {
	if h.Suggestions == nil {
		return "", nil
	}
	list, err := h.Suggestions.SourceSuggestions(ctx, 10)
	if err != nil || len(list) == 0 {
		return "", nil
	}
	m := &tele.ReplyMarkup{}
	lines := []string{i18n.T(senderLang(c), "suggestions_header")}
	var rows []tele.Row
	for _, s := range list {
		lines = append(lines, i18n.T(senderLang(c), "suggestion_line", s.Handle, s.Title, s.Forwards))
		if len(rows) < 5 {
			rows = append(rows, m.Row(m.Data("➕ @"+s.Handle, suggestionButton, s.Handle)))
		}
	}
	m.Inline(rows...)
	return strings.Join(lines, "\n"), m
}

// SuggestionButton adds a suggested channel as a source and shows its card.
func (h *Handlers) SuggestionButton(c tele.Context) error {
	if !bot.IsModerator(bot.RoleOf(c)) {
		return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "refused")})
	}
	link, err := ingest.ParseSourceLink("@" + c.Data())
	if err != nil {
		return c.Respond()
	}
	if err := c.Respond(); err != nil {
		return err
	}
	if err := h.AddSource(c, link); err != nil {
		return fmt.Errorf("add suggested source: %w", err)
	}
	return nil
}
