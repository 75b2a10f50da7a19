package ocr

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"strings"
	"testing"

	"memebot/internal/cputime"
	"memebot/moderation"
	"memebot/moderation/internal/memetest"
)

// BenchmarkLocalChecks measures the local part of the analysis of one
// 1080 px meme (decoded from JPEG, as uploads arrive): blur, OCR and the ad
// check. Run with -cpu 1.
func BenchmarkLocalChecks(b *testing.B) {
	pool := newTestPool(b, 1)
	var buf bytes.Buffer
	src := memetest.Render(memetest.Options{Width: 1080, Text: "WHEN THE CODE\nCOMPILES FIRST TIME", Outlined: true, Bold: true, Background: memetest.Busy, Seed: 1})
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	img, err := jpeg.Decode(&buf)
	if err != nil {
		b.Fatal(err)
	}
	ocr := &moderation.OCRCheck{Reader: pool}
	blur := &moderation.BlurCheck{}
	ads := moderation.NewAdCheck(moderation.AdConfig{})
	ctx := context.Background()
	b.ResetTimer()
	defer reportCPU(b, int64(cputime.Process()))
	for b.Loop() {
		in := &moderation.Input{Images: []image.Image{img}, Caption: "friday deploy"}
		if r := blur.Check(ctx, in); r.Verdict != moderation.VerdictPass {
			b.Fatalf("blur: %+v", r)
		}
		r := ocr.Check(ctx, in)
		// JPEG ringing can cost a letter ("WHEN" -> "MHEM"); the exact
		// reading is asserted on lossless images in ocr_test.go.
		if text, _ := r.Details["text"].(string); r.Verdict != moderation.VerdictPass || !strings.Contains(text, "COMPILES FIRST TIME") {
			b.Fatalf("ocr: %+v", r)
		}
		in.OCRText = r.Details["text"].(string)
		ads.Check(ctx, in)
	}
}

// BenchmarkReadTextNoText reads a busy 1080 px photo without any text, the
// worst case for Tesseract (every stripe and blob is a candidate letter).
// Run with -cpu 1.
func BenchmarkReadTextNoText(b *testing.B) {
	pool := newTestPool(b, 1)
	img := memetest.Render(memetest.Options{Width: 1080, Background: memetest.Busy, Seed: 7})
	ctx := context.Background()
	defer reportCPU(b, int64(cputime.Process()))
	for b.Loop() {
		if got, err := pool.ReadText(ctx, img); err != nil || countLetters(got.Text) > 3 {
			b.Fatalf("ReadText = %q, %v", got.Text, err)
		}
	}
}

// reportCPU reports the CPU time this process spent per operation since
// start: wall time suffers when other jobs share the machine, the CPU time
// of a -cpu 1 run is the cost itself.
func reportCPU(b *testing.B, start int64) {
	b.ReportMetric(float64(int64(cputime.Process())-start)/float64(b.N)/1e6, "cpu-ms/op")
}
