package e2e

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// memeImage draws a picture unique to seed: gradients and shapes with detail,
// and meme text top and bottom.
func memeImage(seed int, w, h int) *image.RGBA {
	return memeImageText(seed, w, h, fmt.Sprintf("TOP TEXT %d", seed), "BOTTOM TEXT")
}

// memeImageText is memeImage with the given top and bottom text.
func memeImageText(seed int, w, h int, top, bottom string) *image.RGBA {
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
	// Meme text, top and bottom: white letters with a black outline, like the real thing.
	size := float64(w) / 12
	drawOutlined(img, top, w/10, int(size*1.3), size)
	drawOutlined(img, bottom, w/10, h-int(size*0.5), size)
	return img
}

var memeFont = func() *opentype.Font {
	f, err := opentype.Parse(gobold.TTF)
	if err != nil {
		panic(err)
	}
	return f
}()

func drawOutlined(img *image.RGBA, text string, x, y int, size float64) {
	face, err := opentype.NewFace(memeFont, &opentype.FaceOptions{Size: size, DPI: 72})
	if err != nil {
		panic(err)
	}
	defer face.Close()
	outline := max(2, int(size/14))
	for dy := -outline; dy <= outline; dy++ {
		for dx := -outline; dx <= outline; dx++ {
			d := font.Drawer{Dst: img, Src: image.Black, Face: face, Dot: fixed.P(x+dx, y+dy)}
			d.DrawString(text)
		}
	}
	d := font.Drawer{Dst: img, Src: image.White, Face: face, Dot: fixed.P(x, y)}
	d.DrawString(text)
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
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

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

// distinctImage is memeImage with a coarse grid of blocks in colours drawn
// from the seed: pictures of different seeds differ as much as different memes
// do (the benchmarks need hundreds that are no duplicates of each other).
func distinctImage(seed int, w, h int) *image.RGBA {
	img := memeImage(seed, w, h)
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	bw, bh := w/6, h/6
	for by := range 6 {
		for bx := range 6 {
			if rng.IntN(3) != 0 {
				continue
			}
			c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
			for y := by * bh; y < (by+1)*bh; y++ {
				for x := bx * bw; x < (bx+1)*bw; x++ {
					img.Set(x, y, c)
				}
			}
		}
	}
	return img
}
