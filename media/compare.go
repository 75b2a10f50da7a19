package media

import (
	"fmt"
	"math"
)

// Duplicate decision thresholds, tuned on generated memes (compare_test.go
// lists every edit they must accept or reject) and on real photographs
// made into memes (dedupeval).
const (
	// CandidateDistance is the largest pHash Hamming distance worth a closer
	// look. On real photographs (dedupeval) a 4-5% crop of a picture with
	// fine vertical detail (a forest) moves the hash by up to 22, and a
	// -15% brightness change of a saturated one by 22; unrelated pictures
	// sit around 26-36. Among random hashes ~8,500 in a million are this
	// close; the Index's quick test (signature.go) rejects them before any
	// full fingerprint is loaded.
	CandidateDistance = 22
	// ToneTolerance is how many gray levels a Tone cell may differ, after
	// matching brightness and contrast, before it counts as changed.
	ToneTolerance = 24
	// MaxToneMismatch is the largest share of changed Tone cells in a
	// duplicate: a different scene fails here.
	MaxToneMismatch = 0.08
	// EdgeTolerance is how much an Edges cell may differ before it counts as
	// changed. Re-encoding, resizing and brightening move cells by a few
	// units; a misaligned crop by up to ~30 on sharp outlines; a letter
	// where the other picture has none by 40 and more.
	EdgeTolerance = 35
	// MaxEdgeMismatch is the largest share of changed Edges cells in a
	// duplicate. A corner watermark changes ~1%, a 5% crop ~2%, another
	// caption on the same template 5% or more.
	MaxEdgeMismatch = 0.035
	// maxCropAspectError is how far (log ratio) a crop's aspect may be from
	// the aspect of the picture it is compared with (see cropKeepsAspect).
	maxCropAspectError = 0.03
	// maxCropShare is how much of each side a crop may remove: the 5% the
	// interface promises, and room for the alignment to overshoot.
	maxCropShare = 0.08
	// maxProbeCost is the mean Tone difference (gray levels, unaligned)
	// above which a pair is rejected without any alignment. A 5% crop of
	// the test pictures stays under 20, random grids sit near 85.
	maxProbeCost = 40
	// cropSlack is the share of the sharpest bend in a Tone cell's
	// neighbourhood added to ToneTolerance when comparing a crop (see
	// localSlack). The generated memes of e2e (one pattern at nearby
	// frequencies, the same caption but a digit) stay apart only together
	// with cropKeepsAspect.
	cropSlack = 0.5
	// maxMisreadEdgeCells is how many Edges cells may change between two
	// memes whose texts only partly agree (see MinMisreadSimilarity) for
	// a duplicate.
	maxMisreadEdgeCells = 2
)

// Verdict explains a duplicate decision so it can be stored with it.
type Verdict struct {
	Duplicate     bool
	Reason        string
	PHashDistance int
	// ToneMismatch and EdgeMismatch are the shares (0..1) of grid cells that
	// differ after the best alignment found; 1 when the pair was rejected
	// before comparing grids.
	ToneMismatch float64
	EdgeMismatch float64
	// Crop is the part of one picture the other matched, as fractions
	// {x0, y0, x1, y1} of its width and height ({0,0,1,1}: not cropped).
	Crop [4]float64
	// TextCompared tells whether both memes carried text enough to compare
	// (see TextSimilarity); TextSimilarity is then how alike it is, 0..1.
	TextCompared   bool
	TextSimilarity float64
	// ReadingCoverage is the share of the shorter text's letters found in
	// the other in order (see ReadingCoverage), when TextCompared.
	ReadingCoverage float64
	// LetteringChange counts the cells where the lettering of the two
	// differs solidly (see MaxLetteringChange); it is measured only when
	// the pictures match and the texts could not be compared.
	LetteringChange int
	// Suspect is set when the pictures match but whether the two say the
	// same could not be told (Duplicate is false): moderators decide.
	Suspect bool
}

func (v Verdict) String() string {
	text := fmt.Sprintf("no text to compare, lettering change %d", v.LetteringChange)
	if v.TextCompared {
		text = fmt.Sprintf("text similarity %.2f, reading coverage %.2f", v.TextSimilarity, v.ReadingCoverage)
	}
	return fmt.Sprintf("duplicate=%t suspect=%t (%s; phash distance %d, tone mismatch %.3f, edge mismatch %.3f, %s)",
		v.Duplicate, v.Suspect, v.Reason, v.PHashDistance, v.ToneMismatch, v.EdgeMismatch, text)
}

