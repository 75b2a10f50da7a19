package moderation

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestDetectLanguage(t *testing.T) {
	cases := map[string]string{
		"when the code compiles": "en",
		"когда код собрался":     "ru",
		"когда deploy в пятницу": "ru",
		"ME: привет":             "ru",
		"hello мир hello":        "en",
		"12345 !!!":              "",
		"":                       "",
	}
	for in, want := range cases {
		if got := DetectLanguage(in); got != want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAdCheck(t *testing.T) {
	cases := []struct {
		name, caption, ocr string
		flag               bool
		key                string
	}{
		{"plain joke", "когда код собрался с первого раза", "WHEN THE CODE COMPILES", false, ""},
		{"learning is not earn", "learning Go on a Friday", "", false, ""},
		{"link", "смешно https://example.com/x", "", true, "links"},
		{"telegram link", "подробнее t.me/somechannel", "", true, "links"},
		{"bare domain", "заходи на memes-shop.ru", "", true, "links"},
		{"mention", "by @best_memes_ru", "", true, "mentions"},
		{"email is not a mention", "write to me@example.org", "", true, "links"},
		{"ad word ru", "Реклама. Промокоды на всё", "", true, "words"},
		{"erid marker", "erid: 2VtzqxYz", "", true, "words"},
		{"ad in image text", "", "SUBSCRIBE @MEMECHANNEL", true, "mentions"},
		{"long caption", strings.Repeat("очень длинная подпись ", 12), "", true, "long_caption"},
	}
	check := NewAdCheck(AdConfig{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := check.Check(context.Background(), &Input{Caption: tc.caption, OCRText: tc.ocr})
			if (r.Verdict == VerdictFlag) != tc.flag {
				t.Fatalf("verdict %s, details %v; want flag=%v", r.Verdict, r.Details, tc.flag)
			}
			if tc.flag && (r.Reason != ReasonAd || r.Details[tc.key] == nil) {
				t.Errorf("reason %q details %v; want reason ad with %q", r.Reason, r.Details, tc.key)
			}
		})
	}
	var zero AdCheck
	if r := zero.Check(context.Background(), &Input{Caption: "крипта"}); r.Verdict != VerdictFlag {
		t.Errorf("zero AdCheck did not use the default list: %v", r)
	}
}

func TestCleanCaption(t *testing.T) {
	cases := map[string]string{
		"когда код собрался":                               "когда код собрался",
		"смешно https://example.com/x?a=1 правда":          "смешно правда",
		"мем дня\nподписывайся t.me/memes\n@memes_channel": "мем дня\nподписывайся",
		"(by @best_memes) lol":                             "(by ) lol",
		"see www.memes.com and memes.ru/top now":           "see and now",
		"keep me@example.org? no":                          "keep me@? no",
		"line one\n\n\n\nline two":                         "line one\n\nline two",
		"  only   spaces  ":                                "only spaces",
	}
	for in, want := range cases {
		if got := CleanCaption(in); got != want {
			t.Errorf("CleanCaption(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWordList(t *testing.T) {
	l := newWordList([]string{"earn", "скидк*", "t.me/", "promo code"})
	got := l.matches("Learn to EARN! Скидки тут: T.ME/x, promo code")
	want := []string{"t.me/", "promo code", "earn", "скидк*"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("matches = %q, want %q", got, want)
	}
}
