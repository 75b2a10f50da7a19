package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"memebot/media"
	"memebot/moderation"
	"memebot/queue"
	"memebot/storage"
)

// origin is where a candidate meme came from, an upload or a source's post,
// and supplies what differs between the two; the flow does the rest once.
type origin interface {
	fmt.Stringer // "upload:12", "ingest:34": the name of its lock, and in logs
	// kind is the media's kind: photo, video or animation.
	kind() media.Kind
	// begin readies an attempt; done when an earlier one did the work.
	begin(ctx context.Context) (done bool, err error)
	// logger is the attempt's log, with its origin's ids.
	logger() *slog.Logger
	// fetch downloads the media; what no retry can fix is a rejection.
	fetch(ctx context.Context) ([]byte, error)
	// claim is the meme the candidate becomes, once decoded.
	claim(d decoded) claim
	// subject is the candidate as the checks read it: caption, language,
	// and the second look asked about it.
	subject() storage.Submission
	// telegramFileID is the file the storage chat can be sent by ("": the bytes).
	telegramFileID() string
	// duplicate closes a candidate that repeats a stored meme.
	duplicate(ctx context.Context, dup *duplicate) (Outcome, error)
	// route sends a checked and stored meme on: into the feed or to the
	// moderators.
	route(ctx context.Context, c *candidate) (Outcome, error)
	// rejected closes a candidate a check refused (meme.ID is 0 when the
	// refusal came before it was claimed).
	rejected(ctx context.Context, meme storage.Meme, rej *rejection) error
	// finish records the outcome (metrics, and for a post its raw post).
	finish(ctx context.Context, o Outcome, took time.Duration) error
}

// candidate is a meme on its way through the flow: its origin, and what the
// stages made of it so far.
type candidate struct {
	origin origin
	media  decoded
	meme   storage.Meme
	report moderation.Report
	log    *slog.Logger
}

// rejection is an outcome decided without a moderator: the candidate is
// refused for reason (an i18n reason key suffix) and, for an upload, the
// uploader told.
type rejection struct {
	reason string
	detail error
}

func (r *rejection) Error() string { return fmt.Sprintf("rejected (%s): %v", r.reason, r.detail) }

func reject(reason string, detail error) error { return &rejection{reason: reason, detail: detail} }

// run takes one candidate through the flow, under its lock and within the
// job timeout. A rejection (what no retry can fix) ends it as
// OutcomeRejected; any other error hands the job back for a retry.
func (p *Pipeline) run(ctx context.Context, o origin) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.JobTimeout)
	defer cancel()
	started := time.Now()
	// One attempt at a time per candidate, even if its job was queued twice.
	release, ok, err := p.locks.HoldLock(ctx, o.String(), p.cfg.LockTTL)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("candidate %s is being processed by another worker: %w", o, queue.ErrBusy)
	}
	defer release()
	c := &candidate{origin: o, log: p.log}
	outcome, err := p.process(ctx, c)
	var rej *rejection
	if errors.As(err, &rej) {
		outcome, err = Outcome{Kind: OutcomeRejected, Reason: rej.reason}, o.rejected(ctx, c.meme, rej)
	}
	if err != nil {
		c.log.Warn("processing failed", slog.String("candidate", o.String()), slog.Any("error", err))
		return err
	}
	return o.finish(ctx, outcome, time.Since(started))
}

// process runs the stages: fetch and decode, dedup, checks, storage chat,
// route. Between them a shutdown hands the job back.
func (p *Pipeline) process(ctx context.Context, c *candidate) (Outcome, error) {
	o := c.origin
	if done, err := o.begin(ctx); err != nil || done {
		return Outcome{Kind: OutcomeDoneBefore}, err
	}
	c.log = o.logger()
	data, err := o.fetch(ctx)
	if err != nil {
		return Outcome{}, err
	}
	if c.media, err = p.decode(ctx, o.kind(), data); err != nil {
		return Outcome{}, err
	}
	fp := media.NewFingerprint(data, c.media.img)
	if err := ctx.Err(); err != nil {
		return Outcome{}, err
	}
	meme, dup, pre, err := p.claimMeme(ctx, o.claim(c.media), fp, o.subject(), c.media)
	if err != nil {
		return Outcome{}, err
	}
	if dup != nil {
		return o.duplicate(ctx, dup)
	}
	c.meme, c.log = meme, c.log.With(slog.Int64("meme_id", meme.ID))
	if err := p.check(ctx, c, pre); err != nil {
		return Outcome{}, err
	}
	if c.meme.StorageFileID == "" {
		if c.meme, err = p.storeMedia(ctx, c.meme, c.media, o.telegramFileID()); err != nil {
			return Outcome{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return Outcome{}, err
	}
	return o.route(ctx, c)
}

// check runs the automatic checks on a claimed meme; a refusal is a rejection.
func (p *Pipeline) check(ctx context.Context, c *candidate, pre *moderation.Report) error {
	report, err := p.analyze(ctx, c.origin.subject(), c.meme, c.media, pre)
	if err != nil {
		return err
	}
	c.report, c.meme.Caption = report, report.CleanCaption
	if report.Decision.Action == moderation.ActionReject {
		return reject(report.Decision.Reason, errors.New(report.Summary()))
	}
	return nil
}
