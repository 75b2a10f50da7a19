package recommend

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
)

// petWorld is a tiny planted world: cat memes and dog memes (their text
// says so, among noise words), and people who like one kind (90%) and
// mostly dislike the other (10% likes).
type petWorld struct {
	f      *fixture
	kind   map[int64]string // meme -> "cat" or "dog"
	memes  map[string][]int64
	lovers map[int64]string // person -> the kind they like
}

var petWords = map[string]string{"cat": "cat kitten meow whiskers", "dog": "dog puppy woof fetch"}

func newPetWorld(t *testing.T, perKind, people int) *petWorld {
	f := newFixture(t)
	w := &petWorld{f: f, kind: map[int64]string{}, memes: map[string][]int64{}, lovers: map[int64]string{}}
	for range perKind {
		for _, k := range []string{"cat", "dog"} {
			w.newMeme(k)
		}
	}
	for i := range people {
		id := int64(i + 1)
		f.user(id, "en")
		w.lovers[id] = []string{"cat", "dog"}[i%2]
	}
	return w
}

// newMeme adds a meme of the kind, with two of its kind's words and two noise words.
func (w *petWorld) newMeme(kind string) int64 {
	id := w.f.meme(memeSpec{})
	n := len(w.memes[kind])
	words := []string{"cat", "kitten", "meow", "whiskers"}
	if kind == "dog" {
		words = []string{"dog", "puppy", "woof", "fetch"}
	}
	text := words[n%4] + " " + words[(n+1)%4] + " lol noise" + string(rune('a'+n%7)) + " when monday"
	w.f.exec(`UPDATE memes SET ocr_text = $2 WHERE id = $1`, id, text)
	w.kind[id] = kind
	w.memes[kind] = append(w.memes[kind], id)
	return id
}

// react lets every person react to n memes of the world they have not seen, at `at`.
func (w *petWorld) react(rng *rand.Rand, n int, at time.Time) {
	var all []int64
	for _, k := range []string{"cat", "dog"} {
		all = append(all, w.memes[k]...)
	}
	for id := int64(1); id <= int64(len(w.lovers)); id++ {
		for _, i := range rng.Perm(len(all))[:n] {
			m := all[i]
			var seen bool
			if err := w.f.db.QueryRow(w.f.ctx, `SELECT EXISTS (SELECT 1 FROM reactions WHERE user_id = $1 AND meme_id = $2)`, id, m).Scan(&seen); err != nil {
				w.f.t.Fatal(err)
			}
			if seen {
				continue
			}
			p := 0.1
			if w.kind[m] == w.lovers[id] {
				p = 0.9
			}
			r := storage.Dislike
			if rng.Float64() < p {
				r = storage.Like
			}
			w.f.sent(id, m, r, at)
		}
	}
}

func (w *petWorld) factors() *Factors {
	j := NewFactors(w.f.st, nil)
	j.Lag, j.MinRebuild, j.FullEvery = 0, 1<<40, 1000*time.Hour
	return j
}