// CompareMemes decides whether meme b (fingerprint and OCR text) is a
// repost of meme a. When both carry text, the text decides between a
// repost and a new joke on the same template: the pictures must match and
// so must the texts. When OCR read too little of either, the lettering
// itself is compared (lettering.go): the same picture under lettering that
// differs in solid patches is not called a duplicate but a suspect, for
// moderators to decide. Texts that agree never make up for pictures that
// differ: the same caption on another picture is another meme (and smooth
// generated pictures with one caption sit just beyond the edge threshold).
//
// a is the upload: its Views are compared too, and the first that makes a
// duplicate (else a suspect) decides; b's are not (a stored meme has none).
func CompareMemes(a, b Fingerprint, textA, textB string) Verdict {
	v := compareMemes(&a, &b, textA, textB)
	for i := range a.Views {
		if v.Duplicate {
			break
		}
		if w := compareMemes(&a.Views[i], &b, textA, textB); w.Duplicate || (w.Suspect && !v.Suspect) {
			v = w
			v.Reason += ", caption bar left out"
		}
	}
	return v
}

func compareMemes(ap, bp *Fingerprint, textA, textB string) Verdict {
	a, b := *ap, *bp
	v, al := compare(&a, &b)
	if a.SHA256 == b.SHA256 {
		return v
	}
	v.TextSimilarity, v.TextCompared = TextSimilarity(textA, textB)
	if v.TextCompared {
		v.ReadingCoverage = ReadingCoverage(textA, textB)
	}
	textsAgree := v.TextCompared && (v.TextSimilarity >= MinTextSimilarity || v.ReadingCoverage >= MinReadingCoverage)
	if textsAgree && matchBesideWatermark(&a, &b, &v, al) {
		// Another watermark over a detailed corner: the same caption on
		// a picture that differs in one corner only. (Without text to
		// agree, the picture alone decides and gets no such leave.)
		v.Duplicate, v.Reason = true, "another watermark"
	}
	switch {
	case !v.Duplicate:
	case textsAgree:
		switch {
		case drawingChanged(&a, &b, al):
			// The same caption makes two pictures look alike however
			// little of them is not caption (a small drawing on a plain
			// ground): a patch of changed edges inside the picture is
			// another picture.
			v.Duplicate, v.Suspect, v.Reason = false, true, "same text, the picture differs inside"
		case readShare(textA, textB) < minReadShare && v.Crop == [4]float64{0, 0, 1, 1} && !v.sameToTheCell():
			// The upload's text is a part of the stored one under half its
			// length, and no crop took the rest away: the rest may be a
			// line OCR did not read, another line of a template.
			// Moderators decide.
			v.Duplicate, v.Suspect, v.Reason = false, true, "the upload's text holds under half of the other, the picture is not cropped"
		case v.TextSimilarity < MinTextSimilarity:
			v.Reason += ", text misread"
		}
	case v.TextCompared && v.TextSimilarity >= MinMisreadSimilarity && v.sameToTheCell() && a.Version >= 2 && b.Version >= 2:
		// The texts agree only in part, which is how OCR misreads faint
		// or cut lettering, and how a template with one line changed
		// reads; the pictures decide: other lettering changes the edges
		// and strokes where it is drawn, a misread changes nothing.
		v.LetteringChange = letteringChange(&a, &b, al)
		if v.LetteringChange > 0 {
			v.Duplicate, v.Reason = false, "same picture, different text"
		} else {
			v.Reason += ", text misread"
		}
	case v.TextCompared:
		v.Duplicate, v.Reason = false, "same picture, different text"
	case a.Version < 2 || b.Version < 2:
		// A fingerprint from before the lettering was kept (not backfilled
		// yet): the picture decides, as it did then.
	default:
		v.LetteringChange = letteringChange(&a, &b, al)
		if v.LetteringChange > MaxLetteringChange {
			v.Duplicate, v.Suspect, v.Reason = false, true, "same picture, lettering differs"
		}
	}
	return v
}

