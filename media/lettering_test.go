package media

import (
	"fmt"
	"reflect"
	"testing"
)

// TestLetteringWithoutText: when OCR gives no text to compare, every
// repost of compareCases is still a duplicate (its lettering changed
// little: a crop's cut edges, a corner watermark), and the same template
// under other lettering is never one: its lettering changed in solid
// patches, so a picture match makes it a suspect for moderators.
func TestLetteringWithoutText(t *testing.T) {
	for _, size := range compareSizes {
		orig, cases := compareCases(t, size.seed, size.w, size.h)
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%dx%d/%s", size.w, size.h, tc.name), func(t *testing.T) {
				fp := fingerprintBytes(t, tc.data)
				v := CompareMemes(orig, fp, "", "")
				if v.Duplicate != tc.dup {
					t.Errorf("CompareMemes without text = %v, want duplicate=%t", v, tc.dup)
				}
				if !tc.dup && tc.name != "unrelated picture" && tc.name != "unrelated picture 2" {
					if change := letteringChange(&orig, &fp, alignment{aBig: true, r: fullRegion}); change <= MaxLetteringChange {
						t.Errorf("other lettering changed %d cells, want more than %d", change, MaxLetteringChange)
					}
				}
			})
		}
	}
}

// TestFilter1D checks the constant-time min and max filter against the
// obvious one.
func TestFilter1D(t *testing.T) {
	src := []float32{5, 1, 7, 3, 9, 2, 8, 4, 6, 0, 5}
	for _, r := range []int{1, 2, 3, 8} {
		for _, isMin := range []bool{true, false} {
			got := make([]float32, len(src))
			filter1D(src, got, r, isMin, nil)
			for i := range src {
				want := src[i]
				for k := max(0, i-r); k <= min(len(src)-1, i+r); k++ {
					if isMin {
						want = min(want, src[k])
					} else {
						want = max(want, src[k])
					}
				}
				if got[i] != want {
					t.Fatalf("r=%d min=%t at %d: %v, want %v", r, isMin, i, got[i], want)
				}
			}
		}
	}
}

// TestFingerprintVersions: a version 1 fingerprint (stored before the
// lettering was kept) still decodes, without Letters, and CompareMemes
// then judges by the picture as it did; a version 2 one decodes whole.
func TestFingerprintVersions(t *testing.T) {
	orig, cases := compareCases(t, 1, 800, 600)
	blob, _ := orig.MarshalBinary()
	v1 := append([]byte{1}, blob[1:len(blob)-LetterSize*LetterSize]...)
	var old Fingerprint
	if err := old.UnmarshalBinary(v1); err != nil || old.Version != 1 || old.Letters != [len(old.Letters)]uint8{} {
		t.Fatalf("version 1: %v, version %d", err, old.Version)
	}
	var again Fingerprint
	orig.Views = nil // never stored
	if err := again.UnmarshalBinary(blob); err != nil || !reflect.DeepEqual(again, orig) {
		t.Fatalf("version %d round trip: %v", FingerprintVersion, err)
	}
	// Version 2 has the current layout and an older trimming rule: it
	// decodes as it is, for the backfill to recompute.
	v2 := append([]byte{2}, blob[1:]...)
	if err := again.UnmarshalBinary(v2); err != nil || again.Version != 2 || again.Letters != orig.Letters {
		t.Fatalf("version 2: %v, version %d", err, again.Version)
	}
	var indexed Fingerprint
	if err := indexed.UnmarshalIndexed(blob[:IndexedPrefix]); err != nil || indexed.PHash != orig.PHash || indexed.Tone != orig.Tone {
		t.Fatalf("indexed prefix: %v", err)
	}
	fp := fingerprintBytes(t, cases[3].data) // cropped 5% per side
	if v := CompareMemes(old, fp, "", ""); !v.Duplicate || v.LetteringChange != 0 {
		t.Fatalf("against a version 1 fingerprint: %v", v)
	}
}

// TestMorph checks the separable min and max filter over a square against
// the obvious one, on a picture whose sides are not multiples of the block.
func TestMorph(t *testing.T) {
	g := grayImage{w: 23, h: 17, pix: make([]float32, 23*17)}
	for i := range g.pix {
		g.pix[i] = float32((i * 7919) % 251)
	}
	for _, r := range []int{1, 3, 8} {
		for _, isMin := range []bool{true, false} {
			got := morph(g, r, isMin)
			for y := range g.h {
				for x := range g.w {
					want := g.pix[y*g.w+x]
					for yy := max(0, y-r); yy <= min(g.h-1, y+r); yy++ {
						for xx := max(0, x-r); xx <= min(g.w-1, x+r); xx++ {
							if v := g.pix[yy*g.w+xx]; (v < want) == isMin && v != want {
								want = v
							}
						}
					}
					if got.pix[y*g.w+x] != want {
						t.Fatalf("r=%d min=%t at (%d,%d): %v, want %v", r, isMin, x, y, got.pix[y*g.w+x], want)
					}
				}
			}
		}
	}
}
