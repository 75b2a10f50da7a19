package media

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"math"
	"math/bits"
	"slices"
)

// Grid sizes kept in a Fingerprint.
const (
	// ToneSize is the side of the mean-gray grid: coarse, it says whether two
	// pictures are the same scene.
	ToneSize = 16
	// EdgeSize is the side of the edge-density grid: fine enough that big
	// meme lettering makes a pattern of its own, so two captions on the
	// same template differ there even when their mean gray is alike.
	EdgeSize = 32
)

const (
	thumbnailSide = 256 // trimming and edges work on a thumbnail this big
	hashSize      = 32  // the pHash DCT input is hashSize x hashSize
	// FingerprintVersion is the version NewFingerprint computes. Version 1
	// had no Letters and trimmed bands by an older rule; version 2 did not
	// trim a plain ground that is not near-white or near-black (trim.go);
	// version 3 wanted three sides plain for a plain ground; version 4
	// wanted the third side plain to its ends (a crop into the lettering's
	// width leaves it crossing the caption lines). Stored ones are
	// recomputed by the fingerprint backfill (jobs/fingerprints.go);
	// versions 2 to 5 have the same layout.
	FingerprintVersion = 5
	encodedSizeV1      = 1 + sha256.Size + 8 + 4 + ToneSize*ToneSize + EdgeSize*EdgeSize
	encodedSize        = encodedSizeV1 + LetterSize*LetterSize
	// IndexedPrefix is how many leading bytes of an encoded fingerprint the
	// Index needs (version, hashes, aspect and tone): what a worker loads
	// of every stored meme at start (UnmarshalIndexed).
	IndexedPrefix = 1 + sha256.Size + 8 + 4 + ToneSize*ToneSize
)

// Fingerprint identifies an image for duplicate detection. It is computed
// after trimming plain borders and caption bars (see trimBands).
type Fingerprint struct {
	// SHA256 of the encoded file: equal hashes are the same upload.
	SHA256 [sha256.Size]byte
	// PHash is a 64-bit DCT perceptual hash of the trimmed picture, used to
	// find candidates quickly (Hamming distance).
	PHash uint64
	// Aspect is width/height of the trimmed picture, used to align crops.
	Aspect float32
	// Tone is the trimmed picture as ToneSize x ToneSize mean gray levels,
	// row by row.
	Tone [ToneSize * ToneSize]uint8
	// Edges is the mean gradient magnitude per cell of an EdgeSize x EdgeSize
	// grid over the trimmed picture. With Tone it confirms a candidate:
	// unlike the pHash it notices different text on the same template.
	Edges [EdgeSize * EdgeSize]uint8
	// Letters is the mean contrast of thin strokes per cell of a
	// LetterSize x LetterSize grid over the trimmed picture: where the
	// lettering is (see lettering.go).
	Letters [LetterSize * LetterSize]uint8
	// Version is the FingerprintVersion it was computed by; version 1 has
	// no Letters.
	Version uint8
	// Views are other readings of the same upload, each a whole
	// fingerprint: the picture without a caption bar that merged with its
	// plain ground (see barlessBoxes), without a watermark in a corner of
	// that ground (watermarklessBoxes), or whole where its trim took a band
	// off (untrimmedBoxes). An upload is looked up (Index) and compared
	// (CompareMemes) by each; they are never stored.
	Views []Fingerprint
}

// ErrBadFingerprint is returned when decoding a malformed fingerprint.
var ErrBadFingerprint = errors.New("media: bad fingerprint encoding")

// NewFingerprint fingerprints an already decoded image; data is the encoded
// file it came from (only hashed). Its Views read it other ways (see
// Fingerprint.Views).
func NewFingerprint(data []byte, img image.Image) Fingerprint {
	thumb := lumaThumbnail(img, thumbnailSide)
	fine := lumaThumbnail(img, letterThumbSide)
	m := maps{thumb: thumb, edges: gradientMagnitude(thumb), strokes: strokeMap(fine, strokeRadius),
		fx: float64(fine.w) / float64(thumb.w), fy: float64(fine.h) / float64(thumb.h)}
	sum := sha256.Sum256(data)
	b := trimBands(thumb)
	fp := m.fingerprint(b)
	fp.SHA256 = sum
	for _, vb := range slices.Concat(barlessBoxes(thumb, b), watermarklessBoxes(thumb, b), untrimmedBoxes(thumb, b)) {
		v := m.fingerprint(vb)
		v.SHA256 = sum
		fp.Views = append(fp.Views, v)
	}
	return fp
}

// maps are what a fingerprint is cut from: the thumbnail, its gradient and
// the stroke map of a finer thumbnail (fx, fy times as big).
type maps struct {
	thumb, edges, strokes grayImage
	fx, fy                float64
}

// fingerprint describes box b of the thumbnail (SHA256 left empty).
func (m *maps) fingerprint(b box) Fingerprint {
	r := region{float64(b.x0), float64(b.y0), float64(b.x1), float64(b.y1)}
	var s scratch
	fp := Fingerprint{
		Version: FingerprintVersion,
		PHash:   phash(resample(m.thumb, r, hashSize, hashSize, &s)),
		Aspect:  float32(b.dx()) / float32(b.dy()),
	}
	quantize(fp.Tone[:], resample(m.thumb, r, ToneSize, ToneSize, &s))
	quantize(fp.Edges[:], resample(m.edges, r, EdgeSize, EdgeSize, &s))
	fr := region{r.x0 * m.fx, r.y0 * m.fy, r.x1 * m.fx, r.y1 * m.fy}
	quantize(fp.Letters[:], resample(m.strokes, fr, LetterSize, LetterSize, &s))
	return fp
}

