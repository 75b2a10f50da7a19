package handlers

import (
	"regexp"
	"strings"
	"testing"
)

func TestSharePayloadRoundTripAndForgery(t *testing.T) {
	key, other := []byte("key one"), []byte("key two")
	for sharer := int64(1); sharer < 300; sharer++ { // signatures with '-' and '_' in them too
		if m, s, ok := parseSharePayload(key, sharePayload(key, 6, sharer)); !ok || m != 6 || s != sharer {
			t.Fatalf("payload %q of sharer %d parsed as %d %d %v", sharePayload(key, 6, sharer), sharer, m, s, ok)
		}
	}
	p := sharePayload(key, 1234567890123, 8000000099999)
	if len(p) > 64 || !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(p) {
		t.Fatalf("payload %q is not a valid Telegram start parameter", p)
	}
	meme, sharer, ok := parseSharePayload(key, p)
	if !ok || meme != 1234567890123 || sharer != 8000000099999 {
		t.Fatalf("parse(%q) = %d %d %v", p, meme, sharer, ok)
	}
	body, sig, _ := strings.Cut(p[1:], "-")
	forged := []string{
		"", "s", "inline", "s-", p + "x", p[:len(p)-1], strings.ToUpper(p),
		"s" + "zz" + p[strings.Index(p, "-"):], // another meme, same signature
		"s" + body + "-1-" + sig,               // another sharer
		sharePayload(other, 1, 2),              // signed with another key
		"s1-2-" + strings.Repeat("A", 12),
	}
	for _, f := range forged {
		if _, _, ok := parseSharePayload(key, f); ok {
			t.Errorf("forged or malformed payload %q accepted", f)
		}
	}
	if _, _, ok := parseSharePayload(nil, p); ok {
		t.Error("a payload accepted without a key")
	}
}
