// Package pipeline is the worker side of every candidate meme, an upload or
// a post found in a source: one staged flow (flow.go) takes each through
// fetch, decode, dedup (SHA-256 and perceptual), the automatic checks, the
// storage chat and its route (the review chat, or a decision without a
// moderator), under one lock and one timeout. What differs between an upload
// and a post is its origin's (upload.go, ingest.go): how to fetch it, what
// its meme is and where it goes. Every step is idempotent, so a job
// redelivered after a crash or a retry resumes where the last attempt
// stopped and never posts twice.
package pipeline

import (
	"context"
	"log/slog"
	"time"

	"memebot/review"
	"memebot/storage"
)

// Store is the storage the pipeline needs.
type Store interface {
	StartProcessing(ctx context.Context, id int64) (storage.Submission, error)
	ChangeSubmission(ctx context.Context, id int64, ch storage.SubmissionChange) error
	Meme(ctx context.Context, id int64) (storage.Meme, error)
	SetMemeStorage(ctx context.Context, id int64, fileID string, messageID int64) error
	SetMemeAnalysis(ctx context.Context, id int64, a storage.Analysis) error
	ChangeMemeStatus(ctx context.Context, id int64, status, reason string, actor *int64) error
	SetReviewMessage(ctx context.Context, id, messageID int64) error
	MarkInReview(ctx context.Context, id, memeID int64) error
	User(ctx context.Context, id int64) (storage.User, error)
	Submission(ctx context.Context, id int64) (storage.Submission, error)
}

// Config is what the pipeline is told.
type Config struct {
	StorageChatID    int64
	WatermarkText    string
	MaxBytes         int64
	MaxVideoDuration time.Duration
	JobTimeout       time.Duration
	LockTTL          time.Duration // how soon a dead worker's hold on a candidate lapses
}

// Locker takes locks that hold across worker processes and lapse when their
// holder dies.
type Locker interface {
	HoldLock(ctx context.Context, name string, ttl time.Duration) (release func(), ok bool, err error)
}

// Deps are the pipeline's collaborators.
type Deps struct {
	Telegram Telegram
	Store    Store
	Locks    Locker
	Dedup    *Deduplicator
	Analyzer Analyzer
	// Reviews posts to the moderators, decides without them and tells
	// uploaders.
	Reviews *review.Service
	Alerts  Alerts
}

// Pipeline processes upload and ingest jobs.
type Pipeline struct {
	cfg      Config
	tg       Telegram
	store    Store
	locks    Locker
	dedup    *Deduplicator
	analyzer Analyzer
	reviews  *review.Service
	alerts   Alerts
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
func New(cfg Config, d Deps, log *slog.Logger) *Pipeline {
	if cfg.MaxVideoDuration == 0 {
		cfg.MaxVideoDuration = 3 * time.Minute
	}
	if cfg.JobTimeout == 0 {
		cfg.JobTimeout = 90 * time.Second
	}
	if cfg.LockTTL == 0 {
		cfg.LockTTL = 30 * time.Second
	}
	return &Pipeline{cfg: cfg, tg: d.Telegram, store: d.Store, locks: d.Locks, dedup: d.Dedup, analyzer: d.Analyzer,
		reviews: d.Reviews, alerts: d.Alerts, log: log}
}
