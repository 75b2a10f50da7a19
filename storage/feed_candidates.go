package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"memebot/media"
)

// FeedQuery asks for memes for one person: in these languages, none of the
// excluded ids, never sent to them, at most Limit.
type FeedQuery struct {
	UserID    int64
	Languages []string
	Exclude   []int64 // nil for none
	Limit     int
}

// FeedMeme is a meme ready to be sent.
type FeedMeme struct {
	ID      int64
	Type    media.Kind
	FileID  string
	Caption string
}

// FreshImpressions is how many impressions a meme gets before it leaves the
// pool of fresh memes (FreshMemes, LeastSentMemes).
const FreshImpressions = 20

// Every candidate query below applies the same filters: status ok, language
// among the person's, never sent to them (NOT EXISTS on the reactions
// primary key), not excluded. Pools are driven by the partial indexes on
// meme_stats, one index range per language.

// BestUploadedMemes are uploads by like ratio, best first.
func (s *Store) BestUploadedMemes(ctx context.Context, q FeedQuery) ([]FeedMeme, error) {
	return s.feedMemes(ctx, bestUploadedSQL, q)
}

// BestMemes are memes by lr_smoothed, best first.
func (s *Store) BestMemes(ctx context.Context, q FeedQuery) ([]FeedMeme, error) {
	return s.feedMemes(ctx, bestSQL, q)
}

// WidelyLikedMemes are memes by like spread, widest first.
func (s *Store) WidelyLikedMemes(ctx context.Context, q FeedQuery) ([]FeedMeme, error) {
	return s.feedMemes(ctx, likeSpreadSQL, q)
}

// RecentlyLikedMemes are memes by their last like, latest first.
func (s *Store) RecentlyLikedMemes(ctx context.Context, q FeedQuery) ([]FeedMeme, error) {
	return s.feedMemes(ctx, recentlyLikedSQL, q)
}

// LeastSentMemes are the memes short of FreshImpressions, least sent first,
// newest first among those sent as often.
func (s *Store) LeastSentMemes(ctx context.Context, q FeedQuery) ([]FeedMeme, error) {
	return s.feedMemes(ctx, leastSentSQL, q)
}

// WellTestedMemes are the memes with at least minReactions reactions and an
// lr_smoothed of at least minLR, best first.
func (s *Store) WellTestedMemes(ctx context.Context, q FeedQuery, minReactions int, minLR float64) ([]FeedMeme, error) {
	// The thresholds are written into the SQL as numbers, not parameters,
	// so that the planner can prove the partial index meme_stats_explore_idx
	// (likes + dislikes >= 50) applies.
	return s.feedMemes(ctx, rankedSQL(ranked{score: "lr_smoothed", desc: true, where: fmt.Sprintf(
		"AND ms.likes + ms.dislikes >= %d AND ms.lr_smoothed >= %s",
		minReactions, strconv.FormatFloat(minLR, 'f', -1, 64))}), q)
}

// NewestMemes are the newest memes.
func (s *Store) NewestMemes(ctx context.Context, q FeedQuery) ([]FeedMeme, error) {
	return s.feedMemes(ctx, newestSQL, q)
}

// SourceAdaptedMemes are cold_start_adapt's: the best memes overall and of
// the sources of the person's last 15 reactions, by their standing times the
// person's affinity for their source.
func (s *Store) SourceAdaptedMemes(ctx context.Context, q FeedQuery) ([]FeedMeme, error) {
	return s.feedMemes(ctx, adaptSQL, q)
}

// FavouriteSourceMemes are source_affinity's: the best memes of the eight
// sources the person likes most, by the person's affinity.
func (s *Store) FavouriteSourceMemes(ctx context.Context, q FeedQuery) ([]FeedMeme, error) {
	return s.feedMemes(ctx, sourceAffinitySQL, q)
}

// FreshMeme is a meme of the fresh pool: when it went live and how many
// impressions it has had (counted live, up to FreshImpressions).
type FreshMeme struct {
	FeedMeme
	PublishedAt time.Time
	Shown       int
}

// FreshMemes are the memes short of FreshImpressions, the latest to go live
// first; q.Limit are walked per language.
func (s *Store) FreshMemes(ctx context.Context, q FeedQuery) ([]FreshMeme, error) {
	rows, err := s.pool.Query(ctx, freshSQL, q.UserID, q.Languages, exclusions(q), q.Limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (FreshMeme, error) {
		var m FreshMeme
		err := row.Scan(&m.ID, &m.Type, &m.FileID, &m.Caption, &m.PublishedAt, &m.Shown)
		return m, err
	})
}

// FreshLane reads the memes in their first hour that are still short of
// FreshImpressions (by the stats job's count): when each went live and its
// impressions, counted live as FreshMemes counts them.
func (s *Store) FreshLane(ctx context.Context, since time.Time) ([]FreshMeme, error) {
	rows, err := s.pool.Query(ctx, freshLaneSQL, since)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (FreshMeme, error) {
		var m FreshMeme
		err := row.Scan(&m.ID, &m.PublishedAt, &m.Shown)
		return m, err
	})
}

// CoLikedMemes are the memes most often liked together with the person's
// last 20 likes.
func (s *Store) CoLikedMemes(ctx context.Context, q FeedQuery) ([]FeedMeme, error) {
	return s.feedMemes(ctx, coLikedSQL, q)
}

// ServableMemesOf keeps, in the given order, the memes of ids still
// servable to the person.
func (s *Store) ServableMemesOf(ctx context.Context, q FeedQuery, ids []int64) ([]FeedMeme, error) {
	return s.scanFeedMemes(ctx, servableOfSQL, []any{q.UserID, q.Languages, exclusions(q), ids, q.Limit})
}

func (s *Store) feedMemes(ctx context.Context, query string, q FeedQuery) ([]FeedMeme, error) {
	return s.scanFeedMemes(ctx, query, []any{q.UserID, q.Languages, exclusions(q), q.Limit})
}

func exclusions(q FeedQuery) []int64 {
	if q.Exclude == nil {
		return []int64{}
	}
	return q.Exclude
}

func (s *Store) scanFeedMemes(ctx context.Context, query string, args []any) ([]FeedMeme, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var memes []FeedMeme
	for rows.Next() {
		var m FeedMeme
		if err := rows.Scan(&m.ID, &m.Type, &m.FileID, &m.Caption); err != nil {
			return nil, err
		}
		memes = append(memes, m)
	}
	return memes, rows.Err()
}
