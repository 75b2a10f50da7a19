//go:build cgo

package media

// JPEG decoding and encoding through libjpeg-turbo's TurboJPEG API (Debian
// libturbojpeg0-dev; the 2.x functions, which 3.x keeps). On a 1280x1280
// photo it decodes about 4 and encodes about 8 times as fast as image/jpeg
// (BenchmarkProcessImage). Both directions work on the YCbCr planes
// directly, so a photo never goes through RGB. Anything the fast path does
// not cover (CMYK, RGB-coded JPEGs, unusual subsampling, any libjpeg error
// or warning) falls back to the standard library, which stays the
// reference behaviour.

/*
#cgo LDFLAGS: -lturbojpeg
#include <turbojpeg.h>

// The plane pointers travel as separate arguments: cgo does not allow Go
// memory holding Go pointers (an array of planes) to be passed to C.
static int decode_planes(tjhandle h, const unsigned char *src, unsigned long size,
		unsigned char *y, unsigned char *cb, unsigned char *cr,
		int width, int ystride, int cstride, int height) {
	unsigned char *planes[3] = {y, cb, cr};
	int strides[3] = {ystride, cstride, cstride};
	return tjDecompressToYUVPlanes(h, src, size, planes, width, strides, height,
		TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS);
}

static int encode_planes(tjhandle h, const unsigned char *y, const unsigned char *cb,
		const unsigned char *cr, int width, int ystride, int cstride, int height,
		int subsamp, int quality, unsigned char **out, unsigned long *outlen) {
	const unsigned char *planes[3] = {y, cb, cr};
	int strides[3] = {ystride, cstride, cstride};
	return tjCompressFromYUVPlanes(h, planes, width, strides, height, subsamp, out, outlen, quality, 0);
}
*/
import "C"

import (
	"image"
	"io"
	"slices"
	"unsafe"
)

// haveTurboJPEG tells whether this build uses libjpeg-turbo.
const haveTurboJPEG = true

// turboRatio pairs a TurboJPEG chroma subsampling with Go's and its
// chroma sample size in pixels.
type turboRatio struct {
	sub    C.int
	ratio  image.YCbCrSubsampleRatio
	fx, fy int
}

var turboRatios = []turboRatio{
	{C.TJSAMP_444, image.YCbCrSubsampleRatio444, 1, 1},
	{C.TJSAMP_422, image.YCbCrSubsampleRatio422, 2, 1},
	{C.TJSAMP_420, image.YCbCrSubsampleRatio420, 2, 2},
	{C.TJSAMP_440, image.YCbCrSubsampleRatio440, 1, 2},
	{C.TJSAMP_411, image.YCbCrSubsampleRatio411, 4, 1},
}

// decodeJPEGFast decodes a YCbCr or grayscale JPEG whose header matches
// info (already checked against the limits). ok is false when the fast
// path does not apply or libjpeg-turbo reported any problem, even a
// warning such as truncated data; the caller then decodes with the
// standard library.
func decodeJPEGFast(data []byte, info Info) (img image.Image, ok bool) {
	h := C.tjInitDecompress()
	if h == nil {
		return nil, false
	}
	defer C.tjDestroy(h)
	src := (*C.uchar)(unsafe.Pointer(unsafe.SliceData(data)))
	size := C.ulong(len(data))
	var w, ht, subsamp, colorspace C.int
	if C.tjDecompressHeader3(h, src, size, &w, &ht, &subsamp, &colorspace) != 0 ||
		int(w) != info.Width || int(ht) != info.Height {
		return nil, false
	}
	rect := image.Rect(0, 0, int(w), int(ht))
	switch colorspace {
	case C.TJCS_GRAY:
		m := image.NewGray(rect)
		if C.decode_planes(h, src, size, ptr(m.Pix), nil, nil, w, C.int(m.Stride), 0, ht) != 0 {
			return nil, false
		}
		return m, true
	case C.TJCS_YCbCr:
		i := slices.IndexFunc(turboRatios, func(r turboRatio) bool { return r.sub == subsamp })
		if i < 0 {
			return nil, false
		}
		// TurboJPEG pads the luma plane to whole chroma samples (tjPlaneWidth,
		// tjPlaneHeight) and writes that padding: allocate it, as image/jpeg
		// allocates whole MCUs, and return the visible part.
		r := turboRatios[i]
		m := image.NewYCbCr(image.Rect(0, 0, padTo(int(w), r.fx), padTo(int(ht), r.fy)), r.ratio)
		if C.decode_planes(h, src, size, ptr(m.Y), ptr(m.Cb), ptr(m.Cr), w, C.int(m.YStride), C.int(m.CStride), ht) != 0 {
			return nil, false
		}
		return m.SubImage(rect), true
	}
	return nil, false
}

