package openai

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image"

	"memebot/media"
)

// ImageDataURL encodes img as a JPEG data URL (how these APIs take images),
// shrunk to fit maxSide.
func ImageDataURL(img image.Image, maxSide int) (string, error) {
	if img == nil || img.Bounds().Empty() {
		return "", errors.New("empty image")
	}
	var buf bytes.Buffer
	if err := media.EncodeJPEG(&buf, media.Shrink(img, maxSide), 85); err != nil {
		return "", fmt.Errorf("encode jpeg: %w", err)
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
