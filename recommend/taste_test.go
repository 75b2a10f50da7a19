package recommend

import (
	"testing"
	"time"

	"memebot/storage"
)

// TestTasteServesLikedSourcesAndTheirNeighbours: a person liked four memes
// of channel A and disliked four of channel B. People who like A also like
// C, and B's fans like D. The taste engine serves mostly A and C, and C (never
// seen by the person) well before D.
func TestTasteServesLikedSourcesAndTheirNeighbours(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	names := []string{"a", "b", "c", "d"}
	src := map[string]int64{}
	bySource := map[int64]string{}
	memes := map[string][]int64{}
	for _, n := range names {
		src[n] = f.source(n, "en")
		for range 20 {
			id := f.meme(memeSpec{sourceID: src[n]})
			f.popular(id, 0.3)
			memes[n] = append(memes[n], id)
			bySource[id] = n
		}
	}
	at := time.Now().Add(-time.Hour)
	for i := range 4 {
		f.sent(1, memes["a"][i], storage.Like, at.Add(time.Duration(2*i)*time.Minute))
		f.sent(1, memes["b"][i], storage.Dislike, at.Add(time.Duration(2*i+1)*time.Minute))
	}
	for _, p := range []struct {
		a, b string
		n    int
	}{{"a", "c", 20}, {"c", "a", 20}, {"b", "d", 20}, {"d", "b", 20}, {"a", "a", 10}, {"b", "b", 10}, {"c", "c", 10}, {"d", "d", 10}} {
		f.exec(`INSERT INTO source_colikes (source_id, other_id, n) VALUES ($1, $2, $3)`, src[p.a], src[p.b], p.n)
	}
	served := map[string]int{}
	for range 20 {
		items, err := f.feed.Engines().Candidates(f.ctx, Taste, Query{UserID: 1, Languages: []string{"en"}, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 10 {
			t.Fatalf("%d candidates, want 10", len(items))
		}
		for _, it := range items {
			served[bySource[it.MemeID]]++
			if it.Engine != Taste {
				t.Fatalf("engine %q", it.Engine)
			}
		}
	}
	if liked := served["a"] + served["c"]; liked < 150 || served["c"] <= served["d"] {
		t.Fatalf("served by source %v: want at least 150 of 200 from a and c, and c before d", served)
	}
}
