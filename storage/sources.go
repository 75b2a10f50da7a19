package storage

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Source statuses, as stored in sources.status.
const (
	SourceInModeration   = "in_moderation"
	SourceParsingEnabled = "parsing_enabled"
	SourceParsingOff     = "parsing_disabled"
	SourceSnoozed        = "snoozed"
)

// ErrBadValue: a status or language that sources cannot take.
var ErrBadValue = errors.New("storage: bad value")

var languagePattern = regexp.MustCompile(`^[a-z]{2,3}$`)

// AddSource records a source a moderator sent (its platform, handle and
// link), waiting for a language and for parsing to be enabled. Adding it
// again returns the existing row with created false.
func (s *Store) AddSource(ctx context.Context, platform, handle, url string, addedBy int64) (src Source, created bool, err error) {
	added, err := queryStructs[SourceSummary](ctx, s.pool, `
		INSERT INTO sources (platform, handle, url, status, added_by, status_changed_by)
		VALUES ($1, $2, $3, 'in_moderation', $4, $4)
		ON CONFLICT (platform, handle) DO NOTHING
		RETURNING *`, platform, handle, url, addedBy)
	if err != nil {
		return src, false, fmt.Errorf("storage: add source: %w", err)
	}
	if len(added) == 1 {
		return added[0].Source, true, nil
	}
	err = s.db.WithContext(ctx).Where("platform = ? AND handle = ?", platform, handle).Take(&src).Error
	if err != nil {
		return src, false, fmt.Errorf("storage: add source: %w", err)
	}
	return src, false, nil
}

// CreateSource stores a source as given (its ID is filled in), for tools
// that set one up whole, like the sandbox's demo.
func (s *Store) CreateSource(ctx context.Context, src *Source) error {
	if err := s.db.WithContext(ctx).Create(src).Error; err != nil {
		return fmt.Errorf("storage: create source %s: %w", src.Handle, err)
	}
	return nil
}

// Source returns one source; ErrNotFound when there is none.
func (s *Store) Source(ctx context.Context, id int64) (Source, error) {
	var src Source
	if err := s.db.WithContext(ctx).First(&src, id).Error; err != nil {
		return Source{}, fmt.Errorf("storage: source %d: %w", id, notFound(err))
	}
	return src, nil
}

// SetSourceLanguage sets the language of a source's memes ("en", "ru", ...).
func (s *Store) SetSourceLanguage(ctx context.Context, id int64, lang string) error {
	if !languagePattern.MatchString(lang) {
		return fmt.Errorf("%w: language %q", ErrBadValue, lang)
	}
	return s.updateSource(ctx, id, "set language", map[string]any{"language": lang})
}

// SetSourceNeedsReview decides whether a source's memes go to the moderators
// (true) or straight into the feed when the automatic checks find nothing.
func (s *Store) SetSourceNeedsReview(ctx context.Context, id int64, needs bool) error {
	return s.updateSource(ctx, id, "set needs_review", map[string]any{"needs_review": needs})
}

// SetSourceStatus enables, disables or snoozes a source, recording why and
// who (nil = the system). Enabling starts its empty-parse count afresh.
func (s *Store) SetSourceStatus(ctx context.Context, id int64, status, reason string, changedBy *int64) error {
	switch status {
	case SourceInModeration, SourceParsingEnabled, SourceParsingOff, SourceSnoozed:
	default:
		return fmt.Errorf("%w: source status %q", ErrBadValue, status)
	}
	changes := map[string]any{
		"status": status, "status_reason": reason, "status_changed_by": changedBy, "status_changed_at": gorm.Expr("now()"),
	}
	if status == SourceParsingEnabled {
		changes["empty_parses"] = 0
	}
	return s.updateSource(ctx, id, "set status", changes)
}

func (s *Store) updateSource(ctx context.Context, id int64, what string, changes map[string]any) error {
	res := s.db.WithContext(ctx).Model(&Source{}).Where("id = ?", id).Updates(changes)
	if res.Error != nil {
		return fmt.Errorf("storage: %s of source %d: %w", what, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("storage: %s of source %d: %w", what, id, ErrNotFound)
	}
	return nil
}

// SourceSummary is a source with how much it brought in lately.
type SourceSummary struct {
	Source
	MemesLastWeek int    // memes created from it in the last 7 days
	PostsLastWeek int    // raw posts first seen in the last 7 days
	FailedParses  int    // consecutive failed parses
	LastError     string // of the last failed parse
}

// Sources lists the sources of a platform ("" = every platform but uploads),
// the enabled first, each with its recent yield.
func (s *Store) Sources(ctx context.Context, platform string) ([]SourceSummary, error) {
	out, err := queryStructs[SourceSummary](ctx, s.pool, `
		SELECT s.*,
		       (SELECT count(*) FROM memes m WHERE m.source_id = s.id AND m.created_at > now() - interval '7 days') AS memes_last_week,
		       (SELECT count(*) FROM raw_posts r WHERE r.source_id = s.id AND r.created_at > now() - interval '7 days') AS posts_last_week
		FROM sources s
		WHERE s.platform <> 'upload' AND ($1 = '' OR s.platform = $1)
		ORDER BY s.status = 'parsing_enabled' DESC, s.platform, s.handle`, platform)
	if err != nil {
		return nil, fmt.Errorf("storage: list sources: %w", err)
	}
	return out, nil
}

// DueSources picks up to batch enabled sources of a platform to parse now:
// never-parsed first, then the longest unparsed.
func (s *Store) DueSources(ctx context.Context, platform string, batch int) ([]Source, error) {
	var out []Source
	err := s.db.WithContext(ctx).
		Where("platform = ? AND status = ?", platform, SourceParsingEnabled).
		Order("parsed_at ASC NULLS FIRST, id").Limit(batch).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("storage: due %s sources: %w", platform, err)
	}
	return out, nil
}

