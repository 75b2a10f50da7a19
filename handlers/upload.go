package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/heal"
	"memebot/i18n"
	"memebot/intake"
	"memebot/media"
	"memebot/metrics"
	"memebot/storage"
)

// UploadIntake records an upload and queues its processing (intake.Intake).
type UploadIntake interface {
	Accept(ctx context.Context, r intake.Request) (intake.Result, error)
}

// TextSender sends a text without reading the sent message back (telegram.Client).
type TextSender interface {
	SendText(ctx context.Context, chatID int64, text string, replyTo int64) error
}

// upload is the media of a message that can become a meme.
type upload struct {
	kind     media.Kind
	fileID   string
	uniqueID string
	size     int64
	mime     string
}

// uploadOf extracts the media of a message: the largest photo size, a video,
// an animation, or a document that is an image or a video.
func uploadOf(m *tele.Message) (upload, bool) {
	switch {
	case m.Photo != nil:
		return upload{media.Photo, m.Photo.FileID, m.Photo.UniqueID, m.Photo.FileSize, "image/jpeg"}, true
	case m.Animation != nil:
		return upload{media.Animation, m.Animation.FileID, m.Animation.UniqueID, m.Animation.FileSize, m.Animation.MIME}, true
	case m.Video != nil:
		return upload{media.Video, m.Video.FileID, m.Video.UniqueID, m.Video.FileSize, m.Video.MIME}, true
	case m.Document != nil:
		d := m.Document
		switch {
		case d.MIME == "image/gif":
			return upload{media.Animation, d.FileID, d.UniqueID, d.FileSize, d.MIME}, true
		case strings.HasPrefix(d.MIME, "image/"):
			return upload{media.Photo, d.FileID, d.UniqueID, d.FileSize, d.MIME}, true
		case strings.HasPrefix(d.MIME, "video/"):
			return upload{media.Video, d.FileID, d.UniqueID, d.FileSize, d.MIME}, true
		}
	}
	return upload{}, false
}

// Upload takes a photo, video, animation or media document sent in a private
// chat: it records the submission and queues its processing, then answers at
// once. The uploader hears the outcome when processing and review are done.
func (h *Handlers) Upload(c tele.Context) error {
	if c.Chat() == nil || c.Chat().Type != tele.ChatPrivate || c.Sender() == nil {
		return nil
	}
	if isSource, err := h.forwardedSource(c); isSource || err != nil {
		return err
	}
	up, ok := uploadOf(c.Message())
	if !ok {
		metrics.UploadsRefused.WithLabelValues("not_media").Inc()
		return c.Send(i18n.T(senderLang(c), "not_media"))
	}
	if up.size > h.Settings.UploadMaxBytes {
		metrics.UploadsRefused.WithLabelValues("too_large").Inc()
		return c.Send(i18n.T(senderLang(c), "upload_too_large", humanBytes(up.size), humanBytes(h.Settings.UploadMaxBytes)))
	}
	m := c.Message()
	res, err := h.Intake.Accept(ctxOf(c), intake.Request{
		Exempt: bot.IsModerator(bot.RoleOf(c)),
		Upload: storage.Upload{Uploader: profile(c.Sender()), Submission: storage.Submission{
			ChatID: m.Chat.ID, MessageID: int64(m.ID), MediaType: up.kind,
			FileID: up.fileID, FileUniqueID: up.uniqueID, FileSize: up.size, MimeType: up.mime, Caption: m.Caption,
		}},
	})
	switch {
	case err != nil && heal.Transient(err):
		return fmt.Errorf("upload: %w", err) // the database or Redis is out: held and stored once it is back
	case err != nil:
		h.Log.Error("upload intake failed", slog.Int64("user_id", c.Sender().ID), slog.Any("error", err))
		return c.Send(i18n.T(senderLang(c), "upload_failed"))
	case res.Limited:
		metrics.UploadsRefused.WithLabelValues("rate_limit").Inc()
		return c.Send(i18n.T(senderLang(c), "upload_rate_limit", h.Settings.UploadLimitPerHour, humanDuration(res.RetryIn)))
	case res.Redelivered && !bot.IsRetry(c):
		// Replayed after a crash: acknowledged before the crash (at most once,
		// rather than twice); its outcome will follow as usual.
		h.Log.Info("upload delivered again; not acknowledged twice", slog.Int64("submission_id", res.Submission.ID))
		return nil
	}
	metrics.UploadsReceived.WithLabelValues(string(up.kind)).Inc()
	h.suggestForwardedSource(ctxOf(c), c)
	return h.Texts.SendText(ctxOf(c), m.Chat.ID, i18n.T(senderLang(c), "upload_received", res.Submission.ID), int64(m.ID))
}

// NotMedia answers stickers, voice notes and other messages that cannot be memes.
func (h *Handlers) NotMedia(c tele.Context) error {
	if c.Chat() == nil || c.Chat().Type != tele.ChatPrivate {
		return nil
	}
	metrics.UploadsRefused.WithLabelValues("not_media").Inc()
	return c.Send(i18n.T(senderLang(c), "not_media"))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func humanDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d s", max(1, int(d.Seconds())))
	}
	return fmt.Sprintf("%d min", int(d.Minutes()+0.5))
}
