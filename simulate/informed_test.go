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
	rates := Informed(w)
	t.Logf("random %.3f, informed by band %.3f", random, rates)
	if rates[2] < random+0.25 || rates[2] <= rates[0] {
		t.Fatalf("informed learner: %.3f at 31-100 memes, %.3f at 1-10, random %.3f; want 31-100 at least random + 0.25 and above 1-10",
			rates[2], rates[0], random)
	}
}
