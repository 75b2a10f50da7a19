package media

// Lettering tells two captions on one picture apart when OCR reads too
// little of them (a busy, colourful photograph under thin lettering): the
// Letters grid of a Fingerprint maps thin high-contrast strokes (white
// letters and their black outline, or dark letters on a light ground), and
// two memes on the same picture whose maps differ in solid patches carry
// different lettering. A repost changes the map only a little: re-encoding
// and brightness barely move it, a crop changes cells along the cut edges
// (left out, see letterMargin), a watermark adds a patch in one corner
// (discounted, see letteringChange).
const (
	// LetterSize is the side of the lettering grid (cells of about 8x8
	// pixels of the 512-pixel thumbnail it is drawn from).
	LetterSize = 64
	// letterThumbSide is the longer side of the thumbnail strokes are found
	// on: meme lettering is 30-60 pixels tall there, its strokes 4-15.
	letterThumbSide = 512
	// strokeRadius is the half-width of the neighbourhood that decides what
	// is a thin stroke: wider than the thickest letter stroke at
	// letterThumbSide, so that a crop's 4-8% change of scale does not move a
	// stroke across the limit (4 did: thick letters flickered in and out).
	strokeRadius = 8
	// letterTolerance is how much a cell's stroke contrast may change
	// (after matching overall contrast) before it counts as changed.
	letterTolerance = 30
	// letterMargin is how many cells along every border are left out: a
	// crop through the lettering changes the strokes it cuts.
	letterMargin = 3
	// watermarkCols and watermarkRows are the size of a corner where a
	// watermark goes (40% of the width, 20% of the height); the changed
	// cells of the corner with the most are discounted, since another
	// watermark is a repost.
	watermarkCols = LetterSize * 2 / 5
	watermarkRows = LetterSize / 5
	// MaxLetteringChange is the most solidly changed cells (changed with all
	// eight neighbours) two memes on one picture may show and still carry
	// the same lettering. On dedupeval's real photographs the reposts whose
	// text OCR could not read stay at 0, the same picture under another
	// bottom line (31 letters, OCR read 6) shows 11; reposts whose text OCR
	// read reach 40 when a crop cuts through the letters, so above this
	// limit nothing is concluded: moderators decide (Verdict.Suspect).
	MaxLetteringChange = 3
)

// strokeMap returns, per pixel, the contrast of thin strokes: how much
// brighter a pixel is than the opening of its neighbourhood (a thin bright
// stroke) or darker than its closing (a thin dark one).
func strokeMap(g grayImage, r int) grayImage {
	opened := morph(morph(g, r, true), r, false)
	closed := morph(morph(g, r, false), r, true)
	out := grayImage{w: g.w, h: g.h, pix: make([]float32, len(g.pix))}
	for i, v := range g.pix {
		out.pix[i] = max(v-opened.pix[i], closed.pix[i]-v)
	}
	return out
}

// morph is a min (erode) or max (dilate) filter over a square of side 2r+1,
// separable, each pass in constant time per pixel (van Herk / Gil-Werman):
// rows one by one, then columns a whole row of them at a time (reading a
// column pixel by pixel was a third of a fingerprint).
func morph(g grayImage, r int, isMin bool) grayImage {
	tmp := grayImage{w: g.w, h: g.h, pix: make([]float32, len(g.pix))}
	line := make([]float32, 3*(g.w+2*r))
	for y := range g.h {
		filter1D(g.pix[y*g.w:(y+1)*g.w], tmp.pix[y*g.w:(y+1)*g.w], r, isMin, line)
	}
	w, h, k := g.w, g.h, 2*r+1
	padded := h + 2*r
	at := func(buf []float32, i int) []float32 { return buf[i*w : (i+1)*w] }
	src := func(i int) []float32 { return at(tmp.pix, min(max(i-r, 0), h-1)) }
	pre, suf := make([]float32, padded*w), make([]float32, padded*w)
	for i := range padded {
		if i%k == 0 {
			copy(at(pre, i), src(i))
		} else {
			extreme(at(pre, i), at(pre, i-1), src(i), isMin)
		}
	}
	for i := padded - 1; i >= 0; i-- {
		if i == padded-1 || (i+1)%k == 0 {
			copy(at(suf, i), src(i))
		} else {
			extreme(at(suf, i), at(suf, i+1), src(i), isMin)
		}
	}
	res := grayImage{w: w, h: h, pix: make([]float32, len(g.pix))}
	for y := range h {
		// The window over the padded rows is [y, y+2r].
		extreme(at(res.pix, y), at(suf, y), at(pre, y+2*r), isMin)
	}
	return res
}

// extreme writes to dst the element-wise min (or max) of a and b.
func extreme(dst, a, b []float32, isMin bool) {
	a, b = a[:len(dst)], b[:len(dst)]
	if isMin {
		for i := range dst {
			dst[i] = min(a[i], b[i])
		}
		return
	}
	for i := range dst {
		dst[i] = max(a[i], b[i])
	}
}

