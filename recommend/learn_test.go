package recommend

import (
	"math/rand/v2"
	"testing"
	"time"

	"memebot/stats"
	"memebot/storage"
)

func TestLearnerFavoursTheEngineThatEarnsLikes(t *testing.T) {
	var l Learner
	prior := l.Weights("mature", nil, 20000)
	if personal := prior[Topics] + prior[Content] + prior[CoLiked] + prior[Collab]; personal < 0.6 || prior[LRSmoothed] > 0.05 {
		t.Errorf("with no evidence: topics, content, co_liked and collab %.3f, lr_smoothed %.3f; want the engines that learn the person first",
			personal, prior[LRSmoothed])
	}
	ev := map[string]Evidence{
		LRSmoothed: {Likes: 160, Dislikes: 40}, // 80%
		Topics:     {Likes: 40, Dislikes: 160}, // 20%, the prior's favourite at this stage
	}
	learned := l.Weights("mature", ev, 20000)
	if learned[LRSmoothed] <= prior[LRSmoothed] || learned[LRSmoothed] < 0.6 {
		t.Errorf("lr_smoothed (80%% liked): weight %.3f, prior %.3f; want most positions", learned[LRSmoothed], prior[LRSmoothed])
	}
	if learned[Topics] >= prior[Topics] {
		t.Errorf("topics (20%% liked): weight %.3f, prior %.3f; want less", learned[Topics], prior[Topics])
	}
	// The floors: fresh keeps its share, and every engine is still tried.
	if learned[Fresh] < 0.09 {
		t.Errorf("fresh weight %.3f, want at least its 10%% share", learned[Fresh])
	}
	for _, e := range LearnedEngines {
		if learned[e] < 0.004 {
			t.Errorf("%s weight %.4f: the exploration floor should keep it above 0.5%%", e, learned[e])
		}
	}
}

func TestLearnerSlotsAreDeterministicForASeed(t *testing.T) {
	var l Learner
	a := l.Slots("blend", nil, 15, rand.New(rand.NewPCG(7, 7)))
	b := l.Slots("blend", nil, 15, rand.New(rand.NewPCG(7, 7)))
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("slots differ at %d: %v vs %v", i, a, b)
		}
	}
}

// statsJob is the stats job as the app schedules it, with no lag.
func (f *fixture) statsJob() *stats.Job {
	opts := stats.DefaultOptions()
	opts.Lag = 0
	opts.Stage = StageOf
	return stats.New(f.st, opts, f.feed.log)
}

func TestWeightsMoveTowardTheBetterEngine(t *testing.T) {
	f := newFixture(t)
	memes := f.catalogue(60)
	// Users in their mature stage: 40 earlier reactions each, on memes
	// chosen by no engine, then 20 reactions on memes of two engines.
	for u := int64(1); u <= 3; u++ {
		f.user(u, "en")
	}
	at := time.Now().Add(-time.Hour)
	for u := int64(1); u <= 3; u++ {
		for i, m := range memes {
			engine, reaction := storage.EngineApprovalLike, storage.Like
			if i >= 40 {
				engine = []string{Collab, LRSmoothed}[i%2]
				if engine == LRSmoothed {
					reaction = storage.Dislike
				}
			}
			at = at.Add(time.Second)
			f.exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at) VALUES ($1, $2, $3, $4, $5, $4)`,
				u, m, engine, at, reaction)
		}
	}
	before, err := f.feed.EngineEvidence(f.ctx, "mature")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.statsJob().Run(f.ctx); err != nil {
		t.Fatal(err)
	}
	ev, err := f.feed.EngineEvidence(f.ctx, "mature")
	if err != nil {
		t.Fatal(err)
	}
	if ev[Collab].Likes != 30 || ev[LRSmoothed].Dislikes != 30 || ev[storage.EngineApprovalLike] != (Evidence{}) ||
		ev[Collab].Dislikes != 0 || ev[LRSmoothed].Likes != 0 {
		t.Fatalf("mature evidence = %+v; want 30 likes of collab, 30 dislikes of lr_smoothed, no approval likes", ev)
	}
	var l Learner
	was, now := l.Weights("mature", before, 20000), l.Weights("mature", ev, 20000)
	if now[Collab] <= was[Collab] || now[LRSmoothed] >= was[LRSmoothed] {
		t.Fatalf("weights collab %.3f -> %.3f, lr_smoothed %.3f -> %.3f; want toward collab",
			was[Collab], now[Collab], was[LRSmoothed], now[LRSmoothed])
	}
}

// TestTasteIsLearned: a tiny planted world of two channels, cats and dogs,
// and people who like only one of them. Pressing through the real feed
// (with the stats job every ten presses each), each is soon served mostly
// what they like.
func TestTasteIsLearned(t *testing.T) {
	f := newFixture(t)
	cats, dogs := f.source("cats", "en"), f.source("dogs", "en")
	isCat := map[int64]bool{}
	for i := range 300 {
		src := dogs
		if i%2 == 0 {
			src = cats
		}
		id := f.meme(memeSpec{sourceID: src})
		f.popular(id, 0.5)
		isCat[id] = src == cats
	}
	const people = 8 // even ids love cats, odd ids dogs
	shown := make([]Item, people)
	for u := range people {
		f.user(int64(u+1), "en")
		it, err := f.feed.Next(f.ctx, int64(u+1), false)
		if err != nil {
			t.Fatal(err)
		}
		shown[u] = it
	}
	likes := func(u int, it Item) bool { return isCat[it.MemeID] == (u%2 == 1) }
	const presses, judged = 60, 30 // the last `judged` memes each was served count
	job := f.statsJob()
	liked := 0
	for i := range presses {
		for u := range people {
			reaction := storage.Dislike
			if likes(u, shown[u]) {
				reaction = storage.Like
			}
			press, err := f.feed.ReactNext(f.ctx, int64(u+1), shown[u].MemeID, reaction, false)
			if err != nil || !press.Changed {
				t.Fatalf("user %d press %d: %+v, %v", u+1, i, press, err)
			}
			shown[u] = press.Next
			if i >= presses-judged && likes(u, shown[u]) {
				liked++
			}
		}
		if i%10 == 9 {
			f.feed.Close() // background refills done before the job reads
			if _, err := job.Run(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Half the catalogue is each person's kind: a feed blind to taste
	// serves about half of their memes to their liking.
	if share := float64(liked) / (people * judged); share < 0.8 {
		t.Fatalf("%.0f%% of memes %d-%d were to the person's taste, want at least 80%%", 100*share, presses-judged+2, presses+1)
	}
}
