package ocr

import (
	"image"
	"slices"
)

// Shapes of a letter's fill in the outlined-text mask, at the OCR width.
const (
	// minGlyphHeight: smaller blobs are JPEG specks or the dots of letters,
	// kept only beside the letters of a line.
	minGlyphHeight = 8
	// maxGlyphShare of the picture's height: a taller blob is part of the
	// picture (a line of meme lettering is seldom a fifth of its height).
	maxGlyphShare = 0.25
	// maxSlenderness is the most a letter's height may be of its stroke
	// width: bold lettering is 4-8 strokes tall, a thin font about 10. The
	// bright rim of a cup or a wheel enclosed by shadows is a long thin
	// curve, 12-35 strokes across its box.
	maxSlenderness = 11
	// minLineGlyphs: a line of text holds at least this many letters of
	// one height side by side; a lone blob of a letter's shape does not
	// make one.
	minLineGlyphs = 3
	// maxFillDrop is how much darker than the line's letters (their median
	// mean level) a blob may be and still be lettering: meme text is one
	// colour, JPEG and the letters' soft edges move a letter's mean by a
	// few levels, while the bright parts of a photograph the outlines
	// close in (a cup's rim between two letters, the picture inside a D)
	// are 25-50 levels darker than pure white fill.
	maxFillDrop = 16
)

// blob is a connected set of ink pixels of a mask.
type blob struct {
	box             image.Rectangle
	area, perimeter int // pixels, and those of them beside a non-ink pixel
	level           int // mean gray level of its pixels in the picture
}

// stroke is the blob's mean stroke width: a stroke of length L and width s
// has an area of L*s and a perimeter of about 2L.
func (b blob) stroke() float64 { return 2 * float64(b.area) / float64(max(b.perimeter, 1)) }

// glyphLike tells whether b could be a letter's fill in a picture h pixels
// tall: not a speck, not a large part of the picture, not a long thin curve.
func (b blob) glyphLike(h int) bool {
	bh := b.box.Dy()
	return bh >= minGlyphHeight && float64(bh) <= maxGlyphShare*float64(h) &&
		float64(bh) <= maxSlenderness*b.stroke()
}

// textLine is a row of letter-like blobs of about one height.
type textLine struct {
	letters []image.Rectangle // left to right
	box     image.Rectangle   // the letters'
	height  int               // the last letter's
	stroke  float64           // the letters' median stroke width
	level   int               // the letters' median fill level
}

// holds tells whether b, one of the blobs near the line, is part of its
// lettering: of the letters' fill, and one of its letters or a mark beside
// them (a dot, an accent, punctuation). A mark lies inside the line's box
// widened by a letter's height and heightened by a third of it, is drawn
// with a pen at least a third as wide as the letters' (a dot or an accent
// is small and its stroke reads thin) and is not a speck narrower than that
// pen.
func (l textLine) holds(b blob) bool {
	if b.level < l.level-maxFillDrop {
		return false
	}
	if slices.Contains(l.letters, b.box) {
		return true
	}
	band := image.Rect(l.box.Min.X-l.height, l.box.Min.Y-l.height/3, l.box.Max.X+l.height, l.box.Max.Y+l.height/3)
	return b.box.In(band) && 3*b.stroke() >= l.stroke && float64(max(b.box.Dx(), b.box.Dy())) >= l.stroke
}

// insideLetter tells whether r has its middle within a larger box of
// letters: what an outline closes in within a letter is the picture behind
// it (the counter of an O, the gaps of an E or a C, often as tall as a
// letter and a row of them as a line).
func insideLetter(r image.Rectangle, letters []image.Rectangle) bool {
	mid := r.Min.Add(r.Max).Div(2)
	return slices.ContainsFunc(letters, func(l image.Rectangle) bool {
		return mid.In(l) && l.Dx()*l.Dy() > r.Dx()*r.Dy()
	})
}