// PicturesMayMatch tells whether the picture of upload a (or one of its
// Views) matches stored meme b's, or would were the two texts to agree
// (another watermark over a detailed corner, see CompareMemes): when it is
// false, the texts cannot make the two one meme and need not be read.
func PicturesMayMatch(a, b Fingerprint) bool {
	for _, f := range append([]*Fingerprint{&a}, viewsOf(&a)...) {
		v, al := compare(f, &b)
		if v.Duplicate || matchBesideWatermark(f, &b, &v, al) {
			return true
		}
	}
	return false
}

func viewsOf(fp *Fingerprint) []*Fingerprint {
	out := make([]*Fingerprint, len(fp.Views))
	for i := range fp.Views {
		out[i] = &fp.Views[i]
	}
	return out
}

// matchBesideWatermark tells whether pictures that differ (v) match once
// the watermark corner with the most changed edge cells is left out; it
// then sets v's EdgeMismatch to the share left.
func matchBesideWatermark(a, b *Fingerprint, v *Verdict, al alignment) bool {
	if v.Duplicate || v.Reason != "pictures differ" || v.ToneMismatch > MaxToneMismatch {
		return false
	}
	edge := edgeMismatchBesideWatermark(a, b, al)
	if edge > MaxEdgeMismatch {
		return false
	}
	v.EdgeMismatch = edge
	return true
}

// Compare decides whether b is a repost of a: the same file, or the same
// picture re-encoded, resized, lightly cropped, brightened, re-watermarked
// or with a caption bar. Two different captions on the same template are
// not duplicates. Compare is symmetric.
// a's Views are compared too (see CompareMemes).
func Compare(a, b Fingerprint) Verdict {
	v, _ := compare(&a, &b)
	for i := range a.Views {
		if v.Duplicate {
			break
		}
		if w, _ := compare(&a.Views[i], &b); w.Duplicate {
			v = w
		}
	}
	return v
}

// alignment says how two compared pictures line up: region r of the
// bigger one (a when aBig) shows the whole of the other.
type alignment struct {
	aBig bool
	r    region
}

func compare(ap, bp *Fingerprint) (Verdict, alignment) {
	a, b := *ap, *bp
	al := alignment{aBig: true, r: fullRegion}
	v := Verdict{PHashDistance: a.PHashDistance(b), ToneMismatch: 1, EdgeMismatch: 1, Crop: [4]float64{0, 0, 1, 1}}
	switch {
	case a.SHA256 == b.SHA256:
		v.Duplicate, v.Reason, v.ToneMismatch, v.EdgeMismatch = true, "identical file", 0, 0
		return v, al
	case v.PHashDistance > CandidateDistance:
		v.Reason = "perceptual hashes far apart"
		return v, al
	case math.Abs(math.Log(float64(a.Aspect/b.Aspect))) > maxAspectLogRatio:
		v.Reason = "aspect ratios too different"
		return v, al
	}
	if toneDistance(&a.Tone, &b.Tone) > maxProbeCost {
		v.Reason = "pictures differ in tone"
		return v, al
	}
	ga, gb := newGrids(&a), newGrids(&b)
	v.ToneMismatch, v.EdgeMismatch = ga.mismatch(gb, fullRegion)
	if !v.acceptable() {
		// One may be a crop of the other; try both ways.
		r1, c1 := bestCrop(ga, gb, float64(a.Aspect), float64(b.Aspect))
		r2, c2 := bestCrop(gb, ga, float64(b.Aspect), float64(a.Aspect))
		big, small, r, bigAspect, smallAspect, aBig := ga, gb, r1, a.Aspect, b.Aspect, true
		if c2 < c1 {
			big, small, r, bigAspect, smallAspect, aBig = gb, ga, r2, b.Aspect, a.Aspect, false
		}
		tone, edge := big.mismatch(small, r)
		if cropKeepsAspect(r, bigAspect, smallAspect) && tone+edge < v.ToneMismatch+v.EdgeMismatch {
			v.ToneMismatch, v.EdgeMismatch = tone, edge
			v.Crop = [4]float64{r.x0, r.y0, r.x1, r.y1}
			al = alignment{aBig: aBig, r: r}
		}
	}
	switch {
	case !v.acceptable():
		v.Reason = "pictures differ"
	case v.Crop != [4]float64{0, 0, 1, 1}:
		v.Duplicate, v.Reason = true, "cropped"
	default:
		v.Duplicate, v.Reason = true, "same picture"
	}
	return v, al
}

