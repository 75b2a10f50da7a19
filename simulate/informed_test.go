package simulate

import "testing"

// TestInformedLearnerLearnsInterests: the yardstick learns: past its first
// memes it serves far above a random meme's like rate, and better than in
// its first ten.
func TestInformedLearnerLearnsInterests(t *testing.T) {
	p := DefaultParams()
	p.Users, p.Memes, p.Topics = 200, 2000, 8
	w := NewWorld(p)
	var random float64
	var n int
	for u := range w.Users {
		for m := range w.Initial {
			if w.Reads(u, m) {
				random += w.LikeProb(u, m)
				n++
			}
		}
	}
	random /= float64(n)
	rates := Informed(w, true)
	t.Logf("random %.3f, informed by band %.3f", random, rates)
	if rates[2] < random+0.25 || rates[2] <= rates[0] {
		t.Fatalf("informed learner: %.3f at 31-100 memes, %.3f at 1-10, random %.3f; want 31-100 at least random + 0.25 and above 1-10",
			rates[2], rates[0], random)
	}
}

// TestQualityBlindLearnerLearnsInterestsOnly: the twin that does not know
// quality learns a person's interests as well (far above random past its
// first memes) but serves worse memes to a newcomer, whose like rate only
// quality can raise.
func TestQualityBlindLearnerLearnsInterestsOnly(t *testing.T) {
	p := DefaultParams()
	p.Users, p.Memes, p.Topics = 200, 2000, 8
	w := NewWorld(p)
	informed, blind := Informed(w, true), Informed(w, false)
	t.Logf("informed %.3f, quality-blind %.3f", informed, blind)
	if blind[0] > informed[0]-0.1 {
		t.Fatalf("1-10 memes: quality-blind %.3f, informed %.3f; want the blind learner at least 0.1 lower", blind[0], informed[0])
	}
	if blind[2] <= blind[0]+0.15 {
		t.Fatalf("quality-blind learner: %.3f at 31-100 memes, %.3f at 1-10; want 31-100 at least 0.15 higher", blind[2], blind[0])
	}
}
