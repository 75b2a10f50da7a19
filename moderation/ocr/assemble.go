package ocr

import (
	"image"
	"strings"
	"unicode"
)

// word is one word as Tesseract read it.
type word struct {
	text string
	conf float64
	box  image.Rectangle
}

// reading is the text of one variant with what is needed to compare it to
// the others.
type reading struct {
	text       string
	confidence float64 // mean confidence of the kept words
	letters    int
	score      float64 // sum of confidence x letters: more confident, more alphabetic text wins
	variant    string
}

// assemble drops low-confidence and letterless words, groups the rest into
// lines (a word starts a new line when it sits left of the previous one or
// outside its height), drops lines that are only stray letters (blobs of a
// busy background read as "J", "г" or a doubtful "ae"), and joins what is
// left.
func assemble(words []word, minConf float64) reading {
	var lines [][]word
	var prev image.Rectangle
	for _, w := range words {
		w.text = strings.TrimSpace(w.text)
		if w.text == "" || w.conf < minConf || countLetters(w.text) == 0 {
			continue
		}
		if len(lines) == 0 || newLine(prev, w.box) {
			lines = append(lines, nil)
		}
		lines[len(lines)-1] = append(lines[len(lines)-1], w)
		prev = w.box
	}
	var (
		r       reading
		texts   []string
		confSum float64
		kept    int
	)
	for _, line := range lines {
		if !hasRealWord(line) {
			continue
		}
		parts := make([]string, 0, len(line))
		for _, w := range line {
			n := countLetters(w.text)
			parts = append(parts, w.text)
			confSum += w.conf
			kept++
			r.letters += n
			r.score += w.conf * float64(n)
		}
		texts = append(texts, strings.Join(parts, " "))
	}
	r.text = strings.Join(texts, "\n")
	if kept > 0 {
		r.confidence = confSum / float64(kept)
	}
	return r
}

// clearPairConfidence is how confident a two-letter word must be to hold a
// line on its own ("OK", "НУ"); blobs often read as pairs of letters.
const clearPairConfidence = 80

func hasRealWord(line []word) bool {
	for _, w := range line {
		if n := countLetters(w.text); n >= 3 || n == 2 && w.conf >= clearPairConfidence {
			return true
		}
	}
	return false
}

func newLine(prev, cur image.Rectangle) bool {
	midY := (cur.Min.Y + cur.Max.Y) / 2
	return cur.Min.X < prev.Min.X || midY > prev.Max.Y || midY < prev.Min.Y
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
