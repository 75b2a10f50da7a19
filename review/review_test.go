package review

import (
	"strings"
	"testing"
	"time"
)

func TestPressRoundTrip(t *testing.T) {
	kb := Keyboard(42)
	var labels []string
	for _, row := range kb {
		for _, b := range row {
			labels = append(labels, b.Label)
			p, err := ParsePress(b.Data)
			if err != nil || p.MemeID != 42 || b.Unique != Button {
				t.Fatalf("button %q (%s) data %q parsed to %+v, %v", b.Label, b.Unique, b.Data, p, err)
			}
			if (b.Label == ApproveLabel) != p.Approve {
				t.Fatalf("button %q approve=%v", b.Label, p.Approve)
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
