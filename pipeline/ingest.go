package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"memebot/ingest"
	"memebot/metrics"
	"memebot/moderation"
	"memebot/queue"
	"memebot/storage"
)

// JobIngest is the job kind of a meme found in a source.
const JobIngest = "ingest"

// JobUpload is the job kind of an upload.
const JobUpload = "upload"

// Fetcher downloads media from the web (ingest.Client: SSRF-safe, byte-limited).
type Fetcher interface {
	Download(ctx context.Context, url string, maxBytes int64) ([]byte, error)
}

// SourceStore is the storage the ingest path needs besides Store.
type SourceStore interface {
	Source(ctx context.Context, id int64) (storage.Source, error)
	MemeByRawPost(ctx context.Context, rawPostID int64) (storage.Meme, error)
	SetMemeReviewMessage(ctx context.Context, id, messageID int64) error
	// RecordIngestOutcome ends a candidate's wait for its job (see
	// CandidateSweep).
	RecordIngestOutcome(ctx context.Context, rawPostID int64, outcome string) error
}

// IngestStores is the SourceStore of a worker: sources and memes in st, the
// candidates' outcomes on their raw posts (ingest.Store).
func IngestStores(st *storage.Store) SourceStore {
	return ingestStores{Store: st, rawPosts: ingest.NewStore(st.DB())}
}

type ingestStores struct {
	*storage.Store
	rawPosts *ingest.Store
}

func (s ingestStores) RecordIngestOutcome(ctx context.Context, rawPostID int64, outcome string) error {
	return s.rawPosts.RecordOutcome(ctx, rawPostID, outcome)
}

// IngestJob is the queue job of a candidate post.
func IngestJob(c ingest.Candidate) (queue.Job, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return queue.Job{}, fmt.Errorf("ingest job: %w", err)
	}
	return queue.Job{Kind: JobIngest, Ref: c.RawPostID, Payload: payload}, nil
}

// QueueCandidates is the ingest.Handoff that turns candidates into ingest
// jobs on q. A candidate queued twice (the ingester hands a source's
// candidates off again when it died before marking them processed) is
// harmless: HandleIngest makes at most one meme per raw post. It is also how
// CandidateSweep queues again the candidates whose job was lost.
func QueueCandidates(q BatchEnqueuer) ingest.Handoff {
	return func(ctx context.Context, cands []ingest.Candidate) error {
		jobs := make([]queue.Job, len(cands))
		for i, c := range cands {
			job, err := IngestJob(c)
			if err != nil {
				return err
			}
			jobs[i] = job
		}
		if _, err := q.EnqueueMany(ctx, jobs); err != nil {
			return fmt.Errorf("queue %d candidates: %w", len(jobs), err)
		}
		return nil
	}
}

// BatchEnqueuer takes many jobs in one round trip.
type BatchEnqueuer interface {
	EnqueueMany(ctx context.Context, jobs []queue.Job) ([]string, error)
}

// Handle routes a media job to its kind's handler.
func (p *Pipeline) Handle(ctx context.Context, job queue.Job) error {
	switch job.Kind {
	case JobUpload:
		return p.HandleUpload(ctx, job)
	case JobIngest:
		return p.HandleIngest(ctx, job)
	}
	return fmt.Errorf("unknown job kind %q: %w", job.Kind, queue.ErrPermanent)
}

// HandleIngest takes a post found in a source through the same pipeline as an
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
	ctx, cancel := context.WithTimeout(ctx, p.cfg.JobTimeout)
	defer cancel()
	release, ok, err := p.locks.HoldLock(ctx, fmt.Sprintf("ingest:%d", c.RawPostID), p.cfg.LockTTL)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("raw post %d is being processed by another worker: %w", c.RawPostID, queue.ErrBusy)
	}
	defer release()
	started := time.Now()
	log := p.log.With(slog.Int64("source_id", c.SourceID), slog.String("post_id", c.PostID))
	outcome, err := p.ingest(ctx, c, log)
	var rej *rejection
	if errors.As(err, &rej) {
		outcome, err = "rejected:"+rej.reason, nil
		log.Info("ingested post refused", slog.String("reason", rej.reason), slog.Any("detail", rej.detail))
	}
	if err != nil {
		return err
	}
	// Without an outcome the sweep takes the job for lost; should recording
	// fail, the retry records it (and still makes no second meme).
	if err := p.sources.RecordIngestOutcome(ctx, c.RawPostID, outcome); err != nil {
		return err
	}
	metrics.IngestProcessed.WithLabelValues(outcome).Inc()
	log.Info("ingested post processed", slog.String("outcome", outcome), slog.Duration("took", time.Since(started)))
	return nil
}

