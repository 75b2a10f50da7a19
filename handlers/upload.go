package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/metrics"
	"memebot/pipeline"
	"memebot/queue"
	"memebot/ratelimit"
	"memebot/storage"
)

// Uploads is the submission storage intake needs.
type Uploads interface {
	Intake(ctx context.Context, p storage.UserProfile, sub storage.Submission) (storage.Submission, bool, error)
	ChangeSubmission(ctx context.Context, id int64, ch storage.SubmissionChange) error
}

// JobQueue takes background jobs.
type JobQueue interface {
	Enqueue(ctx context.Context, job queue.Job) (string, error)
}

// UploadLimiter is the per-user rolling-hour upload limit.
type UploadLimiter interface {
	Take(ctx context.Context, key string) (ratelimit.Grant, bool, time.Duration, error)
	Release(ctx context.Context, g ratelimit.Grant) error
}

// upload is the media of a message that can become a meme.
type upload struct {
	kind     string // photo, video, animation
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
		return upload{"photo", m.Photo.FileID, m.Photo.UniqueID, m.Photo.FileSize, "image/jpeg"}, true
	case m.Animation != nil:
		return upload{"animation", m.Animation.FileID, m.Animation.UniqueID, m.Animation.FileSize, m.Animation.MIME}, true
	case m.Video != nil:
		return upload{"video", m.Video.FileID, m.Video.UniqueID, m.Video.FileSize, m.Video.MIME}, true
	case m.Document != nil:
		d := m.Document
		switch {
		case d.MIME == "image/gif":
			return upload{"animation", d.FileID, d.UniqueID, d.FileSize, d.MIME}, true
		case strings.HasPrefix(d.MIME, "image/"):
			return upload{"photo", d.FileID, d.UniqueID, d.FileSize, d.MIME}, true
		case strings.HasPrefix(d.MIME, "video/"):
			return upload{"video", d.FileID, d.UniqueID, d.FileSize, d.MIME}, true
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
	up, ok := uploadOf(c.Message())
	if !ok {
		metrics.UploadsRefused.WithLabelValues("not_media").Inc()
		return c.Send(t(c, "not_media"))
	}
	if up.size > h.Settings.UploadMaxBytes {
		metrics.UploadsRefused.WithLabelValues("too_large").Inc()
		return c.Send(t(c, "upload_too_large", humanBytes(up.size), humanBytes(h.Settings.UploadMaxBytes)))
	}
	ctx := ctxOf(c)
	uid := c.Sender().ID
	var grant ratelimit.Grant
	if !bot.IsModerator(bot.RoleOf(c)) {
		g, allowed, retryIn, err := h.UploadLimit.Take(ctx, fmt.Sprint(uid))
		if err != nil {
			return fmt.Errorf("upload: limit: %w", err)
		}
		if !allowed {
			metrics.UploadsRefused.WithLabelValues("rate_limit").Inc()
			return c.Send(t(c, "upload_rate_limit", h.Settings.UploadLimitPerHour, humanDuration(retryIn)))
		}
		grant = g
	}
	sub, err := h.intake(ctx, c.Message(), profile(c.Sender()), up)
	if err != nil {
		_ = h.UploadLimit.Release(ctx, grant)
		h.Log.Error("upload intake failed", slog.Int64("user_id", uid), slog.Any("error", err))
		return c.Send(t(c, "upload_failed"))
	}
	metrics.UploadsReceived.WithLabelValues(up.kind).Inc()
	return c.Send(t(c, "upload_received", sub.ID), &tele.SendOptions{ReplyTo: c.Message()})
}

// intake writes the submission (registering the uploader), then its job,
// before anyone is told anything.
func (h *Handlers) intake(ctx context.Context, m *tele.Message, p storage.UserProfile, up upload) (storage.Submission, error) {
	sub, created, err := h.Uploads.Intake(ctx, p, storage.Submission{
		ChatID: m.Chat.ID, MessageID: int64(m.ID), MediaType: up.kind,
		FileID: up.fileID, FileUniqueID: up.uniqueID, FileSize: up.size, MimeType: up.mime, Caption: m.Caption,
	})
	if err != nil {
		return storage.Submission{}, err
	}
	if !created && sub.Status != storage.SubmissionQueued {
		return sub, nil // a redelivered update: its job already ran
	}
	if _, err := h.Queue.Enqueue(ctx, queue.Job{Kind: pipeline.JobUpload, Ref: sub.ID}); err != nil {
		_ = h.Uploads.ChangeSubmission(context.WithoutCancel(ctx), sub.ID,
			storage.SubmissionChange{Status: storage.SubmissionFailed, Reason: "enqueue failed", LastError: err.Error()})
		return storage.Submission{}, err
	}
	return sub, nil
}

// NotMedia answers stickers, voice notes and other messages that cannot be memes.
func (h *Handlers) NotMedia(c tele.Context) error {
	if c.Chat() == nil || c.Chat().Type != tele.ChatPrivate {
		return nil
	}
	metrics.UploadsRefused.WithLabelValues("not_media").Inc()
	return c.Send(t(c, "not_media"))
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
