package charts

import (
	"fmt"
	"image"
	"image/color"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Font sizes in pixels. The Go fonts cover Latin and Cyrillic, so English
// and Russian labels both render.
// The chart is shown shrunk to a phone's width (960 px to about 360): the
// legend, which says which line is which, gets the largest text after the title.
const (
	titleSize  = 26
	legendSize = 22
	labelSize  = 17
)

var (
	ink      = color.RGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff} // text and axes
	gridInk  = color.RGBA{R: 0xe4, G: 0xe4, B: 0xe4, A: 0xff}
	parseAll = sync.OnceValues(func() ([2]*opentype.Font, error) {
		regular, err := opentype.Parse(goregular.TTF)
		if err != nil {
			return [2]*opentype.Font{}, fmt.Errorf("charts: parse font: %w", err)
		}
		bold, err := opentype.Parse(gobold.TTF)
		if err != nil {
			return [2]*opentype.Font{}, fmt.Errorf("charts: parse font: %w", err)
		}
		return [2]*opentype.Font{regular, bold}, nil
	})
)

// faces are the font faces of one chart; a face is not safe for concurrent
// use, so each chart makes its own from the fonts parsed once.
type faces struct {
	title, legend, label font.Face
}

func newFaces() (faces, error) {
	fonts, err := parseAll()
	if err != nil {
		return faces{}, err
	}
	var f faces
	for _, face := range []struct {
		dst  *font.Face
		font *opentype.Font
		size float64
	}{{&f.title, fonts[1], titleSize}, {&f.legend, fonts[0], legendSize}, {&f.label, fonts[0], labelSize}} {
		*face.dst, err = opentype.NewFace(face.font, &opentype.FaceOptions{Size: face.size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			f.close()
			return faces{}, fmt.Errorf("charts: font face: %w", err)
		}
	}
	return f, nil
}

func (f faces) close() {
	for _, face := range []font.Face{f.title, f.legend, f.label} {
		if face != nil {
			face.Close()
		}
	}
}

// textWidth is how many pixels s takes in face.
func textWidth(face font.Face, s string) int { return font.MeasureString(face, s).Ceil() }

// lineHeight is the height of one line of text in face.
func lineHeight(face font.Face) int {
	m := face.Metrics()
	return (m.Ascent + m.Descent).Ceil()
}

// drawText writes s with its top-left corner at (x, top).
func drawText(img *image.RGBA, face font.Face, s string, x, top int) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: face,
		Dot: fixed.P(x, top+face.Metrics().Ascent.Ceil())}
	d.DrawString(s)
}
