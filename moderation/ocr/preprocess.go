package ocr

import (
	"encoding/binary"
	"image"

	"github.com/otiai10/gosseract/v2"

	"memebot/moderation/internal/imgutil"
)

// variant is one preprocessed rendition of the image handed to Tesseract.
type variant struct {
	name   string
	img    *image.Gray
	layout gosseract.PageSegMode // how Tesseract looks for the text
}

// Page segmentation. Tesseract's API assumes one uniform block of text (its
// command line does not): right for the outlined-text rendition, which holds
// only the letters, but on a photo it then tries to read every stripe and
// blob as letters, up to ten times slower than finding the text blocks first
// and prone to junk words.
const (
	lettersOnly  = gosseract.PSM_SINGLE_BLOCK
	wholePicture = gosseract.PSM_AUTO
)

// Levels for the outlined-text variant. Meme text is near-white fill
// inside a near-black outline; JPEG keeps the fill above ~200 and the
// outline below ~80.
const (
	brightLevel = 190
	darkLevel   = 90
	// maxFillLevel caps how bright the fill must be on a light picture,
	// leaving room for JPEG noise in pure white.
	maxFillLevel = 245
)

// Shares of the picture that decide which variants are worth a pass.
const (
	// minOutlinedShare: below it, what enclosedBright kept is the odd
	// enclosed speck, not lettering.
	minOutlinedShare = 0.002
	// maxBrightShare: above it the picture is mostly bright, so it cannot
	// be white text on a darker background (what brightText is for).
	maxBrightShare = 0.5
	// minInkContrast: below it (gray levels between the dark and the light
	// side of the picture) nothing on it is legible. Tesseract splits such
	// a picture, a pale wall or sky with JPEG noise, into countless specks
	// and spends seconds on them; text, even on a busy photo, stands 40
	// levels or more apart.
	minInkContrast = 24
)

// prepare scales the image to the OCR width and returns the variants to
// read, the one most likely to be read well first: the outlined-text
// variant (the classic meme style) when the image has white strokes inside
// black outlines, the plain grayscale (black text on a plain background),
// and bright-pixels-only (white text without an outline) when the picture
// is dark enough to hold such text. The plain grayscale is left out when it
// has too little contrast to hold text. The outlined-text variant holds
// only the rows of letters of one fill when it finds them (textLines), and
// else all that outlines close in.
func prepare(img image.Image, width int) []variant {
	gray := imgutil.ResizeGray(imgutil.Gray(img), width)
	var variants []variant
	open := reachableFromEdge(gray)
	if enclosed, kept := enclosedBright(gray, open, brightLevel); float64(kept) >= minOutlinedShare*float64(len(gray.Pix)) {
		if letters, lines := textLines(gray, enclosed); lines > 0 {
			variants = append(variants, variant{"lines", letters, lettersOnly})
		} else if outlined, kept := enclosedBright(gray, open, fillLevel(gray)); float64(kept) >= minOutlinedShare*float64(len(gray.Pix)) {
			variants = append(variants, variant{"outline", outlined, lettersOnly})
		}
	}
	if inkContrast(gray) >= minInkContrast {
		variants = append(variants, variant{"gray", gray, wholePicture})
	}
	if bright, kept := brightText(gray); float64(kept) <= maxBrightShare*float64(len(gray.Pix)) {
		variants = append(variants, variant{"bright", bright, wholePicture})
	}
	return variants
}

// enclosedBright keeps the pixels at level or brighter that cannot be
// reached from the edge of the picture without crossing a dark pixel (open
// marks those that can), and draws them black on white: the fill of white
// letters, which their black outline closes in. The background between
// letters, bright areas of the photo and letters an object covers in part
// all reach the edge. It also returns how many pixels it kept.
func enclosedBright(g *image.Gray, open []bool, level uint8) (out *image.Gray, kept int) {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	out = image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		row, dst, reached := g.Pix[y*g.Stride:][:w], out.Pix[y*w:][:w], open[y*w:][:w]
		for x, v := range row {
			dst[x] = 255
			if v >= level && !reached[x] {
				dst[x] = 0
				kept++
			}
		}
	}
	return out, kept
}

