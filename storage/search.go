package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"memebot/media"
)

// SearchHit is an approved meme found by inline search, with what an inline
// answer needs to send it by file_id.
type SearchHit struct {
	MemeID int64
	Type   media.Kind
	FileID string
}

// SearchPage is one page of inline results and where the next one starts
// ("" when there is none).
type SearchPage struct {
	Hits       []SearchHit
	NextOffset string
}

// SearchTerms is what a person typed: whole words, and the last word as a
// prefix when it is long enough, because inline queries arrive while the
// person is still typing (from 3 letters on: a shorter prefix matches a
// good part of all words).
type SearchTerms struct {
	Words  []string
	Prefix string
}

// ParseSearch splits text into words of letters and digits (everything else
// separates them, so nothing typed can break the query syntax); ok is false
// when there is no word at all.
func ParseSearch(text string) (SearchTerms, bool) {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	words = distinct(words, 8)
	if len(words) == 0 {
		return SearchTerms{}, false
	}
	var terms SearchTerms
	if last := words[len(words)-1]; utf8.RuneCountInString(last) >= minPrefixRunes {
		terms.Prefix, words = last, words[:len(words)-1]
	}
	terms.Words = words
	return terms, true
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

// minPrefixRunes is the shortest last word matched as a prefix;
// maxPrefixWords is how many known words a prefix stands for at most (the
// shortest ones: "cat" means cat and catch before catastrophically).
const (
	minPrefixRunes = 3
	maxPrefixWords = 32
)

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
	all, anyWord, err := s.searchQueries(ctx, terms)
	if err != nil {
		return SearchPage{}, err
	}
	tier, skip := parseSearchOffset(offset)
	var page SearchPage
	if tier == tierAll {
		hits, err := s.searchTier(ctx, all, skip, limit+1)
		if err != nil {
			return SearchPage{}, err
		}
		if len(hits) > limit {
			return SearchPage{Hits: hits[:limit], NextOffset: searchOffset(tierAll, skip+limit)}, nil
		}
		page.Hits, tier, skip = hits, tierAny, 0
		if anyWord == all {
			return page, nil
		}
	}
	want := limit - len(page.Hits)
	some := anyWord
	if all != "" {
		some = "(" + anyWord + ") & !(" + all + ")"
	}
	hits, err := s.searchTier(ctx, some, skip, want+1)
	if err != nil {
		return SearchPage{}, err
	}
	if len(hits) > want {
		hits, page.NextOffset = hits[:want], searchOffset(tierAny, skip+want)
	}
	page.Hits = append(page.Hits, hits...)
	return page, nil
}

// searchQueries turns terms into text search queries over the words the
// index knows (stemmed as the documents are): all needs every word, anyWord
// one of them; the prefix becomes the known words it starts. all is "" when
// no meme can have every word (a prefix that starts no known word).
func (s *Store) searchQueries(ctx context.Context, terms SearchTerms) (all, anyWord string, err error) {
	rows, err := queryStructs[struct {
		Word   int
		Lexeme string
	}](ctx, s.pool, `
SELECT w.i - 1 AS word, l AS lexeme
FROM unnest($1::text[]) WITH ORDINALITY AS w(word, i), unnest(tsvector_to_array(to_tsvector('russian', w.word))) AS l
UNION ALL
SELECT -1, k.word FROM (
    SELECT sw.word FROM search_words sw, unnest(tsvector_to_array(to_tsvector('russian', $2::text))) AS p
    WHERE sw.word >= p AND sw.word < p || chr(1114111)
    ORDER BY length(sw.word), sw.word LIMIT $3) k`,
		StringArray(terms.Words), terms.Prefix, maxPrefixWords)
	if err != nil {
		return "", "", fmt.Errorf("storage: search words: %w", err)
	}
	groups := make([][]string, len(terms.Words)+1) // a word's lexemes; the last group is the prefix's
	for _, r := range rows {
		g := r.Word
		if g < 0 {
			g = len(terms.Words)
		}
		groups[g] = append(groups[g], tsLexeme(r.Lexeme))
	}
	var ands, ors []string
	for i, g := range groups {
		switch {
		case len(g) > 0 && i == len(terms.Words):
			ands = append(ands, "("+strings.Join(g, " | ")+")")
		case len(g) > 0:
			ands = append(ands, strings.Join(g, " & "))
		}
		ors = append(ors, g...)
	}
	switch {
	case len(ors) == 0:
		return "", "", nil
	case len(ands) == 1 && len(ors) == len(groups[len(groups)-1]):
		return ands[0], ands[0], nil // the prefix alone: one query
	}
	if terms.Prefix != "" && len(groups[len(terms.Words)]) == 0 {
		return "", strings.Join(ors, " | "), nil
	}
	return strings.Join(ands, " & "), strings.Join(ors, " | "), nil
}

