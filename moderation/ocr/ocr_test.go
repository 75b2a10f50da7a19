package ocr

import (
	"context"
	"image"
	"slices"
	"strings"
	"testing"
	"time"

	"memebot/moderation/internal/imgutil"
	"memebot/moderation/internal/memetest"
)

func newTestPool(t testing.TB, workers int) *Pool {
	t.Helper()
	p, err := NewPool(Config{Workers: workers})
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func normalize(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func TestReadTextRenderedMemes(t *testing.T) {
	p := newTestPool(t, 1)
	cases := []struct {
		name string
		opts memetest.Options
	}{
		{"english black on white", memetest.Options{Text: "WHEN THE CODE\nCOMPILES FIRST TIME"}},
		{"russian black on white", memetest.Options{Text: "КОГДА КОД\nСОБРАЛСЯ С ПЕРВОГО РАЗА"}},
		{"english outlined on busy photo", memetest.Options{Text: "WHEN THE CODE\nCOMPILES FIRST TIME", Outlined: true, Bold: true, Background: memetest.Busy, Seed: 1}},
		{"russian outlined on busy photo", memetest.Options{Text: "КОГДА КОД\nСОБРАЛСЯ С ПЕРВОГО РАЗА", Outlined: true, Bold: true, Background: memetest.Busy, Seed: 2}},
		{"english outlined on gradient", memetest.Options{Text: "ONE DOES NOT SIMPLY\nDEPLOY ON FRIDAY", Outlined: true, Bold: true, Background: memetest.Gradient}},
		{"russian outlined on gradient small image", memetest.Options{Width: 600, Text: "НЕЛЬЗЯ ПРОСТО ТАК\nВЗЯТЬ И ЗАДЕПЛОИТЬ", Outlined: true, Bold: true, Background: memetest.Gradient}},
		{"english outlined on busy large image", memetest.Options{Width: 2000, Text: "ME EXPLAINING\nTHE JOKE", Outlined: true, Bold: true, Background: memetest.Busy, Seed: 3}},
		{"english outlined on light photo", memetest.Options{Text: "BOTTOM TEXT\nTOP TEXT", Outlined: true, Bold: true, Background: memetest.Light, Seed: 4}},
		{"russian outlined on light photo", memetest.Options{Text: "ВЕРХНИЙ ТЕКСТ\nНИЖНИЙ ТЕКСТ", Outlined: true, Bold: true, Background: memetest.Light, Seed: 5}},
		{"english black on light photo", memetest.Options{Text: "WHEN THE WALL\nLOOKS PALE", Background: memetest.Light, Seed: 6}},
		// The pale rims of cups are closed in by dark as the letters' fill
		// is by their outline, and cross the lettering: read as one block
		// with the letters, they left "I WILL" or "ONS FOR SURE".
		{"english outlined over cups", memetest.Options{Height: 600, Text: "I WILL START THE DIET\nTOMORROW FOR SURE", Outlined: true, Bold: true, Background: memetest.Rings, Seed: 1}},
		{"english outlined over other cups", memetest.Options{Height: 600, Text: "I WILL START THE DIET\nTOMORROW FOR SURE", Outlined: true, Bold: true, Background: memetest.Rings, Seed: 2}},
		{"russian outlined over cups", memetest.Options{Height: 600, Text: "НАЧНУ ДИЕТУ\nЗАВТРА ТОЧНО", Outlined: true, Bold: true, Background: memetest.Rings, Seed: 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := memetest.Render(tc.opts)
			start := time.Now()
			got, err := p.ReadText(context.Background(), img)
			if err != nil {
				t.Fatalf("ReadText: %v", err)
			}
			t.Logf("%v variant=%s conf=%.0f text=%q", time.Since(start), got.Variant, got.Confidence, got.Text)
			if normalize(got.Text) != normalize(tc.opts.Text) {
				t.Errorf("read %q, want %q", got.Text, tc.opts.Text)
			}
		})
	}
}

func TestReadTextNoText(t *testing.T) {
	p := newTestPool(t, 1)
	var pictures []memetest.Options
	for _, bg := range []memetest.Background{memetest.White, memetest.Gradient, memetest.Light} {
		pictures = append(pictures, memetest.Options{Width: 800, Background: bg, Seed: 9})
	}
	for seed := range uint64(9) { // busy photos: stripes and blobs read as "thes", "eee" before
		pictures = append(pictures, memetest.Options{Width: 800, Background: memetest.Busy, Seed: seed + 1})
	}
	for _, o := range pictures {
		got, err := p.ReadText(context.Background(), memetest.Render(o))
		if err != nil {
			t.Fatalf("ReadText: %v", err)
		}
		if countLetters(got.Text) > 3 {
			t.Errorf("background %d, seed %d: read %q from an image without text", o.Background, o.Seed, got.Text)
		}
	}
	tiny := image.NewGray(image.Rect(0, 0, 1, 1))
	if _, err := p.ReadText(context.Background(), tiny); err != nil {
		t.Errorf("1x1 image: %v", err)
	}
}

// A pale, noisy picture (a wall, the sky) holds nothing legible and is not
// handed to Tesseract as grayscale, which cut it into specks and took seconds
// over it; dark text on the same picture still is.
func TestPictureWithoutContrastIsNotRead(t *testing.T) {
	for seed := range uint64(4) {
		img := memetest.Render(memetest.Options{Width: 1080, Background: memetest.Light, Seed: seed})
		for _, v := range prepare(img, DefaultWidth) {
			if v.name == "gray" {
				t.Errorf("seed %d: a picture with no contrast (%d levels) goes to Tesseract", seed, inkContrast(imgutil.ResizeGray(imgutil.Gray(img), DefaultWidth)))
			}
		}
		withText := memetest.Render(memetest.Options{Width: 1080, Text: "PALE", Background: memetest.Light, Seed: seed})
		if vs := prepare(withText, DefaultWidth); !slices.ContainsFunc(vs, func(v variant) bool { return v.name == "gray" }) {
			t.Errorf("seed %d: dark text on the pale picture is not read as grayscale", seed)
		}
	}
}
