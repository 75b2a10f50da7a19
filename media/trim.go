package media

// Band trimming removes uniform borders and caption bars (a plain band,
// usually white, with a line or two of text, glued above or below a
// picture) so that the fingerprint describes the picture itself. It is
// applied identically to every image, so an original that already has a
// plain border and a repost with an extra bar both end up at the same box.
//
// Only near-white and near-black bands are trimmed: caption bars and
// letterboxing are practically always one of the two, while a sky or a
// gradient at the top of a picture is not, and trimming it would also cut
// away the meme text drawn over it.
const (
	bandTolerance = 16   // gray levels a pixel may differ from the band colour
	bandDark      = 10   // a band must be darker than this ...
	bandBright    = 240  // ... or brighter than this
	cleanFraction = 0.97 // a line this close to the band colour is plain band
	textFraction  = 0.10 // a caption line still has this much background
	maxTextRun    = 0.12 // longest run of text lines inside a band, as a fraction of the side
	maxTrimShare  = 0.45 // never trim more than this of a side in total
)

type box struct{ x0, y0, x1, y1 int }

func (b box) dx() int { return b.x1 - b.x0 }
func (b box) dy() int { return b.y1 - b.y0 }

// trimBands returns the box of g left after removing plain bands from all
// four sides, repeating until nothing changes (a white bar above a grey
// border needs two passes).
func trimBands(g grayImage) box {
	b := box{0, 0, g.w, g.h}
	minW := g.w - int(maxTrimShare*float64(g.w))
	minH := g.h - int(maxTrimShare*float64(g.h))
	for range 4 {
		changed := false
		for side := range 4 {
			n := bandDepth(g, b, side)
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

// bandDepth returns how many lines from the given side (0 top, 1 bottom,
// 2 left, 3 right) of b form a plain band, possibly containing text lines.
func bandDepth(g grayImage, b box, side int) int {
	length, depth := b.dx(), b.dy()
	if side >= 2 {
		length, depth = b.dy(), b.dx()
	}
	if length < 4 || depth < 8 {
		return 0
	}
	line := func(i int) (start, step int) {
		switch side {
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
	start, step := line(0)
	var sum float32
	for k := range length {
		sum += g.pix[start+k*step]
	}
	colour := sum / float32(length)
	if colour > bandDark && colour < bandBright {
		return 0
	}
	fraction := func(i int) float64 {
		start, step := line(i)
		n := 0
		for k := range length {
			d := g.pix[start+k*step] - colour
			if d <= bandTolerance && d >= -bandTolerance {
				n++
			}
		}
		return float64(n) / float64(length)
	}
	if fraction(0) < cleanFraction {
		return 0
	}
	limit := int(maxTrimShare * float64(depth))
	maxRun := max(2, int(maxTextRun*float64(depth)))
	lastClean, run := 0, 0
	for i := 1; i < limit; i++ {
		f := fraction(i)
		if f >= cleanFraction {
			lastClean, run = i, 0
			continue
		}
		run++
		if f < textFraction || run > maxRun {
			break
		}
	}
	return lastClean + 1
}
