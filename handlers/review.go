package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/i18n"
	"memebot/metrics"
	"memebot/review"
	"memebot/storage"
	"memebot/telegram"
)

// Reviews is the storage the review buttons need.
type Reviews interface {
	Meme(ctx context.Context, id int64) (storage.Meme, error)
	Decide(ctx context.Context, d storage.Decision) (storage.ReviewDecision, error)
	SubmissionOfMeme(ctx context.Context, memeID int64) (storage.Submission, error)
	MarkUploaderNotified(ctx context.Context, submissionID int64) (bool, error)
}

const reviewButton = review.Button

// Review handles ✅ Approve / ❌ Reject (and reject-with-reason) presses on a
// review post. Only moderators and admins decide, never on their own upload;
// the first decision wins and later presses change nothing.
func (h *Handlers) Review(c tele.Context) error {
	ctx := ctxOf(c)
	if !bot.IsModerator(bot.RoleOf(c)) {
		return c.Respond(&tele.CallbackResponse{Text: t(c, "refused"), ShowAlert: true})
	}
	press, err := review.ParsePress(c.Data())
	if err != nil {
		return c.Respond()
	}
	meme, err := h.Reviews.Meme(ctx, press.MemeID)
	if err != nil {
		return fmt.Errorf("review: %w", err)
	}
	if meme.UploaderID != nil && *meme.UploaderID == c.Sender().ID {
		return c.Respond(&tele.CallbackResponse{Text: t(c, "review_own"), ShowAlert: true})
	}
	decision := storage.Decision{MemeID: meme.ID, ModeratorID: c.Sender().ID, Decision: storage.DecisionReject, Reason: review.ReasonText(press.Reason)}
	if press.Approve {
		decision.Decision = storage.DecisionApprove
	}
	stands, err := h.Reviews.Decide(ctx, decision)
	switch {
	case errors.Is(err, storage.ErrAlreadyDecided):
		return c.Respond(&tele.CallbackResponse{Text: t(c, "review_already", stands.Decision)})
	case errors.Is(err, storage.ErrNotInReview):
		return c.Respond(&tele.CallbackResponse{Text: t(c, "review_not_pending")})
	case err != nil:
		_ = c.Respond(&tele.CallbackResponse{Text: t(c, "generic_error")})
		return fmt.Errorf("review: %w", err)
	}
	metrics.ReviewDecisions.WithLabelValues(stands.Decision).Inc()
	h.Log.Info("review decided", slog.Int64("meme_id", meme.ID), slog.String("decision", stands.Decision),
		slog.Int64("moderator_id", stands.ModeratorID), slog.String("reason", stands.Reason))
	if err := c.Respond(&tele.CallbackResponse{Text: t(c, "review_done_"+stands.Decision)}); err != nil {
		h.Log.Warn("answer review press", slog.Any("error", err))
	}
	h.markPostDecided(c, press.Approve, stands)
	return h.notifyOutcome(ctx, c.Bot(), meme, stands)
}

// markPostDecided edits the review post: the decision, who and when; no buttons.
func (h *Handlers) markPostDecided(c tele.Context, approve bool, d storage.ReviewDecision) {
	msg := c.Message()
	if msg == nil {
		return
	}
	s := c.Sender()
	caption := review.Decided(msg.Caption, approve, review.Who(s.Username, s.FirstName, s.ID), d.Reason, d.CreatedAt)
	var err error
	if msg.Photo != nil || msg.Video != nil || msg.Animation != nil || msg.Document != nil {
		_, err = c.Bot().EditCaption(msg, caption)
	} else {
		_, err = c.Bot().Edit(msg, caption)
	}
	if err != nil {
		h.Log.Warn("edit review post", slog.Int64("meme_id", d.MemeID), slog.Any("error", err))
	}
}

// notifyOutcome tells the uploader what the moderators decided, once.
func (h *Handlers) notifyOutcome(ctx context.Context, b *tele.Bot, meme storage.Meme, d storage.ReviewDecision) error {
	if meme.UploaderID == nil {
		return nil
	}
	sub, err := h.Reviews.SubmissionOfMeme(ctx, meme.ID)
	if err != nil {
		return fmt.Errorf("review: notify: %w", err)
	}
	first, err := h.Reviews.MarkUploaderNotified(ctx, sub.ID)
	if err != nil || !first {
		return err
	}
	uploader, err := h.Users.User(ctx, *meme.UploaderID)
	if err != nil {
		return fmt.Errorf("review: notify: %w", err)
	}
	text := i18n.T(uploader.LanguageCode, "upload_approved", sub.ID, storage.CoinsUploadApproved)
	if d.Decision == storage.DecisionReject {
		reason := d.Reason
		if reason == "" {
			reason = i18n.T(uploader.LanguageCode, "reason_none")
		}
		text = i18n.T(uploader.LanguageCode, "upload_rejected", sub.ID, reason)
	}
	_, err = b.Send(&tele.User{ID: uploader.ID}, text, &tele.SendOptions{ReplyTo: &tele.Message{ID: int(sub.MessageID)}, AllowWithoutReply: true})
	if telegram.IsBlocked(err) {
		return h.Users.MarkBlocked(ctx, uploader.ID)
	}
	return err
}
