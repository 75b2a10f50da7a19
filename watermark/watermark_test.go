package watermark

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

func uniform(w, h int, c color.Color) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

// busyExcept fills img with noise except the quarter around corner calm,
// which stays a flat colour.
func busyExcept(w, h int, calm Corner, flat color.NRGBA) *image.NRGBA {
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		v := uint8(rng.IntN(256))
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = v, uint8(rng.IntN(256)), v, 255
	}
	q := cornerRect(img.Bounds(), calm, w/2, h/2, 0)
	draw.Draw(img, q, image.NewUniform(flat), image.Point{}, draw.Src)
	return img
}

// changed returns the bounding box of pixels that differ, and how many.
func changed(a, b image.Image) (image.Rectangle, int) {
	var box image.Rectangle
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1>>8 != r2>>8 || g1>>8 != g2>>8 || b1>>8 != b2>>8 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
				n++
			}
		}
	}
	return box, n
}

func TestApplyDrawsOnlyInTheCalmCorner(t *testing.T) {
	for _, calm := range []Corner{TopLeft, TopRight, BottomLeft, BottomRight} {
		t.Run(calm.String(), func(t *testing.T) {
			src := busyExcept(800, 600, calm, color.NRGBA{230, 230, 230, 255})
			p := Plan(src, "@memebot", Options{})
			if p.Corner != calm {
				t.Fatalf("Plan chose %v (std %.1f), want the flat %v", p.Corner, p.StdDev, calm)
			}
			out := Apply(src, "@memebot", Options{})
			box, n := changed(src, out)
			if n < 100 {
				t.Fatalf("only %d pixels changed", n)
			}
			if !box.In(p.Rect) {
				t.Fatalf("pixels changed in %v, outside the planned %v", box, p.Rect)
			}
			if !box.In(cornerRect(src.Bounds(), calm, 400, 300, 0)) {
				t.Fatalf("changes %v are not in the %v quarter", box, calm)
			}
		})
	}
}

func TestApplyContrastsWithBackground(t *testing.T) {
	cases := []struct {
		name     string
		bg       color.Gray
		wantDark bool
	}{
		{"white background gets dark text", color.Gray{255}, true},
		{"light gray background gets dark text", color.Gray{190}, true},
		{"black background gets light text", color.Gray{0}, false},
		{"dark gray background gets light text", color.Gray{60}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := uniform(1000, 700, tc.bg)
			p := Plan(src, "@memebot", Options{})
			if p.Dark != tc.wantDark {
				t.Fatalf("Dark = %t, want %t", p.Dark, tc.wantDark)
			}
			out := Apply(src, "@memebot", Options{}).(*image.NRGBA)
			// The strongest change inside the patch is text (not outline)
			// and must move away from the background by about opacity*range.
			var strongest int
			for y := p.Rect.Min.Y; y < p.Rect.Max.Y; y++ {
				for x := p.Rect.Min.X; x < p.Rect.Max.X; x++ {
					d := int(out.NRGBAAt(x, y).R) - int(tc.bg.Y)
					if tc.wantDark {
						d = -d
					}
					strongest = max(strongest, d)
				}
			}
			want := int(0.4 * 0.9 * float64(max(int(tc.bg.Y), 255-int(tc.bg.Y))))
			if strongest < want {
				t.Fatalf("text moves pixels by at most %d levels, want >= %d", strongest, want)
			}
		})
	}
}

func TestSizeScalesWithWidth(t *testing.T) {
	small := Plan(uniform(640, 640, color.White), "@memebot", Options{})
	large := Plan(uniform(1920, 640, color.White), "@memebot", Options{})
	if r := large.Size / small.Size; r < 2.9 || r > 3.1 {
		t.Fatalf("font %0.1f px at 640 wide vs %0.1f px at 1920: ratio %.2f, want 3", small.Size, large.Size, r)
	}
	if large.Rect.Dx() < 2*small.Rect.Dx() {
		t.Fatalf("patch %v at 1920 wide is not much wider than %v at 640", large.Rect, small.Rect)
	}
	tiny := Plan(uniform(200, 200, color.White), "@memebot", Options{})
	if tiny.Size < 14 {
		t.Fatalf("font on a 200 px image is %.1f px, want the 14 px minimum", tiny.Size)
	}
}

func TestCyrillicRenders(t *testing.T) {
	src := uniform(800, 600, color.White)
	a := Apply(src, "Жук", Options{})
	b := Apply(src, "Шум", Options{})
	_, na := changed(src, a)
	if na < 50 {
		t.Fatalf("Cyrillic text changed %d pixels", na)
	}
	// A font without Cyrillic draws the same placeholder box for every letter.
	if _, diff := changed(a, b); diff < 50 {
		t.Fatalf("different Cyrillic words render alike (%d pixels differ)", diff)
	}
}

func TestApplyKeepsJPEGPlanes(t *testing.T) {
	var buf bytes.Buffer
	src := busyExcept(640, 480, TopRight, color.NRGBA{20, 20, 20, 255})
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	decoded, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	ycc := decoded.(*image.YCbCr)
	before := append([]uint8(nil), ycc.Y...)
	out, ok := Apply(ycc, "@мемы", Options{}).(*image.YCbCr)
	if !ok {
		t.Fatalf("Apply on a JPEG returned %T, want *image.YCbCr", out)
	}
	if !bytes.Equal(before, ycc.Y) {
		t.Fatal("Apply modified its input")
	}
	p := Plan(ycc, "@мемы", Options{})
	if p.Corner != TopRight || p.Dark {
		t.Fatalf("placement %+v, want light text top-right", p)
	}
	box, n := changed(ycc, out)
	// Chroma subsampling may touch the pixel row/column next to the patch.
	if n < 100 || !box.In(p.Rect.Inset(-2)) {
		t.Fatalf("%d pixels changed in %v, planned %v", n, box, p.Rect)
	}
}

func BenchmarkApply1280JPEG(b *testing.B) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, busyExcept(1280, 1280, BottomLeft, color.NRGBA{240, 240, 240, 255}), nil); err != nil {
		b.Fatal(err)
	}
	img, _ := jpeg.Decode(&buf)
	for b.Loop() {
		Apply(img, "@memebot", Options{})
	}
}