// sameToTheCell tells whether the pictures matched with no Tone cell and at
// most maxMisreadEdgeCells Edges cells changed: what a repost whose text
// OCR misread shows, and another line of lettering never does (dedupeval:
// templates with one caption line changed change 9 cells and more).
func (v Verdict) sameToTheCell() bool {
	return v.ToneMismatch == 0 && v.EdgeMismatch*EdgeSize*EdgeSize <= maxMisreadEdgeCells
}

func (v Verdict) acceptable() bool {
	return v.ToneMismatch <= MaxToneMismatch && v.EdgeMismatch <= MaxEdgeMismatch
}

// cropKeepsAspect tells whether cutting r out of a picture of bigAspect
// gives smallAspect: a real crop does, to the rounding of the trimmed
// thumbnail. The alignment moves each side on its own, and a region that
// fits only by stretching one way is another picture drawn alike (two
// renderings of one pattern at nearby frequencies), not a crop.
func cropKeepsAspect(r region, bigAspect, smallAspect float32) bool {
	implied := float64(bigAspect) * (r.x1 - r.x0) / (r.y1 - r.y0)
	return math.Abs(math.Log(implied/float64(smallAspect))) <= maxCropAspectError
}

// fullRegion is the whole picture in the unit square.
var fullRegion = region{0, 0, 1, 1}

// grids holds a fingerprint's grids as floats for alignment.
type grids struct {
	tone, edges grayImage
	toneSlack   []float32 // see localSlack
	s           scratch
}

func newGrids(fp *Fingerprint) *grids {
	g := &grids{
		tone:  grayImage{w: ToneSize, h: ToneSize, pix: make([]float32, len(fp.Tone))},
		edges: grayImage{w: EdgeSize, h: EdgeSize, pix: make([]float32, len(fp.Edges))},
	}
	for i, v := range fp.Tone {
		g.tone.pix[i] = float32(v)
	}
	for i, v := range fp.Edges {
		g.edges.pix[i] = float32(v)
	}
	g.toneSlack = localSlack(g.tone)
	return g
}

// view resamples part r (unit square coordinates) of grid g to n x n.
func (g *grids) view(src grayImage, r region, n int) []float32 {
	if r == fullRegion && n == src.w {
		return src.pix
	}
	f := float64(src.w)
	return resample(src, region{r.x0 * f, r.y0 * f, r.x1 * f, r.y1 * f}, n, n, &g.s)
}

// mismatch compares region r of g with the whole of other.
func (g *grids) mismatch(other *grids, r region) (tone, edge float64) {
	slack := other.toneSlack
	if r == fullRegion {
		slack = nil
	}
	tone = toneMismatch(other.tone.pix, g.view(g.tone, r, ToneSize), slack)
	edge = edgeMismatch(other.edges.pix, g.view(g.edges, r, EdgeSize))
	return tone, edge
}

// cost is the smooth alignment cost of region r of g against other.
func (g *grids) cost(other *grids, r region, edges bool) float64 {
	c := meanAbsDiff(other.tone.pix, g.view(g.tone, r, ToneSize))
	if edges {
		c += meanAbsDiff(other.edges.pix, g.view(g.edges, r, EdgeSize))
	}
	return c
}

// toneDistance is the mean absolute Tone difference after matching
// brightness and contrast: a quick test before any grid is aligned.
func toneDistance(a, b *[ToneSize * ToneSize]uint8) float64 {
	var fa, fb [ToneSize * ToneSize]float32
	for i := range a {
		fa[i], fb[i] = float32(a[i]), float32(b[i])
	}
	return meanAbsDiff(fa[:], fb[:])
}

// levelMatch returns gain and offset mapping b's levels onto a's (means
// equal, contrast matched within +-25%).
func levelMatch(a, b []float32) (gain, offset float32) {
	ma, sa := meanStd(a)
	mb, sb := meanStd(b)
	gain = 1
	if sb > 1 {
		gain = min(max(sa/sb, 0.8), 1.25)
	}
	return gain, ma - gain*mb
}

func meanStd(v []float32) (mean, std float32) {
	var s, s2 float64
	for _, x := range v {
		s += float64(x)
		s2 += float64(x) * float64(x)
	}
	n := float64(len(v))
	m := s / n
	return float32(m), float32(math.Sqrt(max(s2/n-m*m, 0)))
}

