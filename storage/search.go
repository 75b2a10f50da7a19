package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SearchHit is an approved meme found by inline search, with what an inline
// answer needs to send it by file_id.
type SearchHit struct {
	MemeID int64
	Type   string
	FileID string
}

// SearchPage is one page of inline results and where the next one starts
// ("" when there is none).
type SearchPage struct {
	Hits       []SearchHit
	NextOffset string
}

// SearchTerms is what a person typed, as text search queries: All needs
// every word, Any one of them. The last word also matches as a prefix,
// because inline queries arrive while the person is still typing (from 3
// letters on: a shorter prefix matches a good part of all words).
type SearchTerms struct {
	All, Any string
}

// ParseSearch splits text into words of letters and digits (everything else
// separates them, so nothing typed can break the query syntax) and builds the
// queries; ok is false when there is no word at all.
func ParseSearch(text string) (SearchTerms, bool) {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	words = distinct(words, 8)
	if len(words) == 0 {
		return SearchTerms{}, false
	}
	if last := words[len(words)-1]; utf8.RuneCountInString(last) >= minPrefixRunes {
		words[len(words)-1] = last + ":*"
	}
	return SearchTerms{All: strings.Join(words, " & "), Any: strings.Join(words, " | ")}, true
}

// distinct keeps the first n different words in order (a repeated word would
// also mislead the planner: it multiplies the word's frequency in).
func distinct(words []string, n int) []string {
	out := words[:0]
	for _, w := range words {
		if len(out) < n && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// minPrefixRunes is the shortest last word matched as a prefix.
const minPrefixRunes = 3

// Search tiers: memes that have every word come first, then those with some.
const (
	tierAll = 'a'
	tierAny = 'o'
)

// SearchMemes finds approved memes whose text (OCR, caption, vision
// description) matches terms: first those with every word, best liked
// first, then those with only some of the words, best liked first. offset
// is "" or a NextOffset this method returned; anything else starts over.
func (s *Store) SearchMemes(ctx context.Context, terms SearchTerms, offset string, limit int) (SearchPage, error) {
	tier, skip := parseSearchOffset(offset)
	var page SearchPage
	if tier == tierAll {
		hits, err := s.searchTier(ctx, `s.doc @@ to_tsquery('russian', ?)`, []any{terms.All}, skip, limit+1)
		if err != nil {
			return SearchPage{}, err
		}
		if len(hits) > limit {
			return SearchPage{Hits: hits[:limit], NextOffset: searchOffset(tierAll, skip+limit)}, nil
		}
		page.Hits, tier, skip = hits, tierAny, 0
		if terms.Any == terms.All {
			return page, nil
		}
	}
	want := limit - len(page.Hits)
	hits, err := s.searchTier(ctx, `s.doc @@ to_tsquery('russian', ?) AND NOT s.doc @@ to_tsquery('russian', ?)`,
		[]any{terms.Any, terms.All}, skip, want+1)
	if err != nil {
		return SearchPage{}, err
	}
	if len(hits) > want {
		hits, page.NextOffset = hits[:want], searchOffset(tierAny, skip+want)
	}
	page.Hits = append(page.Hits, hits...)
	return page, nil
}

func (s *Store) searchTier(ctx context.Context, match string, args []any, skip, limit int) ([]SearchHit, error) {
	var hits []SearchHit
	err := s.db.WithContext(ctx).Raw(`
SELECT m.id AS meme_id, m.type, m.storage_file_id AS file_id
FROM (SELECT meme_id, rank FROM meme_search s WHERE `+match+`
      ORDER BY rank DESC, meme_id DESC LIMIT ? OFFSET ?) hit
JOIN memes m ON m.id = hit.meme_id
ORDER BY hit.rank DESC, hit.meme_id DESC`, append(args, limit, skip)...).Scan(&hits).Error
	if err != nil {
		return nil, fmt.Errorf("storage: search memes: %w", err)
	}
	return hits, nil
}

// RefreshSearchRanks copies each meme's current like rate into the search
// index (only where it changed) and returns how many ranks moved.
func (s *Store) RefreshSearchRanks(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Exec(`
UPDATE meme_search s SET rank = st.like_ratio
FROM meme_stats st
WHERE st.meme_id = s.meme_id AND s.rank IS DISTINCT FROM st.like_ratio::real`)
	if res.Error != nil {
		return 0, fmt.Errorf("storage: refresh search ranks: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// searchOffset encodes a position as the offset Telegram hands back.
func searchOffset(tier byte, skip int) string { return string(tier) + strconv.Itoa(skip) }

func parseSearchOffset(offset string) (byte, int) {
	if len(offset) < 2 || (offset[0] != tierAll && offset[0] != tierAny) {
		return tierAll, 0
	}
	skip, err := strconv.Atoi(offset[1:])
	if err != nil || skip < 0 || skip > 10000 {
		return tierAll, 0
	}
	return offset[0], skip
}

// ApprovedMeme is one approved meme as a search result (a shared meme).
func (s *Store) ApprovedMeme(ctx context.Context, memeID int64) (SearchHit, error) {
	var hits []SearchHit
	err := s.db.WithContext(ctx).Raw(`
SELECT id AS meme_id, type, storage_file_id AS file_id FROM memes
WHERE id = ? AND status = 'ok' AND storage_file_id <> ''`, memeID).Scan(&hits).Error
	if err != nil {
		return SearchHit{}, fmt.Errorf("storage: approved meme %d: %w", memeID, err)
	}
	if len(hits) == 0 {
		return SearchHit{}, ErrNotFound
	}
	return hits[0], nil
}

// FavouriteMemes is what an empty search shows: the memes the user liked,
// latest first; for someone who liked nothing yet, the best liked memes in
// languages (by smoothed like rate).
func (s *Store) FavouriteMemes(ctx context.Context, userID int64, languages []string, offset string, limit int) (SearchPage, error) {
	_, skip := parseSearchOffset(offset)
	var hits []SearchHit
	err := s.db.WithContext(ctx).Raw(`
SELECT m.id AS meme_id, m.type, m.storage_file_id AS file_id
FROM reactions r JOIN memes m ON m.id = r.meme_id
WHERE r.user_id = ? AND r.reaction = 1 AND m.status = 'ok' AND m.storage_file_id <> ''
ORDER BY r.reacted_at DESC LIMIT ? OFFSET ?`, userID, limit+1, skip).Scan(&hits).Error
	if err == nil && len(hits) == 0 && skip == 0 {
		err = s.db.WithContext(ctx).Raw(`
SELECT m.id AS meme_id, m.type, m.storage_file_id AS file_id
FROM meme_stats st JOIN memes m ON m.id = st.meme_id
WHERE st.serving AND st.language = ANY(?) AND m.storage_file_id <> ''
ORDER BY st.lr_smoothed DESC, st.meme_id DESC LIMIT ?`, StringArray(languages), limit).Scan(&hits).Error
	}
	if err != nil {
		return SearchPage{}, fmt.Errorf("storage: favourite memes: %w", err)
	}
	page := SearchPage{Hits: hits}
	if len(hits) > limit {
		page.Hits, page.NextOffset = hits[:limit], searchOffset(tierAll, skip+limit)
	}
	return page, nil
}

// readSearchFigures counts the last 24 hours of inline searches and picks.
func readSearchFigures(ctx context.Context, tx *sql.Tx, now time.Time, g *GlobalStats) error {
	const q = `
SELECT (SELECT count(*) FROM inline_searches WHERE created_at >= $1 AND created_at < $2),
       (SELECT count(*) FROM inline_picks WHERE created_at >= $1 AND created_at < $2)`
	if err := tx.QueryRowContext(ctx, q, now.Add(-24*time.Hour), now).Scan(&g.Searches24h, &g.Picks24h); err != nil {
		return fmt.Errorf("searches: %w", err)
	}
	return nil
}

// RecordInlineSearch keeps what someone searched for and how many memes the
// first page showed.
func (s *Store) RecordInlineSearch(ctx context.Context, userID int64, query string, results int) error {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO inline_searches (user_id, query, results) VALUES (?, ?, ?)`,
		userID, query, results).Error
	if err != nil {
		return fmt.Errorf("storage: record inline search: %w", err)
	}
	return nil
}

// RecordInlinePick keeps which meme someone sent from their search results.
func (s *Store) RecordInlinePick(ctx context.Context, userID, memeID int64, query string) error {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO inline_picks (user_id, meme_id, query) VALUES (?, ?, ?)`,
		userID, memeID, query).Error
	if err != nil {
		return fmt.Errorf("storage: record inline pick: %w", err)
	}
	return nil
}
