// Package imgutil holds the small image helpers shared by the moderation
// checks: luma conversion and resizing of grayscale images.
package imgutil

import (
	"image"
	"image/color"

	"github.com/disintegration/imaging"

	"memebot/media"
)

// Gray returns the luma of img as an 8-bit grayscale image whose bounds start
// at (0,0). JPEG images (YCbCr) reuse their Y plane without per-pixel
// conversion.
func Gray(img image.Image) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch src := img.(type) {
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			off := src.YOffset(b.Min.X, b.Min.Y+y)
			copy(out.Pix[y*out.Stride:y*out.Stride+b.Dx()], src.Y[off:off+b.Dx()])
		}
	case *image.Gray:
		for y := 0; y < b.Dy(); y++ {
			off := src.PixOffset(b.Min.X, b.Min.Y+y)
			copy(out.Pix[y*out.Stride:y*out.Stride+b.Dx()], src.Pix[off:off+b.Dx()])
		}
	case *image.RGBA:
		for y := 0; y < b.Dy(); y++ {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := out.Pix[y*out.Stride:]
			for x := 0; x < b.Dx(); x++ {
				dst[x] = luma(row[4*x], row[4*x+1], row[4*x+2])
			}
		}
	case *image.NRGBA:
		for y := 0; y < b.Dy(); y++ {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := out.Pix[y*out.Stride:]
			for x := 0; x < b.Dx(); x++ {
				// Transparent pixels count as white, as Telegram shows them.
				a := uint32(row[4*x+3])
				r := (uint32(row[4*x])*a + 255*(255-a)) / 255
				g := (uint32(row[4*x+1])*a + 255*(255-a)) / 255
				bl := (uint32(row[4*x+2])*a + 255*(255-a)) / 255
				dst[x] = luma(uint8(r), uint8(g), uint8(bl))
			}
		}
	default:
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				out.Pix[y*out.Stride+x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
			}
		}
	}
	return out
}

// luma uses the ITU-R BT.601 weights, as JPEG and OpenCV do.
func luma(r, g, b uint8) uint8 {
	return uint8((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 1<<15) >> 16)
}

// ResizeGray scales g to the given width, keeping the aspect ratio, by area
// averaging when shrinking (no aliasing) and with a linear filter when
// enlarging. It returns g itself when the width already matches.
func ResizeGray(g *image.Gray, width int) *image.Gray {
	b := g.Bounds()
	if width < b.Dx() {
		return media.ShrinkGray(g, width, scaledHeight(b, width))
	}
	return enlargeGray(g, width)
}

// SubsampleGray shrinks g to the given width by picking the nearest pixel,
// which keeps edges as crisp as they were (what a sharpness measure must
// see). Images narrower than width are returned as they are.
func SubsampleGray(g *image.Gray, width int) *image.Gray {
	b := g.Bounds()
	if b.Dx() <= width {
		return g
	}
	height := scaledHeight(b, width)
	out := image.NewGray(image.Rect(0, 0, width, height))
	xs := make([]int, width)
	for x := range xs {
		xs[x] = nearest(x, b.Dx(), width)
	}
	for y := range height {
		src := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+nearest(y, b.Dy(), height)):]
		dst := out.Pix[y*out.Stride:][:width]
		for x, sx := range xs {
			dst[x] = src[sx]
		}
	}
	return out
}

// nearest is the source index whose pixel covers the centre of pixel i
// when n source pixels are shrunk to m (what imaging's NearestNeighbor picks).
func nearest(i, n, m int) int {
	return min((2*i+1)*n/(2*m), n-1)
}

func enlargeGray(g *image.Gray, width int) *image.Gray {
	b := g.Bounds()
	if b.Dx() == width || b.Dx() == 0 {
		return g
	}
	height := scaledHeight(b, width)
	scaled := imaging.Resize(g, width, height, imaging.Linear)
	out := image.NewGray(image.Rect(0, 0, width, height))
	for i := range out.Pix {
		out.Pix[i] = scaled.Pix[4*i]
	}
	return out
}

// scaledHeight is the height that keeps b's aspect ratio at width.
func scaledHeight(b image.Rectangle, width int) int {
	return max(1, (b.Dy()*width+b.Dx()/2)/b.Dx())
}
