package media

import (
	"image"

	"github.com/disintegration/imaging"
)

// Shrink scales img down by area averaging so that it fits in
// maxSide x maxSide, keeping its aspect ratio; an image that already fits
// is returned as it is. YCbCr and gray images keep their type (JPEG's planes
// are averaged one by one, so the result still encodes on the libjpeg-turbo
// path); other images become *image.NRGBA.
func Shrink(img image.Image, maxSide int) image.Image {
	b := img.Bounds()
	if b.Dx() <= maxSide && b.Dy() <= maxSide {
		return img
	}
	w, h := fitInside(b.Dx(), b.Dy(), maxSide)
	switch m := img.(type) {
	case *image.Gray:
		return ShrinkGray(m, w, h)
	case *image.YCbCr:
		if out, ok := shrinkYCbCr(m, w, h); ok {
			return out
		}
	}
	return imaging.Resize(img, w, h, imaging.Box)
}

// ShrinkGray scales g to w x h (no larger than g) by area averaging: every
// output pixel is the mean of the source area it covers, so thin strokes
// fade instead of breaking up as they do with sampling filters.
func ShrinkGray(g *image.Gray, w, h int) *image.Gray {
	b := g.Bounds()
	w, h = min(max(w, 1), b.Dx()), min(max(h, 1), b.Dy())
	out := image.NewGray(image.Rect(0, 0, w, h))
	shrinkPlane(plane{out.Pix, out.Stride, w, h}, plane{g.Pix[g.PixOffset(b.Min.X, b.Min.Y):], g.Stride, b.Dx(), b.Dy()})
	return out
}

// shrinkYCbCr shrinks each plane of m, keeping its chroma subsampling. ok is
// false for a sub-image that starts between chroma samples.
func shrinkYCbCr(m *image.YCbCr, w, h int) (*image.YCbCr, bool) {
	fx, fy := ChromaFactors(m.SubsampleRatio)
	b := m.Rect
	if b.Min.X%fx != 0 || b.Min.Y%fy != 0 {
		return nil, false
	}
	out := image.NewYCbCr(image.Rect(0, 0, w, h), m.SubsampleRatio)
	shrinkPlane(plane{out.Y, out.YStride, w, h}, plane{m.Y[m.YOffset(b.Min.X, b.Min.Y):], m.YStride, b.Dx(), b.Dy()})
	cw, ch := ceilDiv(w, fx), ceilDiv(h, fy)
	scw, sch := ceilDiv(b.Dx(), fx), ceilDiv(b.Dy(), fy)
	c := m.COffset(b.Min.X, b.Min.Y)
	shrinkPlane(plane{out.Cb, out.CStride, cw, ch}, plane{m.Cb[c:], m.CStride, scw, sch})
	shrinkPlane(plane{out.Cr, out.CStride, cw, ch}, plane{m.Cr[c:], m.CStride, scw, sch})
	return out, true
}

// ChromaFactors is how many luma pixels one chroma sample spans, across and down.
func ChromaFactors(r image.YCbCrSubsampleRatio) (fx, fy int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

func ceilDiv(n, k int) int { return (n + k - 1) / k }

// plane is one 8-bit channel: w x h samples, rows stride bytes apart.
type plane struct {
	pix    []byte
	stride int
	w, h   int
}

// weightOne is the fixed-point 1.0 of the averaging weights.
const weightOne = 1 << 16

// shrinkPlane area-averages src into dst (no larger than src): each source
// row is added into a row of sums with its vertical weight, then the sums
// are averaged horizontally.
func shrinkPlane(dst, src plane) {
	xs := fixedSpans(src.w, dst.w)
	ys := fixedSpans(src.h, dst.h)
	sums := make([]uint32, src.w)
	for j, ys := range ys {
		clear(sums)
		for k, wy := range ys.w {
			row := src.pix[(ys.first+k)*src.stride:][:src.w]
			for x, v := range row {
				sums[x] += wy * uint32(v)
			}
		}
		out := dst.pix[j*dst.stride:][:dst.w]
		for i, xs := range xs {
			var acc uint64
			for k, wx := range xs.w {
				acc += uint64(wx) * uint64(sums[xs.first+k])
			}
			out[i] = uint8((acc + weightOne*weightOne/2) / (weightOne * weightOne))
		}
	}
}

// fixedSpan is the source pixels one output pixel covers, with weights
// summing to weightOne.
type fixedSpan struct {
	first int
	w     []uint32
}

// fixedSpans splits size source pixels into n equal cells.
func fixedSpans(size, n int) []fixedSpan {
	spans := spanWeights(0, float64(size), size, n)
	out := make([]fixedSpan, n)
	for i, s := range spans {
		ws := make([]uint32, len(s.w))
		left := uint32(weightOne)
		for k, f := range s.w {
			ws[k] = min(uint32(f*weightOne+0.5), left)
			left -= ws[k]
		}
		ws[len(ws)-1] += left // the rounding remainder, so the weights sum to one exactly
		out[i] = fixedSpan{first: s.first, w: ws}
	}
	return out
}
