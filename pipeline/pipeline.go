// Package pipeline is the worker side of an upload: download, validate,
// deduplicate (SHA-256 and perceptual), watermark, store in the storage chat,
// run the automatic checks, and post for review (or decide automatically).
// Every step is idempotent, so a job redelivered after a crash or a retry
// resumes where the last attempt stopped and never posts twice.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/media"
	"memebot/metrics"
	"memebot/moderation"
	"memebot/queue"
	"memebot/storage"
	"memebot/telegram"
)

// Telegram is the Bot API the pipeline uses.
type Telegram interface {
	Download(ctx context.Context, fileID string, maxBytes int64) ([]byte, error)
	SendMedia(ctx context.Context, chatID int64, m telegram.Media, caption string, markup *tele.ReplyMarkup) (*tele.Message, error)
	SendText(ctx context.Context, chatID int64, text string, replyTo int64) error
	SendTextMarkup(ctx context.Context, chatID int64, text string, replyTo int64, markup *tele.ReplyMarkup) error
}

// Store is the storage the pipeline needs.
type Store interface {
	StartProcessing(ctx context.Context, id int64) (storage.Submission, error)
	ChangeSubmission(ctx context.Context, id int64, ch storage.SubmissionChange) error
	DedupTx(ctx context.Context, fn func(tx *storage.Store) error) error
	Meme(ctx context.Context, id int64) (storage.Meme, error)
	SetMemeStorage(ctx context.Context, id int64, fileID string, messageID int64) error
	SetMemeAnalysis(ctx context.Context, id int64, a storage.Analysis) error
	ChangeMemeStatus(ctx context.Context, id int64, status, reason string, actor *int64) error
	SetReviewMessage(ctx context.Context, id, messageID int64) error
	MarkInReview(ctx context.Context, id, memeID int64) error
	MarkUploaderNotified(ctx context.Context, id int64) (bool, error)
	AutoApprove(ctx context.Context, memeID int64) error
	User(ctx context.Context, id int64) (storage.User, error)
	MarkBlocked(ctx context.Context, id int64) error
	Submission(ctx context.Context, id int64) (storage.Submission, error)
}

// Config is what the pipeline is told.
type Config struct {
	StorageChatID    int64
	ReviewChatID     int64
	AdminIDs         []int64
	WatermarkText    string
	MaxBytes         int64
	MaxVideoDuration time.Duration
	JobTimeout       time.Duration
	LockTTL          time.Duration // how soon a dead worker's hold on a submission lapses
}

// Locker takes locks that hold across worker processes and lapse when their
// holder dies.
type Locker interface {
	HoldLock(ctx context.Context, name string, ttl time.Duration) (release func(), ok bool, err error)
}

// Pipeline processes upload jobs.
type Pipeline struct {
	cfg      Config
	tg       Telegram
	store    Store
	locks    Locker
	dedup    *Deduplicator
	analyzer Analyzer
	fetcher  Fetcher     // nil: this worker takes no ingest jobs
	sources  SourceStore // with fetcher
	log      *slog.Logger
}

// WithIngestion lets the pipeline take ingest jobs.
func (p *Pipeline) WithIngestion(f Fetcher, s SourceStore) *Pipeline {
	p.fetcher, p.sources = f, s
	return p
}

// New builds a pipeline.
func New(cfg Config, tg Telegram, store Store, locks Locker, dedup *Deduplicator, analyzer Analyzer, log *slog.Logger) *Pipeline {
	if cfg.MaxVideoDuration == 0 {
		cfg.MaxVideoDuration = 3 * time.Minute
	}
	if cfg.JobTimeout == 0 {
		cfg.JobTimeout = 90 * time.Second
	}
	if cfg.LockTTL == 0 {
		cfg.LockTTL = 30 * time.Second
	}
	return &Pipeline{cfg: cfg, tg: tg, store: store, locks: locks, dedup: dedup, analyzer: analyzer, log: log}
}

// rejection is an outcome decided without a moderator: the upload is refused
// for reason (an i18n reason key suffix) and the uploader told.
type rejection struct {
	reason string
	detail error
}

func (r *rejection) Error() string { return fmt.Sprintf("rejected (%s): %v", r.reason, r.detail) }

func reject(reason string, detail error) error { return &rejection{reason: reason, detail: detail} }

