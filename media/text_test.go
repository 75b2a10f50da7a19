package media

import "testing"

func TestTextSimilarity(t *testing.T) {
	for _, tc := range []struct {
		name     string
		a, b     string
		ok       bool
		min, max float64
	}{
		{"the same caption read twice", "WHEN THE CODE COMPILES\nON THE FIRST TRY", "when the code compiles on the first try", true, 1, 1},
		{"an OCR slip", "КОГДА КОД СОБРАЛСЯ\nС ПЕРВОГО РАЗА", "КОГДА КОД СОБРАЛСЯ\nПЕРВОГО РАЗА", true, 0.9, 1},
		{"Latin look-alikes in Cyrillic", "КОГДА КОД", "KOГДA KOД", true, 1, 1},
		{"a crop cut the top line away", "WHEN THE CODE COMPILES ON THE FIRST TRY", "ON THE FIRST TRY", true, 1, 1},
		{"a caption bar added a line", "ME EXPLAINING MY PLANS TO MY CAT", "so true lol\nME EXPLAINING MY PLANS TO MY CAT", true, 1, 1},
		{"a watermark read too", "I WILL START THE DIET TOMORROW", "I WILL START THE DIET TOMORROW @memes_daily", true, 1, 1},
		{"another bottom line", "WHEN THE CODE COMPILES ON THE FIRST TRY", "WHEN THE CODE COMPILES AT TWO IN THE MORNING", true, 0, MinTextSimilarity - 0.01},
		{"other text altogether", "КОГДА КОД СОБРАЛСЯ С ПЕРВОГО РАЗА", "Я ПОСЛЕ ЧАШКИ КОФЕ ГОТОВ ПОБЕДИТЬ МЕДВЕДЯ", true, 0, 0.3},
		{"too little text", "LOL", "WHEN THE CODE COMPILES", false, 0, 0},
		{"only a watermark", "@memes_daily", "@best_memes", false, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := TextSimilarity(tc.a, tc.b)
			if ok != tc.ok || got < tc.min || got > tc.max {
				t.Fatalf("TextSimilarity = %.2f, %t; want %t and %.2f..%.2f", got, ok, tc.ok, tc.min, tc.max)
			}
			if back, _ := TextSimilarity(tc.b, tc.a); back != got {
				t.Fatalf("not symmetric: %.2f one way, %.2f the other", got, back)
			}
		})
	}
}

func TestCompareMemesText(t *testing.T) {
	orig := fingerprintBytes(t, encodeJPEGBytes(t, template(3, 600, 450), 90))
	repost := orig
	repost.SHA256[0] ^= 1 // another file of the same picture
	cases := []struct {
		name       string
		textA      string
		textB      string
		duplicate  bool
		comparedTo bool
	}{
		{"same picture, same text", "WHEN THE CODE COMPILES ON THE FIRST TRY", "WHEN THE CODE COMPILES ON THE FIRST TRY", true, true},
		{"same picture, other text", "WHEN THE CODE COMPILES ON THE FIRST TRY", "ME AFTER ONE COFFEE READY TO FIGHT A BEAR", false, true},
		{"same picture, no text", "", "", true, false},
	}
	for _, tc := range cases {
		v := CompareMemes(orig, repost, tc.textA, tc.textB)
		if v.Duplicate != tc.duplicate || v.TextCompared != tc.comparedTo {
			t.Errorf("%s: %v", tc.name, v)
		}
	}
	// The same file is the same meme whatever OCR read.
	if v := CompareMemes(orig, orig, "ONE TEXT HERE", "QUITE ANOTHER ONE"); !v.Duplicate {
		t.Errorf("identical file: %v", v)
	}
}

// TestMisreadText: a repost whose text OCR misread in part is still a
// duplicate when its picture matches to the cell, and is not once the
// texts share too little.
func TestMisreadText(t *testing.T) {
	orig, cases := compareCases(t, 1, 800, 600)
	const said = "МАМА СКАЗАЛА ДОМА ЕСТЬ ЕДА"
	misread, garbled := "МАМА СКАЗАЛА OMAECTbE A", "MAMA PA3BAMECЯШ" // as read on dedupeval reposts
	if s, _ := TextSimilarity(said, misread); s < MinMisreadSimilarity || s >= MinTextSimilarity {
		t.Fatalf("misread similarity %.2f, want within [%.2f, %.2f)", s, MinMisreadSimilarity, MinTextSimilarity)
	}
	if s, _ := TextSimilarity(said, garbled); s >= MinMisreadSimilarity {
		t.Fatalf("garbled similarity %.2f, want under %.2f", s, MinMisreadSimilarity)
	}
	for _, tc := range cases {
		if tc.name != "jpeg quality 60" && tc.name != "converted to png" {
			continue
		}
		fp := fingerprintBytes(t, tc.data)
		if v := CompareMemes(orig, fp, said, misread); !v.Duplicate {
			t.Errorf("%s, text misread: %v", tc.name, v)
		}
		if v := CompareMemes(orig, fp, said, garbled); v.Duplicate {
			t.Errorf("%s, text garbled: %v", tc.name, v)
		}
	}
}

// TestReadingCoverage: a caption OCR read with words run together, letters
// lost or Latin for Cyrillic keeps its letters in order; another line of
// text does not, even when most of its letters occur in the other.
func TestReadingCoverage(t *testing.T) {
	for _, tc := range []struct {
		name     string
		a, b     string
		min, max float64
	}{
		{"words run together, letters lost", "МАМА СКАЗАЛА\nДОМА ЕСТЬ ЕДА", "МАМА СКАЗАЛА\nОМАЕСТЬЕ А", MinReadingCoverage, 1},
		{"split words and Latin look-alikes", "Я ОБЪЯСНЯЮ ПЛАНЫ\nСВОЕМУ КОТУ В ТРИ НОЧИ", "Я ОБЪЯСНЯЮ ПЛАНЫ\nВ ЕМ КТ ВТРИН ЧИ", MinReadingCoverage, 1},
		{"another bottom line", "TRYING TO BE AN ADULT\nLIKE A PRO", "TRYING TO BE AN ADULT\nTHEY LIED", 0, MinReadingCoverage - 0.01},
		{"another bottom line, in Russian", "КОГДА КОД СОБРАЛСЯ\nС ПЕРВОГО РАЗА", "КОГДА КОД СОБРАЛСЯ\nВ ДВА ЧАСА НОЧИ", 0, MinReadingCoverage - 0.01},
		{"garbled", "МАМА СКАЗАЛА ДОМА ЕСТЬ ЕДА", "MAMA PA3BAMECЯШ", 0, MinReadingCoverage - 0.01},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ReadingCoverage(tc.a, tc.b)
			if got < tc.min || got > tc.max {
				t.Fatalf("ReadingCoverage = %.2f, want %.2f..%.2f", got, tc.min, tc.max)
			}
			if back := ReadingCoverage(tc.b, tc.a); back != got {
				t.Fatalf("not symmetric: %.2f one way, %.2f the other", got, back)
			}
		})
	}
}
