// Package review owns what happens to a submission between the automatic
// checks and the uploader's notice: how it is shown to moderators in the
// review chat (the post's caption, its buttons, the reasons a moderator can
// give, how the post reads once decided) and the Service that records every
// decision, moderator's or automatic, edits the post and tells the uploader,
// once. It speaks to Telegram only through its own small port (Telegram).
package review

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"memebot/media"
)

// Button is the callback "unique" of every review button.
const Button = "rv"

// Fixed button labels (interface.md).
const (
	ApproveLabel = "✅ Approve"
	RejectLabel  = "❌ Reject"
)

// Reason is a rejection reason a moderator can pick.
type Reason struct {
	Code  string
	Label string // on the button
	Text  string // as the uploader reads it (English; handlers translate by Code)
}

// Reasons are the short list of rejection reasons, besides a plain reject.
var Reasons = []Reason{
	{"quality", "🗑 Low quality", "low quality"},
	{"repost", "🔁 Repost", "already posted"},
	{"offensive", "🔞 Offensive", "offensive content"},
	{"spam", "📢 Ad / spam", "advertising or spam"},
}

// ReasonText returns the uploader-facing text of a reason code ("" if none).
func ReasonText(code string) string {
	for _, r := range Reasons {
		if r.Code == code {
			return r.Text
		}
	}
	return ""
}

// Post is what the review post says about a submission.
type Post struct {
	MemeID      int64
	Type        media.Kind
	Uploader    string // "@name (id 123)"
	Language    string
	UserCaption string
	Checks      string // moderation.Summary of the automatic checks
	Flagged     bool
	FlagReason  string
}

// Caption renders the post's caption (Telegram allows 1024 characters).
func (p Post) Caption() string {
	var b strings.Builder
	if p.Flagged {
		fmt.Fprintf(&b, "⚠️ NEEDS A CLOSER LOOK: %s\n", p.FlagReason)
	}
	fmt.Fprintf(&b, "🆕 Meme #%d (%s)\nUploaded by %s\nLanguage: %s\n", p.MemeID, p.Type, p.Uploader, p.Language)
	if p.UserCaption != "" {
		fmt.Fprintf(&b, "Caption: %s\n", p.UserCaption)
	}
	if p.Checks != "" {
		fmt.Fprintf(&b, "Checks:\n%s", p.Checks)
	}
	return truncate(strings.TrimSpace(b.String()), 900)
}

// Keyboard is the post's buttons: approve, reject, and reject with a reason.
func Keyboard(memeID int64) Buttons {
	id := strconv.FormatInt(memeID, 10)
	reasons := make([]InlineButton, len(Reasons))
	for i, r := range Reasons {
		reasons[i] = InlineButton{Label: r.Label, Unique: Button, Data: "r|" + id + "|" + r.Code}
	}
	return Buttons{
		{{Label: ApproveLabel, Unique: Button, Data: "a|" + id}, {Label: RejectLabel, Unique: Button, Data: "r|" + id}},
		reasons[:2],
		reasons[2:],
	}
}

// Press is a parsed review button press.
type Press struct {
	MemeID  int64
	Approve bool
	Reason  string // a reason code, for rejections
}

// ParsePress reads a review button's data ("a|42", "r|42", "r|42|spam").
func ParsePress(data string) (Press, error) {
	parts := strings.Split(data, "|")
	if len(parts) < 2 || (parts[0] != "a" && parts[0] != "r") {
		return Press{}, fmt.Errorf("review: bad button data %q", data)
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return Press{}, fmt.Errorf("review: bad meme id in %q", data)
	}
	p := Press{MemeID: id, Approve: parts[0] == "a"}
	if !p.Approve && len(parts) > 2 {
		p.Reason = parts[2]
	}
	return p, nil
}

// Decided renders the post's caption after a decision: what was decided, by
// whom and when, under the original text.
func Decided(original string, approve bool, by, reason string, at time.Time) string {
	verdict := "✅ Approved"
	if !approve {
		verdict = "❌ Rejected"
		if reason != "" {
			verdict += " (" + reason + ")"
		}
	}
	line := fmt.Sprintf("%s by %s at %s", verdict, by, at.UTC().Format("2006-01-02 15:04 UTC"))
	return truncate(original, 1024-len(line)-2) + "\n\n" + line
}

// Who renders a Telegram user for a caption: "@name (id 123)" or "First (id 123)".
func Who(username, firstName string, id int64) string {
	switch {
	case username != "":
		return fmt.Sprintf("@%s (id %d)", username, id)
	case firstName != "":
		return fmt.Sprintf("%s (id %d)", firstName, id)
	}
	return fmt.Sprintf("id %d", id)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
