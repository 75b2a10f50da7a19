package moderation

import (
	"strings"
	"unicode"
)

// wordList matches a small vocabulary against free text. An entry with a
// space, dot or slash is a phrase found anywhere ("t.me/", "promo code");
// an entry ending in "*" matches any word starting with it ("скидк*"); any
// other entry matches a whole word, so "earn" does not fire on "learn".
type wordList struct {
	phrases  []string
	prefixes []string
	words    map[string]bool
}

func newWordList(entries []string) *wordList {
	l := &wordList{words: map[string]bool{}}
	for _, e := range entries {
		e = strings.ToLower(strings.TrimSpace(e))
		switch {
		case e == "":
		case strings.ContainsAny(e, " ./"):
			l.phrases = append(l.phrases, e)
		case strings.HasSuffix(e, "*"):
			l.prefixes = append(l.prefixes, strings.TrimSuffix(e, "*"))
		default:
			l.words[e] = true
		}
	}
	return l
}

// matches returns the entries found in text, each once, in list order for
// phrases and text order for words.
func (l *wordList) matches(text string) []string {
	lower := strings.ToLower(text)
	var found []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			found = append(found, s)
		}
	}
	for _, p := range l.phrases {
		if strings.Contains(lower, p) {
			add(p)
		}
	}
	for _, tok := range strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if l.words[tok] {
			add(tok)
			continue
		}
		for _, p := range l.prefixes {
			if strings.HasPrefix(tok, p) {
				add(p + "*")
				break
			}
		}
	}
	return found
}
