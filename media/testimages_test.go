package media

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/disintegration/imaging"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Generated test pictures: no binary testdata is checked in.

var (
	boldOnce sync.Once
	boldFont *opentype.Font
)

func testFace(t testing.TB, size float64) font.Face {
	t.Helper()
	boldOnce.Do(func() {
		f, err := opentype.Parse(gobold.TTF)
		if err != nil {
			panic(err)
		}
		boldFont = f
	})
	face, err := opentype.NewFace(boldFont, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	return face
}

// template draws a "meme template" picture: a gradient with random shapes.
func template(seed uint64, w, h int) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, seed*7+1))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	c0 := randColor(rng)
	c1 := randColor(rng)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			t := (float64(x)/float64(w) + float64(y)/float64(h)) / 2
			img.SetNRGBA(x, y, mix(c0, c1, t))
		}
	}
	for range 12 {
		c := randColor(rng)
		cx, cy := rng.IntN(w), rng.IntN(h)
		r := (0.04 + 0.12*rng.Float64()) * float64(w)
		if rng.IntN(2) == 0 {
			fillCircle(img, cx, cy, r, c)
		} else {
			draw.Draw(img, image.Rect(cx-int(r), cy-int(r/2), cx+int(r), cy+int(r/2)), image.NewUniform(c), image.Point{}, draw.Src)
		}
	}
	return img
}

func randColor(rng *rand.Rand) color.NRGBA {
	return color.NRGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
}

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t) }
	return color.NRGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}

func fillCircle(img *image.NRGBA, cx, cy int, r float64, c color.NRGBA) {
	b := img.Bounds()
	for y := max(cy-int(r), 0); y < min(cy+int(r)+1, b.Dy()); y++ {
		for x := max(cx-int(r), 0); x < min(cx+int(r)+1, b.Dx()); x++ {
			if math.Hypot(float64(x-cx), float64(y-cy)) <= r {
				img.SetNRGBA(x, y, c)
			}
		}
	}
}

// drawText writes text with its top-left corner near (x, y); outline > 0
// draws an outline of that many pixels in outlineColor first.
func drawText(t testing.TB, img draw.Image, text string, x, y int, size float64, fill, outlineColor color.Color, outline int) {
	t.Helper()
	face := testFace(t, size)
	defer face.Close()
	ascent := face.Metrics().Ascent.Ceil()
	d := font.Drawer{Dst: img, Face: face}
	if outline > 0 {
		d.Src = image.NewUniform(outlineColor)
		for dy := -outline; dy <= outline; dy += outline {
			for dx := -outline; dx <= outline; dx += outline {
				d.Dot = fixed.P(x+dx, y+ascent+dy)
				d.DrawString(text)
			}
		}
	}
	d.Src = image.NewUniform(fill)
	d.Dot = fixed.P(x, y+ascent)
	d.DrawString(text)
}

func textWidth(t testing.TB, text string, size float64) int {
	face := testFace(t, size)
	defer face.Close()
	return font.MeasureString(face, text).Ceil()
}

// meme puts big white outlined captions at the top and bottom of a copy of img.
func meme(t testing.TB, img *image.NRGBA, top, bottom string) *image.NRGBA {
	out := imaging.Clone(img)
	w, h := out.Bounds().Dx(), out.Bounds().Dy()
	size := float64(h) / 9
	for i, line := range []string{top, bottom} {
		s := size
		for textWidth(t, line, s) > w*9/10 {
			s *= 0.9
		}
		x := (w - textWidth(t, line, s)) / 2
		y := h / 30
		if i == 1 {
			y = h - h/30 - int(s*1.2)
		}
		drawText(t, out, line, x, y, s, color.White, color.Black, max(2, int(s/18)))
	}
	return out
}

// watermarkCorner adds small semi-transparent text in the given corner (0..3).
func watermarkCorner(t testing.TB, img *image.NRGBA, text string, corner int) *image.NRGBA {
	out := imaging.Clone(img)
	w, h := out.Bounds().Dx(), out.Bounds().Dy()
	size := math.Max(12, 0.03*float64(w))
	tw := textWidth(t, text, size)
	x, y := 6, 6
	if corner%2 == 1 {
		x = w - tw - 6
	}
	if corner >= 2 {
		y = h - int(size*1.3) - 6
	}
	drawText(t, out, text, x, y, size, color.NRGBA{255, 255, 255, 110}, color.NRGBA{0, 0, 0, 110}, 1)
	return out
}

// captionBar adds a white band with black text above img.
func captionBar(t testing.TB, img *image.NRGBA, text string) *image.NRGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	band := h / 5
	out := image.NewNRGBA(image.Rect(0, 0, w, h+band))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(0, band, w, h+band), img, image.Point{}, draw.Src)
	size := float64(band) / 3
	drawText(t, out, text, w/20, band/2-int(size*0.6), size, color.Black, nil, 0)
	return out
}

func cropShare(img *image.NRGBA, share float64) *image.NRGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dx, dy := int(share*float64(w)), int(share*float64(h))
	return imaging.Crop(img, image.Rect(dx, dy, w-dx, h-dy))
}

func brighten(img *image.NRGBA, delta int) *image.NRGBA {
	out := imaging.Clone(img)
	for i := range out.Pix {
		if i%4 != 3 {
			out.Pix[i] = uint8(min(255, int(out.Pix[i])+delta))
		}
	}
	return out
}

func encodeJPEGBytes(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNGBytes(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fingerprintBytes decodes like production code does and fingerprints.
func fingerprintBytes(t testing.TB, data []byte) Fingerprint {
	t.Helper()
	img, _, err := DecodeImage(data, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	return NewFingerprint(data, img)
}