// filter1D writes to dst the min or max of src over [i-r, i+r] (clamped to
// the line), using prefix and suffix extremes within blocks of 2r+1.
func filter1D(src, dst []float32, r int, isMin bool, buf []float32) {
	n := len(src)
	k := 2*r + 1
	// Pad r edge values on both sides so the window never leaves the line.
	padded := n + 2*r
	if cap(buf) < 3*padded {
		buf = make([]float32, 3*padded)
	}
	p, pre, suf := buf[:padded], buf[padded:2*padded], buf[2*padded:3*padded]
	for i := range p {
		p[i] = src[min(max(i-r, 0), n-1)]
	}
	// Blocks of k: pre runs forwards from each block's start, suf
	// backwards from its end (the comparison written out for each: a
	// function value was half the cost of a fingerprint).
	for start := 0; start < padded; start += k {
		end := min(start+k, padded)
		pre[start], suf[end-1] = p[start], p[end-1]
		if isMin {
			for i := start + 1; i < end; i++ {
				pre[i] = min(pre[i-1], p[i])
			}
			for i := end - 2; i >= start; i-- {
				suf[i] = min(suf[i+1], p[i])
			}
		} else {
			for i := start + 1; i < end; i++ {
				pre[i] = max(pre[i-1], p[i])
			}
			for i := end - 2; i >= start; i-- {
				suf[i] = max(suf[i+1], p[i])
			}
		}
	}
	// The window over p is [i, i+2r].
	extreme(dst[:n], suf, pre[2*r:], isMin)
}

// letteringChange counts the solidly changed cells between the lettering
// of two fingerprints lined up as al says (see MaxLetteringChange).
func letteringChange(a, b *Fingerprint, al alignment) int {
	big, small := a, b
	if !al.aBig {
		big, small = b, a
	}
	src := grayImage{w: LetterSize, h: LetterSize, pix: make([]float32, LetterSize*LetterSize)}
	for i, v := range big.Letters {
		src.pix[i] = float32(v)
	}
	other := make([]float32, LetterSize*LetterSize)
	for i, v := range small.Letters {
		other[i] = float32(v)
	}
	lined := fineAlign(src, other, al.r)
	ma, _ := meanStd(lined)
	mb, _ := meanStd(other)
	gain := float32(1)
	if mb > 1 {
		gain = min(max(ma/mb, 0.7), 1.4)
	}
	changed := func(x, y int) bool {
		i := y*LetterSize + x
		return abs32(lined[i]-gain*other[i]) > letterTolerance
	}
	cw, ch := watermarkCols, watermarkRows
	var total int
	var corners [4]int
	for y := letterMargin; y < LetterSize-letterMargin; y++ {
		for x := letterMargin; x < LetterSize-letterMargin; x++ {
			if !solidly(changed, x, y) {
				continue
			}
			total++
			left, right := x < cw, x >= LetterSize-cw
			top, bottom := y < ch, y >= LetterSize-ch
			switch {
			case top && left:
				corners[0]++
			case top && right:
				corners[1]++
			case bottom && left:
				corners[2]++
			case bottom && right:
				corners[3]++
			}
		}
	}
	return total - max(corners[0], corners[1], corners[2], corners[3])
}

// solidly tells whether a cell and all eight neighbours are changed: a
// patch of other lettering, not a stroke moved by a pixel.
func solidly(changed func(x, y int) bool, x, y int) bool {
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			if !changed(x+dx, y+dy) {
				return false
			}
		}
	}
	return true
}

// fineAlign refines region r of src (unit square) so that it lines up with
// other at the lettering's resolution, moving one edge or the whole region
// by up to a few cells, and returns that view of src (LetterSize square).
func fineAlign(src grayImage, other []float32, r region) []float32 {
	const f = float64(LetterSize)
	var s scratch
	view := func(r region) []float32 {
		return resample(src, region{r.x0 * f, r.y0 * f, r.x1 * f, r.y1 * f}, LetterSize, LetterSize, &s)
	}
	cost := func(r region) float32 {
		var c float32
		for i, v := range view(r) {
			c += abs32(v - other[i])
		}
		return c
	}
	best, bestCost := r, cost(r)
	for _, d := range []float64{1 / f, 0.5 / f, 0.25 / f} {
		for improved := true; improved; {
			improved = false
			for move := range 12 {
				next := shifted(best, move, d)
				if next.x0 < 0 || next.y0 < 0 || next.x1 > 1 || next.y1 > 1 {
					continue
				}
				if c := cost(next); c < bestCost {
					best, bestCost, improved = next, c, true
				}
			}
		}
	}
	return append([]float32(nil), view(best)...)
}

// shifted moves one edge of r (moves 0-7) or the whole of r (8-11) by d.
func shifted(r region, move int, d float64) region {
	if move%2 == 1 {
		d = -d
	}
	switch move / 2 {
	case 0:
		r.x0 += d
	case 1:
		r.y0 += d
	case 2:
		r.x1 += d
	case 3:
		r.y1 += d
	case 4:
		r.x0, r.x1 = r.x0+d, r.x1+d
	case 5:
		r.y0, r.y1 = r.y0+d, r.y1+d
	}
	return r
}
