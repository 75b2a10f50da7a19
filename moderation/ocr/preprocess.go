package ocr

import (
	"image"
	"strconv"

	"memebot/moderation/internal/imgutil"
)

// variant is one preprocessed rendition of the image handed to Tesseract.
type variant struct {
	name string
	img  *image.Gray
}

// Thresholds for the outlined-text variant. Meme text is near-white fill
// inside a near-black outline; JPEG keeps the fill above ~200 and the
// outline below ~80.
const (
	brightLevel = 190
	darkLevel   = 90
)

// prepare scales the image to the OCR width and returns the variants to
// read: the outlined-text variant (the classic meme style) when the image
// has white-inside-black strokes, the plain grayscale (black text on a plain
// background), and bright-pixels-only (white text without an outline).
func prepare(img image.Image, width int) (first []variant, fallback variant) {
	gray := imgutil.ResizeGray(imgutil.Gray(img), width)
	radius := max(4, width/60)
	outlined, kept := outlinedText(gray, radius)
	first = []variant{{"gray", gray}}
	if float64(kept) >= 0.002*float64(len(gray.Pix)) {
		first = append(first, variant{"outline", outlined})
	}
	return first, variant{"bright", brightText(gray)}
}

// outlinedText keeps the bright pixels that have a dark pixel within radius
// on both sides, horizontally or vertically, and draws them black on white.
// That is the fill of a white stroke inside its black outline; bright areas
// of the photo (sky, walls, the edge of a light object touching the outline)
// have dark on one side at most. It also returns how many pixels it kept.
func outlinedText(g *image.Gray, radius int) (out *image.Gray, kept int) {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	dark := make([]bool, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dark[y*w+x] = g.Pix[y*g.Stride+x] <= darkLevel
		}
	}
	fill := make([]bool, w*h)
	for y := 0; y < h; y++ {
		enclosed(dark, y*w, 1, w, radius, fill)
	}
	for x := 0; x < w; x++ {
		enclosed(dark, x, w, h, radius, fill)
	}
	out = image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			out.Pix[i] = 255
			if fill[i] && g.Pix[y*g.Stride+x] >= brightLevel {
				out.Pix[i] = 0
				kept++
			}
		}
	}
	return out, kept
}

// enclosed walks n cells of a row or column (start, step) and sets fill for
// cells with a dark cell within radius before and after them.
func enclosed(dark []bool, start, step, n, radius int, fill []bool) {
	const far = 1 << 30
	after := make([]int, n) // distance to the next dark cell
	next := far
	for i := n - 1; i >= 0; i-- {
		if dark[start+i*step] {
			next = 0
		} else if next < far {
			next++
		}
		after[i] = next
	}
	before := far
	for i := 0; i < n; i++ {
		if dark[start+i*step] {
			before = 0
		} else if before < far {
			before++
		}
		if before <= radius && after[i] <= radius && before > 0 {
			fill[start+i*step] = true
		}
	}
}

// brightText draws every bright pixel black on white: white text on a dark
// background without an outline.
func brightText(g *image.Gray) *image.Gray {
	out := image.NewGray(g.Bounds())
	for i, v := range g.Pix {
		if v >= brightLevel {
			out.Pix[i] = 0
		} else {
			out.Pix[i] = 255
		}
	}
	return out
}

// pgm encodes g as a binary PGM, which Leptonica reads without a codec.
func pgm(g *image.Gray) []byte {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	header := "P5\n" + strconv.Itoa(w) + " " + strconv.Itoa(h) + "\n255\n"
	buf := make([]byte, 0, len(header)+w*h)
	buf = append(buf, header...)
	for y := 0; y < h; y++ {
		buf = append(buf, g.Pix[y*g.Stride:y*g.Stride+w]...)
	}
	return buf
}
