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

// TestClaimWaitsForTheTextOfAMemeBeingRead: two uploads of one picture
// with different texts at the same moment. The first is created before its
// text is read; the second, whose picture matches, asks for its own text,
// then waits for the first's (errTextPending) and is judged by the texts
// once it is stored. Past the wait it is a suspect for moderators.
func TestClaimWaitsForTheTextOfAMemeBeingRead(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	d := NewDeduplicator(st)
	photo := func() claim { return claim{meme: storage.Meme{Type: "photo", Language: "ru"}} }
	first, _, err := d.Claim(ctx, photo(), photoFingerprint(t, "mate-Blinds.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	template := photoFingerprint(t, "mate-Blinds~template1.jpg")
	if _, _, err := d.Claim(ctx, photo(), template); !errors.Is(err, errNeedText) {
		t.Fatalf("a matching picture without its text: %v, want errNeedText", err)
	}
	other := photo()
	text := "WHEN THE CODE COMPILES\nAT TWO IN THE MORNING"
	other.text = &text
	if _, _, err := d.Claim(ctx, other, template); !errors.Is(err, errTextPending) {
		t.Fatalf("the first meme's text not read yet: %v, want errTextPending", err)
	}
	late := other
	late.pendingAsSuspect = true
	m, dup, err := d.Claim(ctx, late, template)
	if err != nil || dup == nil || !dup.Verdict.Suspect || dup.Verdict.Duplicate || dup.Of.ID != first.ID || m.ID == 0 {
		t.Fatalf("past the wait: meme %d, suspect %+v, %v", m.ID, dup, err)
	}
	if err := st.SetMemeAnalysis(ctx, first.ID, storage.Analysis{Checks: []byte(`{"results":[]}`), OCRText: "WHEN THE CODE COMPILES\nON THE FIRST TRY"}); err != nil {
		t.Fatal(err)
	}
	if m, dup, err := d.Claim(ctx, other, photoFingerprint(t, "mate-Blinds~template0.jpg")); err != nil || dup != nil || m.ID == 0 {
		t.Fatalf("once read, other text is a new meme: meme %d, duplicate %+v, %v", m.ID, dup, err)
	}
}

// TestClaimJudgesByPictureAMemeNeverRead: a meme that was never analysed
// and is not being processed (seeded, or stored before texts were read)
// has no text to compare; its picture decides.
func TestClaimJudgesByPictureAMemeNeverRead(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	d := NewDeduplicator(st)
	c := claim{meme: storage.Meme{Type: "photo", Language: "en"}}
	orig, _, err := d.Claim(ctx, c, photoFingerprint(t, "mate-Aqua.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ChangeMemeStatus(ctx, orig.ID, storage.MemeOK, "seeded", nil); err != nil {
		t.Fatal(err)
	}
	_, dup, err := d.Claim(ctx, c, photoFingerprint(t, "mate-Aqua~watermark_jpeg_q35_crop3.jpg"))
	if err != nil || dup == nil || dup.Of.ID != orig.ID || dup.Verdict.Suspect {
		t.Fatalf("repost of a meme never read: duplicate %+v, %v", dup, err)
	}
}

// TestClaimSuspectsTheSamePictureUnderOtherLettering: OCR read too little
// of the lettering on a busy photograph to compare texts; the same picture
// under another bottom line becomes a meme marked as a suspect of the
// original, while a repost is a duplicate.
func TestClaimSuspectsTheSamePictureUnderOtherLettering(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	d := NewDeduplicator(st)
	photo := func(text string) claim {
		return claim{meme: storage.Meme{Type: "photo", Language: "en"}, text: &text}
	}
	orig, _, err := d.Claim(ctx, photo("C START"), photoFingerprint(t, "plasma-ColorfulCups.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetMemeAnalysis(ctx, orig.ID, storage.Analysis{Checks: []byte(`{"results":[]}`), OCRText: "C START"}); err != nil {
		t.Fatal(err)
	}
	m, dup, err := d.Claim(ctx, photo("C START NOW"), photoFingerprint(t, "plasma-ColorfulCups~template1.jpg"))
	if err != nil || m.ID == 0 || dup == nil || !dup.Verdict.Suspect || dup.Of.ID != orig.ID || dup.Verdict.LetteringChange <= media.MaxLetteringChange {
		t.Fatalf("other lettering: meme %d, suspect %+v, %v", m.ID, dup, err)
	}
	_, dup, err = d.Claim(ctx, photo("START"), photoFingerprint(t, "plasma-ColorfulCups~crop5_contrastm15_resize60.jpg"))
	if err != nil || dup == nil || dup.Verdict.Suspect || dup.Of.ID != orig.ID {
		t.Fatalf("repost: duplicate %+v, %v", dup, err)
	}
}

// TestClaimReadsTheTextOfAPictureRewatermarked: a repost whose new
// watermark over the drawing's side changed more edge cells than a crop
// may is a duplicate only when its text agrees (media.CompareMemes), so
// its picture must ask for the upload's text although it does not match
// on its own; without that the repost became a new meme.
func TestClaimReadsTheTextOfAPictureRewatermarked(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	d := NewDeduplicator(st)
	photo := func() claim { return claim{meme: storage.Meme{Type: "photo", Language: "en"}} }
	const text = "ME AFTER ONE COFFEE\nREADY TO FIGHT A BEAR"
	orig, _, err := d.Claim(ctx, photo(), photoFingerprint(t, "animals-bee3_mimooh_01.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetMemeAnalysis(ctx, orig.ID, storage.Analysis{Checks: []byte(`{"results":[]}`), OCRText: text}); err != nil {
		t.Fatal(err)
	}
	repost := photoFingerprint(t, "animals-bee3_mimooh_01~watermark_jpeg_q35_crop3.jpg")
	if _, _, err := d.Claim(ctx, photo(), repost); !errors.Is(err, errNeedText) {
		t.Fatalf("a picture re-watermarked, without its text: %v, want errNeedText", err)
	}
	withText := photo()
	read := text
	withText.text = &read
	_, dup, err := d.Claim(ctx, withText, repost)
	if err != nil || dup == nil || dup.Of.ID != orig.ID || dup.Verdict.Suspect {
		t.Fatalf("re-watermarked repost with the same text: duplicate %+v, %v", dup, err)
	}
}
