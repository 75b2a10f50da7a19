package media

import "math"

// A signature is the small part of a Fingerprint the Index keeps in memory
// to reject pHash candidates without loading their full fingerprint: the
// Tone grid averaged down to sigSide x sigSide, normalized to zero mean and
// unit contrast (so brightening or a contrast change does not move it) and
// quantized to 4 bits per cell, two cells a byte.
type signature [sigSide * sigSide / 2]byte

const (
	sigSide = 8
	// sigStep is the width of one quantization step in standard deviations;
	// 16 steps cover -2..+2 sigma, which keeps all but the extreme cells.
	sigStep = 0.25
	// sigMinStd keeps nearly flat pictures from having their faint noise
	// blown up to full contrast (gray levels).
	sigMinStd = 12
	// maxSignatureDistance is the largest mean cell difference (in standard
	// deviations) between the signatures of two pictures worth a Compare.
	// Reposts in compare_test.go stay below 0.3 (a 5% crop is the worst;
	// the largest crop Compare accepts reaches 0.37); unrelated generated
	// memes sit near 1 (0.1% below 0.49), random grids at 1.1 (none of
	// 200,000 below 0.66).
	maxSignatureDistance = 0.5
	// maxAspectLogRatio is Compare's aspect rule, shared with the quick test.
	maxAspectLogRatio = 2*maxCropShare + 0.05
)

// newSignature derives the signature of fp from its Tone grid.
func newSignature(fp *Fingerprint) signature {
	const block = ToneSize / sigSide
	var cells [sigSide * sigSide]float64
	for i, v := range fp.Tone {
		y, x := i/ToneSize, i%ToneSize
		cells[(y/block)*sigSide+x/block] += float64(v) / (block * block)
	}
	var sum, sum2 float64
	for _, v := range cells {
		sum += v
		sum2 += v * v
	}
	mean := sum / float64(len(cells))
	std := max(math.Sqrt(max(sum2/float64(len(cells))-mean*mean, 0)), sigMinStd)
	var s signature
	for i, v := range cells {
		q := byte(min(max(math.Floor((v-mean)/std/sigStep)+8, 0), 15))
		s[i/2] |= q << (4 * (i % 2))
	}
	return s
}

// distance is the sum of cell differences in quantization steps.
func (s *signature) distance(o *signature) int {
	d := 0
	for i := range s {
		d += int(pairDistance[uint16(s[i])<<8|uint16(o[i])])
	}
	return d
}

// pairDistance[a<<8|b] is the distance between two signature bytes (two
// cells each): a table lookup instead of four nibble extractions keeps the
// quick test cheap when thousands of pHashes are near a query.
var pairDistance = func() (t [1 << 16]uint8) {
	for a := range 256 {
		for b := range 256 {
			t[a<<8|b] = uint8(absDiff(a&15, b&15) + absDiff(a>>4, b>>4))
		}
	}
	return t
}()

// meanDistance is the mean cell difference in standard deviations.
func (s *signature) meanDistance(o *signature) float64 {
	return float64(s.distance(o)) * sigStep / (sigSide * sigSide)
}

func absDiff(a, b int) int {
	if a < b {
		return b - a
	}
	return a - b
}

// quickMatch tells whether two pictures with these aspects and signatures
// may be duplicates. It is the cheap first step of Compare's decision and
// never rejects a pair Compare would accept in compare_test.go.
func quickMatch(aspectA, aspectB float32, a, b *signature) bool {
	return quickMatchLog(logAspect(aspectA), logAspect(aspectB), a, b)
}

// quickMatchLog is quickMatch on log aspect ratios.
func quickMatchLog(logA, logB float32, a, b *signature) bool {
	if d := logA - logB; d > maxAspectLogRatio || d < -maxAspectLogRatio {
		return false
	}
	return a.distance(b) <= maxSignatureSteps
}

// maxSignatureSteps is maxSignatureDistance in quantization steps summed
// over the cells.
const maxSignatureSteps = int(maxSignatureDistance * sigSide * sigSide / sigStep)

func logAspect(a float32) float32 { return float32(math.Log(float64(a))) }