// toneMismatch is the share of cells differing by more than ToneTolerance
// once brightness and contrast are matched.
func toneMismatch(a, b, slack []float32) float64 {
	gain, offset := levelMatch(a, b)
	if slack == nil {
		return countOver(a, b, gain, offset, ToneTolerance)
	}
	n := 0
	for i := range a {
		d := abs32(a[i] - (b[i]*gain + offset))
		if d > ToneTolerance+slack[i] {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// localSlack returns, per Tone cell, how much a crop's resampling may move
// it. A coarse grid resampled at an offset reproduces a smooth gradient
// but not a sharp edge inside a cell (meme lettering, a horizon), so a cell
// near a bend in the levels (a second difference) is allowed a share of
// it; a smooth picture gets no slack, however much its levels vary.
func localSlack(t grayImage) []float32 {
	at := func(x, y int) float32 {
		return t.pix[min(max(y, 0), t.h-1)*t.w+min(max(x, 0), t.w-1)]
	}
	bend := make([]float32, len(t.pix))
	for y := range t.h {
		for x := range t.w {
			v := 2 * at(x, y)
			bend[y*t.w+x] = max(abs32(v-at(x-1, y)-at(x+1, y)), abs32(v-at(x, y-1)-at(x, y+1)))
		}
	}
	out := make([]float32, len(t.pix))
	for y := range t.h {
		for x := range t.w {
			var m float32
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if xx, yy := x+dx, y+dy; xx >= 0 && yy >= 0 && xx < t.w && yy < t.h {
						m = max(m, bend[yy*t.w+xx])
					}
				}
			}
			out[y*t.w+x] = cropSlack * m
		}
	}
	return out
}

// edgeMismatch is the share of cells whose edge density differs by more
// than EdgeTolerance once overall contrast is matched (a gain only: no
// edges must stay no edges).
func edgeMismatch(a, b []float32) float64 {
	ma, _ := meanStd(a)
	mb, _ := meanStd(b)
	gain := float32(1)
	if mb > 1 {
		gain = min(max(ma/mb, 0.8), 1.25)
	}
	return countOver(a, b, gain, 0, EdgeTolerance)
}

func countOver(a, b []float32, gain, offset, tolerance float32) float64 {
	n := 0
	for i := range a {
		d := a[i] - (b[i]*gain + offset)
		if d > tolerance || d < -tolerance {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// meanAbsDiff is the smooth cost used while searching for an alignment.
func meanAbsDiff(a, b []float32) float64 {
	gain, offset := levelMatch(a, b)
	var s float32
	for i := range a {
		s += abs32(a[i] - (b[i]*gain + offset))
	}
	return float64(s) / float64(len(a))
}

// bestCrop searches for the part of big that small shows, assuming small
// was cut from it removing at most maxCropShare per side. It returns that
// region (unit square coordinates) and its alignment cost.
func bestCrop(big, small *grids, bigAspect, smallAspect float64) (region, float64) {
	// The crop keeps small's aspect: a width share wx implies a height share wy.
	ratio := bigAspect / smallAspect
	const minShare = 1 - 2*maxCropShare
	const step = 0.02
	best, bestCost := fullRegion, math.Inf(1)
	for wx := 1.0; wx >= minShare-1e-9; wx -= step {
		wy := wx * ratio
		if wy > 1+1e-9 || wy < minShare {
			continue
		}
		for x0 := 0.0; x0 <= 1-wx+1e-9; x0 += step {
			for y0 := 0.0; y0 <= 1-wy+1e-9; y0 += step {
				r := region{x0, y0, x0 + wx, y0 + wy}
				if c := big.cost(small, r, false); c < bestCost {
					best, bestCost = r, c
				}
			}
		}
	}
	if math.IsInf(bestCost, 1) {
		return fullRegion, bestCost
	}
	// Refine with the fine edge grid by moving one edge at a time.
	bestCost = big.cost(small, best, true)
	for _, d := range []float64{step / 2, step / 4, step / 8} {
		for improved := true; improved; {
			improved = false
			for edge := range 8 {
				r := best
				delta := d
				if edge >= 4 {
					delta = -d
				}
				switch edge % 4 {
				case 0:
					r.x0 += delta
				case 1:
					r.y0 += delta
				case 2:
					r.x1 += delta
				case 3:
					r.y1 += delta
				}
				if r.x0 < 0 || r.y0 < 0 || r.x1 > 1 || r.y1 > 1 {
					continue
				}
				if c := big.cost(small, r, true); c < bestCost {
					best, bestCost, improved = r, c, true
				}
			}
		}
	}
	return best, bestCost
}

// Where a picture under the same caption may differ (drawingChanged):
// Edges cells changed by more than EdgeTolerance, leaving out a border of
// drawingMargin cells (crops change it) and the corners where watermarks
// go. Measured on dedupeval's clip art (the worst case: small drawings on
// a plain ground under two lines of caption), reposts changed at most 18
// such cells and at most 7 in any square of drawingWindow cells (one of
// 480 now crosses the limits), the same caption over another drawing
// 22-32, 8-19 in one square. That is close, so a pair over the limits is
// a suspect, not a new meme: moderators decide.
const (
	drawingMargin           = 3
	drawingWindow           = 6
	maxDrawingChange        = 19
	maxDrawingConcentration = 7
)

// drawingChanged tells whether the Edges of two pictures lined up as al
// says differ inside in more cells, or more of them together, than a
// repost makes them.
func drawingChanged(a, b *Fingerprint, al alignment) bool {
	changed := changedEdges(a, b, al)
	const n = EdgeSize
	// sum[y][x] counts the changed cells above and left of (x, y).
	var sum [n + 1][n + 1]int
	total := 0
	for y := range n {
		for x := range n {
			c := 0
			if inDrawing(x, y) && changed[y*n+x] {
				c, total = 1, total+1
			}
			sum[y+1][x+1] = sum[y][x+1] + sum[y+1][x] - sum[y][x] + c
		}
	}
	if total > maxDrawingChange {
		return true
	}
	const w = drawingWindow
	for y := 0; y+w <= n; y++ {
		for x := 0; x+w <= n; x++ {
			if sum[y+w][x+w]-sum[y][x+w]-sum[y+w][x]+sum[y][x] > maxDrawingConcentration {
				return true
			}
		}
	}
	return false
}

// changedEdges marks the Edges cells of the smaller picture that differ
// from the bigger one's lined up as al says, by more than EdgeTolerance
// once overall contrast is matched (as edgeMismatch counts them).
func changedEdges(a, b *Fingerprint, al alignment) []bool {
	big, small := a, b
	if !al.aBig {
		big, small = b, a
	}
	gb := newGrids(big)
	lined := gb.view(gb.edges, al.r, EdgeSize)
	other := make([]float32, len(small.Edges))
	for i, v := range small.Edges {
		other[i] = float32(v)
	}
	ma, _ := meanStd(other)
	mb, _ := meanStd(lined)
	gain := float32(1)
	if mb > 1 {
		gain = min(max(ma/mb, 0.8), 1.25)
	}
	changed := make([]bool, len(other))
	for i := range other {
		d := other[i] - lined[i]*gain
		changed[i] = d > EdgeTolerance || d < -EdgeTolerance
	}
	return changed
}

// edgeMismatchBesideWatermark is the share of changed Edges cells (see
// changedEdges) leaving out the watermark corner with the most: another
// channel's watermark over a detailed corner (a drawing's side, a crop's
// edge) changes up to twice the cells a crop may.
func edgeMismatchBesideWatermark(a, b *Fingerprint, al alignment) float64 {
	changed := changedEdges(a, b, al)
	const n, cw, ch = EdgeSize, EdgeSize * 2 / 5, EdgeSize / 5
	total, worst := 0, 0
	for _, c := range changed {
		if c {
			total++
		}
	}
	for _, corner := range [][2]int{{0, 0}, {n - cw, 0}, {0, n - ch}, {n - cw, n - ch}} {
		k := 0
		for y := corner[1]; y < corner[1]+ch; y++ {
			for x := corner[0]; x < corner[0]+cw; x++ {
				if changed[y*n+x] {
					k++
				}
			}
		}
		worst = max(worst, k)
	}
	return float64(total-worst) / float64(n*n)
}

// inDrawing tells whether Edges cell (x, y) is inside the border and out
// of the watermark corners drawingChanged leaves out.
func inDrawing(x, y int) bool {
	const n, cw, ch = EdgeSize, EdgeSize * 2 / 5, EdgeSize / 5
	if x < drawingMargin || y < drawingMargin || x >= n-drawingMargin || y >= n-drawingMargin {
		return false
	}
	return !((x < cw || x >= n-cw) && (y < ch || y >= n-ch))
}
