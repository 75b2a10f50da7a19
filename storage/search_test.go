package storage_test

import (
	"context"
	"encoding/json"
	"testing"

	"memebot/storage"
	"memebot/storage/storagetest"
)

func TestParseSearch(t *testing.T) {
	cases := []struct {
		in       string
		all, any string
		ok       bool
	}{
		{"Cat", "cat:*", "cat:*", true},
		{"когда   КОТ", "когда & кот:*", "когда | кот:*", true},
		{"it's 'a' & trap!|(", "it & s & a & trap:*", "it | s | a | trap:*", true},
		{"cat go cat", "cat & go", "cat | go", true},
		{"  ?!  ", "", "", false},
	}
	for _, c := range cases {
		got, ok := storage.ParseSearch(c.in)
		if ok != c.ok || got.All != c.all || got.Any != c.any {
			t.Errorf("ParseSearch(%q) = %+v %v, want %q %q %v", c.in, got, ok, c.all, c.any, c.ok)
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
