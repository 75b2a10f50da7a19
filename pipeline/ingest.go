package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"memebot/ingest"
	"memebot/media"
	"memebot/metrics"
	"memebot/queue"
	"memebot/storage"
)

// Fetcher downloads media from the web (ingest.Client: SSRF-safe, byte-limited).
type Fetcher interface {
	Download(ctx context.Context, url string, maxBytes int64) ([]byte, error)
}

// SourceStore is the storage the ingest path needs besides Store
// (storage.Store).
type SourceStore interface {
	Source(ctx context.Context, id int64) (storage.Source, error)
	MemeByRawPost(ctx context.Context, rawPostID int64) (storage.Meme, error)
	SetMemeReviewMessage(ctx context.Context, id, messageID int64) error
	// RecordIngestOutcome ends a candidate's wait for its job (see
	// CandidateSweep).
	RecordIngestOutcome(ctx context.Context, rawPostID int64, outcome string) error
}

// HandleIngest takes a post found in a source through the same flow as an
// upload: download, validate, dedup against everything (uploads too),
// watermark, storage chat, automatic checks. A clean meme goes straight into
// the feed; a flagged one, or one from a source marked as needing review, is
// posted to the moderators like an upload.
func (p *Pipeline) HandleIngest(ctx context.Context, job queue.Job) error {
	if p.fetcher == nil || p.sources == nil {
		return fmt.Errorf("ingestion is not configured on this worker: %w", queue.ErrPermanent)
	}
	var c ingest.Candidate
	if err := json.Unmarshal(job.Payload, &c); err != nil {
		return fmt.Errorf("ingest job %s: %w: %w", job.ID, err, queue.ErrPermanent)
	}
	return p.run(ctx, &post{p: p, c: c})
}

// post is the origin of a meme found in a source: its candidate post.
type post struct {
	p        *Pipeline
	c        ingest.Candidate
	existing *int64 // the meme an earlier attempt created
	src      storage.Source
}

func (o *post) String() string { return fmt.Sprintf("ingest:%d", o.c.RawPostID) }

func (o *post) kind() media.Kind { return o.c.MediaType }

// begin finds the meme an earlier attempt made of the post: one meme per raw
// post (memes_raw_post_idx refuses a second).
func (o *post) begin(ctx context.Context) (bool, error) {
	if m, err := o.p.sources.MemeByRawPost(ctx, o.c.RawPostID); err == nil {
		if m.Status != storage.MemeProcessing {
			return true, nil // a redelivered job, or a candidate queued twice
		}
		o.existing = &m.ID
	} else if !errors.Is(err, storage.ErrNotFound) {
		return false, err
	}
	src, err := o.p.sources.Source(ctx, o.c.SourceID)
	o.src = src
	return false, err
}

func (o *post) logger() *slog.Logger {
	return o.p.log.With(slog.Int64("source_id", o.c.SourceID), slog.String("post_id", o.c.PostID))
}

// fetch downloads the post's media; a file that is too large or at an
// address not allowed is a rejection, not a failure.
func (o *post) fetch(ctx context.Context) ([]byte, error) {
	data, err := o.p.fetcher.Download(ctx, o.c.MediaURL, o.p.cfg.MaxBytes)
	switch {
	case errors.Is(err, ingest.ErrTooLarge):
		return nil, reject("too_large", err)
	case errors.Is(err, ingest.ErrBlockedAddress), errors.Is(err, ingest.ErrBadURL):
		return nil, reject("blocked_url", err)
	}
	return data, err
}

func (o *post) claim(d decoded) claim {
	c := o.c
	return claim{existing: o.existing, meme: storage.Meme{
		SourceID: &c.SourceID, RawPostID: &c.RawPostID, Type: c.MediaType, Language: c.Language, Caption: c.Caption,
		Width: d.width, Height: d.height, DurationSec: d.secs,
	}}
}

func (o *post) subject() storage.Submission {
	return storage.Submission{Caption: o.c.Caption, Language: o.c.Language}
}

func (o *post) telegramFileID() string { return "" }

func (o *post) duplicate(context.Context, *duplicate) (Outcome, error) {
	return Outcome{Kind: OutcomeDuplicate}, nil
}

// route sends a checked meme on: a clean one from a trusted source straight
// into the feed, the rest to the moderators.
func (o *post) route(ctx context.Context, c *candidate) (Outcome, error) {
	p, meme := o.p, c.meme
	if !o.src.NeedsReview && len(c.report.Decision.Flags) == 0 {
		return Outcome{Kind: OutcomePublished}, p.reviews.Publish(ctx, meme.ID)
	}
	if err := p.store.ChangeMemeStatus(ctx, meme.ID, storage.MemeWaitingReview, "", nil); err != nil {
		return Outcome{}, err
	}
	if meme.ReviewMessageID != nil {
		return Outcome{Kind: OutcomeReview}, nil
	}
	keep := context.WithoutCancel(ctx)
	msgID, err := p.postReview(keep, c, fmt.Sprintf("source %s/%s", o.src.Platform, o.src.Handle))
	if err != nil {
		return Outcome{}, err
	}
	c.log.Info("ingested meme posted for review")
	return Outcome{Kind: OutcomeReview}, p.sources.SetMemeReviewMessage(keep, meme.ID, msgID)
}

// rejected keeps a refused post's meme, if it made one, out of the feed.
func (o *post) rejected(ctx context.Context, meme storage.Meme, rej *rejection) error {
	o.logger().Info("ingested post refused", slog.String("reason", rej.reason), slog.Any("detail", rej.detail))
	if meme.ID == 0 {
		return nil
	}
	return o.p.reviews.Refuse(ctx, meme.ID, rej.reason)
}

// finish records the outcome on the raw post: without one the sweep takes
// the job for lost; should recording fail, the retry records it (and still
// makes no second meme).
func (o *post) finish(ctx context.Context, out Outcome, took time.Duration) error {
	if err := o.p.sources.RecordIngestOutcome(ctx, o.c.RawPostID, out.String()); err != nil {
		return err
	}
	metrics.IngestProcessed.WithLabelValues(out.String()).Inc()
	o.logger().Info("ingested post processed", slog.String("outcome", out.String()), slog.Duration("took", took))
	return nil
}

// ingestGivenUp records the candidate's post as failed at once, rather than
// leaving it to the requeue sweep to presume its job lost and queue it again.
func (p *Pipeline) ingestGivenUp(ctx context.Context, job queue.Job, cause error) {
	p.log.Warn("ingested post given up on", slog.Int64("raw_post_id", job.Ref), slog.Int("attempts", job.Attempt), slog.Any("error", cause))
	if p.sources == nil {
		return
	}
	if err := p.sources.RecordIngestOutcome(ctx, job.Ref, string(OutcomeFailed)); err != nil {
		p.log.Error("ingested post given up on but not recorded as failed", slog.Int64("raw_post_id", job.Ref), slog.Any("error", err))
		return
	}
	metrics.IngestProcessed.WithLabelValues(string(OutcomeFailed)).Inc()
}
