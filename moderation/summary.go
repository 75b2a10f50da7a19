package moderation

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Marks put in front of a summary line that needs a reviewer's attention.
const (
	markWarn   = "⚠️ "
	markReject = "⛔ "
	markError  = "❗ "
)

// Summary renders the results as short lines for the review post caption,
// one per check, with flagged, rejected and failed checks marked.
func Summary(results []Result) string {
	lines := make([]string, 0, len(results))
	for _, r := range results {
		lines = append(lines, summaryLine(r))
	}
	return strings.Join(lines, "\n")
}

func summaryLine(r Result) string {
	name := checkTitle(r.Check)
	switch r.Verdict {
	case VerdictError:
		return markError + name + ": error: " + truncate(r.Error, 80)
	case VerdictSkip:
		return name + ": skipped"
	}
	var body string
	switch r.Check {
	case CheckOCR:
		body = ocrLine(r)
	case CheckBlur:
		body = fmt.Sprintf("sharp (%.0f)", r.Score)
		if r.Reason == ReasonBlurry {
			body = fmt.Sprintf("blurry (%.0f)", r.Score)
		}
	case CheckUnsafe:
		body = unsafeLine(r)
	case CheckAds:
		body = adsLine(r)
	default:
		body = fmt.Sprintf("%s (%.2f)", r.Verdict, r.Score)
	}
	return mark(r) + name + ": " + body
}

func mark(r Result) string {
	switch {
	case r.Verdict == VerdictReject:
		return markReject
	case r.Verdict == VerdictFlag || (r.Fallback && !notConfigured(r)):
		return markWarn
	}
	return ""
}

func checkTitle(check string) string {
	switch check {
	case CheckOCR:
		return "OCR"
	case CheckBlur:
		return "Blur"
	case CheckUnsafe:
		return "Unsafe"
	case CheckAds:
		return "Ads"
	}
	return check
}

func ocrLine(r Result) string {
	text, _ := r.Details["text"].(string)
	if strings.TrimSpace(text) == "" {
		return "no text"
	}
	lang, _ := r.Details["language"].(string)
	return fmt.Sprintf("'%s' (%s)", truncate(strings.Join(strings.Fields(text), " "), 60), lang)
}

func unsafeLine(r Result) string {
	label := "safe"
	switch r.Verdict {
	case VerdictFlag:
		label = "review"
	case VerdictReject:
		label = "unsafe"
	}
	line := fmt.Sprintf("%.2f %s", r.Score, label)
	if top, _ := r.Details["top_category"].(string); top != "" && r.Verdict != VerdictPass {
		line += " (" + top + ")"
	}
	if r.Fallback && notConfigured(r) {
		line += " [keywords only: no moderation service configured]"
	} else if r.Fallback {
		line += " [keyword fallback: " + truncate(fmt.Sprint(r.Details["error"]), 60) + "]"
		if hits := stringList(r.Details["keywords"]); len(hits) > 0 {
			line += " words: " + strings.Join(hits, ", ")
		}
	}
	return line
}

func adsLine(r Result) string {
	var parts []string
	for _, key := range []string{"links", "mentions", "words"} {
		if v := stringList(r.Details[key]); len(v) > 0 {
			parts = append(parts, key+" "+truncate(strings.Join(v, ", "), 60))
		}
	}
	if long, _ := r.Details["long_caption"].(bool); long {
		parts = append(parts, "long caption")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// stringList reads a []string detail, also after a JSON round trip
// ([]any), as reports loaded from the cache have.
func stringList(v any) []string {
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
