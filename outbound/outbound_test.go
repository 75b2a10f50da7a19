package outbound

import (
	"testing"

	"memebot/review"
)

// The review post's buttons reach telebot with the unique that routes a
// press back to the review handler (telebot sends "\f<unique>|<data>") and
// data that parses as the press.
func TestReviewButtonsKeepTheirRoutes(t *testing.T) {
	m := markup(review.Keyboard(42))
	if m == nil || len(m.InlineKeyboard) != 3 {
		t.Fatalf("review keyboard as telebot's: %+v", m)
	}
	if first := m.InlineKeyboard[0][0]; first.Text != review.ApproveLabel {
		t.Fatalf("first button %q, want %q", first.Text, review.ApproveLabel)
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Unique != review.Button {
				t.Fatalf("button %q routes to %q, want the review handler's %q", b.Text, b.Unique, review.Button)
			}
			if p, err := review.ParsePress(b.Data); err != nil || p.MemeID != 42 || p.Approve != (b.Text == review.ApproveLabel) {
				t.Fatalf("button %q data %q parsed to %+v, %v", b.Text, b.Data, p, err)
			}
		}
	}
	if markup(nil) != nil {
		t.Error("no buttons became a keyboard")
	}
}