// tsLexeme quotes a lexeme for the text search query syntax.
func tsLexeme(l string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(l) + "'"
}

func (s *Store) searchTier(ctx context.Context, query string, skip, limit int) ([]SearchHit, error) {
	if query == "" {
		return nil, nil
	}
	hits, err := queryStructs[SearchHit](ctx, s.pool, `
SELECT m.id AS meme_id, m.type, m.storage_file_id AS file_id
FROM search_meme_ids($1::tsquery, $2) hit JOIN memes m ON m.id = hit.meme_id
WHERE hit.pos > $3
ORDER BY hit.pos`, query, skip+limit, skip)
	if err != nil {
		return nil, fmt.Errorf("storage: search memes: %w", err)
	}
	return hits, nil
}

// RefreshSearchRanks copies each meme's current like rate into the search
// index (only where it changed), puts the memes in their new rank tiers, and
// returns how many ranks moved.
func (s *Store) RefreshSearchRanks(ctx context.Context) (int64, error) {
	var moved int64
	err := s.pgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
UPDATE meme_search s SET rank = st.like_ratio
FROM meme_stats st
WHERE st.meme_id = s.meme_id AND s.rank IS DISTINCT FROM st.like_ratio::real`)
		if err != nil {
			return err
		}
		moved = tag.RowsAffected()
		_, err = tx.Exec(ctx, `SELECT refresh_search_tiers()`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("storage: refresh search ranks: %w", err)
	}
	return moved, nil
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
	hits, err := queryStructs[SearchHit](ctx, s.pool, `
SELECT id AS meme_id, type, storage_file_id AS file_id FROM memes
WHERE id = $1 AND status = 'ok' AND storage_file_id <> ''`, memeID)
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
	hits, err := queryStructs[SearchHit](ctx, s.pool, `
SELECT m.id AS meme_id, m.type, m.storage_file_id AS file_id
FROM reactions r JOIN memes m ON m.id = r.meme_id
WHERE r.user_id = $1 AND r.reaction = 1 AND m.status = 'ok' AND m.storage_file_id <> ''
ORDER BY r.reacted_at DESC LIMIT $2 OFFSET $3`, userID, limit+1, skip)
	if err == nil && len(hits) == 0 && skip == 0 {
		hits, err = queryStructs[SearchHit](ctx, s.pool, `
SELECT m.id AS meme_id, m.type, m.storage_file_id AS file_id
FROM meme_stats st JOIN memes m ON m.id = st.meme_id
WHERE st.serving AND st.language = ANY($1::text[]) AND m.storage_file_id <> ''
ORDER BY st.lr_smoothed DESC, st.meme_id DESC LIMIT $2`, StringArray(languages), limit)
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
func readSearchFigures(ctx context.Context, tx pgx.Tx, now time.Time, g *GlobalStats) error {
	const q = `
SELECT (SELECT count(*) FROM inline_searches WHERE created_at >= $1 AND created_at < $2),
       (SELECT count(*) FROM inline_picks WHERE created_at >= $1 AND created_at < $2)`
	if err := tx.QueryRow(ctx, q, now.Add(-24*time.Hour), now).Scan(&g.Searches24h, &g.Picks24h); err != nil {
		return fmt.Errorf("searches: %w", err)
	}
	return nil
}

// RecordInlineSearch keeps what someone searched for and how many memes the
// first page showed. Telegram sends a query at each pause in typing, so a
// query that continues (or cuts back) the same person's search of the last
// few seconds replaces it: "ca", "cat", "cats" is one search.
func (s *Store) RecordInlineSearch(ctx context.Context, userID int64, query string, results int) error {
	tag, err := s.pool.Exec(ctx, `
UPDATE inline_searches SET query = $1, results = $2, created_at = now()
WHERE id = (SELECT id FROM inline_searches WHERE user_id = $3 AND created_at > now() - $4::interval
            ORDER BY id DESC LIMIT 1)
  AND (starts_with($1, query) OR starts_with(query, $1))`,
		query, results, userID, typingPause)
	if err == nil && tag.RowsAffected() == 0 {
		_, err = s.pool.Exec(ctx, `INSERT INTO inline_searches (user_id, query, results) VALUES ($1, $2, $3)`,
			userID, query, results)
	}
	if err != nil {
		return fmt.Errorf("storage: record inline search: %w", err)
	}
	return nil
}

// typingPause is how long after a search the same person's longer or
// shorter query still counts as the same search, being typed.
const typingPause = "20 seconds"

// RecordInlinePick keeps which meme someone sent from their search results.
func (s *Store) RecordInlinePick(ctx context.Context, userID, memeID int64, query string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO inline_picks (user_id, meme_id, query) VALUES ($1, $2, $3)`,
		userID, memeID, query)
	if err != nil {
		return fmt.Errorf("storage: record inline pick: %w", err)
	}
	return nil
}
