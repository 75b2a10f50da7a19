package storage_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"memebot/storage"
	"memebot/storage/storagetest"
)

func TestParseSearch(t *testing.T) {
	cases := []struct {
		in     string
		words  string
		prefix string
		ok     bool
	}{
		{"Cat", "", "cat", true},
		{"когда   КОТ", "когда", "кот", true},
		{"it's 'a' & trap!|(", "it s a", "trap", true},
		{"cat go cat", "cat go", "", true},
		{"  ?!  ", "", "", false},
	}
	for _, c := range cases {
		got, ok := storage.ParseSearch(c.in)
		if ok != c.ok || strings.Join(got.Words, " ") != c.words || got.Prefix != c.prefix {
			t.Errorf("ParseSearch(%q) = %+v %v, want words %q prefix %q %v", c.in, got, ok, c.words, c.prefix, c.ok)
		}
	}
}

// TestSearchMemes: only approved memes are found, by OCR text, caption and
// vision description, in English and Russian word forms; memes with every
// word come first, each tier best liked first; pages follow on.
func TestSearchMemes(t *testing.T) {
	st := storagetest.NewStore(t)
	ctx := context.Background()
	db := storagetest.SQL(st)
	mk := func(status, ocr, caption, descr string, likes, dislikes int) int64 {
		t.Helper()
		m := &storage.Meme{Type: "photo", Status: status, Language: "en", OCRText: ocr, Caption: caption, StorageFileID: "f"}
		if descr != "" {
			m.Description = json.RawMessage(descr)
		}
		if err := st.CreateMeme(ctx, m); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE meme_stats SET likes = $2, dislikes = $3 WHERE meme_id = $1`, m.ID, likes, dislikes); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	bothLoved := mk("ok", "when the cats see a cucumber", "", "", 9, 1)
	bothMeh := mk("ok", "my cat and the cucumbers", "", "", 1, 9)
	catOnly := mk("ok", "", "a cat", "", 5, 0)
	described := mk("ok", "", "", `{"description":"a cucumber on a table"}`, 3, 0)
	russian := mk("ok", "когда коты увидели огурец", "", "", 0, 0)
	mk("waiting_review", "cat cucumber", "", "", 100, 0)
	mk("rejected", "cat cucumber", "", "", 100, 0)
	rejectedLater := mk("ok", "cat cucumber", "", "", 100, 0)
	if err := st.ChangeMemeStatus(ctx, rejectedLater, "rejected", "spam", nil); err != nil {
		t.Fatal(err)
	}

	if moved, err := st.RefreshSearchRanks(ctx); err != nil || moved != 4 {
		t.Fatalf("RefreshSearchRanks moved %d ranks (%v), want the 4 memes with reactions", moved, err)
	}
	ids := func(p storage.SearchPage) []int64 {
		var out []int64
		for _, h := range p.Hits {
			out = append(out, h.MemeID)
		}
		return out
	}
	terms, _ := storage.ParseSearch("Cats cucumber")
	page, err := st.SearchMemes(ctx, terms, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{bothLoved, bothMeh, catOnly, described}
	if got := ids(page); !equal(got, want) || page.NextOffset != "" {
		t.Fatalf("cats cucumber = %v next %q, want %v (all words first, each tier by like rate)", got, page.NextOffset, want)
	}
	first, _ := st.SearchMemes(ctx, terms, "", 3)
	second, _ := st.SearchMemes(ctx, terms, first.NextOffset, 3)
	if got := append(ids(first), ids(second)...); !equal(got, want) || first.NextOffset == "" || second.NextOffset != "" {
		t.Fatalf("paged by 3 = %v then %v (offsets %q, %q), want %v", ids(first), ids(second), first.NextOffset, second.NextOffset, want)
	}
	ru, _ := storage.ParseSearch("кот огурцы")
	if page, _ := st.SearchMemes(ctx, ru, "", 10); !equal(ids(page), []int64{russian}) {
		t.Fatalf("кот огурцы = %v, want the Russian meme %d", ids(page), russian)
	}
	prefix, _ := storage.ParseSearch("cucu")
	if page, _ := st.SearchMemes(ctx, prefix, "", 10); len(page.Hits) != 3 {
		t.Fatalf("a word being typed (cucu) = %v, want the three cucumber memes", ids(page))
	}
	if page, _ := st.SearchMemes(ctx, terms, "garbage", 10); !equal(ids(page), want) {
		t.Fatalf("a forged offset = %v, want the first page", ids(page))
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSearchWalksRankTiers: with memes spread over several rank tiers, a
// search still returns the best liked matches first, across tiers and pages,
// and a meme approved after the last tier refresh is found in its place.
func TestSearchWalksRankTiers(t *testing.T) {
	st := storagetest.NewStore(t)
	ctx := context.Background()
	db := storagetest.SQL(st)
	// 9,000 memes: every third says "cat"; like counts spread the ranks so
	// that the cat memes land in three tiers (1,500, 6,000, 24,000, ...).
	if _, err := db.ExecContext(ctx, `
INSERT INTO memes (type, status, storage_file_id, ocr_text)
SELECT 'photo', 'ok', 'f', CASE WHEN g % 3 = 0 THEN 'a cat ' ELSE 'a dog ' END || 'number' || g
FROM generate_series(1, 9000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE meme_stats SET likes = (meme_id * 7919) % 101, dislikes = (meme_id * 104729) % 97`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RefreshSearchRanks(ctx); err != nil {
		t.Fatal(err)
	}
	var tiers int
	db.QueryRowContext(ctx, `SELECT count(DISTINCT tier) FROM meme_search WHERE doc @@ 'cat'`).Scan(&tiers)
	if tiers < 3 {
		t.Fatalf("cat memes span %d tiers, want at least 3 for this test to mean anything", tiers)
	}
	late := &storage.Meme{Type: "photo", Status: "ok", Language: "en", OCRText: "the latest cat", StorageFileID: "f"}
	if err := st.CreateMeme(ctx, late); err != nil {
		t.Fatal(err)
	}
	var want []int64
	rows, err := db.QueryContext(ctx, `
SELECT m.id FROM memes m LEFT JOIN meme_search s ON s.meme_id = m.id
WHERE m.ocr_text LIKE '%cat%' ORDER BY coalesce(s.rank, 0.5) DESC, m.id DESC`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		want = append(want, id)
	}
	rows.Close()

	terms, _ := storage.ParseSearch("cats")
	var got []int64
	offset := ""
	for page := 0; page < 100; page++ {
		p, err := st.SearchMemes(ctx, terms, offset, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range p.Hits {
			got = append(got, h.MemeID)
		}
		if offset = p.NextOffset; offset == "" {
			break
		}
	}
	if !equal(got, want) {
		n := min(len(got), len(want), 10)
		t.Fatalf("paging through 'cats' gave %d memes (first %v), want all %d best liked first (first %v)",
			len(got), got[:n], len(want), want[:n])
	}
}

// TestRecordInlineSearchWhileTyping: Telegram sends a query at each pause in
// typing; "cat", "cats", "cats d" by one person is one search in the stats,
// while another person's search, or a different search, counts on its own.
func TestRecordInlineSearchWhileTyping(t *testing.T) {
	st := storagetest.NewStore(t)
	ctx := context.Background()
	for _, r := range []struct {
		user  int64
		query string
	}{{1, "cat"}, {1, "cats"}, {2, "cats"}, {1, "cats d"}, {1, "cats"}, {1, "dogs"}} {
		if err := st.RecordInlineSearch(ctx, r.user, r.query, 5); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := storagetest.SQL(st).QueryContext(ctx, `SELECT user_id, query FROM inline_searches ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var user int64
		var q string
		rows.Scan(&user, &q)
		got = append(got, strconv.FormatInt(user, 10)+":"+q)
	}
	if want := "1:cats 2:cats 1:dogs"; strings.Join(got, " ") != want {
		t.Fatalf("searches recorded = %v, want %s", got, want)
	}
}
