package media

import (
	"image"
	"image/color"
)

// grayImage is a small grayscale picture with float32 pixels in [0, 255].
type grayImage struct {
	w, h int
	pix  []float32
}

// lumaRowFunc returns the luma of row y (absolute coordinate) of an image,
// either as a view into the image or written into buf.
type lumaRowFunc func(y int, buf []uint8) []uint8

// lumaRows picks, once per image, the cheapest way to read luma rows.
// JPEGs decode to *image.YCbCr whose Y plane already is the luma.
func lumaRows(img image.Image) lumaRowFunc {
	b := img.Bounds()
	w := b.Dx()
	switch m := img.(type) {
	case *image.YCbCr:
		return func(y int, _ []uint8) []uint8 {
			i := m.YOffset(b.Min.X, y)
			return m.Y[i : i+w]
		}
	case *image.Gray:
		return func(y int, _ []uint8) []uint8 {
			i := m.PixOffset(b.Min.X, y)
			return m.Pix[i : i+w]
		}
	case *image.NRGBA:
		return func(y int, buf []uint8) []uint8 {
			p := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := range buf {
				q := p[4*x : 4*x+4 : 4*x+4]
				l := luma8(q[0], q[1], q[2])
				a := uint32(q[3])
				buf[x] = uint8((uint32(l)*a + 255*(255-a) + 127) / 255) // over white
			}
			return buf
		}
	case *image.RGBA:
		return func(y int, buf []uint8) []uint8 {
			p := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := range buf {
				q := p[4*x : 4*x+4 : 4*x+4]
				buf[x] = luma8(q[0], q[1], q[2]) + (255 - q[3]) // premultiplied, over white
			}
			return buf
		}
	case *image.Paletted:
		table := make([]uint8, len(m.Palette))
		for i, c := range m.Palette {
			table[i] = lumaOverWhite(c)
		}
		return func(y int, buf []uint8) []uint8 {
			p := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := range buf {
				if int(p[x]) < len(table) {
					buf[x] = table[p[x]]
				} else {
					buf[x] = 0
				}
			}
			return buf
		}
	default:
		return func(y int, buf []uint8) []uint8 {
			for x := range buf {
				buf[x] = lumaOverWhite(img.At(b.Min.X+x, y))
			}
			return buf
		}
	}
}

// luma8 is the BT.601 luma used by JPEG, so every image type agrees with the Y plane.
func luma8(r, g, b uint8) uint8 {
	return uint8((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 1<<15) >> 16)
}

func lumaOverWhite(c color.Color) uint8 {
	r, g, b, a := c.RGBA()
	white := 0xffff - a
	return luma8(uint8((r+white)>>8), uint8((g+white)>>8), uint8((b+white)>>8))
}

// lumaThumbnail returns an area-averaged grayscale copy of img whose longer
// side is at most maxSide. It reads every source pixel exactly once.
func lumaThumbnail(img image.Image, maxSide int) grayImage {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	tw, th := fitInside(w, h, maxSide)
	xmap := make([]int32, w)
	colCount := make([]uint32, tw)
	for x := range xmap {
		tx := x * tw / w
		xmap[x] = int32(tx)
		colCount[tx]++
	}
	sums := make([]uint32, tw*th)
	rowCount := make([]uint32, th)
	read := lumaRows(img)
	buf := make([]uint8, w)
	for y := 0; y < h; y++ {
		ty := y * th / h
		rowCount[ty]++
		acc := sums[ty*tw : (ty+1)*tw]
		row := read(b.Min.Y+y, buf)
		for x, v := range row {
			acc[xmap[x]] += uint32(v)
		}
	}
	g := grayImage{w: tw, h: th, pix: make([]float32, tw*th)}
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			i := ty*tw + tx
			g.pix[i] = float32(sums[i]) / float32(colCount[tx]*rowCount[ty])
		}
	}
	return g
}

// fitInside scales w x h down so the longer side is at most maxSide.
func fitInside(w, h, maxSide int) (int, int) {
	if w <= maxSide && h <= maxSide {
		return w, h
	}
	if w >= h {
		return maxSide, max(1, (h*maxSide+w/2)/w)
	}
	return max(1, (w*maxSide+h/2)/h), maxSide
}

// region is a rectangle in (fractional) pixel coordinates of a grayImage.
type region struct{ x0, y0, x1, y1 float64 }

// resample area-averages region r of src into a dw x dh image, treating src
// pixels as constant squares. Used both to build grids from thumbnails and
// to align one grid with a cropped part of another.
func resample(src grayImage, r region, dw, dh int, s *scratch) []float32 {
	if s == nil {
		s = &scratch{}
	}
	tmp := s.tmp[:0]
	// Horizontal pass: src.h rows x dw columns.
	xw := spanWeights(r.x0, r.x1, src.w, dw)
	for y := 0; y < src.h; y++ {
		row := src.pix[y*src.w : (y+1)*src.w]
		for _, sw := range xw {
			var acc float32
			for k, wt := range sw.w {
				acc += row[sw.first+k] * wt
			}
			tmp = append(tmp, acc)
		}
	}
	// Vertical pass.
	yw := spanWeights(r.y0, r.y1, src.h, dh)
	dst := s.dst[:0]
	for _, sw := range yw {
		for x := 0; x < dw; x++ {
			var acc float32
			for k, wt := range sw.w {
				acc += tmp[(sw.first+k)*dw+x] * wt
			}
			dst = append(dst, acc)
		}
	}
	s.tmp, s.dst = tmp, dst
	return dst
}

// scratch holds buffers reused across many resample calls.
type scratch struct{ tmp, dst []float32 }

type span struct {
	first int
	w     []float32
}

// spanWeights splits [a, b) into n equal cells and returns, for each cell,
// the normalized overlap of every source pixel in [0, size) it touches.
func spanWeights(a, b float64, size, n int) []span {
	out := make([]span, n)
	step := (b - a) / float64(n)
	for j := range out {
		lo, hi := a+float64(j)*step, a+float64(j+1)*step
		first := max(int(lo), 0)
		last := min(int(hi-1e-9), size-1)
		if last < first {
			last = first
		}
		ws := make([]float32, 0, last-first+1)
		var total float64
		for p := first; p <= last; p++ {
			o := min(hi, float64(p+1)) - max(lo, float64(p))
			if o < 0 {
				o = 0
			}
			ws = append(ws, float32(o))
			total += o
		}
		if total == 0 {
			ws[0], total = 1, 1
		}
		for k := range ws {
			ws[k] /= float32(total)
		}
		out[j] = span{first: first, w: ws}
	}
	return out
}
