package ingest

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Platforms, as stored in sources.platform.
const (
	PlatformTelegram  = "telegram"
	PlatformVK        = "vk"
	PlatformInstagram = "instagram"
)

// Platforms lists the platforms ingestion parses.
var Platforms = []string{PlatformTelegram, PlatformVK, PlatformInstagram}

// ErrNotSourceLink: the text is not the link of a public Telegram channel,
// VK community or Instagram account. The wrapped message says why.
var ErrNotSourceLink = errors.New("not a channel, community or account link")

// SourceLink is a source as a moderator named it.
type SourceLink struct {
	Platform string
	Handle   string // lower-cased: "memes", "club123", "some.account"
	URL      string // canonical public address
}

var (
	tgNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)
	vkNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.]{2,32}$`)
	vkNumbered    = regexp.MustCompile(`^(?:club|public|event)(\d{1,12})$`)
	vkWallPost    = regexp.MustCompile(`^wall-(\d{1,12})_\d+$`)
	igNamePattern = regexp.MustCompile(`^[A-Za-z0-9._]{1,30}$`)
)

// Paths on the platforms that are not a channel, community or account.
var (
	tgReserved = set("joinchat", "addstickers", "addemoji", "share", "proxy", "socks", "c", "iv", "login", "setlanguage", "boost")
	vkReserved = set("feed", "im", "search", "groups", "friends", "login", "settings", "video", "audio", "photos",
		"music", "apps", "market", "away.php", "wall", "photo", "clips", "id", "app")
	igReserved = set("p", "reel", "reels", "explore", "stories", "accounts", "tv", "direct", "about", "developer", "legal")
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// ParseSourceLink reads a source from what a moderator sent: a t.me link
// (https://t.me/NAME, t.me/s/NAME, a post link t.me/NAME/123) or @NAME for a
// Telegram channel; vk.com/NAME, vk.com/club123 or vk.com/public123 (the same
// community), or a wall post link, for VK; instagram.com/NAME for Instagram.
// Invite links and private channels are refused: their posts cannot be read.
func ParseSourceLink(text string) (SourceLink, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "@") {
		return telegramLink(strings.TrimPrefix(text, "@"))
	}
	raw := text
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		return SourceLink{}, fmt.Errorf("%w: %q is not a link", ErrNotSourceLink, text)
	}
	segs := pathSegments(u.Path)
	switch host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."); host {
	case "t.me", "telegram.me", "telegram.dog":
		if len(segs) > 1 && segs[0] == "s" {
			segs = segs[1:]
		}
		if len(segs) == 0 {
			return SourceLink{}, fmt.Errorf("%w: the link names no channel", ErrNotSourceLink)
		}
		return telegramLink(segs[0])
	case "vk.com", "m.vk.com", "vk.ru", "m.vk.ru":
		if len(segs) == 0 {
			return SourceLink{}, fmt.Errorf("%w: the link names no community", ErrNotSourceLink)
		}
		return vkLink(segs[0])
	case "instagram.com", "m.instagram.com", "instagr.am":
		if len(segs) == 0 {
			return SourceLink{}, fmt.Errorf("%w: the link names no account", ErrNotSourceLink)
		}
		return instagramLink(segs[0])
	default:
		return SourceLink{}, fmt.Errorf("%w: %s is not t.me, vk.com or instagram.com", ErrNotSourceLink, host)
	}
}

func pathSegments(p string) []string {
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

func telegramLink(name string) (SourceLink, error) {
	switch {
	case strings.HasPrefix(name, "+") || tgReserved[strings.ToLower(name)]:
		return SourceLink{}, fmt.Errorf("%w: invite links and private channels cannot be parsed", ErrNotSourceLink)
	case !tgNamePattern.MatchString(name):
		return SourceLink{}, fmt.Errorf("%w: %q is not a Telegram channel name", ErrNotSourceLink, name)
	}
	name = strings.ToLower(name)
	return SourceLink{Platform: PlatformTelegram, Handle: name, URL: "https://t.me/" + name}, nil
}

func vkLink(name string) (SourceLink, error) {
	name = strings.ToLower(name)
	if m := vkWallPost.FindStringSubmatch(name); m != nil {
		name = "club" + m[1]
	}
	if m := vkNumbered.FindStringSubmatch(name); m != nil {
		name = "club" + m[1] // public123 and club123 are the same community
	}
	if vkReserved[name] || !vkNamePattern.MatchString(name) {
		return SourceLink{}, fmt.Errorf("%w: %q is not a VK community", ErrNotSourceLink, name)
	}
	return SourceLink{Platform: PlatformVK, Handle: name, URL: "https://vk.com/" + name}, nil
}

func instagramLink(name string) (SourceLink, error) {
	name = strings.ToLower(name)
	if igReserved[name] || !igNamePattern.MatchString(name) {
		return SourceLink{}, fmt.Errorf("%w: %q is not an Instagram account", ErrNotSourceLink, name)
	}
	return SourceLink{Platform: PlatformInstagram, Handle: name, URL: "https://www.instagram.com/" + name + "/"}, nil
}
