package ocr

import (
	"image"
	"testing"
)

// TestAssembleDropsStrayLetters: blobs of a busy photo come back as short
// "words" of middling confidence; a line of them is noise, while a short
// word read clearly and any longer word stay.
func TestAssembleDropsStrayLetters(t *testing.T) {
	at := func(x, y int) image.Rectangle { return image.Rect(x, y, x+40, y+20) }
	cases := []struct {
		name  string
		words []word
		want  string
	}{
		{"meme text", []word{{"WHEN", 95, at(0, 0)}, {"IT", 93, at(50, 0)}, {"WORKS", 96, at(0, 40)}}, "WHEN IT\nWORKS"},
		{"stray pairs", []word{{"ae", 50, at(0, 0)}, {"Be", 47, at(0, 40)}, {"IG", 48, at(50, 80)}}, ""},
		{"a short word read clearly", []word{{"OK", 91, at(0, 0)}}, "OK"},
		{"a stray pair beside a word", []word{{"ae", 50, at(0, 0)}, {"cat", 60, at(50, 0)}}, "ae cat"},
		{"below the word confidence", []word{{"cat", 30, at(0, 0)}}, ""},
	}
	for _, tc := range cases {
		if got := assemble(tc.words, DefaultMinWordConfidence).text; got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
