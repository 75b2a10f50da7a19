package moderation

import "unicode"

// DetectLanguage tells Russian from English text: "ru" when Cyrillic letters
// outnumber Latin ones, else "en". Text without letters is "".
func DetectLanguage(text string) string {
	var cyr, lat int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	switch {
	case cyr == 0 && lat == 0:
		return ""
	case cyr > lat:
		return "ru"
	}
	return "en"
}
