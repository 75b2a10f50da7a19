package ingest

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"memebot/storage"
)

// unprocessedLimit caps the posts of one source judged in one run.
const unprocessedLimit = 500

// medianWindow is how many recent mature posts the views median is taken over.
const medianWindow = 50

// UpsertRawPosts stores a source's posts, refreshing the views and text of
// those seen before (their verdicts stay), and returns how many were new.
func (s *Store) UpsertRawPosts(ctx context.Context, sourceID int64, posts []Post) (int, error) {
	if len(posts) == 0 {
		return 0, nil
	}
	fresh := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, p := range posts {
			media, err := json.Marshal(nonNil(p.Media))
			if err != nil {
				return err
			}
			var inserted bool
			err = tx.Raw(`
				INSERT INTO raw_posts AS r (source_id, post_id, posted_at, text, media, views, forwarded_from, out_links)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (source_id, post_id) DO UPDATE SET
				    posted_at = COALESCE(EXCLUDED.posted_at, r.posted_at), text = EXCLUDED.text, media = EXCLUDED.media,
				    views = COALESCE(EXCLUDED.views, r.views), forwarded_from = EXCLUDED.forwarded_from,
				    out_links = EXCLUDED.out_links, updated_at = now()
				RETURNING (xmax = 0) AS inserted`,
				sourceID, p.PostID, nullTime(p.PostedAt), p.Text, string(media), p.Views, p.ForwardedFrom,
				storage.StringArray(p.OutLinks)).Scan(&inserted).Error
			if err != nil {
				return fmt.Errorf("post %s: %w", p.PostID, err)
			}
			if inserted {
				fresh++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("ingest: upsert raw posts of source %d: %w", sourceID, err)
	}
	return fresh, nil
}

func nonNil(m []Media) []Media {
	if m == nil {
		return []Media{}
	}
	return m
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// rawPostRow is a raw_posts row as selection reads it.
type rawPostRow struct {
	ID            int64
	SourceID      int64
	PostID        string
	PostedAt      *time.Time
	Text          string
	Media         []byte
	Views         *int64
	ForwardedFrom string
	OutLinks      storage.StringArray
}

func (r rawPostRow) rawPost() (RawPost, error) {
	p := RawPost{ID: r.ID, SourceID: r.SourceID, Post: Post{
		PostID: r.PostID, Text: r.Text, Views: r.Views, ForwardedFrom: r.ForwardedFrom, OutLinks: r.OutLinks,
	}}
	if r.PostedAt != nil {
		p.PostedAt = *r.PostedAt
	}
	if err := json.Unmarshal(r.Media, &p.Media); err != nil {
		return p, fmt.Errorf("raw post %d: media: %w", r.ID, err)
	}
	return p, nil
}

// Handoff takes a source's candidates for processing (the media queue). It
// is called before their raw posts are marked processed, inside the
// transaction that holds those rows: if it fails, or the process dies before
// the mark commits, the posts stay unprocessed and the next run hands them off
// again, so no candidate is ever lost. Taking a candidate twice must be
// harmless; the ingest job makes at most one meme per raw post.
type Handoff func(ctx context.Context, cands []Candidate) error

// SelectPosts judges a source's unprocessed raw posts, hands the candidates
// off, marks the judged posts processed with their verdicts, and returns the
// selection, all in one transaction. The rows stay locked until the mark
// commits, so two runs at once never hand out the same candidate.
func (s *Store) SelectPosts(ctx context.Context, src storage.Source, j Judgement, handoff Handoff) (Selection, error) {
	var sel Selection
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []rawPostRow
		err := tx.Raw(`
			SELECT id, source_id, post_id, posted_at, text, media, views, forwarded_from, out_links
			FROM raw_posts WHERE source_id = ? AND processed_at IS NULL
			ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, src.ID, unprocessedLimit).Scan(&rows).Error
		if err != nil || len(rows) == 0 {
			return err
		}
		posts := make([]RawPost, 0, len(rows))
		for _, r := range rows {
			p, err := r.rawPost()
			if err != nil {
				return err
			}
			posts = append(posts, p)
		}
		if j.Platform == PlatformTelegram {
			if j.MedianViews, err = medianViews(tx, src.ID, j.Now.Add(-j.MinAge)); err != nil {
				return err
			}
		}
		sel = Select(posts, j)
		if len(sel.Candidates) > 0 {
			if err := handoff(ctx, sel.Candidates); err != nil {
				return fmt.Errorf("hand off %d candidates: %w", len(sel.Candidates), err)
			}
		}
		return markProcessed(tx, sel)
	})
	if err != nil {
		return Selection{}, fmt.Errorf("ingest: select posts of source %d: %w", src.ID, err)
	}
	return sel, nil
}

// medianViews is the median views of the source's latest posts published
// before matureBefore (younger ones are still gathering views).
func medianViews(tx *gorm.DB, sourceID int64, matureBefore time.Time) (float64, error) {
	var median *float64
	err := tx.Raw(`
		SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY views)
		FROM (SELECT views FROM raw_posts
		      WHERE source_id = ? AND views IS NOT NULL AND (posted_at IS NULL OR posted_at <= ?)
		      ORDER BY posted_at DESC NULLS LAST, id DESC LIMIT ?) recent`,
		sourceID, matureBefore, medianWindow).Scan(&median).Error
	if err != nil || median == nil {
		return 0, err
	}
	return *median, nil
}

// markProcessed stores each judged post's verdict; a candidate's post also
// keeps its job and the time it was queued, so that a job the queue loses can
// be queued again (RequeueLost). queued_at is the clock's, not the
// transaction's start: it must not be earlier than the job's enqueue time.
func markProcessed(tx *gorm.DB, sel Selection) error {
	if len(sel.Verdicts) == 0 {
		return nil
	}
	jobs := make(map[int64]string, len(sel.Candidates))
	for _, c := range sel.Candidates {
		payload, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("candidate %d: %w", c.RawPostID, err)
		}
		jobs[c.RawPostID] = string(payload)
	}
	ids := make([]int64, 0, len(sel.Verdicts))
	texts := make([]string, 0, len(sel.Verdicts))
	payloads := make([]string, 0, len(sel.Verdicts))
	for id, v := range sel.Verdicts {
		ids = append(ids, id)
		texts = append(texts, v)
		payloads = append(payloads, jobs[id])
	}
	return tx.Exec(`
		UPDATE raw_posts r SET processed_at = now(), verdict = v.verdict, updated_at = now(),
		    candidate = NULLIF(v.candidate, '')::jsonb,
		    queued_at = CASE WHEN v.candidate <> '' THEN clock_timestamp() END
		FROM unnest(?::bigint[], ?::text[], ?::text[]) AS v(id, verdict, candidate)
		WHERE r.id = v.id`, int64Array(ids), storage.StringArray(texts), storage.StringArray(payloads)).Error
}

// int64Array passes a BIGINT[] parameter (gorm would expand a plain slice
// into a list).
type int64Array []int64

// Value implements driver.Valuer.
func (a int64Array) Value() (driver.Value, error) {
	parts := make([]string, len(a))
	for i, v := range a {
		parts[i] = strconv.FormatInt(v, 10)
	}
	return "{" + strings.Join(parts, ",") + "}", nil
}
