package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"reflect"
	"testing"
)

// bombPNG is a valid PNG header declaring 100000 x 100000 pixels; a
// decoder that trusted it would try to allocate 40 GB.
func bombPNG() []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := []byte{'I', 'H', 'D', 'R', 0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 6, 0, 0, 0}
	buf.Write([]byte{0, 0, 0, 13})
	buf.Write(chunk)
	buf.Write(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(chunk)))
	return buf.Bytes()
}

func TestDecodeImage(t *testing.T) {
	img := template(21, 120, 80)
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	truncated := encodeJPEGBytes(t, img, 80)
	truncated = truncated[:len(truncated)/2]
	small := encodePNGBytes(t, template(22, 8, 8))

	cases := []struct {
		name       string
		data       []byte
		limits     Limits
		wantErr    error
		wantFormat string
	}{
		{"jpeg", encodeJPEGBytes(t, img, 80), DefaultLimits(), nil, "jpeg"},
		{"png", encodePNGBytes(t, img), DefaultLimits(), nil, "png"},
		{"gif first frame", gifBuf.Bytes(), DefaultLimits(), nil, "gif"},
		{"empty", nil, DefaultLimits(), ErrEmpty, ""},
		{"text", []byte("hello, this is not an image"), DefaultLimits(), ErrUnsupportedFormat, ""},
		{"decompression bomb", bombPNG(), DefaultLimits(), ErrTooLarge, "png"},
		{"too many pixels", encodePNGBytes(t, img), Limits{MaxPixels: 5000}, ErrTooLarge, "png"},
		{"file too big", encodePNGBytes(t, img), Limits{MaxBytes: 100}, ErrTooLarge, ""},
		{"too small", small, DefaultLimits(), ErrTooSmall, "png"},
		{"truncated jpeg", truncated, DefaultLimits(), ErrCorrupt, "jpeg"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, info, err := DecodeImage(tc.data, tc.limits)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if info.Format != tc.wantFormat {
				t.Fatalf("format = %q, want %q", info.Format, tc.wantFormat)
			}
			if tc.wantErr == nil && (got.Bounds().Dx() != 120 || info.Width != 120 || info.Height != 80) {
				t.Fatalf("decoded %v, info %+v; want 120x80", got.Bounds(), info)
			}
		})
	}
}

func TestFingerprintBinaryRoundTrip(t *testing.T) {
	data := encodeJPEGBytes(t, template(31, 300, 200), 85)
	fp := fingerprintBytes(t, data)
	enc, err := fp.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Fingerprint
	if err := back.UnmarshalBinary(enc); err != nil {
		t.Fatal(err)
	}
	fp.Views = nil // never stored
	if !reflect.DeepEqual(back, fp) {
		t.Fatal("fingerprint changed in a binary round trip")
	}
	if uint64(fp.PHashColumn()) != fp.PHash {
		t.Fatal("PHashColumn does not keep the bits")
	}
	if err := back.UnmarshalBinary(enc[:len(enc)-1]); !errors.Is(err, ErrBadFingerprint) {
		t.Fatalf("truncated encoding: err = %v", err)
	}
}

func TestEncodeJPEG(t *testing.T) {
	translucent := image.NewNRGBA(image.Rect(0, 0, 32, 32)) // fully transparent
	opaque := template(41, 64, 48)
	for name, img := range map[string]image.Image{"opaque": opaque, "transparent": translucent} {
		var buf bytes.Buffer
		if err := EncodeJPEG(&buf, img, 90); err != nil {
			t.Fatal(err)
		}
		back, err := jpeg.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		want := img.At(5, 5)
		if name == "transparent" {
			want = color.White // flattened on white, not black
		}
		if !near(back.At(5, 5), want, 12) {
			t.Fatalf("%s: pixel %v, want about %v", name, back.At(5, 5), want)
		}
	}
}

func near(a, b color.Color, tol int) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := func(x, y uint32) bool { v := int(x>>8) - int(y>>8); return v <= tol && v >= -tol }
	return d(r1, r2) && d(g1, g2) && d(b1, b2)
}