// encodeJPEGFast writes img (as jpegSource prepared it) with libjpeg-turbo.
// handled is false when it wrote nothing and the caller should use the
// standard library. YCbCr images keep their own chroma subsampling
// (image/jpeg always writes 4:2:0); RGBA ones are written as 4:2:0 and
// gray ones as grayscale, as image/jpeg does.
func encodeJPEGFast(w io.Writer, img image.Image, quality int) (handled bool, err error) {
	if img.Bounds().Empty() {
		return false, nil
	}
	h := C.tjInitCompress()
	if h == nil {
		return false, nil
	}
	defer C.tjDestroy(h)
	var out *C.uchar
	var outLen C.ulong
	defer func() {
		if out != nil {
			C.tjFree(out)
		}
	}()
	q := C.int(quality)
	var rc C.int
	switch m := img.(type) {
	case *image.YCbCr:
		i := slices.IndexFunc(turboRatios, func(r turboRatio) bool { return r.ratio == m.SubsampleRatio })
		b := m.Rect
		if i < 0 || b.Min.X%turboRatios[i].fx != 0 || b.Min.Y%turboRatios[i].fy != 0 {
			return false, nil // a sub-image starting between chroma samples
		}
		luma, stride := paddedLuma(m, turboRatios[i])
		rc = C.encode_planes(h, ptr(luma), ptr(m.Cb[m.COffset(b.Min.X, b.Min.Y):]), ptr(m.Cr[m.COffset(b.Min.X, b.Min.Y):]),
			C.int(b.Dx()), C.int(stride), C.int(m.CStride), C.int(b.Dy()), turboRatios[i].sub, q, &out, &outLen)
	case *image.RGBA:
		b := m.Rect
		rc = C.tjCompress2(h, ptr(m.Pix[m.PixOffset(b.Min.X, b.Min.Y):]), C.int(b.Dx()), C.int(m.Stride), C.int(b.Dy()),
			C.TJPF_RGBX, &out, &outLen, C.TJSAMP_420, q, 0)
	case *image.Gray:
		b := m.Rect
		rc = C.tjCompress2(h, ptr(m.Pix[m.PixOffset(b.Min.X, b.Min.Y):]), C.int(b.Dx()), C.int(m.Stride), C.int(b.Dy()),
			C.TJPF_GRAY, &out, &outLen, C.TJSAMP_GRAY, q, 0)
	default:
		return false, nil
	}
	if rc != 0 {
		return false, nil
	}
	_, err = w.Write(unsafe.Slice((*byte)(unsafe.Pointer(out)), int(outLen)))
	return true, err
}

// paddedLuma returns m's luma plane from its origin, and its stride, with
// room for the padding TurboJPEG reads (whole chroma samples). Images from
// DecodeImage have it; others get a copy with the edge pixels repeated.
func paddedLuma(m *image.YCbCr, r turboRatio) ([]byte, int) {
	b := m.Rect
	w, h := b.Dx(), b.Dy()
	pw, ph := padTo(w, r.fx), padTo(h, r.fy)
	y := m.Y[m.YOffset(b.Min.X, b.Min.Y):]
	if m.YStride >= pw && len(y) >= (ph-1)*m.YStride+pw {
		return y, m.YStride
	}
	out := make([]byte, pw*ph)
	for row := range ph {
		src := y[min(row, h-1)*m.YStride:][:w]
		dst := out[row*pw : (row+1)*pw]
		copy(dst, src)
		for x := w; x < pw; x++ {
			dst[x] = src[w-1]
		}
	}
	return out, pw
}

// padTo rounds n up to a multiple of k.
func padTo(n, k int) int { return (n + k - 1) / k * k }

// ptr passes the start of a Go byte slice to C.
func ptr(b []byte) *C.uchar { return (*C.uchar)(unsafe.Pointer(unsafe.SliceData(b))) }
