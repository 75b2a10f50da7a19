package ocr

import "testing"

func TestFixHomoglyphs(t *testing.T) {
	cases := map[string]string{
		"НЕЛЬЗЯ ПРОСТО TAK":       "НЕЛЬЗЯ ПРОСТО ТАК",       // Latin look-alikes in Russian text
		"МЕ EXPLAINING\nТНЕ JOKE": "ME EXPLAINING\nTHE JOKE", // Cyrillic look-alikes in English
		"CОБРАЛСЯ":                "СОБРАЛСЯ",                // mixed word follows its own letters
		"когда deploy":            "когда deploy",
		"ТНЕ МЕМЕ\nwhen it works": "THE MEME\nwhen it works", // the line decides before the text
		"СОМЕ ON\nпривет":         "COME ON\nпривет",         // N is unambiguously Latin: the line is English
		"":                        "",
		"ТОР ТЕХТ 80":             "TOP TEXT 80", // only look-alikes anywhere: Latin
	}
	for in, want := range cases {
		if got := fixHomoglyphs(in); got != want {
			t.Errorf("fixHomoglyphs(%q) = %q, want %q", in, got, want)
		}
	}
}
