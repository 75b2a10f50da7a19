package media

import "slices"

// Band trimming removes uniform borders and caption bars (a plain band,
// usually white, with a line or two of text, glued above or below a
// picture) so that the fingerprint describes the picture itself. It is
// applied identically to every image, so an original that already has a
// plain border and a repost with an extra bar both end up at the same box.
//
// A band on one side is trimmed only when it is near-white or near-black:
// caption bars and letterboxing are practically always one of the two,
// while a sky or a gradient at the top of a picture is not, and trimming it
// would also cut away the meme text drawn over it. A band of any other
// colour is trimmed only when the picture stands on a plain ground: at
// least three sides are plain in one colour, or two opposite flat ones
// (clip art on a pale ground).
// That ground is trimmed whatever a repost did to its level (a white ground
// darkened by 15% is no longer near-white, a pale one brightened becomes
// so), and only up to the first line that is not plain ground, lettering
// included: crossing lettering as a caption bar's text is crossed would
// stop inside a tall caption on the original but beyond it on a crop that
// cut through it (and cross drawings with plain gaps inside), so the boxes
// of a meme and its repost would not line up. The lettering stays in the
// box; a crop through it moves the box no more than the crop itself did.
const (
	bandTolerance = 16   // gray levels a pixel may differ from the band colour
	bandDark      = 10   // a band must be darker than this ...
	bandBright    = 240  // ... or brighter than this, unless it is the ground
	cleanFraction = 0.97 // a line this close to the band colour is plain band
	textFraction  = 0.10 // a caption line still has this much background
	maxTextRun    = 0.12 // longest run of text lines inside a band, as a fraction of the side
	maxTrimShare  = 0.45 // never trim more than this of a side in total
	// groundAgreement is how far the levels of the sides of a plain ground
	// may differ: JPEG noise, not a white caption bar over a pale ground.
	groundAgreement = 6
	// groundCleanFraction is cleanFraction on a plain ground: a line of a
	// column that crosses a repost's new watermark (4% of the height) is
	// still ground, one that crosses a caption line is not.
	groundCleanFraction = 0.95
	// flatTolerance is how far a flat line's pixels stay from its level:
	// JPEG noise on a ground of one colour. Two plain sides make a ground
	// only when they are opposite and flat: with three wanted, a crop of
	// clip art through both caption lines kept its whole ground in the box
	// and missed its original (dedupeval), while two sides of a smooth
	// gradient or a shape in a corner, plain within bandTolerance, come and
	// go as a crop or resize moves them (compare_test.go).
	flatTolerance = 4
	// captionEnds is how much of each end of a side's line a meme's top
	// and bottom caption lines may take where the side crosses them.
	captionEnds = 0.2
)

type box struct{ x0, y0, x1, y1 int }

func (b box) dx() int { return b.x1 - b.x0 }
func (b box) dy() int { return b.y1 - b.y0 }

// trimBands returns the box of g left after removing plain bands from all
// four sides, repeating until nothing changes (a white bar above a grey
// border needs two passes).
func trimBands(g grayImage) box { return trimFrom(g, box{0, 0, g.w, g.h}) }

// trimFrom is trimBands starting from box b of g.
func trimFrom(g grayImage, b box) box {
	minW := g.w - int(maxTrimShare*float64(g.w))
	minH := g.h - int(maxTrimShare*float64(g.h))
	for range 4 {
		changed := false
		ground, onGround := plainGround(g, b)
		for side := range 4 {
			n := bandDepth(g, b, side, ground, onGround)
			if n == 0 {
				continue
			}
			nb := b
			switch side {
			case 0:
				nb.y0 += n
			case 1:
				nb.y1 -= n
			case 2:
				nb.x0 += n
			case 3:
				nb.x1 -= n
			}
			if nb.dx() < minW || nb.dy() < minH {
				continue
			}
			b, changed = nb, true
		}
		if !changed {
			break
		}
	}
	return b
}

// edge walks the lines of box b of g from one side (0 top, 1 bottom,
// 2 left, 3 right) inwards.
type edge struct {
	g             grayImage
	b             box
	side          int
	length, depth int
}

func newEdge(g grayImage, b box, side int) edge {
	e := edge{g: g, b: b, side: side, length: b.dx(), depth: b.dy()}
	if side >= 2 {
		e.length, e.depth = b.dy(), b.dx()
	}
	return e
}

// line returns where the i-th line from the side starts in g.pix and the
// step between its pixels.
func (e edge) line(i int) (start, step int) {
	g, b := e.g, e.b
	switch e.side {
	case 0:
		return (b.y0+i)*g.w + b.x0, 1
	case 1:
		return (b.y1-1-i)*g.w + b.x0, 1
	case 2:
		return b.y0*g.w + b.x0 + i, g.w
	default:
		return b.y0*g.w + b.x1 - 1 - i, g.w
	}
}

