package i18n

import "testing"

// Every key must exist in every language: a missing text shows users a raw key.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	for lang, texts := range catalogue {
		for other, otherTexts := range catalogue {
			for key := range texts {
				if _, ok := otherTexts[key]; !ok {
					t.Errorf("%q exists in %s but not in %s", key, lang, other)
				}
			}
		}
	}
}

func TestLangAndFallback(t *testing.T) {
	if Lang("ru-RU") != "ru" || Lang("uk") != "ru" || Lang("de") != "en" || Lang("") != "en" {
		t.Fatal("language choice")
	}
	if T("ru", "no_such_key") != "no_such_key" {
		t.Fatal("a missing key should show itself")
	}
}
