package recommend

import (
	"math/rand/v2"
	"testing"
)

func pool(engine string, ids ...int64) []Item {
	items := make([]Item, len(ids))
	for i, id := range ids {
		items[i] = Item{MemeID: id, Engine: engine}
	}
	return items
}

func TestBlendDrawsEnginesByWeight(t *testing.T) {
	pools := map[string][]Item{"one": pool("one", 1, 2), "three": pool("three", 3, 4)}
	weights := map[string]float64{"one": 1, "three": 3}
	const seeds = 10000
	first := 0
	for seed := range uint64(seeds) {
		items := Blend(pools, weights, nil, 1, rand.New(rand.NewPCG(seed, 0)))
		if items[0].Engine == "one" {
			first++
		}
	}
	if share := float64(first) / seeds; share < 0.24 || share > 0.26 {
		t.Fatalf("engine with weight 1 of 4 came first in %.2f%% of seeds, want 25%% +- 1%%", share*100)
	}
}

func TestBlendTakesASharedIDOnce(t *testing.T) {
	pools := map[string][]Item{"a": pool("a", 1, 2, 3), "b": pool("b", 2, 3, 4), "c": pool("c", 3, 5)}
	weights := map[string]float64{"a": 1, "b": 1, "c": 1}
	for seed := range uint64(200) {
		items := Blend(pools, weights, nil, 10, rand.New(rand.NewPCG(seed, 1)))
		seen := map[int64]bool{}
		for _, it := range items {
			if seen[it.MemeID] {
				t.Fatalf("seed %d: meme %d taken twice: %+v", seed, it.MemeID, items)
			}
			seen[it.MemeID] = true
		}
		if len(items) != 5 {
			t.Fatalf("seed %d: %d items, want all 5 distinct ids", seed, len(items))
		}
	}
}

func TestBlendHonoursFixedPositionsAndLimit(t *testing.T) {
	pools := map[string][]Item{"a": pool("a", 1, 2, 3, 4, 5), "b": pool("b", 6, 7, 8, 9)}
	weights := map[string]float64{"a": 1} // b only where fixed
	fixed := map[int]string{0: "b", 3: "b"}
	for seed := range uint64(50) {
		items := Blend(pools, weights, fixed, 5, rand.New(rand.NewPCG(seed, 2)))
		if len(items) != 5 {
			t.Fatalf("%d items, want the limit 5", len(items))
		}
		for i, it := range items {
			want := "a"
			if i == 0 || i == 3 {
				want = "b"
			}
			if it.Engine != want {
				t.Fatalf("seed %d: position %d from %s, want %s: %+v", seed, i, it.Engine, want, items)
			}
		}
	}
}

func TestBlendIsDeterministicForASeed(t *testing.T) {
	pools := map[string][]Item{"a": pool("a", 1, 2, 3), "b": pool("b", 4, 5, 6), "c": pool("c", 7, 8)}
	weights := map[string]float64{"a": 1, "b": 2, "c": 3}
	x := Blend(pools, weights, nil, 8, rand.New(rand.NewPCG(42, 42)))
	y := Blend(pools, weights, nil, 8, rand.New(rand.NewPCG(42, 42)))
	for i := range x {
		if x[i] != y[i] {
			t.Fatalf("same seed, different blends: %v vs %v", x, y)
		}
	}
}

func TestPlanForStages(t *testing.T) {
	cases := []struct {
		sent  int
		mod   bool
		stage string
		first string
	}{
		{0, false, "explore", ""}, {5, false, "explore", ""}, {6, false, "adapt", ""}, {15, false, "adapt", ""},
		{16, false, "blend", ColdStartAdapt}, {29, false, "blend", ColdStartAdapt},
		{30, false, "mature", LRSmoothed}, {99, false, "mature", LRSmoothed}, {100, false, "veteran", LRSmoothed},
		{40, true, "moderator/mature", ""},
	}
	for _, c := range cases {
		p := PlanFor(c.sent, c.mod)
		if p.Stage != c.stage || p.Fixed[0] != c.first {
			t.Errorf("PlanFor(%d, %v) = stage %s first %q, want %s %q", c.sent, c.mod, p.Stage, p.Fixed[0], c.stage, c.first)
		}
		var total float64
		for _, w := range p.Weights {
			total += w
		}
		if total < 0.999 || total > 1.001 {
			t.Errorf("PlanFor(%d, %v) weights sum to %v, want 1", c.sent, c.mod, total)
		}
		if c.mod && p.Weights[LowSentPool] != 0.75 {
			t.Errorf("moderator low_sent_pool weight = %v, want 0.75", p.Weights[LowSentPool])
		}
	}
}
