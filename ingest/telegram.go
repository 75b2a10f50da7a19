package ingest

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"

	"memebot/media"
)

// TelegramParser reads a public channel's preview pages, {BaseURL}/s/{name},
// the newest page first, then older ones with ?before=<post id>.
type TelegramParser struct {
	BaseURL string // TG_WEB_URL, e.g. https://t.me
	HTTP    Getter
	Pages   int // pages per parse, the first included (default 2)
}

// Parse implements Parser.
func (p *TelegramParser) Parse(ctx context.Context, channel string) (Fetch, error) {
	pages := max(p.Pages, 1)
	if p.Pages == 0 {
		pages = 2
	}
	base := strings.TrimRight(p.BaseURL, "/") + "/s/" + url.PathEscape(channel)
	var f Fetch
	seen := map[string]bool{}
	before := ""
	for i := 0; i < pages; i++ {
		u := base
		if before != "" {
			u += "?before=" + url.QueryEscape(before)
		}
		body, err := p.HTTP.Get(ctx, u, 0, nil)
		if err != nil {
			return f, fmt.Errorf("telegram %s: %w", channel, err)
		}
		page := ParseTelegramPage(body)
		for _, post := range page.Posts {
			if !seen[post.PostID] {
				seen[post.PostID] = true
				f.Posts = append(f.Posts, post)
			}
		}
		if page.Before == "" || page.Before == before || len(page.Posts) == 0 {
			break
		}
		before = page.Before
	}
	f.Seen = len(f.Posts)
	return f, nil
}

// TelegramPage is what one t.me/s page holds.
type TelegramPage struct {
	Posts  []Post
	Before string // the post id to ask for older posts with, "" on the oldest page
}

// ParseTelegramPage reads the posts of a t.me/s/{channel} page. It never
// fails: malformed HTML yields what could be read, a page without posts
// (an unknown or private channel) yields none.
func ParseTelegramPage(body []byte) TelegramPage {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return TelegramPage{} // html.Parse only fails on reader errors
	}
	var page TelegramPage
	oldest := int64(-1)
	walk(doc, func(n *html.Node) bool {
		if hasClass(n, "tme_messages_more") {
			if b, ok := attr(n, "data-before"); ok && page.Before == "" {
				page.Before = b
			}
			return false
		}
		if !hasClass(n, "tgme_widget_message") {
			return true
		}
		dataPost, ok := attr(n, "data-post")
		if !ok {
			return true
		}
		post := parseTelegramPost(n, dataPost)
		if post.PostID != "" {
			page.Posts = append(page.Posts, post)
			if id, _ := strconv.ParseInt(post.PostID, 10, 64); oldest < 0 || id < oldest {
				oldest = id
			}
		}
		return true // broken markup can leave the next posts inside this one
	})
	if page.Before == "" && oldest > 1 {
		page.Before = strconv.FormatInt(oldest, 10)
	}
	return page
}

func parseTelegramPost(n *html.Node, dataPost string) Post {
	id := dataPost[strings.LastIndexByte(dataPost, '/')+1:]
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return Post{}
	}
	post := Post{PostID: id}
	walk(n, func(x *html.Node) bool {
		switch {
		case x.Type != html.ElementNode:
			return false
		case x != n && hasClass(x, "tgme_widget_message"):
			return false // the next post, nested by broken markup
		case hasClass(x, "tgme_widget_message_reply") || hasClass(x, "tgme_widget_message_link_preview"):
			return false // someone else's post or a link's card, not this post's content
		case hasClass(x, "tgme_widget_message_forwarded_from"):
			post.ForwardedFrom = forwardedFrom(x)
			return false
		case hasClass(x, "tgme_widget_message_text"):
			if post.Text == "" {
				post.Text = text(x)
				post.OutLinks = outLinks(x)
			}
			return false
		case hasClass(x, "tgme_widget_message_photo_wrap"):
			post.Media = append(post.Media, Media{Type: media.Photo, URL: backgroundImage(attrOr(x, "style"))})
			return false
		case hasClass(x, "tgme_widget_message_video_player"):
			post.Media = append(post.Media, telegramVideo(x))
			return false
		case hasClass(x, "tgme_widget_message_document_wrap") || hasClass(x, "tgme_widget_message_sticker_wrap") ||
			hasClass(x, "tgme_widget_message_poll") || hasClass(x, "tgme_widget_message_voice_player") ||
			hasClass(x, "tgme_widget_message_roundvideo_player") || hasClass(x, "tgme_widget_message_location_wrap"):
			post.Media = append(post.Media, Media{Type: MediaOther})
			return false
		case hasClass(x, "tgme_widget_message_views"):
			post.Views = parseViews(text(x))
			return false
		case x.Data == "time":
			if dt, ok := attr(x, "datetime"); ok && post.PostedAt.IsZero() {
				if t, err := time.Parse(time.RFC3339, dt); err == nil {
					post.PostedAt = t.UTC()
				}
			}
			return false
		}
		return true
	})
	return post
}

// telegramVideo reads a video player. A clip that loops without a duration
// is a GIF (Telegram sends GIFs as MP4 animations); a player without a
// playable source ("media is too big") is of no use to us.
func telegramVideo(n *html.Node) Media {
	m := Media{Type: media.Video}
	loops := false
	durationShown := false
	walk(n, func(x *html.Node) bool {
		switch {
		case x.Type == html.ElementNode && x.Data == "video":
			m.URL = attrOr(x, "src")
			_, loops = attr(x, "loop")
		case hasClass(x, "message_video_duration"):
			durationShown = true
			m.DurationSec = parseDuration(text(x))
		}
		return true
	})
	switch {
	case m.URL == "" || hasClass(n, "not_supported"):
		return Media{Type: MediaOther}
	case loops && !durationShown:
		m.Type = media.Animation
	}
	return m
}

func forwardedFrom(n *html.Node) string {
	name := findFirst(n, byClass("tgme_widget_message_forwarded_from_name"))
	if name == nil {
		return strings.TrimSpace(strings.TrimPrefix(text(n), "Forwarded from"))
	}
	if href := attrOr(name, "href"); href != "" {
		if u, err := url.Parse(href); err == nil {
			if segs := pathSegments(u.Path); len(segs) > 0 {
				return segs[0]
			}
		}
	}
	return text(name)
}

// outLinks lists the absolute links in a post's text (hashtags are relative).
func outLinks(n *html.Node) []string {
	var links []string
	walk(n, func(x *html.Node) bool {
		if x.Type == html.ElementNode && x.Data == "a" {
			href := attrOr(x, "href")
			if strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://") {
				links = append(links, href)
			}
		}
		return true
	})
	return links
}

// parseViews reads "987", "1.2K", "3.4M"; nil when unreadable.
func parseViews(s string) *int64 {
	s = strings.ToUpper(strings.TrimSpace(s))
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1e3, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1e6, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "B"):
		mult, s = 1e9, strings.TrimSuffix(s, "B")
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil || f < 0 {
		return nil
	}
	v := int64(f*mult + 0.5)
	return &v
}

// parseDuration reads "0:15" or "1:02:03" as seconds; 0 when unreadable.
func parseDuration(s string) int {
	total := 0
	for _, part := range strings.Split(strings.TrimSpace(s), ":") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return 0
		}
		total = total*60 + n
	}
	return total
}
