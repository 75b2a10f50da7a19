package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // GIF: first frame only.
	_ "image/jpeg" // JPEG.
	_ "image/png"  // PNG.

	_ "golang.org/x/image/webp" // WebP (stickers, some channel posts).
)

// Sentinel errors returned by DecodeImage. Callers map them to a user-facing
// reason with errors.Is.
var (
	// ErrEmpty means no bytes were given.
	ErrEmpty = errors.New("media: empty image")
	// ErrUnsupportedFormat means the bytes are not JPEG, PNG, GIF or WebP.
	ErrUnsupportedFormat = errors.New("media: unsupported image format")
	// ErrTooLarge means the file or its declared dimensions exceed the limits
	// (this is what refuses decompression bombs before any pixel is allocated).
	ErrTooLarge = errors.New("media: image too large")
	// ErrTooSmall means a side is below Limits.MinSide.
	ErrTooSmall = errors.New("media: image too small")
	// ErrCorrupt means the header looked fine but the data could not be decoded.
	ErrCorrupt = errors.New("media: corrupt image")
)

// Limits bound what DecodeImage accepts.
type Limits struct {
	MaxBytes  int // size of the encoded file; 0 means no limit
	MaxPixels int // width*height
	MaxSide   int // longest side
	MinSide   int // shortest side
}

// DefaultLimits fit Telegram photos (at most 2560 px, 20 MB downloads) with room to spare.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 20 << 20, MaxPixels: 40_000_000, MaxSide: 12_000, MinSide: 16}
}

// Info describes a decoded image.
type Info struct {
	Format string // "jpeg", "png", "gif" or "webp"
	Width  int
	Height int
}

var supportedFormats = map[string]bool{"jpeg": true, "png": true, "gif": true, "webp": true}

// DecodeImage decodes data after checking its header against limits, so a
// tiny file declaring 100000x100000 pixels is refused without allocating.
// GIFs yield their first frame. JPEGs are decoded by libjpeg-turbo where
// it can (see jpeg_turbo.go), to the same image types image/jpeg returns.
func DecodeImage(data []byte, limits Limits) (image.Image, Info, error) {
	info, err := DecodeInfo(data, limits)
	if err != nil {
		return nil, info, err
	}
	if info.Format == "jpeg" {
		if img, ok := decodeJPEGFast(data, info); ok {
			return img, info, nil
		}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, info, fmt.Errorf("%w: %s: %v", ErrCorrupt, info.Format, err)
	}
	b := img.Bounds()
	if b.Dx() != info.Width || b.Dy() != info.Height {
		// The header lied (possible for GIF frames); re-check what we really got.
		info.Width, info.Height = b.Dx(), b.Dy()
		if err := checkDimensions(info, limits); err != nil {
			return nil, info, err
		}
	}
	return img, info, nil
}

// DecodeInfo reads only the header of data and checks it against limits.
func DecodeInfo(data []byte, limits Limits) (Info, error) {
	if len(data) == 0 {
		return Info{}, ErrEmpty
	}
	if limits.MaxBytes > 0 && len(data) > limits.MaxBytes {
		return Info{}, fmt.Errorf("%w: %d bytes (max %d)", ErrTooLarge, len(data), limits.MaxBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if errors.Is(err, image.ErrFormat) {
		return Info{}, ErrUnsupportedFormat
	}
	if err != nil {
		return Info{Format: format}, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	info := Info{Format: format, Width: cfg.Width, Height: cfg.Height}
	if !supportedFormats[format] {
		return info, fmt.Errorf("%w: %s", ErrUnsupportedFormat, format)
	}
	return info, checkDimensions(info, limits)
}

func checkDimensions(info Info, limits Limits) error {
	w, h := info.Width, info.Height
	if limits.MaxSide > 0 && (w > limits.MaxSide || h > limits.MaxSide) {
		return fmt.Errorf("%w: %dx%d (max side %d)", ErrTooLarge, w, h, limits.MaxSide)
	}
	// Both sides are bounded by MaxSide here (or by int range), so the product cannot overflow int64.
	if limits.MaxPixels > 0 && int64(w)*int64(h) > int64(limits.MaxPixels) {
		return fmt.Errorf("%w: %dx%d (max %d pixels)", ErrTooLarge, w, h, limits.MaxPixels)
	}
	if w < 1 || h < 1 || w < limits.MinSide || h < limits.MinSide {
		return fmt.Errorf("%w: %dx%d (min side %d)", ErrTooSmall, w, h, limits.MinSide)
	}
	return nil
}
