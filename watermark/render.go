package watermark

import (
	"image"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Go Bold ships inside a Go module (no system fonts needed) and covers
// Latin and Cyrillic.
var (
	fontOnce sync.Once
	boldFont *opentype.Font
	faces    sync.Map // int pixel size -> *sharedFace
)

// sharedFace guards a face: opentype faces are not safe for concurrent use.
type sharedFace struct {
	mu   sync.Mutex
	face font.Face
}

func faceFor(size float64) *sharedFace {
	px := max(1, int(size+0.5))
	if f, ok := faces.Load(px); ok {
		return f.(*sharedFace)
	}
	fontOnce.Do(func() {
		f, err := opentype.Parse(gobold.TTF)
		if err != nil {
			panic("watermark: parse embedded Go Bold: " + err.Error()) // cannot happen with the vendored font
		}
		boldFont = f
	})
	face, err := opentype.NewFace(boldFont, &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic("watermark: new face: " + err.Error()) // only fails for invalid options
	}
	f, _ := faces.LoadOrStore(px, &sharedFace{face: face})
	return f.(*sharedFace)
}

// measure returns the patch size for text, outline included.
func measure(text string, size float64, outline int) (w, h int) {
	f := faceFor(size)
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.face.Metrics()
	w = font.MeasureString(f.face, text).Ceil() + 2*outline
	h = (m.Ascent + m.Descent).Ceil() + 2*outline
	return w, h
}

// patch is the rendered watermark: per pixel a gray level and an alpha.
type patch struct {
	w, h  int
	level []uint8   // 0 black .. 255 white
	alpha []float32 // 0..1, opacity applied
}

// render draws text into a small patch: glyph coverage, dilated by the
// outline width for the outline, then coloured and made translucent.
func render(text string, size float64, outline int, dark bool, opacity float64) patch {
	w, h := measure(text, size, outline)
	glyphs := image.NewAlpha(image.Rect(0, 0, w, h))
	f := faceFor(size)
	f.mu.Lock()
	d := font.Drawer{Dst: glyphs, Src: image.Opaque, Face: f.face,
		Dot: fixed.P(outline, outline+f.face.Metrics().Ascent.Ceil())}
	d.DrawString(text)
	f.mu.Unlock()

	halo := dilate(glyphs.Pix, w, h, outline)
	textLevel, outlineLevel := float32(255), float32(0)
	if dark {
		textLevel, outlineLevel = 0, 255
	}
	p := patch{w: w, h: h, level: make([]uint8, w*h), alpha: make([]float32, w*h)}
	for i, g := range glyphs.Pix {
		cover := float32(g) / 255
		p.level[i] = uint8(textLevel*cover + outlineLevel*(1-cover) + 0.5)
		p.alpha[i] = float32(halo[i]) / 255 * float32(opacity)
	}
	return p
}

// dilate returns the maximum of src over a (2r+1) square around each pixel.
func dilate(src []uint8, w, h, r int) []uint8 {
	rows := make([]uint8, len(src))
	for y := range h {
		for x := range w {
			var m uint8
			for k := max(0, x-r); k <= min(w-1, x+r); k++ {
				m = max(m, src[y*w+k])
			}
			rows[y*w+x] = m
		}
	}
	out := make([]uint8, len(src))
	for y := range h {
		for x := range w {
			var m uint8
			for k := max(0, y-r); k <= min(h-1, y+r); k++ {
				m = max(m, rows[k*w+x])
			}
			out[y*w+x] = m
		}
	}
	return out
}
