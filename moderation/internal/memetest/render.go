// Package memetest draws synthetic meme images for the moderation tests and
// benchmarks: text in the Go fonts (Latin and Cyrillic) on plain, gradient or
// busy photo-like backgrounds, optionally as white text with a black outline.
package memetest

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Background selects what is drawn behind the text.
type Background int

const (
	// White is a plain white page.
	White Background = iota
	// Gradient is a smooth diagonal colour gradient.
	Gradient
	// Busy is a gradient with stripes, blobs and noise, like a photo.
	Busy
	// Light is a pale wash with a little noise, like sky, a wall or paper:
	// nearly as bright as white letters.
	Light
	// Rings is a dark ground packed with the pale thin rims of cups seen
	// from above: bright curves closed in by dark, which cross the
	// lettering and are as bright as the fill of outlined letters to a
	// threshold.
	Rings
)

// Options describe one synthetic meme.
type Options struct {
	Width, Height int
	Text          string // lines separated by "\n"
	FontSize      float64
	Outlined      bool // white text with a black outline (classic meme style)
	Bold          bool
	Background    Background
	Seed          uint64
}

// Render draws the meme described by o.
func Render(o Options) *image.RGBA {
	if o.Width == 0 {
		o.Width = 1080
	}
	if o.Height == 0 {
		o.Height = o.Width
	}
	if o.FontSize == 0 {
		o.FontSize = float64(o.Width) / 16
	}
	img := image.NewRGBA(image.Rect(0, 0, o.Width, o.Height))
	paintBackground(img, o.Background, o.Seed)
	face := newFace(o.FontSize, o.Bold)
	defer face.Close()
	lines := strings.Split(o.Text, "\n")
	lineHeight := int(o.FontSize * 1.35)
	y := int(o.FontSize * 1.4)
	for _, line := range lines {
		drawLine(img, face, line, y, o)
		y += lineHeight
	}
	return img
}

func newFace(size float64, bold bool) font.Face {
	data := goregular.TTF
	if bold {
		data = gobold.TTF
	}
	f, err := opentype.Parse(data)
	if err != nil {
		panic(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(err)
	}
	return face
}

func drawLine(img *image.RGBA, face font.Face, text string, baseline int, o Options) {
	width := font.MeasureString(face, text).Ceil()
	x := (img.Bounds().Dx() - width) / 2
	d := &font.Drawer{Dst: img, Face: face}
	if !o.Outlined {
		d.Src = image.NewUniform(color.Black)
		d.Dot = fixed.P(x, baseline)
		d.DrawString(text)
		return
	}
	radius := math.Max(2, o.FontSize/14)
	d.Src = image.NewUniform(color.Black)
	for a := 0.0; a < 2*math.Pi; a += math.Pi / 8 {
		for r := radius / 2; r <= radius; r += radius / 2 {
			d.Dot = fixed.P(x+int(math.Round(r*math.Cos(a))), baseline+int(math.Round(r*math.Sin(a))))
			d.DrawString(text)
		}
	}
	d.Src = image.NewUniform(color.White)
	d.Dot = fixed.P(x, baseline)
	d.DrawString(text)
}

func paintBackground(img *image.RGBA, bg Background, seed uint64) {
	b := img.Bounds()
	if bg == White {
		draw.Draw(img, b, image.NewUniform(color.White), image.Point{}, draw.Src)
		return
	}
	if bg == Rings {
		paintRings(img, seed)
		return
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	w, h := float64(b.Dx()), float64(b.Dy())
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			fx, fy := float64(x)/w, float64(y)/h
			r := 40 + 180*fx
			g := 60 + 150*fy
			bl := 200 - 120*(fx+fy)/2
			if bg == Light {
				n := rng.Float64()*6 - 3
				r, g, bl = 235+15*fx+n, 240-10*fy+n, 170+40*fy+n
			}
			if bg == Busy {
				stripe := 35 * math.Sin(float64(x+y)/(w/40))
				r += stripe
				g -= stripe
				n := rng.Float64()*50 - 25
				r, g, bl = r+n, g+n, bl+n
			}
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = clamp(r), clamp(g), clamp(bl), 255
		}
	}
	if bg == Busy {
		for i := 0; i < 40; i++ {
			c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
			cx, cy := rng.IntN(b.Dx()), rng.IntN(b.Dy())
			rad := 10 + rng.IntN(b.Dx()/8)
			fillCircle(img, cx, cy, rad, c)
		}
	}
}

// paintRings draws rows of cups from above on a dark ground: each a pale
// elliptic rim a few pixels wide around a shaded inside, the rows offset by
// half a cup, every position moved a little by seed.
func paintRings(img *image.RGBA, seed uint64) {
	b := img.Bounds()
	draw.Draw(img, b, image.NewUniform(color.RGBA{45, 45, 45, 255}), image.Point{}, draw.Src)
	rng := rand.New(rand.NewPCG(seed, 11))
	w := float64(b.Dx())
	rx, ry := w/9, w/14
	rim := math.Max(2, w/180)
	for row := -1; float64(row)*ry*2.25 < float64(b.Dy())+ry; row++ {
		shift := float64(row%2) * rx * 1.15
		for col := -1; float64(col)*rx*2.3 < w+rx; col++ {
			cx := float64(col)*rx*2.3 + shift + rng.Float64()*rx/4
			cy := float64(row)*ry*2.25 + rng.Float64()*ry/4
			drawCup(img, cx, cy, rx, ry, rim)
		}
	}
}

func drawCup(img *image.RGBA, cx, cy, rx, ry, rim float64) {
	b := img.Bounds()
	for y := int(cy - ry - rim); y <= int(cy+ry+rim); y++ {
		for x := int(cx - rx - rim); x <= int(cx+rx+rim); x++ {
			if !image.Pt(x, y).In(b) {
				continue
			}
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			d := math.Sqrt(dx*dx + dy*dy) // 1 on the rim
			var v float64
			switch {
			case math.Abs(d-1)*math.Min(rx, ry) <= rim/2:
				v = 225
			case d < 1:
				v = 70 + 40*dy // shaded inside, lighter towards the bottom
			default:
				continue
			}
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = clamp(v), clamp(v), clamp(v), 255
		}
	}
}

func fillCircle(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r && image.Pt(x, y).In(img.Bounds()) {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

func clamp(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, v)))
}

// GaussianBlur returns the luma of img blurred with a Gaussian of the given
// sigma (separable, edges clamped).
func GaussianBlur(img image.Image, sigma float64) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	src := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			src[y*w+x] = float64(color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y)
		}
	}
	radius := int(math.Ceil(3 * sigma))
	kernel := make([]float64, 2*radius+1)
	var sum float64
	for i := range kernel {
		d := float64(i - radius)
		kernel[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += kernel[i]
	}
	for i := range kernel {
		kernel[i] /= sum
	}
	pass := func(in []float64, step, n, stride, lines int) []float64 {
		out := make([]float64, len(in))
		for l := 0; l < lines; l++ {
			base := l * stride
			for i := 0; i < n; i++ {
				var acc float64
				for k, kv := range kernel {
					j := min(max(i+k-radius, 0), n-1)
					acc += kv * in[base+j*step]
				}
				out[base+i*step] = acc
			}
		}
		return out
	}
	tmp := pass(src, 1, w, w, h)
	res := pass(tmp, w, h, 1, w)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range res {
		out.Pix[i] = clamp(v + 0.5)
	}
	return out
}
