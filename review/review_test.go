package review

import (
	"strings"
	"testing"
	"time"
)

func TestPressRoundTrip(t *testing.T) {
	kb := Keyboard(42)
	var labels []string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			labels = append(labels, b.Text)
			p, err := ParsePress(strings.TrimPrefix(b.Data, "\f"+Button+"|"))
			if err != nil || p.MemeID != 42 {
				t.Fatalf("button %q data %q parsed to %+v, %v", b.Text, b.Data, p, err)
			}
			if (b.Text == ApproveLabel) != p.Approve {
				t.Fatalf("button %q approve=%v", b.Text, p.Approve)
			}
		}
	}
	if labels[0] != ApproveLabel || labels[1] != RejectLabel {
		t.Fatalf("first buttons %v, want the fixed labels", labels[:2])
	}
	for _, bad := range []string{"", "x|1", "a|", "a|zz"} {
		if _, err := ParsePress(bad); err == nil {
			t.Errorf("ParsePress(%q) accepted", bad)
		}
	}
}

func TestDecidedCaptionSaysWhoAndWhen(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 5, 0, 0, time.UTC)
	got := Decided("🆕 Meme #1", false, "@mod (id 7)", "low quality", at)
	if !strings.Contains(got, "❌ Rejected (low quality) by @mod (id 7) at 2026-11-21 10:05 UTC") || !strings.HasPrefix(got, "🆕 Meme #1") {
		t.Fatalf("decided caption %q", got)
	}
	long := strings.Repeat("x", 2000)
	if n := len([]rune(Decided(long, true, "@m", "", at))); n > 1024 {
		t.Fatalf("caption of %d characters exceeds Telegram's 1024", n)
	}
}
