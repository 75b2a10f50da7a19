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

// Broadcasts keeps admins' broadcasts; a background job delivers them.
type Broadcasts interface {
	CreateBroadcast(ctx context.Context, b *storage.Broadcast) error
	StartBroadcast(ctx context.Context, id, progressMessageID int64) (bool, error)
	CancelBroadcasts(ctx context.Context, id int64) (int64, error)
	ReachableUsers(ctx context.Context) (int64, error)
}

const broadcastButton = "bc"

// Broadcast (/broadcast, admins, in reply to a text, photo or video) shows
// the message as every user will get it, with buttons to send or drop it.
// "/broadcast cancel" stops what is being sent.
func (h *Handlers) Broadcast(c tele.Context) error {
	if bot.RoleOf(c) != storage.RoleAdmin {
		return c.Send(i18n.T(senderLang(c), "refused"))
	}
	ctx := ctxOf(c)
	if strings.EqualFold(strings.TrimSpace(c.Message().Payload), "cancel") {
		n, err := h.Broadcasts.CancelBroadcasts(ctx, 0)
		if err != nil {
			return fmt.Errorf("broadcast cancel: %w", err)
		}
		if n == 0 {
			return c.Send(i18n.T(senderLang(c), "broadcast_nothing_to_cancel"))
		}
		return c.Send(i18n.T(senderLang(c), "broadcast_cancelled"))
	}
	src := c.Message().ReplyTo
	if src == nil || !broadcastable(src) {
		return c.Send(i18n.T(senderLang(c), "broadcast_how"))
	}
	users, err := h.Broadcasts.ReachableUsers(ctx)
	if err != nil {
		return fmt.Errorf("broadcast: %w", err)
	}
	b := &storage.Broadcast{AdminID: c.Sender().ID, FromChatID: c.Chat().ID, FromMessageID: int64(src.ID)}
	if err := h.Broadcasts.CreateBroadcast(ctx, b); err != nil {
		return fmt.Errorf("broadcast: %w", err)
	}
	preview, err := h.Telegram.Copy(c.Chat(), src)
	if err != nil {
		return fmt.Errorf("broadcast preview: %w", err)
	}
	id := strconv.FormatInt(b.ID, 10)
	m := &tele.ReplyMarkup{}
	m.Inline(m.Row(m.Data(i18n.T(senderLang(c), "broadcast_send", users), broadcastButton, "send", id), m.Data(i18n.T(senderLang(c), "broadcast_drop"), broadcastButton, "drop", id)))
	_, err = h.Telegram.Send(c.Chat(), i18n.T(senderLang(c), "broadcast_preview", users), &tele.SendOptions{ReplyTo: preview, ReplyMarkup: m})
	return err
}

// broadcastable: what Telegram can copy to users as a broadcast.
func broadcastable(m *tele.Message) bool {
	return m.Text != "" || m.Photo != nil || m.Video != nil || m.Animation != nil
}

// BroadcastButton starts or drops a previewed broadcast.
func (h *Handlers) BroadcastButton(c tele.Context) error {
	if bot.RoleOf(c) != storage.RoleAdmin {
		return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "refused")})
	}
	parts := strings.Split(c.Data(), "|")
	if len(parts) != 2 {
		return c.Respond()
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return c.Respond()
	}
	if parts[0] == "drop" {
		if _, err := h.Broadcasts.CancelBroadcasts(ctxOf(c), id); err != nil {
			return fmt.Errorf("drop broadcast: %w", err)
		}
		if err := c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "broadcast_dropped")}); err != nil {
			return err
		}
		return c.Edit(i18n.T(senderLang(c), "broadcast_dropped"))
	}
	return h.startBroadcast(c, id)
}

func (h *Handlers) startBroadcast(c tele.Context, id int64) error {
	progress, err := h.Telegram.Send(c.Chat(), i18n.T(senderLang(c), "broadcast_starting"))
	if err != nil {
		return fmt.Errorf("start broadcast: %w", err)
	}
	started, err := h.Broadcasts.StartBroadcast(ctxOf(c), id, int64(progress.ID))
	if err != nil {
		return fmt.Errorf("start broadcast: %w", err)
	}
	if !started {
		_ = h.Telegram.Delete(progress)
		return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "broadcast_not_pending")})
	}
	if err := c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "broadcast_started")}); err != nil {
		return err
	}
	return c.Edit(i18n.T(senderLang(c), "broadcast_started"))
}
