package ingest

import (
	"errors"
	"testing"
)

func TestParseSourceLink(t *testing.T) {
	ok := []struct {
		in                     string
		platform, handle, link string
	}{
		{"https://t.me/FunnyMemes", PlatformTelegram, "funnymemes", "https://t.me/funnymemes"},
		{"t.me/s/funnymemes", PlatformTelegram, "funnymemes", "https://t.me/funnymemes"},
		{"https://t.me/funnymemes/123?single", PlatformTelegram, "funnymemes", "https://t.me/funnymemes"},
		{"  @funny_memes  ", PlatformTelegram, "funny_memes", "https://t.me/funny_memes"},
		{"http://telegram.me/funnymemes", PlatformTelegram, "funnymemes", "https://t.me/funnymemes"},
		{"https://vk.com/mdk", PlatformVK, "mdk", "https://vk.com/mdk"},
		{"vk.com/public123", PlatformVK, "club123", "https://vk.com/club123"},
		{"https://m.vk.com/club123", PlatformVK, "club123", "https://vk.com/club123"},
		{"https://vk.com/wall-123_456", PlatformVK, "club123", "https://vk.com/club123"},
		{"https://instagram.com/Memes.Daily", PlatformInstagram, "memes.daily", "https://www.instagram.com/memes.daily/"},
		{"www.instagram.com/memes_daily/", PlatformInstagram, "memes_daily", "https://www.instagram.com/memes_daily/"},
	}
	for _, tc := range ok {
		got, err := ParseSourceLink(tc.in)
		if err != nil {
			t.Errorf("ParseSourceLink(%q): %v", tc.in, err)
			continue
		}
		if got.Platform != tc.platform || got.Handle != tc.handle || got.URL != tc.link {
			t.Errorf("ParseSourceLink(%q) = %+v, want %s %s %s", tc.in, got, tc.platform, tc.handle, tc.link)
		}
	}
	bad := []string{
		"", "funnymemes", "https://t.me/+AbCdEf123", "https://t.me/joinchat/AAAA", "https://t.me/c/12345/6",
		"https://t.me/", "@ab", "@bad-name", "https://example.com/memes", "https://t.me.evil.com/memes",
		"https://vk.com/", "https://vk.com/feed", "https://instagram.com/p/C1aaa/", "https://instagram.com/explore",
		"ftp://t.me/funnymemes", "https://user:pw@t.me/funnymemes", "javascript:alert(1)",
	}
	for _, in := range bad {
		if got, err := ParseSourceLink(in); !errors.Is(err, ErrNotSourceLink) {
			t.Errorf("ParseSourceLink(%q) = %+v, %v; want ErrNotSourceLink", in, got, err)
		}
	}
}
