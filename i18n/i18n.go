// Package i18n holds every text memebot says, in English and Russian, chosen
// from the user's Telegram language_code.
package i18n

import (
	"fmt"
	"strings"
)

// Lang picks the catalogue for a Telegram language_code: Russian for ru, uk,
// be and kk speakers, English for everyone else.
func Lang(code string) string {
	switch strings.ToLower(code[:min(2, len(code))]) {
	case "ru", "uk", "be", "kk":
		return "ru"
	}
	return "en"
}

// T formats the message key in the language of code; unknown keys fall back
// to English, then to the key itself so a missing text is visible, not empty.
func T(code, key string, args ...any) string {
	text, ok := catalogue[Lang(code)][key]
	if !ok {
		if text, ok = catalogue["en"][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// LanguageName is how a meme language is shown on a /lang button.
func LanguageName(lang string) string {
	if name, ok := languageNames[lang]; ok {
		return name
	}
	return lang
}

// MemeLanguages are the meme languages /lang offers.
var MemeLanguages = []string{"en", "ru", "uk", "es", "de"}

var languageNames = map[string]string{
	"en": "🇬🇧 English", "ru": "🇷🇺 Русский", "uk": "🇺🇦 Українська", "es": "🇪🇸 Español", "de": "🇩🇪 Deutsch",
}
