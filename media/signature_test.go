package media

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestQuickMatchKeepsReposts checks the Index's quick test against the
// duplicate contract: it must pass every repost Compare accepts, including
// crops up to the largest Compare still takes.
func TestQuickMatchKeepsReposts(t *testing.T) {
	for _, size := range compareSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			orig, cases := compareCases(t, size.seed, size.w, size.h)
			original := meme(t, template(size.seed, size.w, size.h), "WHEN THE CODE", "FINALLY COMPILES")
			for _, share := range []float64{0.07, 0.09, 0.11} {
				name := fmt.Sprintf("cropped %.0f%% per side", share*100)
				cases = append(cases, compareCase{name, encodeJPEGBytes(t, cropShare(original, share), 85), false})
			}
			origSig := newSignature(&orig)
			for _, tc := range cases {
				fp := fingerprintBytes(t, tc.data)
				sig := newSignature(&fp)
				quick := quickMatch(orig.Aspect, fp.Aspect, &origSig, &sig)
				dup := Compare(orig, fp).Duplicate
				t.Logf("%-30s signature distance %.2f, quick match %t, duplicate %t", tc.name, origSig.meanDistance(&sig), quick, dup)
				if dup && !quick {
					t.Errorf("%s: quick test rejects a repost Compare accepts", tc.name)
				}
			}
		})
	}
}

// TestQuickMatchRejectsUnrelated: the quick test is only worth its memory
// if it throws away the pHash near-misses between unrelated pictures.
func TestQuickMatchRejectsUnrelated(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const pairs = 50_000
	passed := 0
	for range pairs {
		a, b := randomFingerprint(rng), randomFingerprint(rng)
		sa, sb := newSignature(&a), newSignature(&b)
		if quickMatch(a.Aspect, b.Aspect, &sa, &sb) {
			passed++
		}
	}
	t.Logf("random grids: %d of %d pairs pass", passed, pairs)
	if passed > pairs/10_000 {
		t.Errorf("%d of %d random pairs pass the quick test", passed, pairs)
	}

	// Generated memes share layout and captions, so they are much closer
	// to each other than random grids.
	var fps []Fingerprint
	var sigs []signature
	for seed := range uint64(60) {
		img := meme(t, template(1000+seed, 240, 180), "WHEN THE CODE", "FINALLY COMPILES")
		fp := fingerprintBytes(t, encodeJPEGBytes(t, img, 85))
		fps, sigs = append(fps, fp), append(sigs, newSignature(&fp))
	}
	total, memes := 0, 0
	for i := range fps {
		for j := i + 1; j < len(fps); j++ {
			total++
			if quickMatch(fps[i].Aspect, fps[j].Aspect, &sigs[i], &sigs[j]) {
				memes++
			}
		}
	}
	t.Logf("generated memes on different templates: %d of %d pairs pass", memes, total)
	if memes > total/100 {
		t.Errorf("%d of %d pairs of unrelated memes pass the quick test", memes, total)
	}
}
