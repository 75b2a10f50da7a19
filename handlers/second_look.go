package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	tele "gopkg.in/telebot.v3"

	"memebot/i18n"
	"memebot/pipeline"
	"memebot/queue"
	"memebot/storage"
)

// SecondLooks is the storage the second-look button needs.
type SecondLooks interface {
	RequestSecondLook(ctx context.Context, submissionID, uploaderID int64) (storage.Submission, error)
}

// UploadJobs queues upload processing (queue.Queue).
type UploadJobs interface {
	Enqueue(ctx context.Context, job queue.Job) (string, error)
}

// SecondLook answers the button under a duplicate notice: the uploader says
// the upload is a different meme. The upload is processed again without
// the duplicate lookup and posted to the review chat as a suspected
// duplicate, beside the meme it resembles; the moderators decide. Once per
// upload, and only its uploader may ask.
func (h *Handlers) SecondLook(c tele.Context) error {
	ctx := ctxOf(c)
	id, err := strconv.ParseInt(c.Data(), 10, 64)
	if err != nil {
		return c.Respond()
	}
	sub, err := h.SecondLooks.RequestSecondLook(ctx, id, c.Sender().ID)
	if errors.Is(err, storage.ErrNoSecondLook) {
		return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "second_look_unavailable"), ShowAlert: true})
	}
	if err != nil {
		_ = c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "generic_error")})
		return fmt.Errorf("second look: %w", err)
	}
	// A lost job is queued again by the requeue sweep: the submission is
	// queued in PostgreSQL already.
	if _, err := h.UploadJobs.Enqueue(ctx, queue.Job{Kind: pipeline.JobUpload, Ref: sub.ID}); err != nil {
		h.Log.Warn("queueing a second look", slog.Int64("submission_id", sub.ID), slog.Any("error", err))
	}
	if c.Message() != nil {
		_, _ = h.Telegram.EditReplyMarkup(c.Message(), nil) // the button is spent
	}
	return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "second_look_queued"), ShowAlert: true})
}
