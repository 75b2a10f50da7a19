package pipeline

import (
	"context"
	"errors"
	"os"
	"testing"

	"memebot/media"
	"memebot/storage"
	"memebot/storage/storagetest"
)

func photoFingerprint(t *testing.T, name string) media.Fingerprint {
	t.Helper()
	data, err := os.ReadFile("../dedupeval/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := media.DecodeImage(data, media.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	return media.NewFingerprint(data, img)
}

// TestClaimComparesTextsWhenPicturesMatch: a picture that matches an
// analysed meme asks for the upload's text; with it, the same picture with
// another line is a new meme and a cropped repost with the same text is a
// duplicate; a second look creates the meme whatever it resembles.
func TestClaimComparesTextsWhenPicturesMatch(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	d := NewDeduplicator(st)
	photo := func() claim { return claim{meme: storage.Meme{Type: "photo", Language: "ru"}} }
	withText := func(c claim, text string) claim { c.text = &text; return c }

	const origText = "КОГДА КОД СОБРАЛСЯ\nС ПЕРВОГО РАЗА"
	orig, dup, err := d.Claim(ctx, withText(photo(), origText), photoFingerprint(t, "mate-Blinds.jpg"))
	if err != nil || dup != nil {
		t.Fatalf("first meme: %v, duplicate %+v", err, dup)
	}
	if err := st.SetMemeAnalysis(ctx, orig.ID, storage.Analysis{Checks: []byte(`{"results":[]}`), OCRText: origText}); err != nil {
		t.Fatal(err)
	}

	template := photoFingerprint(t, "mate-Blinds~template1.jpg")
	if _, _, err := d.Claim(ctx, photo(), template); !errors.Is(err, errNeedText) {
		t.Fatalf("a matching picture without its text: %v, want errNeedText", err)
	}
	if m, dup, err := d.Claim(ctx, withText(photo(), "КОГДА КОД СОБРАЛСЯ\nВ ДВА ЧАСА НОЧИ"), template); err != nil || dup != nil || m.ID == 0 {
		t.Fatalf("same picture, other text: meme %d, duplicate %+v, %v", m.ID, dup, err)
	}

	repost := photoFingerprint(t, "mate-Blinds~crop4_bright_12.jpg")
	_, dup, err = d.Claim(ctx, withText(photo(), "КОГДА КОД СОБРАЛСЯ С ПЕРВОГО РАЗА"), repost)
	if err != nil || dup == nil || dup.Of.ID != orig.ID || !dup.Verdict.TextCompared || dup.Verdict.TextSimilarity < media.MinTextSimilarity {
		t.Fatalf("cropped repost: duplicate %+v, %v", dup, err)
	}

	second := photo()
	second.secondLook = true
	if m, dup, err := d.Claim(ctx, second, repost); err != nil || dup != nil || m.ID == 0 {
		t.Fatalf("second look: meme %d, duplicate %+v, %v", m.ID, dup, err)
	}
}

// TestClaimJudgesByPictureWhileTheStoredMemeIsUnread: a meme whose checks
// have not run yet has no text to compare; its picture decides.
func TestClaimJudgesByPictureWhileTheStoredMemeIsUnread(t *testing.T) {
	ctx := context.Background()
	d := NewDeduplicator(storagetest.NewStore(t))
	c := claim{meme: storage.Meme{Type: "photo", Language: "en"}}
	orig, _, err := d.Claim(ctx, c, photoFingerprint(t, "mate-Aqua.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	_, dup, err := d.Claim(ctx, c, photoFingerprint(t, "mate-Aqua~watermark_jpeg_q35_crop3.jpg"))
	if err != nil || dup == nil || dup.Of.ID != orig.ID || dup.Of.Status != storage.MemeProcessing {
		t.Fatalf("repost of a meme in processing: duplicate %+v, %v", dup, err)
	}
}
