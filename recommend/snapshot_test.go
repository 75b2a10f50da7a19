package recommend

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"memebot/storage"
)

// TestMemesToScoreReloadEqualsAFullRead: a reload of the memes the engines
// score takes the words of the memes it already held from the last
// snapshot and reads only the rest; after a factors run, a new meme, a
// description arriving for a held meme and an older meme coming back into
// the pool, it holds what a read of everything holds.
func TestMemesToScoreReloadEqualsAFullRead(t *testing.T) {
	w := newPetWorld(t, 20, 10)
	rng := rand.New(rand.NewPCG(5, 5))
	w.react(rng, 8, time.Now().Add(-2*time.Hour))
	job := w.factors()
	if _, err := job.Run(w.f.ctx); err != nil {
		t.Fatal(err)
	}
	back := w.memes["dog"][3] // out of the pool at the first read, back at the second
	w.f.exec(`UPDATE meme_stats SET serving = false WHERE meme_id = $1`, back)
	w.f.exec(`UPDATE memes SET updated_at = now() - interval '1 hour'`) // texts read long ago
	e := w.f.feed.Engines()
	first, err := e.readMemes(w.f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}

	w.react(rng, 4, time.Now().Add(-time.Hour))
	if _, err := job.Run(w.f.ctx); err != nil {
		t.Fatal(err)
	}
	added := w.newMeme("cat")
	described := w.memes["cat"][2]
	if err := w.f.st.SetMemeDescription(w.f.ctx, described, storage.Description{Description: "a parrot on a keyboard"}); err != nil {
		t.Fatal(err)
	}
	w.f.exec(`UPDATE meme_stats SET serving = true WHERE meme_id = $1`, back)

	reloaded, err := e.readMemes(w.f.ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if !reloaded.wordsFrom.Equal(first.wordsFrom) {
		t.Fatal("the reload read every meme's text again; want only the new and updated ones")
	}
	full, err := e.readMemes(w.f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(reloaded.ids) != len(full.ids) {
		t.Fatalf("the reload holds %d memes, a full read %d", len(reloaded.ids), len(full.ids))
	}
	for _, id := range full.ids {
		got, want := reloaded.meme(id), full.meme(id)
		if got != want {
			t.Errorf("meme %d: reloaded %s\n  a full read %s", id, got, want)
		}
	}
	for id, word := range map[int64]string{described: "parrot", added: "cat", back: "dog"} {
		if n, ok := reloaded.dict[word]; !ok || !slices.Contains(reloaded.words[reloaded.index[id]], n) {
			t.Errorf("meme %d: reloaded %s; want the word %q", id, reloaded.meme(id), word)
		}
	}
}

// meme describes what the snapshot holds of a meme, its words spelled out.
func (s *memeSnapshot) meme(id int64) string {
	i, ok := s.index[id]
	if !ok {
		return "missing"
	}
	spelled := make([]string, len(s.dict))
	for word, n := range s.dict {
		spelled[n] = word
	}
	var words []string
	for _, n := range s.words[i] {
		words = append(words, spelled[n])
	}
	return fmt.Sprintf("vec %v, reactions %d, language %s, standing %.6f, words %v",
		s.vecs[i], s.reactions[i], s.languages[s.language[i]], s.standing[i], words)
}

// TestRefillsWordTasteFollowsTheSnapshot: the word taste a refill computes
// once for content and fresh is by the word numbers of the snapshot it was
// computed with; when a reload lands between the two engines, the second
// gets the taste in the new snapshot's numbers.
func TestRefillsWordTasteFollowsTheSnapshot(t *testing.T) {
	snapshot := func(words ...string) *memeSnapshot {
		s := &memeSnapshot{dict: map[string]int32{}}
		s.wordIDs(words, true)
		return s
	}
	before, after := snapshot("cat", "dog"), snapshot("lol", "monday", "dog", "kitten", "fetch", "cat")
	history := []pressed{{meme: 1, like: true, words: []string{"cat"}}, {meme: 2, like: false, words: []string{"dog"}}}
	h := &sharedHistory{}
	for _, s := range []*memeSnapshot{before, before, after} {
		taste := h.wordTaste(s, history)
		if len(taste) != len(s.dict) || taste[s.dict["cat"]] <= 0 || taste[s.dict["dog"]] >= 0 {
			t.Fatalf("taste %v in words %v: want cat liked, dog disliked", taste, s.dict)
		}
	}
}
