package moderation

import (
	"context"
	"fmt"
	"image"
	"testing"

	"memebot/moderation/internal/memetest"
)

func TestBlurCheckSeparatesSharpFromBlurredAtAnyResolution(t *testing.T) {
	check := &BlurCheck{}
	for _, width := range []int{480, 1080, 1600} {
		for _, bg := range []memetest.Background{memetest.White, memetest.Busy} {
			sharp := memetest.Render(memetest.Options{Width: width, Text: "SHARP MEME\nTEXT", Outlined: bg != memetest.White, Background: bg, Seed: 4})
			// The same visible blur at every resolution: sigma scales with width.
			blurred := memetest.GaussianBlur(sharp, 3*float64(width)/1080)
			t.Run(fmt.Sprintf("%dpx bg%d", width, bg), func(t *testing.T) {
				rs := check.Check(context.Background(), &Input{Images: []image.Image{sharp}})
				rb := check.Check(context.Background(), &Input{Images: []image.Image{blurred}})
				t.Logf("sharp %.0f blurred %.0f", rs.Score, rb.Score)
				if rs.Verdict != VerdictPass {
					t.Errorf("sharp image: verdict %s score %.1f, want pass", rs.Verdict, rs.Score)
				}
				if rb.Verdict != VerdictReject || rb.Reason != ReasonBlurry {
					t.Errorf("blurred image: verdict %s/%s score %.1f, want reject/blurry", rb.Verdict, rb.Reason, rb.Score)
				}
			})
		}
	}
}

func TestBlurScoreRoughlyIndependentOfResolution(t *testing.T) {
	// The same meme rendered at several sizes scores within a small factor,
	// far from the 100x gap between sharp and blurred.
	for _, bg := range []memetest.Background{memetest.White, memetest.Busy} {
		lo, hi := 1e18, 0.0
		for _, w := range []int{1080, 1600, 2160} {
			img := memetest.Render(memetest.Options{Width: w, Text: "SAME PICTURE", Outlined: bg != memetest.White, Background: bg, Seed: 5})
			s := Sharpness(img, DefaultBlurReferenceWidth)
			lo, hi = min(lo, s), max(hi, s)
		}
		if hi > 2.5*lo {
			t.Errorf("background %d: sharpness ranges %.0f..%.0f across resolutions", bg, lo, hi)
		}
	}
}

func TestBlurCheckVideoKeyframesUseSharpest(t *testing.T) {
	sharp := memetest.Render(memetest.Options{Width: 720, Text: "FRAME", Background: memetest.Busy, Seed: 6})
	blurred := memetest.GaussianBlur(sharp, 4)
	r := (&BlurCheck{}).Check(context.Background(), &Input{Images: []image.Image{blurred, sharp}})
	if r.Verdict != VerdictPass {
		t.Errorf("one sharp keyframe: verdict %s, want pass", r.Verdict)
	}
}

func TestBlurCheckNoImages(t *testing.T) {
	r := (&BlurCheck{}).Check(context.Background(), &Input{})
	if r.Verdict != VerdictSkip {
		t.Errorf("no images: verdict %s, want skip", r.Verdict)
	}
	r = (&BlurCheck{}).Check(context.Background(), &Input{Images: []image.Image{image.NewRGBA(image.Rect(0, 0, 0, 0))}})
	if r.Verdict != VerdictError {
		t.Errorf("empty image: verdict %s, want error", r.Verdict)
	}
}
