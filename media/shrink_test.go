package media

import (
	"image"
	"testing"
)

// TestShrinkGrayAveragesBlocks: halving a picture makes every pixel the
// mean of the 2x2 block it covers, and a non-integer factor keeps the
// picture's mean brightness.
func TestShrinkGrayAveragesBlocks(t *testing.T) {
	src := ycbcrOf(template(5, 300, 200), image.YCbCrSubsampleRatio444)
	g := &image.Gray{Pix: src.Y, Stride: src.YStride, Rect: src.Rect}
	half := ShrinkGray(g, 150, 100)
	for y := range 100 {
		for x := range 150 {
			sum := int(g.GrayAt(2*x, 2*y).Y) + int(g.GrayAt(2*x+1, 2*y).Y) + int(g.GrayAt(2*x, 2*y+1).Y) + int(g.GrayAt(2*x+1, 2*y+1).Y)
			if got := int(half.GrayAt(x, y).Y); absDiff(got*4, sum) > 4 {
				t.Fatalf("(%d,%d) = %d, want the block mean %.2f", x, y, got, float64(sum)/4)
			}
		}
	}
	odd := ShrinkGray(g, 97, 64)
	if odd.Bounds() != image.Rect(0, 0, 97, 64) {
		t.Fatalf("bounds %v", odd.Bounds())
	}
	if a, b := meanGray(g), meanGray(odd); a-b > 1 || b-a > 1 {
		t.Errorf("mean brightness %.2f after shrinking, %.2f before", b, a)
	}
}

// copyYCbCr copies m's samples into a new image at the origin.
func copyYCbCr(m *image.YCbCr) *image.YCbCr {
	b := m.Rect
	out := image.NewYCbCr(image.Rect(0, 0, b.Dx(), b.Dy()), m.SubsampleRatio)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Y[out.YOffset(x-b.Min.X, y-b.Min.Y)] = m.Y[m.YOffset(x, y)]
			out.Cb[out.COffset(x-b.Min.X, y-b.Min.Y)] = m.Cb[m.COffset(x, y)]
			out.Cr[out.COffset(x-b.Min.X, y-b.Min.Y)] = m.Cr[m.COffset(x, y)]
		}
	}
	return out
}

func meanGray(g *image.Gray) float64 {
	var sum float64
	b := g.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			sum += float64(g.GrayAt(x, y).Y)
		}
	}
	return sum / float64(b.Dx()*b.Dy())
}

// TestShrinkKeepsJPEGPlanes: a decoded JPEG stays YCbCr with its chroma
// subsampling, so it is encoded again on the fast path, and a sub-image
// shrinks like a copy of itself.
func TestShrinkKeepsJPEGPlanes(t *testing.T) {
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio444} {
		src := ycbcrOf(template(7, 640, 480), ratio)
		got, ok := Shrink(src, 320).(*image.YCbCr)
		if !ok || got.SubsampleRatio != ratio || got.Bounds() != image.Rect(0, 0, 320, 240) {
			t.Fatalf("%v: got %T %v %v", ratio, got, ycbcrRatio(got), got.Bounds())
		}
		sub := src.SubImage(image.Rect(64, 32, 576, 416)).(*image.YCbCr)
		if d := maxPlaneDiff(t, Shrink(copyYCbCr(sub), 256), Shrink(sub, 256)); d > 0 {
			t.Errorf("%v: a sub-image differs from its copy by %d", ratio, d)
		}
	}
	small := template(8, 200, 100)
	if Shrink(small, 200) != image.Image(small) {
		t.Error("an image that fits was copied")
	}
}

func BenchmarkShrink(b *testing.B) {
	src := ycbcrOf(template(7, 1080, 1080), image.YCbCrSubsampleRatio420)
	g := &image.Gray{Pix: src.Y, Stride: src.YStride, Rect: src.Rect}
	b.Run("gray720", func(b *testing.B) {
		for b.Loop() {
			ShrinkGray(g, 720, 720)
		}
	})
	b.Run("ycbcr1024", func(b *testing.B) {
		for b.Loop() {
			Shrink(src, 1024)
		}
	})
}
