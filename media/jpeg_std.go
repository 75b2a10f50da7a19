//go:build !cgo

package media

import (
	"image"
	"io"
)

// Without cgo there is no libjpeg-turbo: the standard library does all JPEG work.

// haveTurboJPEG tells whether this build uses libjpeg-turbo.
const haveTurboJPEG = false

func decodeJPEGFast([]byte, Info) (image.Image, bool) { return nil, false }

func encodeJPEGFast(io.Writer, image.Image, int) (bool, error) { return false, nil }
