package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/i18n"
	"memebot/review"
	"memebot/storage"
)

// Reviews decides on review posts (review.Service).
type Reviews interface {
	Decide(ctx context.Context, v review.Verdict) (review.Decision, error)
	Announce(ctx context.Context, d review.Decision) error
}

const reviewButton = review.Button

// Review handles ✅ Approve / ❌ Reject (and reject-with-reason) presses on a
// review post: parse, decide, answer; the review service then edits the
// post and tells the uploader. Only moderators and admins decide, never on
// their own upload; the first decision wins and later presses change nothing.
func (h *Handlers) Review(c tele.Context) error {
	ctx := ctxOf(c)
	if !bot.IsModerator(bot.RoleOf(c)) {
		return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "refused"), ShowAlert: true})
	}
	press, err := review.ParsePress(c.Data())
	if err != nil {
		return c.Respond()
	}
	s := c.Sender()
	decided, err := h.Reviews.Decide(ctx, review.Verdict{
		Press: press, Moderator: review.Moderator{ID: s.ID, Username: s.Username, FirstName: s.FirstName}, Post: postOf(c.Message()),
	})
	switch {
	case errors.Is(err, review.ErrOwnUpload):
		return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "review_own"), ShowAlert: true})
	case errors.Is(err, storage.ErrAlreadyDecided):
		return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "review_already", decided.Stands.Decision)})
	case errors.Is(err, storage.ErrNotInReview):
		return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "review_not_pending")})
	case err != nil && decided.Meme.ID == 0:
		return fmt.Errorf("review: %w", err) // the meme could not be read: answered empty, held through an outage
	case err != nil:
		_ = c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "generic_error")})
		return fmt.Errorf("review: %w", err)
	}
	if err := c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "review_done_"+decided.Stands.Decision)}); err != nil {
		h.Log.Warn("answer review press", slog.Any("error", err))
	}
	return h.Reviews.Announce(ctx, decided)
}

// postOf is the review post a press came from, as the review service edits it.
func postOf(msg *tele.Message) *review.PostRef {
	if msg == nil || msg.Chat == nil {
		return nil
	}
	return &review.PostRef{
		ChatID: msg.Chat.ID, MessageID: int64(msg.ID), Caption: msg.Caption,
		Media: msg.Photo != nil || msg.Video != nil || msg.Animation != nil || msg.Document != nil,
	}
}
