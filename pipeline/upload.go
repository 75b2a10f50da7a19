package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"memebot/media"
	"memebot/metrics"
	"memebot/moderation"
	"memebot/queue"
	"memebot/storage"
)

// HandleUpload is the queue handler of upload jobs.
func (p *Pipeline) HandleUpload(ctx context.Context, job queue.Job) error {
	return p.run(ctx, &upload{p: p, id: job.Ref})
}

// upload is the origin of a meme a user sent the bot: its submission.
type upload struct {
	p   *Pipeline
	id  int64
	sub storage.Submission // from begin on
}

func (u *upload) String() string { return fmt.Sprintf("upload:%d", u.id) }

func (u *upload) kind() media.Kind { return u.sub.MediaType }

func (u *upload) begin(ctx context.Context) (bool, error) {
	sub, err := u.p.store.StartProcessing(ctx, u.id)
	switch {
	case errors.Is(err, storage.ErrFinished):
		return true, nil // a redelivery of a job that already did its work
	case errors.Is(err, storage.ErrNotFound):
		return false, fmt.Errorf("submission %d: %w", u.id, queue.ErrPermanent)
	case err != nil:
		return false, err
	}
	u.sub = sub
	return false, nil
}

func (u *upload) logger() *slog.Logger {
	return u.p.log.With(slog.Int64("submission_id", u.sub.ID), slog.Int("attempt", u.sub.Attempts))
}

func (u *upload) fetch(ctx context.Context) ([]byte, error) {
	data, err := u.p.tg.Download(ctx, u.sub.FileID, u.p.cfg.MaxBytes)
	if errors.Is(err, ErrFileTooLarge) {
		return nil, reject("too_large", err)
	}
	return data, err
}

func (u *upload) claim(d decoded) claim {
	sub := u.sub
	return claim{
		existing: sub.MemeID,
		meme: storage.Meme{
			UploaderID: &sub.UploaderID, Type: sub.MediaType, Language: sub.Language, Caption: sub.Caption,
			Width: d.width, Height: d.height, DurationSec: d.secs,
		},
		secondLook: sub.SecondLookAt != nil,
		created: func(ctx context.Context, tx *storage.Store, m storage.Meme) error {
			return tx.ChangeSubmission(ctx, sub.ID, storage.SubmissionChange{Status: storage.SubmissionProcessing, MemeID: &m.ID})
		},
	}
}

func (u *upload) subject() storage.Submission { return u.sub }

func (u *upload) telegramFileID() string { return u.sub.FileID }

func (u *upload) duplicate(ctx context.Context, dup *duplicate) (Outcome, error) {
	o := Outcome{Kind: OutcomeDuplicate}
	if dup.Of.Status == storage.MemeRejected || dup.Of.Status == storage.MemeAd {
		o.Reason = "rejected"
	}
	return o, u.p.markDuplicate(ctx, u.sub, dup)
}

// route puts a low-risk meme in the feed without a moderator, when the
// policy says so, and posts the rest for review.
func (u *upload) route(ctx context.Context, c *candidate) (Outcome, error) {
	if c.report.Decision.Action == moderation.ActionApprove {
		return Outcome{Kind: OutcomeAutoApproved}, u.p.reviews.AutoApprove(ctx, u.sub, c.meme.ID)
	}
	return Outcome{Kind: OutcomeReview}, u.p.review(ctx, u.sub, c)
}

func (u *upload) rejected(ctx context.Context, _ storage.Meme, rej *rejection) error {
	return u.p.reviews.AutoReject(ctx, u.sub, rej.reason, rej.detail)
}

func (u *upload) finish(_ context.Context, o Outcome, took time.Duration) error {
	if o.Kind == OutcomeDoneBefore {
		return nil
	}
	metrics.UploadsProcessed.WithLabelValues(o.String()).Inc()
	metrics.ProcessingDuration.WithLabelValues(string(u.sub.MediaType)).Observe(took.Seconds())
	u.logger().Info("upload processed", slog.String("outcome", o.String()), slog.Duration("took", took))
	return nil
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
	if err := p.reviews.Tell(ctx, sub, "upload_failed"); err != nil {
		p.log.Warn("telling the uploader about a failed upload", slog.Any("error", err))
	}
	p.alerts.Alert(ctx, fmt.Sprintf("⚠️ Upload #%d was given up on after %d attempts: %v", sub.ID, job.Attempt, cause))
}