func quantize(dst []uint8, src []float32) {
	for i, v := range src {
		dst[i] = uint8(min(max(v+0.5, 0), 255))
	}
}

// gradientMagnitude returns |dx|+|dy| per pixel (forward differences).
func gradientMagnitude(g grayImage) grayImage {
	e := grayImage{w: g.w, h: g.h, pix: make([]float32, len(g.pix))}
	for y := 0; y < g.h; y++ {
		row := g.pix[y*g.w : (y+1)*g.w]
		var next []float32
		if y+1 < g.h {
			next = g.pix[(y+1)*g.w : (y+2)*g.w]
		}
		out := e.pix[y*g.w : (y+1)*g.w]
		for x, v := range row {
			var m float32
			if x+1 < len(row) {
				m += abs32(row[x+1] - v)
			}
			if next != nil {
				m += abs32(next[x] - v)
			}
			out[x] = m
		}
	}
	return e
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// PHashDistance is the Hamming distance between the perceptual hashes.
func (fp Fingerprint) PHashDistance(other Fingerprint) int {
	return bits.OnesCount64(fp.PHash ^ other.PHash)
}

// PHashColumn returns the pHash as the signed value stored in a PostgreSQL
// BIGINT column (bit_count((phash # $1)::bit(64)) searches it).
func (fp Fingerprint) PHashColumn() int64 { return int64(fp.PHash) }

// MarshalBinary encodes the fingerprint as
// version | sha256 | phash | aspect | tone | edges | letters (big endian,
// 5421 bytes) for a BYTEA column.
func (fp Fingerprint) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, encodedSize)
	out = append(out, FingerprintVersion)
	out = append(out, fp.SHA256[:]...)
	out = binary.BigEndian.AppendUint64(out, fp.PHash)
	out = binary.BigEndian.AppendUint32(out, math.Float32bits(fp.Aspect))
	out = append(out, fp.Tone[:]...)
	out = append(out, fp.Edges[:]...)
	out = append(out, fp.Letters[:]...)
	return out, nil
}

// UnmarshalBinary decodes what MarshalBinary produced, or an older
// version's fingerprint (version 1 without Letters).
func (fp *Fingerprint) UnmarshalBinary(data []byte) error {
	switch {
	case len(data) == encodedSize && data[0] >= 2 && data[0] <= FingerprintVersion:
	case len(data) == encodedSizeV1 && data[0] == 1:
	default:
		return fmt.Errorf("%w: %d bytes, version %d", ErrBadFingerprint, len(data), firstByte(data))
	}
	if err := fp.UnmarshalIndexed(data[:IndexedPrefix]); err != nil {
		return err
	}
	data = data[IndexedPrefix:]
	copy(fp.Edges[:], data)
	fp.Letters = [len(fp.Letters)]uint8{}
	if fp.Version >= 2 {
		copy(fp.Letters[:], data[len(fp.Edges):])
	}
	return nil
}

// UnmarshalIndexed decodes the first IndexedPrefix bytes of an encoded
// fingerprint: what Index.Add reads (the grids beyond are left zero).
func (fp *Fingerprint) UnmarshalIndexed(data []byte) error {
	if len(data) < IndexedPrefix || data[0] < 1 || data[0] > FingerprintVersion {
		return fmt.Errorf("%w: %d bytes, version %d", ErrBadFingerprint, len(data), firstByte(data))
	}
	fp.Version = data[0]
	data = data[1:]
	copy(fp.SHA256[:], data)
	data = data[sha256.Size:]
	fp.PHash = binary.BigEndian.Uint64(data)
	fp.Aspect = math.Float32frombits(binary.BigEndian.Uint32(data[8:]))
	if !(fp.Aspect > 0 && fp.Aspect < 1000) {
		return fmt.Errorf("%w: aspect %v", ErrBadFingerprint, fp.Aspect)
	}
	copy(fp.Tone[:], data[12:])
	return nil
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}

// dctTable[u][x] = cos((2x+1)u*pi / 2N) for the 8 lowest frequencies.
var dctTable = func() (t [8][hashSize]float32) {
	for u := range 8 {
		for x := range hashSize {
			t[u][x] = float32(math.Cos(float64(2*x+1) * float64(u) * math.Pi / (2 * hashSize)))
		}
	}
	return t
}()

// phash is the classic DCT hash: the 8x8 lowest frequencies of the 32x32
// thumbnail, each bit set when the coefficient is above their median (the DC
// term is left out of the median so overall brightness does not matter).
func phash(grid []float32) uint64 {
	var rows [hashSize][8]float32 // row DCT, low frequencies only
	for y := range hashSize {
		line := grid[y*hashSize : (y+1)*hashSize]
		for u := range 8 {
			var s float32
			for x, v := range line {
				s += v * dctTable[u][x]
			}
			rows[y][u] = s
		}
	}
	var coef [64]float32
	for v := range 8 {
		for u := range 8 {
			var s float32
			for y := range hashSize {
				s += rows[y][u] * dctTable[v][y]
			}
			coef[v*8+u] = s
		}
	}
	sorted := coef
	sortFloats(sorted[1:])
	median := sorted[32] // middle of the 63 AC coefficients
	var h uint64
	for i, c := range coef {
		if i > 0 && c > median {
			h |= 1 << uint(i)
		}
	}
	return h
}

func sortFloats(a []float32) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