func (p *Pipeline) ingest(ctx context.Context, c ingest.Candidate, log *slog.Logger) (string, error) {
	var existing *int64
	if m, err := p.sources.MemeByRawPost(ctx, c.RawPostID); err == nil {
		if m.Status != storage.MemeProcessing {
			// A redelivered job, or a candidate queued twice: one meme per
			// raw post (memes_raw_post_idx refuses a second).
			return "done_before", nil
		}
		existing = &m.ID
	} else if !errors.Is(err, storage.ErrNotFound) {
		return "", err
	}
	src, err := p.sources.Source(ctx, c.SourceID)
	if err != nil {
		return "", err
	}
	data, d, err := p.fetchCandidate(ctx, c)
	if err != nil {
		return "", err
	}
	fp := mediaFingerprint(data, d)
	post := storage.Submission{Caption: c.Caption, Language: c.Language}
	meme, dup, pre, err := p.claimMeme(ctx, claim{existing: existing, meme: storage.Meme{
		SourceID: &c.SourceID, RawPostID: &c.RawPostID, Type: c.MediaType, Language: c.Language, Caption: c.Caption,
		Width: d.width, Height: d.height, DurationSec: d.secs,
	}}, fp, post, d)
	if err != nil {
		return "", err
	}
	if dup != nil {
		return "duplicate", nil
	}
	return p.routeIngested(ctx, c, src, meme, d, pre, log)
}

// fetchCandidate downloads and decodes a candidate's media; a file that is
// too large or at an address not allowed is a rejection, not a failure.
func (p *Pipeline) fetchCandidate(ctx context.Context, c ingest.Candidate) ([]byte, decoded, error) {
	data, err := p.fetcher.Download(ctx, c.MediaURL, p.cfg.MaxBytes)
	switch {
	case errors.Is(err, ingest.ErrTooLarge):
		return nil, decoded{}, reject("too_large", err)
	case errors.Is(err, ingest.ErrBlockedAddress), errors.Is(err, ingest.ErrBadURL):
		return nil, decoded{}, reject("blocked_url", err)
	case err != nil:
		return nil, decoded{}, err
	}
	d, err := p.decode(ctx, c.MediaType, data)
	return data, d, err
}

// routeIngested runs the checks on a new ingested meme and sends it on: a
// rejected one nowhere, a clean one from a trusted source straight into the
// feed, the rest to the moderators. It returns the outcome.
func (p *Pipeline) routeIngested(ctx context.Context, c ingest.Candidate, src storage.Source, meme storage.Meme, d decoded, pre *moderation.Report, log *slog.Logger) (string, error) {
	report, err := p.analyze(ctx, storage.Submission{Caption: c.Caption, Language: c.Language}, meme, d, pre)
	if err != nil {
		return "", err
	}
	meme.Caption = report.CleanCaption
	if report.Decision.Action == moderation.ActionReject {
		return "rejected:" + report.Decision.Reason, p.store.ChangeMemeStatus(ctx, meme.ID, storage.MemeRejected, report.Decision.Reason, nil)
	}
	if meme.StorageFileID == "" {
		if meme, err = p.storeMedia(ctx, meme, d, ""); err != nil {
			return "", err
		}
	}
	if !src.NeedsReview && len(report.Decision.Flags) == 0 {
		return "ok", p.store.ChangeMemeStatus(ctx, meme.ID, storage.MemeOK, "ingested", nil)
	}
	if err := p.store.ChangeMemeStatus(ctx, meme.ID, storage.MemeWaitingReview, "", nil); err != nil {
		return "", err
	}
	if meme.ReviewMessageID != nil {
		return "review", nil
	}
	keep := context.WithoutCancel(ctx)
	msgID, err := p.postReview(keep, meme, fmt.Sprintf("source %s/%s", src.Platform, src.Handle), d, report)
	if err != nil {
		return "", err
	}
	log.Info("ingested meme posted for review", slog.Int64("meme_id", meme.ID))
	return "review", p.sources.SetMemeReviewMessage(keep, meme.ID, msgID)
}
