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
	// MinReadingCoverage is the least share of one text's letters that the
	// other must hold in the same order (ReadingCoverage) for the two to be
	// one caption read twice although their words differ: OCR of faint or
	// outlined lettering merges words, drops letters and reads Latin for
	// Cyrillic ("МАМА СКАЗАЛА OMAECTbE A" for "... ДОМА ЕСТЬ ЕДА": 0.95),
	// which breaks the bigrams but keeps what it read in order. Another
	// line of text does not: on both dedupeval sets the templates with one
	// line changed keep at most 0.80 of either text, the reposts this
	// rescues 0.86-1.
	MinReadingCoverage = 0.85
	// minReadShare is the least share of the stored meme's letters the
	// upload's text must hold for containment to say that the two are one
	// caption, unless the pictures say so too (see compareMemes): an
	// upload's text wholly contained in a stored text more than twice as
	// long is how OCR reads a crop that cut a line away, and also a
	// template whose other line OCR did not read at all (dedupeval's second
	// set: "ПЫТАЮСЬ БЫТЬ" for "ПЫТАЮСЬ БЫТЬ / ОБМАНУЛИ"). The other way
	// round is a caption bar's text added, which is left alone.
	minReadShare = 0.5
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

// ReadingCoverage compares the texts read on two memes letter by letter:
// the largest share of either text's letters (spaces, punctuation and case
// left out, look-alikes folded) found in the other in the same order, their
// longest common subsequence, 0..1. It forgives what TextSimilarity's
// bigrams do not: words run together or split, letters lost.
func ReadingCoverage(a, b string) float64 {
	la, lb := letterRunes(NormalizeText(a)), letterRunes(NormalizeText(b))
	if len(la) == 0 || len(lb) == 0 {
		return 0
	}
	return float64(commonSubsequence(la, lb)) / float64(min(len(la), len(lb)))
}

// readShare is how many letters text a holds for every letter of text b.
func readShare(a, b string) float64 {
	na, nb := letters(NormalizeText(a)), letters(NormalizeText(b))
	if nb == 0 {
		return 0
	}
	return float64(na) / float64(nb)
}

// letterRunes returns the letters and digits of s.
func letterRunes(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, r)
		}
	}
	return out
}

// commonSubsequence is the length of the longest common subsequence of a
// and b (two rows of the dynamic programme; captions are short).
func commonSubsequence(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for _, ra := range a {
		for j, rb := range b {
			if ra == rb {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
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
