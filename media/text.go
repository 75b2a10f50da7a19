package media

import (
	"strings"
	"unicode"
)

// Text decides between a repost and a new joke: two memes on the same
// picture are the same meme only when they say the same. The text is what
// OCR read on each picture; reading it again differs a little (a letter
// lost, a word cut by a crop, a caption bar or a watermark read too), so it
// is compared as character bigrams, and one text may be a part of the other.
const (
	// MinTextLetters is how many letters a text needs to count: fewer is
	// OCR noise or a lone watermark, and the picture decides alone.
	MinTextLetters = 8
	// MinTextSimilarity is the least share of one text's bigrams that the
	// other must contain for a duplicate. The same caption read from two
	// reposts scores 0.8-1 in most cases (dedupeval; a crop through the
	// lettering costs more); a template with one line changed 0.4-0.75,
	// with both lines changed under 0.3.
	MinTextSimilarity = 0.8
	// MinMisreadSimilarity is the least similarity at which two texts on
	// the same picture may still be one text misread: OCR of faint or cut
	// lettering keeps 0.5-0.8 of it (dedupeval), and so does a template
	// with one line changed, so below MinTextSimilarity the pictures must
	// match to the cell (Verdict.sameToTheCell) and the lettering not
	// change at all.
	MinMisreadSimilarity = 0.5
)

// TextSimilarity compares the texts read on two memes: the largest share of
// either text's character bigrams found in the other (so a crop that cut a
// line away or a caption bar that added one still matches), 0..1. ok is
// false when either has fewer than MinTextLetters letters; then the texts
// say nothing.
func TextSimilarity(a, b string) (similarity float64, ok bool) {
	na, nb := NormalizeText(a), NormalizeText(b)
	if letters(na) < MinTextLetters || letters(nb) < MinTextLetters {
		return 0, false
	}
	ba, bb := bigrams(na), bigrams(nb)
	return max(containment(ba, bb), containment(bb, ba)), true
}

// NormalizeText reduces OCR text to what identifies a meme's words:
// lower-case letters and digits, words separated by one space, Latin and
// Cyrillic look-alikes folded together (OCR mixes them in upper-case
// lettering), and @names and links (watermarks) dropped.
func NormalizeText(s string) string {
	var words []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if strings.HasPrefix(w, "@") || strings.Contains(w, "http") || strings.Contains(w, "t.me/") || strings.Contains(w, "www.") {
			continue
		}
		var b strings.Builder
		for _, r := range w {
			if f, ok := lookalike[r]; ok {
				r = f
			}
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			words = append(words, b.String())
		}
	}
	return strings.Join(words, " ")
}

// lookalike folds Cyrillic letters into the Latin ones they look like.
var lookalike = map[rune]rune{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o',
	'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'з': '3', '0': 'o',
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// bigrams counts the character pairs of s, a space before and after each
// word so that one-letter words count too.
func bigrams(s string) map[[2]rune]int {
	out := map[[2]rune]int{}
	for _, w := range strings.Fields(s) {
		prev := ' '
		for _, r := range w + " " {
			out[[2]rune{prev, r}]++
			prev = r
		}
	}
	return out
}

// containment is the share of a's bigrams (with multiplicity) found in b.
func containment(a, b map[[2]rune]int) float64 {
	var total, found int
	for k, n := range a {
		total += n
		found += min(n, b[k])
	}
	if total == 0 {
		return 0
	}
	return float64(found) / float64(total)
}
