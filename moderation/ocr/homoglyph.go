package ocr

import (
	"strings"
	"unicode"
)

// Tesseract with eng+rus often reads "ТАК" as Latin "TAK" or "THE" as
// Cyrillic "ТНЕ": these capitals look the same in both scripts.
var (
	latinToCyrillic = map[rune]rune{
		'A': 'А', 'B': 'В', 'C': 'С', 'E': 'Е', 'H': 'Н', 'K': 'К', 'M': 'М', 'O': 'О',
		'P': 'Р', 'T': 'Т', 'X': 'Х', 'Y': 'У', 'a': 'а', 'c': 'с', 'e': 'е', 'o': 'о',
		'p': 'р', 'x': 'х', 'y': 'у',
	}
	cyrillicToLatin = invert(latinToCyrillic)
)

func invert(m map[rune]rune) map[rune]rune {
	out := make(map[rune]rune, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

// fixHomoglyphs rewrites look-alike letters into one script per word: the
// script of the word's unambiguous letters, or, for words made only of
// look-alikes, the script that dominates the word's line, else the whole text
// (meme captions often put an English and a Russian line on one picture).
func fixHomoglyphs(text string) string {
	textScript := scriptOf(text)
	if textScript == "" {
		// Nothing but look-alikes ("TOP TEXT", "ТОР ТЕХТ"): Tesseract's pick
		// between eng and rus is a coin toss; Latin is the likelier truth.
		textScript = "latin"
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lineScript := scriptOf(line)
		if lineScript == "" {
			lineScript = textScript
		}
		lines[i] = fixLine(line, lineScript)
	}
	return strings.Join(lines, "\n")
}

func fixLine(text, dominant string) string {
	fields := strings.FieldsFunc(text, unicode.IsSpace)
	if len(fields) == 0 {
		return text
	}
	var b strings.Builder
	rest := text
	for _, f := range fields {
		i := strings.Index(rest, f)
		b.WriteString(rest[:i])
		script := scriptOf(f)
		if script == "" {
			script = dominant
		}
		b.WriteString(toScript(f, script))
		rest = rest[i+len(f):]
	}
	b.WriteString(rest)
	return b.String()
}

// scriptOf returns "cyrillic" or "latin" by majority of the letters that are
// not look-alikes, or "" when there are none.
func scriptOf(s string) string {
	var cyr, lat int
	for _, r := range s {
		if _, ok := latinToCyrillic[r]; ok {
			continue
		}
		if _, ok := cyrillicToLatin[r]; ok {
			continue
		}
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	switch {
	case cyr > lat:
		return "cyrillic"
	case lat > 0:
		return "latin"
	}
	return ""
}

func toScript(word, script string) string {
	table := cyrillicToLatin
	if script == "cyrillic" {
		table = latinToCyrillic
	} else if script == "" {
		return word
	}
	return strings.Map(func(r rune) rune {
		if m, ok := table[r]; ok {
			return m
		}
		return r
	}, word)
}
