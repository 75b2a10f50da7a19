//go:build unix

package media_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"testing"

	"memebot/internal/cputime"
	"memebot/media"
	"memebot/watermark"
)

// photoLike is a 1280x1280 picture with gradients, blobs and fine noise,
// so the JPEG codec has realistic work to do.
func photoLike(w, h int) *image.NRGBA {
	rng := rand.New(rand.NewPCG(9, 9))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			n := uint8(rng.IntN(10))
			cx, cy := x/160, y/160
			img.SetNRGBA(x, y, color.NRGBA{uint8(x*200/w) + n, uint8(y*200/h) + n, uint8((cx*37+cy*91)%200) + n, 255})
		}
	}
	return img
}

// BenchmarkProcessImage is the per-meme cost in the ingestion worker:
// decode, fingerprint, watermark and re-encode a 1280x1280 JPEG.
// Run with -cpu 1: the budget is 40 ms on one core.
func BenchmarkProcessImage(b *testing.B) {
	var src bytes.Buffer
	if err := jpeg.Encode(&src, photoLike(1280, 1280), &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	data := src.Bytes()
	img, _, err := media.DecodeImage(data, media.DefaultLimits())
	if err != nil {
		b.Fatal(err)
	}
	marked := watermark.Apply(img, "@memebot", watermark.Options{})
	steps := []struct {
		name string
		run  func()
	}{
		{"all", func() {
			img, _, err := media.DecodeImage(data, media.DefaultLimits())
			if err != nil {
				b.Fatal(err)
			}
			_ = media.NewFingerprint(data, img)
			if err := media.EncodeJPEG(io.Discard, watermark.Apply(img, "@memebot", watermark.Options{}), 85); err != nil {
				b.Fatal(err)
			}
		}},
		{"decode", func() { _, _, _ = media.DecodeImage(data, media.DefaultLimits()) }},
		{"fingerprint", func() { _ = media.NewFingerprint(data, img) }},
		{"watermark", func() { _ = watermark.Apply(img, "@memebot", watermark.Options{}) }},
		{"encode", func() { _ = media.EncodeJPEG(io.Discard, marked, 85) }},
	}
	for _, step := range steps {
		b.Run(step.name, func(b *testing.B) {
			start := int64(cputime.Process())
			for b.Loop() {
				step.run()
			}
			// Wall time suffers when other jobs share the machine; CPU
			// time of this process (GOMAXPROCS=1) is the cost itself.
			b.ReportMetric(float64(int64(cputime.Process())-start)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}