// textLines finds the lines of lettering in the outlined-text mask m (ink
// black on white) of picture g: rows of at least minLineGlyphs letter-like
// blobs of about one height close together. It returns a mask of only
// their lettering (the letters and their dots, accents and punctuation, but
// not what lies inside a letter) and how many lines it found. On a busy
// photograph the mask also holds bright parts of the picture that dark ones
// close in (the rim of a cup between its shadow and the next); they touch
// the lettering, and Tesseract, reading the whole mask as one block, read a
// fragment of the caption or nothing.
func textLines(g, m *image.Gray) (*image.Gray, int) {
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	blobs, labels := findBlobs(g, m)
	var glyphs []blob
	for _, b := range blobs {
		if b.glyphLike(h) {
			glyphs = append(glyphs, b)
		}
	}
	lines := findLines(glyphs)
	held := make([]bool, len(blobs)) // a line's letter or mark, of its fill
	var letters []image.Rectangle    // the held blobs that are letters
	for i, b := range blobs {
		held[i] = slices.ContainsFunc(lines, func(l textLine) bool { return l.holds(b) })
		if held[i] && b.glyphLike(h) {
			letters = append(letters, b.box)
		}
	}
	keep := make([]bool, len(blobs)+1)
	for i, b := range blobs {
		keep[i+1] = held[i] && !insideLetter(b.box, letters)
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	for i, l := range labels {
		out.Pix[i] = 255
		if keep[l] && l != 0 {
			out.Pix[i] = 0
		}
	}
	return out, len(lines)
}

// findLines groups letter-like blobs into lines, left to right, and returns
// the lines of at least minLineGlyphs letters. A blob follows the line's
// last letter when their heights are within a factor of 1.5, their middles
// within a third of a height of each other, and the gap between them is
// under 1.5 heights (a space between words is about half a height).
func findLines(glyphs []blob) []textLine {
	slices.SortFunc(glyphs, func(a, b blob) int { return a.box.Min.X - b.box.Min.X })
	used := make([]bool, len(glyphs))
	var lines []textLine
	for i := range glyphs {
		if used[i] {
			continue
		}
		line := []blob{glyphs[i]}
		used[i] = true
		for j := i + 1; j < len(glyphs); j++ {
			if !used[j] && follows(line[len(line)-1].box, glyphs[j].box) {
				line = append(line, glyphs[j])
				used[j] = true
			}
		}
		if len(line) >= minLineGlyphs {
			lines = append(lines, newTextLine(line))
		}
	}
	return lines
}

func newTextLine(letters []blob) textLine {
	l := textLine{box: letters[0].box, height: letters[len(letters)-1].box.Dy()}
	strokes := make([]float64, len(letters))
	levels := make([]int, len(letters))
	for i, b := range letters {
		l.letters = append(l.letters, b.box)
		l.box = l.box.Union(b.box)
		strokes[i], levels[i] = b.stroke(), b.level
	}
	slices.Sort(strokes)
	slices.Sort(levels)
	l.stroke, l.level = strokes[len(strokes)/2], levels[len(levels)/2]
	return l
}

// follows tells whether b may follow a on one line of text.
func follows(a, b image.Rectangle) bool {
	ha, hb := a.Dy(), b.Dy()
	if 2*max(ha, hb) > 3*min(ha, hb) {
		return false
	}
	midA, midB := a.Min.Y+a.Max.Y, b.Min.Y+b.Max.Y // twice the middles
	if 3*abs(midA-midB) > 2*min(ha, hb) {
		return false
	}
	gap := b.Min.X - a.Max.X
	return 2*gap < 3*min(ha, hb)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// findBlobs labels the 8-connected ink (zero) pixels of the mask m of
// picture g. labels[i] is the 1-based index into blobs of pixel i's blob,
// 0 for paper.
func findBlobs(g, m *image.Gray) (blobs []blob, labels []int32) {
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	ink := func(x, y int) bool { return x >= 0 && y >= 0 && x < w && y < h && m.Pix[y*m.Stride+x] == 0 }
	labels = make([]int32, w*h)
	var stack []image.Point
	for y := range h {
		for x := range w {
			if !ink(x, y) || labels[y*w+x] != 0 {
				continue
			}
			id := int32(len(blobs) + 1)
			b, sum := blob{box: image.Rect(x, y, x+1, y+1)}, 0
			labels[y*w+x] = id
			stack = append(stack[:0], image.Pt(x, y))
			for len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				b.area++
				sum += int(g.Pix[p.Y*g.Stride+p.X])
				b.box = b.box.Union(image.Rect(p.X, p.Y, p.X+1, p.Y+1))
				if !ink(p.X-1, p.Y) || !ink(p.X+1, p.Y) || !ink(p.X, p.Y-1) || !ink(p.X, p.Y+1) {
					b.perimeter++
				}
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						if q := image.Pt(p.X+dx, p.Y+dy); ink(q.X, q.Y) && labels[q.Y*w+q.X] == 0 {
							labels[q.Y*w+q.X] = id
							stack = append(stack, q)
						}
					}
				}
			}
			b.level = sum / b.area
			blobs = append(blobs, b)
		}
	}
	return blobs, labels
}
