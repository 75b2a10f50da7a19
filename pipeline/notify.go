package pipeline

import (
	"context"
	"fmt"
	"log/slog"

	tele "gopkg.in/telebot.v3"

	"memebot/i18n"
	"memebot/ingest"
	"memebot/metrics"
	"memebot/queue"
	"memebot/storage"
	"memebot/telegram"
)

func translate(code, key string, args ...any) string { return i18n.T(code, key, args...) }

// notifyUploader tells the uploader the outcome of their submission, once.
func (p *Pipeline) notifyUploader(ctx context.Context, sub storage.Submission, key string, args ...any) error {
	return p.notifyUploaderWith(ctx, sub, func(lang string) (string, *tele.ReplyMarkup) {
		return i18n.T(lang, key, args...), nil
	})
}

// notifyUploaderWith tells the uploader, once, what compose writes in their
// language (with buttons when it returns a markup), in reply to the upload;
// a user who blocked the bot is marked so.
func (p *Pipeline) notifyUploaderWith(ctx context.Context, sub storage.Submission, compose func(lang string) (string, *tele.ReplyMarkup)) error {
	first, err := p.store.MarkUploaderNotified(ctx, sub.ID)
	if err != nil || !first {
		return err
	}
	u, err := p.store.User(ctx, sub.UploaderID)
	if err != nil {
		return err
	}
	text, markup := compose(u.LanguageCode)
	if markup != nil {
		err = p.tg.SendTextMarkup(ctx, sub.ChatID, text, sub.MessageID, markup)
	} else {
		err = p.tg.SendText(ctx, sub.ChatID, text, sub.MessageID)
	}
	if err != nil && telegram.IsBlocked(err) {
		return p.store.MarkBlocked(ctx, u.ID)
	}
	return err
}

// DeadLetter is told when a media job was given up on.
func (p *Pipeline) DeadLetter(ctx context.Context, job queue.Job, cause error) {
	switch job.Kind {
	case JobUpload:
		p.uploadGivenUp(ctx, job, cause)
	case JobIngest:
		p.ingestGivenUp(ctx, job, cause)
	}
}

// ingestGivenUp records the candidate's post as failed at once, rather than
// leaving it to the requeue sweep to presume its job lost and queue it again.
func (p *Pipeline) ingestGivenUp(ctx context.Context, job queue.Job, cause error) {
	p.log.Warn("ingested post given up on", slog.Int64("raw_post_id", job.Ref), slog.Int("attempts", job.Attempt), slog.Any("error", cause))
	if p.sources == nil {
		return
	}
	if err := p.sources.RecordIngestOutcome(ctx, job.Ref, ingest.OutcomeFailed); err != nil {
		p.log.Error("ingested post given up on but not recorded as failed", slog.Int64("raw_post_id", job.Ref), slog.Any("error", err))
		return
	}
	metrics.IngestProcessed.WithLabelValues(ingest.OutcomeFailed).Inc()
}

// uploadGivenUp marks the submission failed, asks the uploader to send it
// again and tells the admins.
func (p *Pipeline) uploadGivenUp(ctx context.Context, job queue.Job, cause error) {
	sub, err := p.store.Submission(ctx, job.Ref)
	if err != nil {
		p.log.Error("dead letter of an unknown submission", slog.Int64("submission_id", job.Ref), slog.Any("error", err))
		return
	}
	_ = p.store.ChangeSubmission(ctx, sub.ID, storage.SubmissionChange{Status: storage.SubmissionFailed, Reason: "gave up", LastError: cause.Error()})
	if err := p.notifyUploader(ctx, sub, "upload_failed"); err != nil {
		p.log.Warn("telling the uploader about a failed upload", slog.Any("error", err))
	}
	text := fmt.Sprintf("⚠️ Upload #%d was given up on after %d attempts: %v", sub.ID, job.Attempt, cause)
	for _, admin := range p.cfg.AdminIDs {
		if err := p.tg.SendText(ctx, admin, text, 0); err != nil {
			p.log.Warn("telling an admin about a dead letter", slog.Int64("admin_id", admin), slog.Any("error", err))
		}
	}
}
