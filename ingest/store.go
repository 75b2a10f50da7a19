package ingest

import (
	"context"
	"fmt"
	"time"

	"memebot/storage"
)

// Store is what the ingester keeps in the database (storage.Store): its
// sources, their raw posts and the platforms' failed runs.
type Store interface {
	DueSources(ctx context.Context, platform string, batch int) ([]storage.Source, error)
	NewSources(ctx context.Context, batch int) ([]storage.Source, error)
	SetSourceStatus(ctx context.Context, id int64, status, reason string, changedBy *int64) error
	RecordParse(ctx context.Context, id int64, outcome storage.ParseOutcome, errText string) (int, error)
	RecordPlatformRun(ctx context.Context, platform string, failed bool, errText string) (int, error)
	ResetPlatformFailures(ctx context.Context, platform string) error
	SnoozeUnpopularSources(ctx context.Context, minReactions int, minRate float64) ([]storage.SnoozedSource, error)
	UpsertRawPosts(ctx context.Context, sourceID int64, posts []Post) (int, error)
	JudgeRawPosts(ctx context.Context, sourceID int64, viewsMatureBefore time.Time, judge storage.PostJudge) error
}

// Handoff takes a source's candidates for processing (the media queue). It
// is called before their raw posts are marked processed, inside the
// transaction that holds those rows: if it fails, or the process dies before
// the mark commits, the posts stay unprocessed and the next run hands them off
// again, so no candidate is ever lost. Taking a candidate twice must be
// harmless; the ingest job makes at most one meme per raw post.
type Handoff func(ctx context.Context, cands []Candidate) error

// selectPosts judges a source's unprocessed raw posts (Select), hands the
// candidates off and has storage mark the judged posts processed with their
// verdicts, all in one transaction, and returns the selection.
func (in *Ingester) selectPosts(ctx context.Context, src storage.Source, j Judgement, handoff Handoff) (Selection, error) {
	var matureBefore time.Time
	if j.Platform == PlatformTelegram {
		matureBefore = j.Now.Add(-j.MinAge)
	}
	var sel Selection
	err := in.store.JudgeRawPosts(ctx, src.ID, matureBefore, func(ctx context.Context, posts []RawPost, median float64) (map[int64]string, []Candidate, error) {
		j.MedianViews = median
		sel = Select(posts, j)
		if len(sel.Candidates) > 0 {
			if err := handoff(ctx, sel.Candidates); err != nil {
				return nil, nil, fmt.Errorf("hand off %d candidates: %w", len(sel.Candidates), err)
			}
		}
		return sel.Verdicts, sel.Candidates, nil
	})
	if err != nil {
		return Selection{}, fmt.Errorf("ingest: select posts of source %d: %w", src.ID, err)
	}
	return sel, nil
}
