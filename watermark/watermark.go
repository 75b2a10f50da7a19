// Package watermark stamps the bot's name on memes: small, semi-transparent
// outlined text in the calmest corner of the picture, in whichever of
// black or white contrasts with what is under it.
package watermark

import (
	"image"
	"image/color"
	"math"

	"github.com/disintegration/imaging"
)

// Options tune the watermark; zero values take the defaults.
type Options struct {
	SizeRatio float64 // font size as a share of the image width (default 0.03)
	MinSize   float64 // smallest font size in pixels (default 14)
	Opacity   float64 // 0..1 (default 0.4)
	Margin    int     // pixels between text and image edges (default max(5, size/3))
	Outline   int     // outline width in pixels (default 1, 2 for fonts from 40 px)
}

func (o Options) withDefaults() Options {
	if o.SizeRatio <= 0 {
		o.SizeRatio = 0.03
	}
	if o.MinSize <= 0 {
		o.MinSize = 14
	}
	if o.Opacity <= 0 || o.Opacity > 1 {
		o.Opacity = 0.4
	}
	return o
}

// Corner names a corner of the image.
type Corner int

// The four corners, in the order they are tried (ties go to the earlier).
const (
	BottomRight Corner = iota
	BottomLeft
	TopRight
	TopLeft
)

func (c Corner) String() string {
	return [...]string{"bottom-right", "bottom-left", "top-right", "top-left"}[c]
}

// Placement is where and how the text is drawn, and why.
type Placement struct {
	Corner Corner
	Rect   image.Rectangle // the text patch, outline included, in image coordinates (may overhang tiny images)
	Size   float64         // font size in pixels
	Dark   bool            // black text with a white outline (else white on black)
	Mean   float64         // gray mean of the chosen corner region (0..255)
	StdDev float64         // its gray standard deviation: lower is calmer
}

// Plan decides the placement of text on img without drawing anything.
func Plan(img image.Image, text string, opts Options) Placement {
	opts = opts.withDefaults()
	b := img.Bounds()
	size := math.Max(opts.MinSize, opts.SizeRatio*float64(b.Dx()))
	outline := outlineWidth(opts, size)
	margin := marginFor(opts, size)
	w, h := measure(text, size, outline)
	if room := b.Dx() - 2*margin; w > room && room > 0 {
		// Long text on a narrow picture: shrink to fit.
		size = math.Max(6, size*float64(room)/float64(w))
		outline = outlineWidth(opts, size)
		w, h = measure(text, size, outline)
	}
	p := Placement{Size: size, StdDev: math.Inf(1)}
	best := math.Inf(1)
	lum := lumaReader(img)
	for c := BottomRight; c <= TopLeft; c++ {
		r := cornerRect(b, c, w, h, margin)
		mean, std := stats(lum, r.Intersect(b))
		// Calm first; among calm corners prefer one near black or white,
		// where either text colour reads best.
		score := std + 0.25*math.Min(mean, 255-mean)
		if score < best {
			best = score
			p.Corner, p.Rect, p.Mean, p.StdDev = c, r, mean, std
		}
	}
	p.Dark = p.Mean > 128
	return p
}

// Apply returns a copy of img with text stamped as Plan decides. JPEG
// photos (*image.YCbCr) stay *image.YCbCr, copied plane by plane, so the
// JPEG encoder takes its fast path; anything else becomes *image.NRGBA.
// Only the text patch is blended; the image is copied exactly once.
func Apply(img image.Image, text string, opts Options) image.Image {
	opts = opts.withDefaults()
	p := Plan(img, text, opts)
	patch := render(text, p.Size, outlineWidth(opts, p.Size), p.Dark, opts.Opacity)
	switch m := img.(type) {
	case *image.YCbCr:
		out := cloneYCbCr(m)
		blendYCbCr(out, patch, p.Rect.Min)
		return out
	default:
		out := imaging.Clone(img)
		blendNRGBA(out, patch, p.Rect.Min.Sub(b0(img)))
		return out
	}
}

// b0 is the origin of img's bounds (imaging.Clone moves images to 0,0).
func b0(img image.Image) image.Point { return img.Bounds().Min }

func outlineWidth(o Options, size float64) int {
	if o.Outline > 0 {
		return o.Outline
	}
	if size >= 40 {
		return 2
	}
	return 1
}

func marginFor(o Options, size float64) int {
	if o.Margin > 0 {
		return o.Margin
	}
	return max(5, int(size/3))
}

func cornerRect(b image.Rectangle, c Corner, w, h, margin int) image.Rectangle {
	x := b.Max.X - margin - w
	if c == BottomLeft || c == TopLeft {
		x = b.Min.X + margin
	}
	y := b.Max.Y - margin - h
	if c == TopLeft || c == TopRight {
		y = b.Min.Y + margin
	}
	return image.Rect(x, y, x+w, y+h)
}

// lumaReader returns a fast gray-level accessor for img.
func lumaReader(img image.Image) func(x, y int) uint8 {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(x, y int) uint8 { return m.Y[m.YOffset(x, y)] }
	case *image.NRGBA:
		return func(x, y int) uint8 {
			i := m.PixOffset(x, y)
			return luma(m.Pix[i], m.Pix[i+1], m.Pix[i+2])
		}
	case *image.RGBA:
		return func(x, y int) uint8 {
			i := m.PixOffset(x, y)
			return luma(m.Pix[i], m.Pix[i+1], m.Pix[i+2])
		}
	case *image.Gray:
		return func(x, y int) uint8 { return m.Pix[m.PixOffset(x, y)] }
	default:
		return func(x, y int) uint8 { return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y }
	}
}

func luma(r, g, b uint8) uint8 {
	return uint8((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 1<<15) >> 16)
}

// stats returns the gray mean and standard deviation of r.
func stats(lum func(x, y int) uint8, r image.Rectangle) (mean, std float64) {
	if r.Empty() {
		return 128, math.Inf(1)
	}
	var s, s2 float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			v := float64(lum(x, y))
			s += v
			s2 += v * v
		}
	}
	n := float64(r.Dx() * r.Dy())
	mean = s / n
	return mean, math.Sqrt(math.Max(s2/n-mean*mean, 0))
}
