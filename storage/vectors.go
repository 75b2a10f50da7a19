package storage

import (
	"encoding/binary"
	"math"
)

// encodeVector and decodeVector store a vector of the factor model (a
// meme's, a person's, a word's sum) as little-endian float32s.
func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func encodeVectors(vs [][]float32) [][]byte {
	out := make([][]byte, len(vs))
	for i, v := range vs {
		out[i] = encodeVector(v)
	}
	return out
}
