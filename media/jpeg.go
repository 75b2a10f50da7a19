package media

import (
	"fmt"
	"image"
	"image/jpeg"
	"io"
)

// EncodeJPEG writes img as a baseline JPEG, with libjpeg-turbo where it
// can (see jpeg_turbo.go). Opaque *image.NRGBA images are
// handed to the encoder as *image.RGBA (same bytes, no copy) so they take the
// encoder's fast path; translucent images are flattened onto white first,
// because JPEG has no alpha and the default would turn transparency black.
func EncodeJPEG(w io.Writer, img image.Image, quality int) error {
	quality = min(max(quality, 1), 100)
	src := jpegSource(img)
	if handled, err := encodeJPEGFast(w, src, quality); handled {
		if err != nil {
			return fmt.Errorf("media: encode jpeg: %w", err)
		}
		return nil
	}
	if err := jpeg.Encode(w, src, &jpeg.Options{Quality: quality}); err != nil {
		return fmt.Errorf("media: encode jpeg: %w", err)
	}
	return nil
}

func jpegSource(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.YCbCr, *image.Gray, *image.RGBA:
		return img
	case *image.NRGBA:
		if m.Opaque() {
			return &image.RGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
		}
	}
	return flattenOnWhite(img)
}

// flattenOnWhite composites img over an opaque white background.
func flattenOnWhite(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(b)
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA() // premultiplied, 16-bit
			white := 0xffff - a
			dst.Pix[i+0] = uint8((r + white) >> 8)
			dst.Pix[i+1] = uint8((g + white) >> 8)
			dst.Pix[i+2] = uint8((bl + white) >> 8)
			dst.Pix[i+3] = 0xff
			i += 4
		}
	}
	return dst
}
