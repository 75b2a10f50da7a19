package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"memebot/media"
)

// PostMedia is one picture or clip of a source's post.
type PostMedia struct {
	Type        media.Kind `json:"type"` // a meme's kind, or ingest.MediaOther
	URL         string     `json:"url,omitempty"`
	DurationSec int        `json:"duration_sec,omitempty"`
	Width       int        `json:"width,omitempty"`
	Height      int        `json:"height,omitempty"`
}

// Post is one post as read from a platform, before any selection.
type Post struct {
	PostID        string
	PostedAt      time.Time // zero when the page did not say
	Text          string
	Media         []PostMedia
	Views         *int64 // nil when the platform does not show them
	ForwardedFrom string
	OutLinks      []string
}

// RawPost is a post as stored in raw_posts.
type RawPost struct {
	ID       int64
	SourceID int64
	Post
}

// Candidate is a post that looks like a meme: the media pipeline downloads
// MediaURL and makes a meme of it. It is kept on its raw post (as JSON) until
// its job records an outcome, so that a job the queue loses can be queued
// again.
type Candidate struct {
	SourceID    int64      `json:"source_id"`
	RawPostID   int64      `json:"raw_post_id"`
	PostID      string     `json:"post_id"`
	MediaURL    string     `json:"media_url"`
	MediaType   media.Kind `json:"media_type"`
	DurationSec int        `json:"duration_sec,omitempty"`
	Caption     string     `json:"caption"` // cleaned of links and @mentions
	Language    string     `json:"language"`
}

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
	err := s.pgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		for _, p := range posts {
			media, err := json.Marshal(nonNil(p.Media))
			if err != nil {
				return err
			}
			var inserted bool
			err = tx.QueryRow(ctx, `
				INSERT INTO raw_posts AS r (source_id, post_id, posted_at, text, media, views, forwarded_from, out_links)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (source_id, post_id) DO UPDATE SET
				    posted_at = COALESCE(EXCLUDED.posted_at, r.posted_at), text = EXCLUDED.text, media = EXCLUDED.media,
				    views = COALESCE(EXCLUDED.views, r.views), forwarded_from = EXCLUDED.forwarded_from,
				    out_links = EXCLUDED.out_links, updated_at = now()
				RETURNING (xmax = 0) AS inserted`,
				sourceID, p.PostID, nullTime(p.PostedAt), p.Text, string(media), p.Views, p.ForwardedFrom,
				StringArray(p.OutLinks)).Scan(&inserted)
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
		return 0, fmt.Errorf("storage: upsert raw posts of source %d: %w", sourceID, err)
	}
	return fresh, nil
}

func nonNil(m []PostMedia) []PostMedia {
	if m == nil {
		return []PostMedia{}
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
	OutLinks      []string
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

// PostJudge decides about a source's unprocessed raw posts, given the median
// views of its recent mature posts (0 = unknown): it returns the verdict of
// every post judged, by raw post id (posts too young to judge have none), and
// the candidates among them, which it has already handed off for processing.
type PostJudge func(ctx context.Context, posts []RawPost, medianViews float64) (verdicts map[int64]string, candidates []Candidate, err error)

// JudgeRawPosts has judge decide about a source's unprocessed raw posts, then
// marks the judged posts processed with their verdicts, all in one
// transaction. The rows stay locked until the mark commits, so two runs at
// once never hand out the same candidate; a judge whose hand-off fails, or a
// process that dies before the commit, leaves the posts to the next run. The
// views median is taken over the posts published before viewsMatureBefore
// (younger ones are still gathering views); a zero time skips it.
func (s *Store) JudgeRawPosts(ctx context.Context, sourceID int64, viewsMatureBefore time.Time, judge PostJudge) error {
	err := s.pgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := queryStructs[rawPostRow](ctx, tx, `
			SELECT id, source_id, post_id, posted_at, text, media, views, forwarded_from, out_links
			FROM raw_posts WHERE source_id = $1 AND processed_at IS NULL
			ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, sourceID, unprocessedLimit)
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
		var median float64
		if !viewsMatureBefore.IsZero() {
			if median, err = medianViews(ctx, tx, sourceID, viewsMatureBefore); err != nil {
				return err
			}
		}
		verdicts, candidates, err := judge(ctx, posts, median)
		if err != nil {
			return err
		}
		return markProcessed(ctx, tx, verdicts, candidates)
	})
	if err != nil {
		return fmt.Errorf("storage: judge raw posts of source %d: %w", sourceID, err)
	}
	return nil
}

// medianViews is the median views of the source's latest posts published
// before matureBefore.
func medianViews(ctx context.Context, tx pgx.Tx, sourceID int64, matureBefore time.Time) (float64, error) {
	var median *float64
	err := tx.QueryRow(ctx, `
		SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY views)
		FROM (SELECT views FROM raw_posts
		      WHERE source_id = $1 AND views IS NOT NULL AND (posted_at IS NULL OR posted_at <= $2)
		      ORDER BY posted_at DESC NULLS LAST, id DESC LIMIT $3) recent`,
		sourceID, matureBefore, medianWindow).Scan(&median)
	if err != nil || median == nil {
		return 0, err
	}
	return *median, nil
}

// markProcessed stores each judged post's verdict; a candidate's post also
// keeps its candidate and the time it was queued, so that a job the queue
// loses can be queued again (RequeueLostCandidates). queued_at is the
// clock's, not the transaction's start: it must not be earlier than the job's
// enqueue time.
func markProcessed(ctx context.Context, tx pgx.Tx, verdicts map[int64]string, candidates []Candidate) error {
	if len(verdicts) == 0 {
		return nil
	}
	jobs := make(map[int64]string, len(candidates))
	for _, c := range candidates {
		payload, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("candidate %d: %w", c.RawPostID, err)
		}
		jobs[c.RawPostID] = string(payload)
	}
	ids := make([]int64, 0, len(verdicts))
	texts := make([]string, 0, len(verdicts))
	payloads := make([]string, 0, len(verdicts))
	for id, v := range verdicts {
		ids = append(ids, id)
		texts = append(texts, v)
		payloads = append(payloads, jobs[id])
	}
	_, err := tx.Exec(ctx, `
		UPDATE raw_posts r SET processed_at = now(), verdict = v.verdict, updated_at = now(),
		    candidate = NULLIF(v.candidate, '')::jsonb,
		    queued_at = CASE WHEN v.candidate <> '' THEN clock_timestamp() END
		FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, verdict, candidate)
		WHERE r.id = v.id`, ids, texts, payloads)
	return err
}
