package recommend

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"memebot/storage"
)

// TestTopicsGroupMemesThatTalkAlike: memes drawn from four vocabularies
// (a few words of their subject among many shared noise words, and one of
// the subject's two channels as a source) are grouped by subject: every
// topic is mostly one subject, although most pairs of memes of a subject
// share no word.
func TestTopicsGroupMemesThatTalkAlike(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	s := &memeSnapshot{dict: map[string]int32{}}
	var subject []int
	for i := range 2000 {
		sub := i % 4
		var words []string
		for range 2 {
			words = append(words, fmt.Sprintf("s%dw%d", sub, rng.IntN(30)))
		}
		for range 4 {
			words = append(words, fmt.Sprintf("noise%d", rng.IntN(500)))
		}
		source := int64(2*sub + rng.IntN(2))
		s.words = append(s.words, s.wordIDs(memeWords(fmt.Sprint(words), &source, nil), true))
		subject = append(subject, sub)
	}
	_, topics := learnTopics(s.words, s.dict)
	counts := map[int16][4]int{}
	for i, c := range topics {
		n := counts[c]
		n[subject[i]]++
		counts[c] = n
	}
	major := 0
	for _, n := range counts {
		major += max(n[0], n[1], n[2], n[3])
	}
	if purity := float64(major) / float64(len(topics)); purity < 0.9 {
		t.Fatalf("topics are %.2f pure (share of memes in their topic's main subject), want at least 0.9", purity)
	}
}

// TestTopicTasteFollowsLikesAndStillExplores: two likes on one topic make it
// take most positions, two dislikes all but silence another, and the topics
// never tried still get a share (a second interest must be found).
func TestTopicTasteFollowsLikesAndStillExplores(t *testing.T) {
	s := &memeSnapshot{index: map[int64]int32{}, topicModel: &topicModel{kinship: make([][]float32, topicCount)}}
	for a := range s.topicModel.kinship {
		s.topicModel.kinship[a] = make([]float32, topicCount)
		s.topicModel.kinship[a][a] = 1
	}
	lists := make([][]int64, topicCount)
	for c := range lists {
		for i := range 1000 {
			id := int64(c*1000 + i)
			lists[c] = append(lists[c], id)
			s.index[id] = int32(len(s.topics))
			s.topics = append(s.topics, int16(c))
		}
	}
	const liked, disliked = 3, 7
	history := []pressed{{meme: liked*1000 + 999, like: true}, {meme: liked*1000 + 998, like: true},
		{meme: disliked*1000 + 999}, {meme: disliked*1000 + 998}}
	order := s.topicTaste(history).draw(lists, 1000, rand.New(rand.NewPCG(1, 2)))
	share := make([]float64, topicCount)
	for _, id := range order {
		share[id/1000] += 1.0 / float64(len(order))
	}
	untried := 1 - share[liked] - share[disliked]
	t.Logf("liked topic %.2f, disliked %.3f, the %d untried %.2f", share[liked], share[disliked], topicCount-2, untried)
	if share[liked] < 0.6 || share[disliked] > 0.01 || untried < 0.05 {
		t.Fatalf("positions: liked topic %.2f (want >= 0.6), disliked %.3f (want <= 0.01), untried %.2f (want >= 0.05)",
			share[liked], share[disliked], untried)
	}
}

// TestTopicsServeACatLoverCats: a newcomer who liked three cat memes ("cat
// kitten") and disliked two dog memes gets cats from the topics engine, also
// when the only cats left say words they never met ("meow whiskers").
func TestTopicsServeACatLoverCats(t *testing.T) {
	w := newPetWorld(t, 40, 0)
	const newcomer = 100
	w.f.user(newcomer, "en")
	at := time.Now().Add(-time.Minute)
	for i := range 3 {
		w.f.sent(newcomer, w.memes["cat"][4*i], storage.Like, at)
	}
	for i := range 2 {
		w.f.sent(newcomer, w.memes["dog"][i], storage.Dislike, at)
	}
	var saidBefore []int64 // cats with "cat" or "kitten"
	for n, id := range w.memes["cat"] {
		if n%4 != 2 {
			saidBefore = append(saidBefore, id)
		}
	}
	for _, exclude := range [][]int64{nil, saidBefore} {
		cats, served := 0, 0
		for range 20 {
			items, err := w.f.feed.Engines().Candidates(w.f.ctx, Topics, Query{UserID: newcomer, Languages: []string{"en"}, Exclude: exclude, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				served++
				if w.kind[it.MemeID] == "cat" {
					cats++
				}
			}
		}
		t.Logf("%d of %d topics memes are cats (%d cats excluded)", cats, served, len(exclude))
		if served != 200 || float64(cats) < 0.8*float64(served) {
			t.Errorf("%d of %d topics memes are cats with %d cats excluded; want at least 80%%", cats, served, len(exclude))
		}
	}
}

// TestTopicModelIsKeptAcrossLoads: a reload of the memes to score (every
// minute, and after each factors run) places new memes with the topic model
// it has instead of fitting a new one, and a new meme lands in the topic of
// the memes that say what it says.
func TestTopicModelIsKeptAcrossLoads(t *testing.T) {
	w := newPetWorld(t, 40, 0)
	e := w.f.feed.Engines()
	first, err := e.memeSnapshot(w.f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	twin := w.memes["cat"][len(w.memes["cat"])-4] // says what the next cat will say
	newCat := w.newMeme("cat")
	e.ForgetMemes()
	second, err := e.memeSnapshot(w.f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second == first || second.topicModel != first.topicModel {
		t.Fatalf("reload: new snapshot %v, same topic model %v; want a new snapshot with the kept model", second != first, second.topicModel == first.topicModel)
	}
	i, ok := second.index[newCat]
	if !ok {
		t.Fatal("the new meme is not in the reloaded snapshot")
	}
	if got, want := second.topics[i], second.topics[second.index[twin]]; got != want {
		t.Fatalf("the new cat meme is in topic %d, the cat meme saying the same words in %d", got, want)
	}
}
