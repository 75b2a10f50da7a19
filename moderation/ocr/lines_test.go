package ocr

import (
	"image"
	"math"
	"slices"
	"testing"
)

// maskScene is a picture and its outlined-text mask drawn shape by shape:
// every shape is ink in the mask and has its own gray level in the picture.
type maskScene struct{ g, m *image.Gray }

func newMaskScene(w, h int) maskScene {
	s := maskScene{image.NewGray(image.Rect(0, 0, w, h)), image.NewGray(image.Rect(0, 0, w, h))}
	for i := range s.m.Pix {
		s.m.Pix[i], s.g.Pix[i] = 255, 60
	}
	return s
}

func (s maskScene) rect(r image.Rectangle, level uint8) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			s.m.Pix[y*s.m.Stride+x], s.g.Pix[y*s.g.Stride+x] = 0, level
		}
	}
}

// outline paints r dark, as the outline of a letter: not ink.
func (s maskScene) outline(r image.Rectangle) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			s.m.Pix[y*s.m.Stride+x], s.g.Pix[y*s.g.Stride+x] = 255, 20
		}
	}
}

// ring draws a thin ellipse around c, like the rim of a cup.
func (s maskScene) ring(c image.Point, rx, ry, width float64, level uint8) {
	for y := range s.m.Bounds().Dy() {
		for x := range s.m.Bounds().Dx() {
			dx, dy := float64(x-c.X)/rx, float64(y-c.Y)/ry
			if math.Abs(math.Sqrt(dx*dx+dy*dy)-1)*min(rx, ry) <= width/2 {
				s.m.Pix[y*s.m.Stride+x], s.g.Pix[y*s.g.Stride+x] = 0, level
			}
		}
	}
}

func (s maskScene) ink(p image.Point) bool { return s.m.Pix[p.Y*s.m.Stride+p.X] == 0 }

// letter is a stand-in for a bold capital: a 5-pixel stroke box 16x24.
func (s maskScene) letter(at image.Point, level uint8) image.Rectangle {
	r := image.Rect(at.X, at.Y, at.X+16, at.Y+24)
	s.rect(image.Rect(r.Min.X, r.Min.Y, r.Min.X+5, r.Max.Y), level) // stem
	s.rect(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+5), level) // top bar
	return r
}

// TestTextLinesKeepsOnlyLettering: the lines of letters stay with their dot,
// while what the outlines of a busy photograph also close in goes: the rim
// of a cup, a patch of the picture between two letters darker than their
// white fill, the picture as bright as the fill inside an O, a lone
// letter-shaped blob and a speck.
func TestTextLinesKeepsOnlyLettering(t *testing.T) {
	s := newMaskScene(400, 240)
	var top, bottom []image.Rectangle
	for i := range 5 {
		top = append(top, s.letter(image.Pt(60+24*i, 20), 250))
		bottom = append(bottom, s.letter(image.Pt(100+24*i, 190), 240))
	}
	o := image.Rect(60+24*5, 20, 60+24*5+16, 44) // an O with a bright counter
	s.rect(o, 250)
	counter := o.Inset(5)
	s.outline(counter.Inset(-1)) // the inside of the O's outline
	s.rect(counter, 250)
	top = append(top, o)
	dot := image.Rect(60+24*2+4, 12, 60+24*2+9, 17) // over the third letter
	s.rect(dot, 250)
	patch := image.Rect(60+24*3+17, 30, 60+24*3+22, 38) // between the 4th and 5th letters, dimmer
	s.rect(patch, 215)
	s.ring(image.Pt(250, 110), 90, 50, 4, 235)
	lone := s.letter(image.Pt(364, 100), 250)
	s.rect(image.Rect(20, 200, 22, 202), 250) // a speck

	out, lines := textLines(s.g, s.m)

	if lines != 2 {
		t.Errorf("%d lines, want 2", lines)
	}
	kept := maskScene{s.g, out}
	for _, r := range append(append(top, bottom...), dot) {
		if !kept.ink(r.Min) {
			t.Errorf("lettering at %v dropped", r)
		}
	}
	for name, p := range map[string]image.Point{
		"the rim": {250, 160}, "the patch": patch.Min, "the counter": counter.Min, "the lone letter": lone.Min, "the speck": {20, 200},
	} {
		if kept.ink(p) {
			t.Errorf("%s kept", name)
		}
	}
}

// TestTextLinesNeedsARow: letter-shaped blobs scattered over a picture, none
// with two neighbours of its height beside it, make no line, and nor does a
// row of lit windows a third of the picture tall or of the rims of cups.
func TestTextLinesNeedsARow(t *testing.T) {
	s := newMaskScene(400, 240)
	s.letter(image.Pt(20, 20), 250)
	s.letter(image.Pt(44, 20), 250) // two letters are a pair, not a line
	s.letter(image.Pt(20, 120), 250)
	s.letter(image.Pt(60, 130), 250) // a third letter's height lower
	s.letter(image.Pt(200, 60), 250)
	s.letter(image.Pt(260, 60), 250) // more than 1.5 heights apart
	s.letter(image.Pt(320, 60), 250)
	for i := range 3 {
		s.rect(image.Rect(200+50*i, 150, 240+50*i, 230), 250)
		s.ring(image.Pt(30+55*i, 200), 22, 20, 3, 250)
	}
	if out, lines := textLines(s.g, s.m); lines != 0 || slices.Contains(out.Pix, 0) {
		t.Errorf("%d lines in scattered blobs", lines)
	}
}
