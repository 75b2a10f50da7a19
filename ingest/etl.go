package ingest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"memebot/moderation"
	"memebot/storage"
)

// Candidate is a post that looks like a meme: the caller downloads MediaURL
// and sends it through the media pipeline. Storage keeps it on its raw post
// until its job records an outcome.
type Candidate = storage.Candidate

// Judgement carries what selection needs to know besides the post.
type Judgement struct {
	Platform string
	Language string // the source's
	// MedianViews of the source's recent mature posts; 0 = unknown, and the
	// views filters are skipped.
	MedianViews float64
	Now         time.Time
	// MinAge: younger Telegram posts are not judged yet, their views are
	// still growing. 0 judges at once.
	MinAge time.Duration
}

// Verdicts of selection, stored in raw_posts.verdict (with details after a colon).
const (
	VerdictCandidate   = "candidate"
	VerdictNoMedia     = "no_media"
	VerdictAlbum       = "album"
	VerdictUnsupported = "unsupported_media"
	VerdictAd          = "ad"
	VerdictLowViews    = "low_views"
	VerdictLinkViews   = "low_views_with_links"
)

// Thresholds of the Telegram views filters, as fractions of the median.
const (
	minViewsShare     = 0.3
	minLinkViewsShare = 0.5
)

// adHashtags are ad markers that are too short to be ad words on their own.
var adHashtags = []string{"#ad", "#ads", "#promo", "#sponsored", "#промо", "#партнер", "#партнёр", "#spons"}

var adCheck = moderation.NewAdCheck(moderation.AdConfig{})

// Judge decides about one post: a candidate, or a verdict saying why not.
// wait is true when the post is too young to judge: leave it unprocessed.
func Judge(p RawPost, j Judgement) (c Candidate, verdict string, wait bool) {
	switch {
	case len(p.Media) == 0:
		return c, VerdictNoMedia, false
	case len(p.Media) > 1:
		return c, VerdictAlbum, false
	case p.Media[0].URL == "" || p.Media[0].Type == MediaOther:
		return c, VerdictUnsupported, false
	}
	if reason := adReason(p.Text); reason != "" {
		return c, VerdictAd + ": " + reason, false
	}
	if j.Platform == PlatformTelegram && j.MinAge > 0 && !p.PostedAt.IsZero() && j.Now.Sub(p.PostedAt) < j.MinAge {
		return c, "", true
	}
	if v := viewsVerdict(p.Post, j); v != "" {
		return c, v, false
	}
	caption := moderation.CleanCaption(p.Text)
	m := p.Media[0]
	return Candidate{
		SourceID: p.SourceID, RawPostID: p.ID, PostID: p.PostID,
		MediaURL: m.URL, MediaType: m.Type, DurationSec: m.DurationSec,
		Caption: caption, Language: captionLanguage(j.Language, caption),
	}, VerdictCandidate, false
}

// adReason says why a caption looks like an ad, "" when it does not. Links
// and @mentions alone are not ads: CleanCaption removes them.
func adReason(text string) string {
	if text == "" {
		return ""
	}
	r := adCheck.Check(context.Background(), &moderation.Input{Caption: text})
	if words, ok := r.Details["words"].([]string); ok && len(words) > 0 {
		return "words " + strings.Join(words, ", ")
	}
	if long, _ := r.Details["long_caption"].(bool); long {
		return fmt.Sprintf("caption of %d characters", utf8.RuneCountInString(text))
	}
	lower := strings.ToLower(text)
	for _, tag := range strings.Fields(lower) {
		tag = strings.TrimRightFunc(tag, func(r rune) bool { return unicode.IsPunct(r) && r != '#' })
		if slices.Contains(adHashtags, tag) {
			return "marker " + tag
		}
	}
	return ""
}

// viewsVerdict drops Telegram posts that their own channel's readers ignored.
func viewsVerdict(p Post, j Judgement) string {
	if j.Platform != PlatformTelegram || j.MedianViews <= 0 || p.Views == nil {
		return ""
	}
	views := float64(*p.Views)
	switch {
	case views < minViewsShare*j.MedianViews:
		return fmt.Sprintf("%s: %d < %.1f x median %.0f", VerdictLowViews, *p.Views, minViewsShare, j.MedianViews)
	case len(p.OutLinks) > 0 && views < minLinkViewsShare*j.MedianViews:
		return fmt.Sprintf("%s: %d < %.1f x median %.0f", VerdictLinkViews, *p.Views, minLinkViewsShare, j.MedianViews)
	}
	return ""
}

// captionLanguage is the source's language, except that a clearly Russian
// caption makes an English source's meme Russian.
func captionLanguage(sourceLang, caption string) string {
	if sourceLang == "" {
		sourceLang = "en"
	}
	if sourceLang != "en" || moderation.DetectLanguage(caption) != "ru" {
		return sourceLang
	}
	cyrillic := 0
	for _, r := range caption {
		if unicode.Is(unicode.Cyrillic, r) {
			cyrillic++
		}
	}
	if cyrillic >= 5 { // a word, not a stray letter
		return "ru"
	}
	return sourceLang
}

// Selection is the outcome of Select: candidates, and the verdict of every
// post judged (by raw post id). Posts too young to judge are in neither.
type Selection struct {
	Candidates []Candidate
	Verdicts   map[int64]string
}

// Select judges posts of one source.
func Select(posts []RawPost, j Judgement) Selection {
	s := Selection{Verdicts: make(map[int64]string, len(posts))}
	for _, p := range posts {
		c, verdict, wait := Judge(p, j)
		if wait {
			continue
		}
		s.Verdicts[p.ID] = verdict
		if verdict == VerdictCandidate {
			s.Candidates = append(s.Candidates, c)
		}
	}
	return s
}
