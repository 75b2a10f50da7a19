package sandbox

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

const demoWidth, demoHeight = 720, 540

// demoPicture draws a classic two-line meme: a picture unique to seed with
// white, black-outlined text at the top and the bottom. It returns the JPEG.
func demoPicture(seed int, top, bottom string) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, demoWidth, demoHeight))
	paintBackdrop(img, seed)
	face, err := demoFace(46)
	if err != nil {
		return nil, err
	}
	defer face.Close()
	drawCaption(img, face, top, true)
	drawCaption(img, face, bottom, false)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88}); err != nil {
		return nil, fmt.Errorf("sandbox: encode demo meme: %w", err)
	}
	return buf.Bytes(), nil
}

func demoFace(size float64) (font.Face, error) {
	f, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("sandbox: parse font: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("sandbox: font face: %w", err)
	}
	return face, nil
}

// paintBackdrop fills img with soft waves and a few discs whose colours and
// places depend on seed, so every demo meme is a different picture.
func paintBackdrop(img *image.RGBA, seed int) {
	s := float64(seed)
	for y := range demoHeight {
		for x := range demoWidth {
			fx, fy := float64(x), float64(y)
			r := 110 + 90*math.Sin(fx/(60+9*s)+s)
			g := 110 + 90*math.Cos(fy/(45+7*s)+s/2)
			b := 120 + 90*math.Sin((fx+fy)/(80+5*s))
			img.Set(x, y, color.RGBA{uint8(r), uint8(g), uint8(b), 255})
		}
	}
	for i := range 5 {
		cx := (seed*173 + i*151) % demoWidth
		cy := 140 + (seed*97+i*83)%(demoHeight-280)
		radius := 30 + (seed*31+i*17)%50
		c := color.RGBA{uint8(60 * i), uint8(240 - 40*i), uint8((seed * 70) % 255), 255}
		for y := cy - radius; y <= cy+radius; y++ {
			for x := cx - radius; x <= cx+radius; x++ {
				if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= radius*radius {
					img.Set(x, y, c)
				}
			}
		}
	}
}

// drawCaption wraps text to the picture's width and draws it centred at the
// top or the bottom.
func drawCaption(img *image.RGBA, face font.Face, text string, top bool) {
	lines := wrap(face, strings.ToUpper(text), demoWidth-40)
	m := face.Metrics()
	lineHeight := (m.Ascent + m.Descent).Ceil()
	y := 16 + m.Ascent.Ceil()
	if !top {
		y = demoHeight - 20 - m.Descent.Ceil() - lineHeight*(len(lines)-1)
	}
	for _, line := range lines {
		width := font.MeasureString(face, line).Ceil()
		x := (demoWidth - width) / 2
		outlined(img, face, line, x, y)
		y += lineHeight
	}
}

// outlined draws s in white over a black outline, as memes are captioned.
func outlined(img *image.RGBA, face font.Face, s string, x, y int) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face}
	for dy := -3; dy <= 3; dy++ {
		for dx := -3; dx <= 3; dx++ {
			if dx*dx+dy*dy > 10 {
				continue
			}
			d.Dot = fixed.P(x+dx, y+dy)
			d.DrawString(s)
		}
	}
	d.Src = image.NewUniform(color.White)
	d.Dot = fixed.P(x, y)
	d.DrawString(s)
}

// wrap splits text into lines no wider than width.
func wrap(face font.Face, text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		next := strings.TrimSpace(line + " " + word)
		if line != "" && font.MeasureString(face, next).Ceil() > width {
			lines = append(lines, line)
			next = word
		}
		line = next
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
