package media

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// ycbcrOf converts img to a YCbCr image with the given chroma subsampling.
func ycbcrOf(img image.Image, ratio image.YCbCrSubsampleRatio) *image.YCbCr {
	b := img.Bounds()
	m := image.NewYCbCr(b, ratio)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			m.Y[m.YOffset(x, y)] = yy
			m.Cb[m.COffset(x, y)] = cb
			m.Cr[m.COffset(x, y)] = cr
		}
	}
	return m
}

// maxPlaneDiff is the largest difference between the stored samples of
// two images of the same type and size (strides may differ: image/jpeg
// pads planes to whole MCUs).
func maxPlaneDiff(t *testing.T, a, b image.Image) int {
	t.Helper()
	if a.Bounds() != b.Bounds() {
		t.Fatalf("bounds %v, want %v", b.Bounds(), a.Bounds())
	}
	r := a.Bounds()
	worst := 0
	switch m := a.(type) {
	case *image.YCbCr:
		n, ok := b.(*image.YCbCr)
		if !ok || n.SubsampleRatio != m.SubsampleRatio {
			t.Fatalf("decoded %T %v, want %T %v", b, ycbcrRatio(b), a, m.SubsampleRatio)
		}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				i, j := m.YOffset(x, y), n.YOffset(x, y)
				ci, cj := m.COffset(x, y), n.COffset(x, y)
				worst = max(worst, absDiff(int(m.Y[i]), int(n.Y[j])),
					absDiff(int(m.Cb[ci]), int(n.Cb[cj])), absDiff(int(m.Cr[ci]), int(n.Cr[cj])))
			}
		}
	case *image.Gray:
		n, ok := b.(*image.Gray)
		if !ok {
			t.Fatalf("decoded %T, want *image.Gray", b)
		}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				worst = max(worst, absDiff(int(m.GrayAt(x, y).Y), int(n.GrayAt(x, y).Y)))
			}
		}
	default:
		t.Fatalf("unexpected reference type %T", a)
	}
	return worst
}

func ycbcrRatio(img image.Image) any {
	if m, ok := img.(*image.YCbCr); ok {
		return m.SubsampleRatio
	}
	return nil
}

// TestDecodeJPEGMatchesStdlib: the libjpeg-turbo path returns what
// image/jpeg returns, sample for sample up to IDCT rounding.
func TestDecodeJPEGMatchesStdlib(t *testing.T) {
	pic := template(51, 203, 117) // odd sizes: partial MCUs on both axes
	inputs := map[string]image.Image{
		"gray": image.NewGray(pic.Bounds()),
	}
	for _, r := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411,
	} {
		inputs[r.String()] = ycbcrOf(pic, r)
	}
	gray := inputs["gray"].(*image.Gray)
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 7)
	}
	for name, img := range inputs {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := EncodeJPEG(&buf, img, 90); err != nil {
				t.Fatal(err)
			}
			want, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := DecodeImage(buf.Bytes(), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			d := maxPlaneDiff(t, want, got)
			t.Logf("largest sample difference from image/jpeg: %d", d)
			if d > 2 {
				t.Fatalf("samples differ from image/jpeg by up to %d", d)
			}
			// libjpeg-turbo keeps the subsampling (image/jpeg always writes 4:2:0).
			if haveTurboJPEG && fmt.Sprint(ycbcrRatio(got)) != fmt.Sprint(ycbcrRatio(img)) {
				t.Fatalf("decoded subsampling %v, encoded %v", ycbcrRatio(got), ycbcrRatio(img))
			}
		})
	}
}

// TestEncodeJPEGSubImages: sub-images encode their own pixels, also when a
// YCbCr one starts between chroma samples (the standard library does that).
func TestEncodeJPEGSubImages(t *testing.T) {
	pic := template(52, 96, 64)
	ycc := ycbcrOf(pic, image.YCbCrSubsampleRatio420)
	rgba := image.NewRGBA(pic.Bounds())
	copy(rgba.Pix, pic.Pix)
	for name, img := range map[string]image.Image{
		"ycbcr even": ycc.SubImage(image.Rect(10, 20, 60, 50)),
		"ycbcr odd":  ycc.SubImage(image.Rect(11, 21, 61, 51)),
		"rgba":       rgba.SubImage(image.Rect(11, 21, 61, 51)),
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := EncodeJPEG(&buf, img, 95); err != nil {
				t.Fatal(err)
			}
			back, err := jpeg.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if back.Bounds().Size() != b.Size() {
				t.Fatalf("size %v, want %v", back.Bounds().Size(), b.Size())
			}
			for _, p := range []image.Point{{5, 5}, {25, 15}, {40, 25}} {
				if !near(back.At(p.X, p.Y), img.At(b.Min.X+p.X, b.Min.Y+p.Y), 16) {
					t.Fatalf("pixel %v: %v, want about %v", p, back.At(p.X, p.Y), img.At(b.Min.X+p.X, b.Min.Y+p.Y))
				}
			}
		})
	}
}