// HandleUpload is the queue handler of upload jobs.
func (p *Pipeline) HandleUpload(ctx context.Context, job queue.Job) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.JobTimeout)
	defer cancel()
	started := time.Now()
	// One attempt at a time per submission, even if its job was queued twice.
	release, ok, err := p.locks.HoldLock(ctx, fmt.Sprintf("upload:%d", job.Ref), p.cfg.LockTTL)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("submission %d is being processed by another worker: %w", job.Ref, queue.ErrBusy)
	}
	defer release()
	sub, err := p.store.StartProcessing(ctx, job.Ref)
	switch {
	case errors.Is(err, storage.ErrFinished):
		return nil // a redelivery of a job that already did its work
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("submission %d: %w", job.Ref, queue.ErrPermanent)
	case err != nil:
		return err
	}
	log := p.log.With(slog.Int64("submission_id", sub.ID), slog.Int("attempt", sub.Attempts))
	outcome, err := p.process(ctx, sub, log)
	var rej *rejection
	if errors.As(err, &rej) {
		outcome, err = "rejected:"+rej.reason, p.autoReject(ctx, sub, rej)
	}
	if err != nil {
		log.Warn("upload processing failed", slog.Any("error", err))
		return err
	}
	metrics.UploadsProcessed.WithLabelValues(outcome).Inc()
	metrics.ProcessingDuration.WithLabelValues(sub.MediaType).Observe(time.Since(started).Seconds())
	log.Info("upload processed", slog.String("outcome", outcome), slog.Duration("took", time.Since(started)))
	return nil
}

// decoded is an upload's bytes and what was read from them.
type decoded struct {
	data   []byte
	img    image.Image // the picture, or a video's first keyframe
	frames []image.Image
	info   string
	width  int
	height int
	secs   int
}

func (p *Pipeline) process(ctx context.Context, sub storage.Submission, log *slog.Logger) (string, error) {
	data, err := p.tg.Download(ctx, sub.FileID, p.cfg.MaxBytes)
	if errors.Is(err, telegram.ErrFileTooLarge) {
		return "", reject("too_large", err)
	}
	if err != nil {
		return "", err
	}
	d, err := p.decode(ctx, sub.MediaType, data)
	if err != nil {
		return "", err
	}
	fp := mediaFingerprint(data, d)
	if err := ctx.Err(); err != nil {
		return "", err // shutting down: hand the job back between steps
	}
	meme, dup, pre, err := p.claimMeme(ctx, claim{
		existing: sub.MemeID,
		meme: storage.Meme{
			UploaderID: &sub.UploaderID, Type: sub.MediaType, Language: sub.Language, Caption: sub.Caption,
			Width: d.width, Height: d.height, DurationSec: d.secs,
		},
		secondLook: sub.SecondLookAt != nil,
		created: func(ctx context.Context, tx *storage.Store, m storage.Meme) error {
			return tx.ChangeSubmission(ctx, sub.ID, storage.SubmissionChange{Status: storage.SubmissionProcessing, MemeID: &m.ID})
		},
	}, fp, sub, d)
	if err != nil {
		return "", err
	}
	if dup != nil {
		if dup.Of.Status == storage.MemeRejected || dup.Of.Status == storage.MemeAd {
			return "duplicate:rejected", p.markDuplicate(ctx, sub, dup)
		}
		return "duplicate", p.markDuplicate(ctx, sub, dup)
	}
	log = log.With(slog.Int64("meme_id", meme.ID))
	report, err := p.analyze(ctx, sub, meme, d, pre)
	if err != nil {
		return "", err
	}
	meme.Caption = report.CleanCaption
	if report.Decision.Action == moderation.ActionReject {
		return "", reject(report.Decision.Reason, errors.New(report.Summary()))
	}
	if meme.StorageFileID == "" {
		if meme, err = p.storeMedia(ctx, meme, d, sub.FileID); err != nil {
			return "", err
		}
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if report.Decision.Action == moderation.ActionApprove {
		return "auto_approved", p.autoApprove(ctx, sub, meme)
	}
	return p.review(ctx, sub, meme, d, report, log)
}

// autoApprove puts a low-risk meme in the feed without a moderator.
func (p *Pipeline) autoApprove(ctx context.Context, sub storage.Submission, meme storage.Meme) error {
	if err := p.store.AutoApprove(ctx, meme.ID); err != nil {
		return err
	}
	return p.notifyUploader(ctx, sub, "upload_approved", sub.ID, storage.CoinsUploadApproved)
}

// autoReject closes a submission refused by a check and tells the uploader.
func (p *Pipeline) autoReject(ctx context.Context, sub storage.Submission, r *rejection) error {
	fresh, err := p.store.Submission(ctx, sub.ID)
	if err == nil && fresh.MemeID != nil {
		if err := p.store.ChangeMemeStatus(ctx, *fresh.MemeID, storage.MemeRejected, r.reason, nil); err != nil {
			return err
		}
	}
	if err := p.store.ChangeSubmission(ctx, sub.ID, storage.SubmissionChange{
		Status: storage.SubmissionRejected, Reason: r.reason, LastError: r.detail.Error(),
	}); err != nil {
		return err
	}
	u, err := p.store.User(ctx, sub.UploaderID)
	if err != nil {
		return err
	}
	return p.notifyUploader(ctx, sub, "upload_auto_rejected", sub.ID, translate(u.LanguageCode, "reason_"+r.reason))
}

func mediaFingerprint(data []byte, d decoded) media.Fingerprint {
	return media.NewFingerprint(data, d.img)
}