// reachableFromEdge marks the pixels connected to the edge of the picture
// through pixels that are not dark (4-connectivity). It fills whole runs of
// a row at a time (scanline flood fill).
func reachableFromEdge(g *image.Gray) []bool {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	seen := make([]bool, w*h)
	passable := func(x, y int) bool { return !seen[y*w+x] && g.Pix[y*g.Stride+x] > darkLevel }
	var stack []image.Point
	for x := range w {
		stack = append(stack, image.Pt(x, 0), image.Pt(x, h-1))
	}
	for y := range h {
		stack = append(stack, image.Pt(0, y), image.Pt(w-1, y))
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !passable(p.X, p.Y) {
			continue
		}
		x0, x1 := p.X, p.X
		for x0 > 0 && passable(x0-1, p.Y) {
			x0--
		}
		for x1 < w-1 && passable(x1+1, p.Y) {
			x1++
		}
		for x := x0; x <= x1; x++ {
			seen[p.Y*w+x] = true
		}
		// Seed one point per run of passable pixels above and below.
		for _, y := range [2]int{p.Y - 1, p.Y + 1} {
			if y < 0 || y >= h {
				continue
			}
			inRun := false
			for x := x0; x <= x1; x++ {
				ok := passable(x, y)
				if ok && !inRun {
					stack = append(stack, image.Pt(x, y))
				}
				inRun = ok
			}
		}
	}
	return seen
}

// fillLevel is how bright a pixel must be to count as letter fill when the
// mask is read as it is: the bright level, or halfway from the picture's
// median to white when the picture itself is light, or the closed counters
// of letters (the inside of an O) would be read as ink.
func fillLevel(g *image.Gray) uint8 {
	var hist [256]int
	for _, v := range g.Pix {
		hist[v]++
	}
	median, n := 0, 0
	for v, c := range hist {
		if n += c; 2*n >= len(g.Pix) {
			median = v
			break
		}
	}
	return uint8(min(max(brightLevel, (median+256)/2), maxFillLevel))
}

// inkContrast is how far apart, in gray levels, the means of the dark and
// the light pixels are when split where Tesseract would split them (Otsu's
// threshold, which maximises the variance between the two sides).
func inkContrast(g *image.Gray) int {
	var hist [256]float64
	for _, v := range g.Pix {
		hist[v]++
	}
	var total, sum float64
	for v, n := range hist {
		total, sum = total+n, sum+float64(v)*n
	}
	var best, dark, darkSum, contrast float64
	for v, n := range hist {
		dark, darkSum = dark+n, darkSum+float64(v)*n
		light := total - dark
		if dark == 0 || light == 0 {
			continue
		}
		darkMean, lightMean := darkSum/dark, (sum-darkSum)/light
		if between := dark * light * (lightMean - darkMean) * (lightMean - darkMean); between > best {
			best, contrast = between, lightMean-darkMean
		}
	}
	return int(contrast)
}

// brightText draws every bright pixel black on white: white text on a dark
// background without an outline. It also returns how many pixels it kept.
func brightText(g *image.Gray) (*image.Gray, int) {
	out := image.NewGray(g.Bounds())
	kept := 0
	for i, v := range g.Pix {
		if v >= brightLevel {
			out.Pix[i] = 0
			kept++
		} else {
			out.Pix[i] = 255
		}
	}
	return out, kept
}

// bmp encodes g as an uncompressed 8-bit BMP with a gray palette.
// Leptonica reads it from memory in whole rows (its PNM reader calls
// fread once per pixel, which cost more than a tenth of a recognition).
func bmp(g *image.Gray) []byte {
	const headerSize = 14 + 40 + 256*4
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	stride := (w + 3) &^ 3 // rows are padded to 4 bytes
	buf := make([]byte, headerSize+stride*h)
	le := binary.LittleEndian
	copy(buf, "BM")
	le.PutUint32(buf[2:], uint32(len(buf)))
	le.PutUint32(buf[10:], headerSize) // pixel data offset
	le.PutUint32(buf[14:], 40)         // BITMAPINFOHEADER
	le.PutUint32(buf[18:], uint32(w))
	le.PutUint32(buf[22:], uint32(h)) // positive: rows bottom-up
	le.PutUint16(buf[26:], 1)         // planes
	le.PutUint16(buf[28:], 8)         // bits per pixel
	le.PutUint32(buf[34:], uint32(stride*h))
	le.PutUint32(buf[46:], 256) // palette entries; no resolution, as in PNM

	for i := range 256 {
		p := buf[54+4*i:]
		p[0], p[1], p[2] = byte(i), byte(i), byte(i)
	}
	for y := range h {
		copy(buf[headerSize+(h-1-y)*stride:], g.Pix[y*g.Stride:y*g.Stride+w])
	}
	return buf
}
