package media

import (
	"image"
	"image/draw"
	"testing"
)

// clipArt pastes a small drawing in the middle of a white ground and
// captions it: most of the picture is the ground.
func clipArt(t *testing.T, seed uint64, top, bottom string) *image.NRGBA {
	canvas := image.NewNRGBA(image.Rect(0, 0, 720, 540))
	draw.Draw(canvas, canvas.Bounds(), image.White, image.Point{}, draw.Src)
	art := template(seed, 300, 330)
	draw.Draw(canvas, art.Bounds().Add(image.Pt(210, 105)), art, image.Point{}, draw.Src)
	return meme(t, canvas, top, bottom)
}

// A caption bar as white as the ground it is glued to merges with it: the
// trimmed box keeps the bar's text and is taller than the original's by the
// whole bar, which the index's quick test and the pHash do not forgive. The
// upload is also read without that line (Fingerprint.Views): the repost is
// found and called a duplicate, the same drawing under another caption is
// not, and an upload without such a line gets no view.
func TestCaptionBarOnAPlainGround(t *testing.T) {
	s := newMemeStore()
	orig := clipArt(t, 5, "WHEN THE CODE", "FINALLY COMPILES")
	s.add(1, fingerprintBytes(t, encodeJPEGBytes(t, orig, 90)))
	s.add(2, fingerprintBytes(t, encodeJPEGBytes(t, clipArt(t, 6, "NOBODY", "ABSOLUTELY NOBODY"), 90)))

	repost := fingerprintBytes(t, encodeJPEGBytes(t, captionBar(t, orig, "tag someone who does this every day"), 85))
	if len(repost.Views) == 0 {
		t.Fatal("the captioned repost has no view without its bar")
	}
	cands := s.idx.Candidates(repost, 8)
	if len(cands) == 0 || cands[0].ID != 1 {
		t.Fatalf("candidates of the captioned repost: %v, want meme 1 first", candidateIDs(cands))
	}
	text := "WHEN THE CODE FINALLY COMPILES"
	if v := CompareMemes(repost, s.fps[1], "tag someone who does this every day "+text, text); !v.Duplicate {
		t.Errorf("captioned repost: %v", v)
	}
	other := fingerprintBytes(t, encodeJPEGBytes(t, captionBar(t, clipArt(t, 5, "WHEN THE CODE", "IS ON FIRE"), "tag someone who does this every day"), 85))
	if v := CompareMemes(other, s.fps[1], "tag someone who does this every day WHEN THE CODE IS ON FIRE", text); v.Duplicate {
		t.Errorf("the same drawing under another caption: %v", v)
	}
	if plain := fingerprintBytes(t, encodeJPEGBytes(t, template(7, 640, 480), 90)); len(plain.Views) != 0 {
		t.Errorf("a picture on no plain ground got %d views", len(plain.Views))
	}
}
