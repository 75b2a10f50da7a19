package media

import (
	"fmt"
	"testing"

	"github.com/disintegration/imaging"
)

// TestCompareDuplicates is the contract of the duplicate decision: every
// edit a reposter makes must still match the original, and a different
// caption on the same template or another picture must not.
func TestCompareDuplicates(t *testing.T) {
	for _, size := range compareSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			testCompareCases(t, size.seed, size.w, size.h)
		})
	}
}

// compareSizes are the originals compareCases draws, with their seeds.
var compareSizes = []struct {
	seed uint64
	w, h int
}{{1, 800, 600}, {4, 640, 800}, {7, 1000, 1000}}

// compareCase is an edit of an original meme and whether it is a repost.
type compareCase struct {
	name string
	data []byte
	dup  bool
}

// compareCases draws an original meme from seed and every edit the
// duplicate decision must accept or reject.
func compareCases(t testing.TB, seed uint64, w, h int) (orig Fingerprint, cases []compareCase) {
	tpl := template(seed, w, h)
	original := meme(t, tpl, "WHEN THE CODE", "FINALLY COMPILES")
	origBytes := encodeJPEGBytes(t, original, 90)
	orig = fingerprintBytes(t, origBytes)

	marked := watermarkCorner(t, original, "@memebot", 3)

	cases = []compareCase{
		{"same file", origBytes, true},
		{"jpeg quality 60", encodeJPEGBytes(t, original, 60), true},
		{"resized to 50%", encodeJPEGBytes(t, imaging.Resize(original, w/2, 0, imaging.Lanczos), 85), true},
		{"cropped 5% per side", encodeJPEGBytes(t, cropShare(original, 0.05), 85), true},
		{"cropped 3% per side", encodeJPEGBytes(t, cropShare(original, 0.03), 85), true},
		{"brightened +10", encodeJPEGBytes(t, brighten(original, 10), 85), true},
		{"converted to png", encodePNGBytes(t, original), true},
		{"watermarked in a corner", encodeJPEGBytes(t, watermarkCorner(t, original, "@otherchannel", 0), 85), true},
		{"re-watermarked elsewhere", encodeJPEGBytes(t, watermarkCorner(t, marked, "@memes_daily", 0), 85), true},
		{"caption bar added above", encodeJPEGBytes(t, captionBar(t, original, "lol this is so me"), 85), true},
		{"same template, different text", encodeJPEGBytes(t, meme(t, tpl, "ME AT 3 AM", "DEBUGGING PROD"), 90), false},
		{"same template, similar text", encodeJPEGBytes(t, meme(t, tpl, "WHEN THE TESTS", "FINALLY PASS"), 90), false},
		{"unrelated picture", encodeJPEGBytes(t, meme(t, template(seed+1, w, h), "WHEN THE CODE", "FINALLY COMPILES"), 90), false},
		{"unrelated picture 2", encodeJPEGBytes(t, template(seed+2, w, h), 90), false},
	}
	return orig, cases
}

func testCompareCases(t *testing.T, seed uint64, w, h int) {
	orig, cases := compareCases(t, seed, w, h)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fp := fingerprintBytes(t, tc.data)
			v := Compare(orig, fp)
			t.Logf("%s (unaligned tone distance %.1f)", v, toneDistance(&orig.Tone, &fp.Tone))
			if v.Duplicate != tc.dup {
				t.Errorf("Compare = %v, want duplicate=%t", v, tc.dup)
			}
			if r := Compare(fp, orig); r.Duplicate != v.Duplicate {
				t.Errorf("not symmetric: %v vs %v", v, r)
			}
		})
	}
}