// NewSources picks up to batch enabled sources never parsed yet, of any
// platform, oldest first.
func (s *Store) NewSources(ctx context.Context, batch int) ([]Source, error) {
	var out []Source
	err := s.db.WithContext(ctx).
		Where("status = ? AND parsed_at IS NULL", SourceParsingEnabled).
		Order("id").Limit(batch).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("storage: new sources: %w", err)
	}
	return out, nil
}

// ParseOutcome is how one parse of a source went.
type ParseOutcome int

// How a parse went: posts found, nothing found (or the source unavailable),
// or the parse failed.
const (
	ParseFound ParseOutcome = iota
	ParseEmpty
	ParseFailed
)

// RecordParse stamps a parse of a source and returns its consecutive empty
// parses.
func (s *Store) RecordParse(ctx context.Context, id int64, outcome ParseOutcome, errText string) (int, error) {
	var empties int
	err := s.pool.QueryRow(ctx, `
		UPDATE sources SET parsed_at = now(),
		       empty_parses = CASE $1::int WHEN 0 THEN 0 WHEN 1 THEN empty_parses + 1 ELSE empty_parses END,
		       failed_parses = CASE $1::int WHEN 2 THEN failed_parses + 1 ELSE 0 END,
		       last_error = $2
		WHERE id = $3 RETURNING empty_parses`, int(outcome), errText, id).Scan(&empties)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil // a source deleted meanwhile: nothing to count
	}
	if err != nil {
		return 0, fmt.Errorf("storage: record parse of source %d: %w", id, err)
	}
	return empties, nil
}

// RecordPlatformRun keeps a platform's count of consecutive failed runs and
// returns it.
func (s *Store) RecordPlatformRun(ctx context.Context, platform string, failed bool, errText string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `
		INSERT INTO ingest_platforms AS p (platform, consecutive_failures, last_error, last_run_at, updated_at)
		VALUES ($1, CASE WHEN $2::boolean THEN 1 ELSE 0 END, $3, now(), now())
		ON CONFLICT (platform) DO UPDATE SET
		    consecutive_failures = CASE WHEN EXCLUDED.consecutive_failures = 1 THEN p.consecutive_failures + 1 ELSE 0 END,
		    last_error = EXCLUDED.last_error, last_run_at = now(), updated_at = now()
		RETURNING consecutive_failures`, platform, failed, errText).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("storage: record %s run: %w", platform, err)
	}
	return n, nil
}

// ResetPlatformFailures clears a platform's failed-run count, e.g. when an
// admin resumes its job after fixing the cause.
func (s *Store) ResetPlatformFailures(ctx context.Context, platform string) error {
	_, err := s.pool.Exec(ctx, `UPDATE ingest_platforms SET consecutive_failures = 0, updated_at = now() WHERE platform = $1`, platform)
	if err != nil {
		return fmt.Errorf("storage: reset %s failures: %w", platform, err)
	}
	return nil
}

// SnoozedSource is a source snoozed automatically, and why.
type SnoozedSource struct {
	SourceID int64
	Handle   string
	Reason   string
}

// SnoozeUnpopularSources snoozes enabled sources whose memes were liked in
// fewer than minRate of at least minReactions reactions given since the
// source was last (re-)enabled, so a moderator's re-enabling gives it a fresh
// chance.
func (s *Store) SnoozeUnpopularSources(ctx context.Context, minReactions int, minRate float64) ([]SnoozedSource, error) {
	out, err := queryStructs[SnoozedSource](ctx, s.pool, `
		WITH rates AS (
		    SELECT s.id, count(*) AS reactions, count(*) FILTER (WHERE r.reaction = 1) AS likes
		    FROM sources s
		    JOIN memes m ON m.source_id = s.id
		    JOIN reactions r ON r.meme_id = m.id
		    WHERE s.status = 'parsing_enabled' AND s.platform <> 'upload'
		      AND r.reaction IS NOT NULL AND r.reacted_at >= s.status_changed_at
		    GROUP BY s.id
		    HAVING count(*) >= $1 AND count(*) FILTER (WHERE r.reaction = 1) < $2::float8 * count(*)
		)
		UPDATE sources SET status = 'snoozed', status_changed_at = now(), status_changed_by = NULL,
		       status_reason = format('like rate %s%% over %s reactions', round(100.0 * rates.likes / rates.reactions, 1), rates.reactions)
		FROM rates WHERE sources.id = rates.id
		RETURNING sources.id AS source_id, sources.handle, sources.status_reason AS reason`, minReactions, minRate)
	if err != nil {
		return nil, fmt.Errorf("storage: snooze unpopular sources: %w", err)
	}
	return out, nil
}
