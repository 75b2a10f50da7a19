package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// loadFonts returns the Go Bold font and every TrueType font named in paths
// (both must cover Latin and Cyrillic).
func loadFonts(paths []string) ([]*opentype.Font, []string, error) {
	goBold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, nil, err
	}
	fonts, names := []*opentype.Font{goBold}, []string{"gobold"}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, fmt.Errorf("font: %w", err)
		}
		f, err := opentype.Parse(data)
		if err != nil {
			return nil, nil, fmt.Errorf("font %s: %w", p, err)
		}
		fonts, names = append(fonts, f), append(names, p)
	}
	return fonts, names, nil
}

// textMask renders one line of text as an alpha mask with room for an
// outline of width pad all round.
func textMask(f *opentype.Font, text string, size float64, pad int) (*image.Alpha, error) {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	defer face.Close()
	m := face.Metrics()
	w := font.MeasureString(face, text).Ceil()
	h := (m.Ascent + m.Descent).Ceil()
	mask := image.NewAlpha(image.Rect(0, 0, w+2*pad, h+2*pad))
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face, Dot: fixed.P(pad, pad+m.Ascent.Ceil())}
	d.DrawString(text)
	return mask, nil
}

// dilate grows a mask by r pixels: a square, as a horizontal then a
// vertical pass.
func dilate(src *image.Alpha, r int) *image.Alpha {
	return dilatePass(dilatePass(src, r, 1, 0), r, 0, 1)
}

// dilatePass takes the maximum over r pixels either way along (dx, dy).
func dilatePass(src *image.Alpha, r, dx, dy int) *image.Alpha {
	b := src.Bounds()
	out := image.NewAlpha(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var m uint8
			for k := -r; k <= r; k++ {
				if p := image.Pt(x+k*dx, y+k*dy); p.In(b) {
					m = max(m, src.AlphaAt(p.X, p.Y).A)
				}
			}
			out.SetAlpha(x, y, color.Alpha{A: m})
		}
	}
	return out
}

// fitMask renders text at the largest size (up to maxSize) that fits width.
func fitMask(f *opentype.Font, text string, maxSize float64, width, pad int) (*image.Alpha, error) {
	for size := maxSize; ; size *= 0.92 {
		m, err := textMask(f, text, size, pad)
		if err != nil {
			return nil, err
		}
		if m.Bounds().Dx() <= width || size < 10 {
			return m, nil
		}
	}
}

// drawMemeLine draws text as classic meme lettering: bold white with a black
// outline, centred horizontally, its top at y (or its bottom at -y when y<0).
func drawMemeLine(dst *image.RGBA, f *opentype.Font, text string, y int) error {
	b := dst.Bounds()
	size := float64(b.Dy()) / 9
	pad := max(2, int(size/12))
	mask, err := fitMask(f, text, size, b.Dx()*92/100, pad)
	if err != nil {
		return err
	}
	at := image.Pt((b.Dx()-mask.Bounds().Dx())/2, y)
	if y < 0 {
		at.Y = b.Dy() + y - mask.Bounds().Dy()
	}
	r := mask.Bounds().Add(at)
	draw.DrawMask(dst, r, image.Black, image.Point{}, dilate(mask, pad), image.Point{}, draw.Over)
	draw.DrawMask(dst, r, image.White, image.Point{}, mask, image.Point{}, draw.Over)
	return nil
}

// captionBar returns img with a white bar of black text glued on top, the
// way reposting channels caption memes.
func captionBar(img image.Image, f *opentype.Font, text string) (*image.RGBA, error) {
	b := img.Bounds()
	barH := b.Dy() / 6
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()+barH))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(0, barH, b.Dx(), barH+b.Dy()), img, b.Min, draw.Src)
	mask, err := fitMask(f, text, float64(barH)/2.2, b.Dx()*94/100, 0)
	if err != nil {
		return nil, err
	}
	at := image.Pt((b.Dx()-mask.Bounds().Dx())/2, (barH-mask.Bounds().Dy())/2)
	draw.DrawMask(out, mask.Bounds().Add(at), image.Black, image.Point{}, mask, image.Point{}, draw.Over)
	return out, nil
}
