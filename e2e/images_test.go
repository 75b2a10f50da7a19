package e2e

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	"golang.org/x/image/draw"
)

// memeImage draws a picture unique to seed: gradients and shapes with detail.
func memeImage(seed int, w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fs := float64(seed)
	for y := range h {
		for x := range w {
			r := 128 + 120*math.Sin(float64(x)/(17+fs)+fs)
			g := 128 + 120*math.Cos(float64(y)/(23+fs*2))
			b := 128 + 120*math.Sin(float64(x+y)/(31+fs*3))
			img.Set(x, y, color.RGBA{uint8(r), uint8(g), uint8(b), 255})
		}
	}
	for i := range 6 {
		x0, y0 := (seed*97+i*131)%(w-80), (seed*53+i*71)%(h-80)
		c := color.RGBA{uint8(40 * i), uint8(255 - 30*i), uint8(seed * 40), 255}
		for y := y0; y < y0+60; y++ {
			for x := x0; x < x0+60; x++ {
				img.Set(x, y, c)
			}
		}
	}
	return img
}

func encodeJPEG(t *testing.T, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// resized returns img scaled by f.
func resized(img image.Image, f float64) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*f), int(float64(b.Dy())*f)))
	draw.CatmullRom.Scale(out, out.Bounds(), img, b, draw.Src, nil)
	return out
}

// bombPNG is a tiny PNG whose header claims 60000x60000 pixels.
func bombPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	// IHDR: length at 8, type at 12, width and height at 16..24, CRC of type+data at 29.
	for i, v := range []byte{0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60} {
		data[16+i] = v
	}
	binary.BigEndian.PutUint32(data[29:33], crc32.ChecksumIEEE(data[12:29]))
	return data
}