// level is the median level of line i: the colour of a plain line, and of
// the ground that most of a line crossing a caption bar's edge stands on.
func (e edge) level(i int) float32 {
	start, step := e.line(i)
	v := make([]float32, e.length)
	for k := range v {
		v[k] = e.g.pix[start+k*step]
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// fraction is the share of line i within bandTolerance of colour.
func (e edge) fraction(i int, colour float32) float64 {
	return e.within(i, colour, bandTolerance)
}

// middleFraction is fraction for the middle of line i, its outer
// captionEnds left out at both ends: where a side crosses the top and
// bottom caption lines.
func (e edge) middleFraction(i int, colour float32) float64 {
	start, step := e.line(i)
	from, to := int(captionEnds*float64(e.length)), e.length-int(captionEnds*float64(e.length))
	n := 0
	for k := from; k < to; k++ {
		d := e.g.pix[start+k*step] - colour
		if d <= bandTolerance && d >= -bandTolerance {
			n++
		}
	}
	return float64(n) / float64(max(to-from, 1))
}

// within is the share of line i within tolerance of colour.
func (e edge) within(i int, colour, tolerance float32) float64 {
	start, step := e.line(i)
	n := 0
	for k := range e.length {
		d := e.g.pix[start+k*step] - colour
		if d <= tolerance && d >= -tolerance {
			n++
		}
	}
	return float64(n) / float64(e.length)
}

// plainGround returns the colour of the plain ground b stands on: the
// colour at least three of its sides' outer lines are plain in, alike
// within groundAgreement (the fourth may be a caption bar, or a line a crop
// cut through the lettering), one of the three allowed to cross the
// caption lines near its ends (a crop into the width of the lettering
// leaves its side crossing both captions: only its middle is plain); or
// two opposite ones, when both are flat (a crop through both caption
// lines leaves the left and right sides).
func plainGround(g grayImage, b box) (colour float32, ok bool) {
	var level [4]float32
	var plain, nearly, flat [4]bool
	for s := range 4 {
		e := newEdge(g, b, s)
		if e.length < 4 || e.depth < 8 {
			return 0, false
		}
		level[s] = e.level(0)
		plain[s] = e.fraction(0, level[s]) >= cleanFraction
		nearly[s] = plain[s] || e.middleFraction(0, level[s]) >= cleanFraction
		flat[s] = plain[s] && e.within(0, level[s], flatTolerance) >= cleanFraction
	}
	alike := func(a, b int) bool {
		d := level[a] - level[b]
		return d <= groundAgreement && d >= -groundAgreement
	}
	for s := range 4 {
		if !plain[s] {
			continue
		}
		var n, full int
		var sum float32
		for o := range 4 {
			if nearly[o] && alike(s, o) {
				n, sum = n+1, sum+level[o]
				if plain[o] {
					full++
				}
			}
		}
		if n >= 3 && full >= 2 {
			return sum / float32(n), true
		}
		// Sides 0 and 1 are opposite, and so are 2 and 3.
		if o := s ^ 1; flat[s] && flat[o] && alike(s, o) {
			return (level[s] + level[o]) / 2, true
		}
	}
	return 0, false
}

// bandDepth returns how many lines from the given side (0 top, 1 bottom,
// 2 left, 3 right) of b form a plain band: near-white or near-black,
// possibly with text lines in it (a caption bar); or, when b stands on a
// plain ground of colour ground, lines of that ground. The ground is
// trimmed up to the first line that is not plain: the lettering and the
// drawing stay in the box alike, so a crop through the lettering or a
// drawing with plain gaps inside cannot move the box further than the
// crop itself did.
func bandDepth(g grayImage, b box, side int, ground float32, onGround bool) int {
	e := newEdge(g, b, side)
	if e.length < 4 || e.depth < 8 {
		return 0
	}
	colour := e.level(0)
	maxLines, clean := max(2, int(maxTextRun*float64(e.depth))), cleanFraction
	switch {
	case onGround && colour-ground <= groundAgreement && ground-colour <= groundAgreement:
		colour, maxLines, clean = ground, 0, groundCleanFraction
	case colour > bandDark && colour < bandBright:
		return 0
	}
	if e.fraction(0, colour) < clean {
		return 0
	}
	limit := int(maxTrimShare * float64(e.depth))
	lastClean, run := 0, 0
	for i := 1; i < limit; i++ {
		f := e.fraction(i, colour)
		if f >= clean {
			lastClean, run = i, 0
			continue
		}
		run++
		if f < textFraction || run > maxLines {
			break
		}
	}
	return lastClean + 1
}

// A caption bar glued to a picture on a plain ground of its own colour
// (black text on white over clip art on white) is not a band: the ground
// trim stops at the bar's text, which then stays in the box, and the
// repost's box is taller than the original's by the whole bar. Trimming
// cannot tell that text from the meme's own top line (both are a short run
// of lettering between plain ground), so the upload is looked up a second
// way instead: barlessBoxes gives the box without the outermost line of
// lettering at the top or the bottom, where one stands apart from the rest
// (a bar's own margin and the meme's ground lie between), as if it were a
// bar. Only the upload is read that way, so a stored meme keeps one box.
const (
	// minBarGap is the least run of plain ground, as a fraction of the
	// box's side, between a bar's text and the rest: a bar's margin plus
	// the meme's own ground above its caption are 4-7%; the gaps between
	// the lines of one caption are under 1%.
	minBarGap = 0.015
)

// barlessBoxes returns b (trimmed from g by trimBands) without a caption
// bar's text at its top or bottom, each re-trimmed, when g stands on a
// plain ground and such a line of lettering stands apart there.
func barlessBoxes(g grayImage, b box) []box {
	ground, ok := plainGround(g, box{0, 0, g.w, g.h})
	if !ok {
		return nil
	}
	var out []box
	for _, side := range [2]int{0, 1} {
		n := barDepth(newEdge(g, b, side), ground)
		if n == 0 {
			continue
		}
		start := box{0, b.y0 + n, g.w, g.h}
		if side == 1 {
			start = box{0, 0, g.w, b.y1 - n}
		}
		if start.dy() < g.h-int(maxTrimShare*float64(g.h)) {
			continue
		}
		out = append(out, trimFrom(g, start))
	}
	return out
}

// barDepth returns how many lines from e's side hold a caption bar's text
// and the plain ground after it: a run of lettering no longer than
// maxTextRun, then at least minBarGap of ground; 0 when there is none.
func barDepth(e edge, ground float32) int {
	if e.length < 4 || e.depth < 8 {
		return 0
	}
	maxRun, minGap := int(maxTextRun*float64(e.depth)), max(2, int(minBarGap*float64(e.depth)))
	i := 0
	for i < e.depth && e.fraction(i, ground) < groundCleanFraction {
		if i++; i > maxRun {
			return 0
		}
	}
	gap := 0
	for ; i < e.depth/2 && e.fraction(i, ground) >= groundCleanFraction; i++ {
		gap++
	}
	if i == 0 || gap < minGap || i >= e.depth/2 {
		return 0
	}
	return i
}

// Another channel's watermark on a plain ground, beside the lettering and
// the drawing (clip art: the corners are ground), is not ground: the trim
// stops at it and the repost's box is wider or taller than the
// original's by the watermark's margin. As with a caption bar, the upload
// is also looked up another way instead: watermarklessBoxes gives the box
// trimmed as if each corner where watermarks go (the corners
// edgeMismatchBesideWatermark leaves out) were ground, where that is
// another box. The stored meme keeps one box.

// watermarklessBoxes returns the boxes trimBands finds on g with one
// watermark corner painted over in the ground's colour, those other than
// b (g's own trim), when g stands on a plain ground.
func watermarklessBoxes(g grayImage, b box) []box {
	ground, ok := plainGround(g, box{0, 0, g.w, g.h})
	if !ok {
		return nil
	}
	cw, ch := g.w*2/5, g.h/5
	painted := grayImage{w: g.w, h: g.h, pix: make([]float32, len(g.pix))}
	var out []box
	for _, c := range [4][2]int{{0, 0}, {g.w - cw, 0}, {0, g.h - ch}, {g.w - cw, g.h - ch}} {
		copy(painted.pix, g.pix)
		for y := c[1]; y < c[1]+ch; y++ {
			row := painted.pix[y*g.w+c[0] : y*g.w+c[0]+cw]
			for x := range row {
				row[x] = ground
			}
		}
		if nb := trimBands(painted); nb != b && !slices.Contains(out, nb) {
			out = append(out, nb)
		}
	}
	return out
}

// A very dark picture darkened (or its contrast raised) turns its darkest
// side near-black, and a very bright one brightened near-white: a band the
// trim takes off, although the original kept it. The upload is therefore
// also read whole when its trim took a band off a picture on no plain
// ground (a plain ground's trim does not depend on its level).

// untrimmedBoxes returns the whole of g when its trim b took a band off
// and g stands on no plain ground.
func untrimmedBoxes(g grayImage, b box) []box {
	whole := box{0, 0, g.w, g.h}
	if b == whole {
		return nil
	}
	if _, ok := plainGround(g, whole); ok {
		return nil
	}
	return []box{whole}
}
