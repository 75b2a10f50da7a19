package watermark

import (
	"image"

	"memebot/media"
)

// blendNRGBA composites p onto dst with its top-left corner at at.
func blendNRGBA(dst *image.NRGBA, p patch, at image.Point) {
	r := image.Rect(at.X, at.Y, at.X+p.w, at.Y+p.h).Intersect(dst.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			k := (y-at.Y)*p.w + (x - at.X)
			a := p.alpha[k]
			if a == 0 {
				continue
			}
			level := float32(p.level[k])
			i := dst.PixOffset(x, y)
			px := dst.Pix[i : i+3 : i+3]
			for c, v := range px {
				px[c] = uint8(float32(v) + a*(level-float32(v)) + 0.5)
			}
		}
	}
}

// blendYCbCr composites p onto a YCbCr image in place. The text is gray,
// so in YCbCr (an affine map of RGB) blending it moves Y towards its level
// and the chroma towards neutral 128 by the same alpha. Subsampled chroma
// samples use the mean alpha of the pixels they cover.
func blendYCbCr(dst *image.YCbCr, p patch, at image.Point) {
	r := image.Rect(at.X, at.Y, at.X+p.w, at.Y+p.h).Intersect(dst.Rect)
	hs, vs := media.ChromaFactors(dst.SubsampleRatio)
	chroma := map[int]float32{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			k := (y-at.Y)*p.w + (x - at.X)
			a := p.alpha[k]
			if a == 0 {
				continue
			}
			i := dst.YOffset(x, y)
			v := float32(dst.Y[i])
			dst.Y[i] = uint8(v + a*(float32(p.level[k])-v) + 0.5)
			chroma[dst.COffset(x, y)] += a
		}
	}
	share := 1 / float32(hs*vs)
	for ci, sum := range chroma {
		a := sum * share
		cb, cr := float32(dst.Cb[ci]), float32(dst.Cr[ci])
		dst.Cb[ci] = uint8(cb + a*(128-cb) + 0.5)
		dst.Cr[ci] = uint8(cr + a*(128-cr) + 0.5)
	}
}

func cloneYCbCr(m *image.YCbCr) *image.YCbCr {
	return &image.YCbCr{
		Y:              append([]uint8(nil), m.Y...),
		Cb:             append([]uint8(nil), m.Cb...),
		Cr:             append([]uint8(nil), m.Cr...),
		YStride:        m.YStride,
		CStride:        m.CStride,
		SubsampleRatio: m.SubsampleRatio,
		Rect:           m.Rect,
	}
}