// TestCollabServesACatLoverCats: after five presses (three cats liked, two
// dogs disliked) a newcomer's collab memes are cats; and a new cat meme
// nobody has reacted to ranks among the cats in their content engine, a
// new dog meme after them.
func TestCollabServesACatLoverCats(t *testing.T) {
	w := newPetWorld(t, 40, 30)
	rng := rand.New(rand.NewPCG(1, 1))
	w.react(rng, 30, time.Now().Add(-2*time.Hour))
	job := w.factors()
	if res, err := job.Run(w.f.ctx); err != nil || !res.Rebuilt {
		t.Fatalf("first run %+v, %v: want a rebuild", res, err)
	}
	const newcomer = 100
	w.f.user(newcomer, "en")
	at := time.Now().Add(-time.Minute)
	for i := range 3 {
		w.f.sent(newcomer, w.memes["cat"][i], storage.Like, at)
	}
	for i := range 2 {
		w.f.sent(newcomer, w.memes["dog"][i], storage.Dislike, at)
	}
	items, err := w.f.feed.Engines().Candidates(w.f.ctx, Collab, Query{UserID: newcomer, Languages: []string{"en"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	cats := 0
	for _, it := range items {
		if w.kind[it.MemeID] == "cat" {
			cats++
		}
	}
	t.Logf("%d of %d collab memes are cats", cats, len(items))
	if len(items) != 10 || cats < 9 {
		t.Fatalf("%d of %d collab memes are cats, want at least 9 of 10", cats, len(items))
	}

	newCat, newDog := w.newMeme("cat"), w.newMeme("dog")
	if res, err := job.Run(w.f.ctx); err != nil || res.Rebuilt {
		t.Fatalf("second run %+v, %v: want a fold", res, err)
	}
	w.f.feed.Engines().ForgetMemes()
	items, err = w.f.feed.Engines().Candidates(w.f.ctx, Content, Query{UserID: newcomer, Languages: []string{"en"}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	rank := map[int64]int{}
	cats = 0
	for i, it := range items {
		rank[it.MemeID] = i
		if i < 10 && w.kind[it.MemeID] == "cat" {
			cats++
		}
	}
	if cats < 9 || rank[newCat] > rank[newDog] || rank[newCat] >= 40 {
		t.Fatalf("content: %d of the first 10 are cats, the new cat (never reacted to) ranks %d, the new dog %d; want 9 cats, the new cat among the cats",
			cats, rank[newCat], rank[newDog])
	}
}

// TestFactorsFoldMatchesRebuild: a model built from the first half of the
// reactions and folded the second half into predicts what a model rebuilt
// from all of them predicts: close scores, and the same kind preferred by
// every person.
func TestFactorsFoldMatchesRebuild(t *testing.T) {
	w := newPetWorld(t, 40, 30)
	rng := rand.New(rand.NewPCG(2, 2))
	w.react(rng, 15, time.Now().Add(-2*time.Hour))
	job := w.factors()
	if _, err := job.Rebuild(w.f.ctx); err != nil {
		t.Fatal(err)
	}
	w.react(rng, 15, time.Now().Add(-5*time.Second)) // reacted after the rebuild
	if res, err := job.Run(w.f.ctx); err != nil || res.Rebuilt || res.Reactions == 0 {
		t.Fatalf("run %+v, %v: want a fold of the new reactions", res, err)
	}
	folded := w.predictions()
	if _, err := job.Rebuild(w.f.ctx); err != nil {
		t.Fatal(err)
	}
	rebuilt := w.predictions()
	var diff float64
	for u, scores := range rebuilt {
		for m, s := range scores {
			diff += math.Abs(s - folded[u][m])
		}
		for _, p := range []map[int64]map[int64]float64{folded, rebuilt} {
			if gap := w.preference(u, p[u]); gap < 0.05 {
				t.Errorf("person %d (likes %ss): own kind scored only %.2f above the other", u, w.lovers[u], gap)
			}
		}
	}
	mean := diff / float64(len(rebuilt)*len(w.kind))
	t.Logf("folded and rebuilt scores differ by %.3f on average", mean)
	if mean > 0.1 {
		t.Fatalf("folded and rebuilt scores differ by %.3f on average, want at most 0.1", mean)
	}
}

// predictions scores every meme for every person with the stored model.
func (w *petWorld) predictions() map[int64]map[int64]float64 {
	users, memes := w.vectors(`SELECT user_id, vec FROM user_factors`), w.vectors(`SELECT meme_id, vec FROM meme_factors`)
	out := map[int64]map[int64]float64{}
	for u, uv := range users {
		out[u] = map[int64]float64{}
		for m, mv := range memes {
			out[u][m] = score(uv, mv)
		}
	}
	return out
}

// vectors reads (id, vector) rows.
func (w *petWorld) vectors(query string) map[int64][]float32 {
	rows, err := w.f.db.Query(w.f.ctx, query)
	if err != nil {
		w.f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]float32{}
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			w.f.t.Fatal(err)
		}
		out[id] = storagetest.DecodeVector(b)
	}
	return out
}

// preference is how much higher the person's kind scores than the other, on average.
func (w *petWorld) preference(u int64, scores map[int64]float64) float64 {
	var own, other float64
	var nOwn, nOther int
	for m, s := range scores {
		if w.kind[m] == w.lovers[u] {
			own, nOwn = own+s, nOwn+1
		} else {
			other, nOther = other+s, nOther+1
		}
	}
	return own/float64(max(1, nOwn)) - other/float64(max(1, nOther))
}

// TestFreshServesNewMemesToTheirFans: two memes arrive that nobody has seen,
// a cat and then a dog. The fresh engine would serve the newer first; a cat
// lover gets the cat first, a dog lover the dog. So again for two more that
// arrive after the engines read the memes they score (their words are read
// for them, not taken from that snapshot).
func TestFreshServesNewMemesToTheirFans(t *testing.T) {
	w := newPetWorld(t, 20, 10)
	rng := rand.New(rand.NewPCG(3, 3))
	w.react(rng, 10, time.Now().Add(-2*time.Hour))
	w.f.exec(`UPDATE meme_stats SET sent = $1`, FreshImpressions) // the stats job counted them
	for _, when := range []string{"before the snapshot", "after the snapshot"} {
		newCat, newDog := w.newMeme("cat"), w.newMeme("dog")
		for person, kind := range map[int64]string{1: w.lovers[1], 2: w.lovers[2]} {
			items, err := w.f.feed.Engines().Candidates(w.f.ctx, Fresh, Query{UserID: person, Languages: []string{"en"}, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			rank := map[int64]int{newCat: -1, newDog: -1}
			for i, it := range items {
				if _, ok := rank[it.MemeID]; ok {
					rank[it.MemeID] = i
				}
			}
			fan, other := newCat, newDog
			if kind == "dog" {
				fan, other = newDog, newCat
			}
			if rank[fan] < 0 || (rank[other] >= 0 && rank[other] < rank[fan]) {
				t.Errorf("%s: a %s lover's fresh memes rank the new %s at %d and the other new meme at %d (-1: not served)",
					when, kind, kind, rank[fan], rank[other])
			}
		}
	}
}

// TestFreshRescuesANewMemeAboutToMissItsHour: a new meme that is a few
// impressions short in the last quarter of its first hour goes first even
// to a person whose taste it does not suit, so that it still reaches its
// people within the hour; one in its first minutes waits for its fans.
func TestFreshRescuesANewMemeAboutToMissItsHour(t *testing.T) {
	w := newPetWorld(t, 20, 10)
	rng := rand.New(rand.NewPCG(3, 3))
	now := time.Now()
	w.react(rng, 10, now.Add(-2*time.Hour))
	w.f.exec(`UPDATE meme_stats SET sent = $1`, FreshImpressions) // the stats job counted them
	newCat, lateDog := w.newMeme("cat"), w.newMeme("dog")
	live := now.Add(-50 * time.Minute)
	w.f.exec(`UPDATE memes SET published_at = $2 WHERE id = $1`, lateDog, live)
	for u := int64(100); u < 100+FreshImpressions-6; u++ { // 14 impressions: 6 short with 10 minutes left
		w.f.user(u, "en")
		w.f.sent(u, lateDog, storage.Dislike, live.Add(10*time.Minute))
	}
	catLover := int64(1)
	if w.lovers[catLover] != "cat" {
		t.Fatalf("person %d loves %s, want cats", catLover, w.lovers[catLover])
	}
	items, err := w.f.feed.Engines().Candidates(w.f.ctx, Fresh, Query{UserID: catLover, Languages: []string{"en"}, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(items); len(got) < 2 || got[0] != lateDog || got[1] != newCat {
		t.Fatalf("a cat lover's fresh memes = %v, want the dog meme %d about to miss its hour, then the new cat meme %d", got, lateDog, newCat)
	}
}
