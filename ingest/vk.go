package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"memebot/media"
	"memebot/moderation"
)

// ErrSourceUnavailable: the source is gone, private or closed to us. A run
// counts it as an empty parse (so the source is snoozed after a few), not as
// a failure of the platform.
var ErrSourceUnavailable = errors.New("ingest: source unavailable")

// VKError is an error object of the VK API.
type VKError struct {
	Code int    `json:"error_code"`
	Msg  string `json:"error_msg"`
}

func (e *VKError) Error() string { return fmt.Sprintf("vk api error %d: %s", e.Code, e.Msg) }

// VK API error codes that matter here.
const (
	vkAuthFailed       = 5
	vkTooManyRequests  = 6
	vkFloodControl     = 9
	vkInternalError    = 10
	vkAccessDenied     = 15
	vkUserDeleted      = 18
	vkContentBlocked   = 19
	vkPrivateProfile   = 30
	vkBadParameter     = 100
	vkInvalidUserID    = 113
	vkVersion          = "5.199"
	vkPostsPerRequest  = 100
	vkDefaultRateDelay = time.Second
)

// VKParser reads a community's wall with wall.get.
type VKParser struct {
	BaseURL string // VK_API_URL, e.g. https://api.vk.com/method
	Token   string // VK_TOKEN, a service or user access token
	HTTP    Getter
	// RetryDelay is the first wait after "too many requests" (error 6);
	// doubled on each of up to 3 retries. Default 1s.
	RetryDelay time.Duration
}

var vkNumberedHandle = regexp.MustCompile(`^club(\d+)$`)

// Parse implements Parser. Ads, posts without attachments, posts with any
// attachment that is not a photo, and posts with long text are skipped.
func (p *VKParser) Parse(ctx context.Context, handle string) (Fetch, error) {
	q := url.Values{"count": {strconv.Itoa(vkPostsPerRequest)}, "v": {vkVersion}, "access_token": {p.Token}}
	if m := vkNumberedHandle.FindStringSubmatch(handle); m != nil {
		q.Set("owner_id", "-"+m[1])
	} else {
		q.Set("domain", handle)
	}
	u := strings.TrimRight(p.BaseURL, "/") + "/wall.get?" + q.Encode()
	delay := p.RetryDelay
	if delay <= 0 {
		delay = vkDefaultRateDelay
	}
	for attempt := 0; ; attempt++ {
		f, err := p.fetch(ctx, u)
		var apiErr *VKError
		if !errors.As(err, &apiErr) || !vkRetryable(apiErr.Code) || attempt >= 3 {
			if err != nil {
				err = fmt.Errorf("vk %s: %w", handle, err)
			}
			return f, err
		}
		if err := sleep(ctx, delay<<attempt); err != nil {
			return Fetch{}, err
		}
	}
}

func vkRetryable(code int) bool {
	return code == vkTooManyRequests || code == vkFloodControl || code == vkInternalError
}

func (p *VKParser) fetch(ctx context.Context, u string) (Fetch, error) {
	body, err := p.HTTP.Get(ctx, u, 0, nil)
	if err != nil {
		return Fetch{}, err
	}
	return ParseVKWall(body)
}

type vkWall struct {
	Response *struct {
		Items []vkPost `json:"items"`
	} `json:"response"`
	Error *VKError `json:"error"`
}

type vkPost struct {
	ID          int64          `json:"id"`
	Date        int64          `json:"date"`
	Text        string         `json:"text"`
	MarkedAsAds int            `json:"marked_as_ads"`
	Attachments []vkAttachment `json:"attachments"`
	Views       *struct {
		Count int64 `json:"count"`
	} `json:"views"`
	CopyHistory []struct {
		OwnerID int64 `json:"owner_id"`
	} `json:"copy_history"`
}

type vkAttachment struct {
	Type  string `json:"type"`
	Photo *struct {
		Sizes []vkPhotoSize `json:"sizes"`
	} `json:"photo"`
}

type vkPhotoSize struct {
	Type   string `json:"type"`
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// ParseVKWall reads a wall.get answer. An API error comes back as *VKError
// (wrapping ErrSourceUnavailable when the community is gone or private).
func ParseVKWall(body []byte) (Fetch, error) {
	var w vkWall
	if err := json.Unmarshal(body, &w); err != nil {
		return Fetch{}, fmt.Errorf("vk: decode wall.get: %w", err)
	}
	if w.Error != nil {
		switch w.Error.Code {
		case vkAccessDenied, vkUserDeleted, vkContentBlocked, vkPrivateProfile, vkBadParameter, vkInvalidUserID:
			return Fetch{}, fmt.Errorf("%w: %w", ErrSourceUnavailable, w.Error)
		}
		return Fetch{}, w.Error
	}
	if w.Response == nil {
		return Fetch{}, errors.New("vk: wall.get answered neither response nor error")
	}
	f := Fetch{Seen: len(w.Response.Items)}
	for _, item := range w.Response.Items {
		if post, ok := vkToPost(item); ok {
			f.Posts = append(f.Posts, post)
		}
	}
	return f, nil
}

// vkToPost keeps a post that could be a meme: not an ad, photos only, a
// short text.
func vkToPost(item vkPost) (Post, bool) {
	if item.MarkedAsAds != 0 || len(item.Attachments) == 0 ||
		utf8.RuneCountInString(item.Text) > moderation.DefaultMaxCaptionRunes {
		return Post{}, false
	}
	post := Post{PostID: strconv.FormatInt(item.ID, 10), Text: item.Text}
	if item.Date > 0 {
		post.PostedAt = time.Unix(item.Date, 0).UTC()
	}
	if item.Views != nil {
		v := item.Views.Count
		post.Views = &v
	}
	if len(item.CopyHistory) > 0 {
		post.ForwardedFrom = "vk:" + strconv.FormatInt(item.CopyHistory[0].OwnerID, 10)
	}
	for _, a := range item.Attachments {
		if a.Type != "photo" || a.Photo == nil {
			return Post{}, false
		}
		best, ok := largestPhoto(a.Photo.Sizes)
		if !ok {
			return Post{}, false
		}
		post.Media = append(post.Media, Media{Type: media.Photo, URL: best.URL, Width: best.Width, Height: best.Height})
	}
	return post, true
}

// vkSizeRank orders VK size letters from small to large, for answers that
// give no dimensions.
const vkSizeRank = "smxopqryzw"

func largestPhoto(sizes []vkPhotoSize) (vkPhotoSize, bool) {
	var best vkPhotoSize
	found := false
	for _, s := range sizes {
		if s.URL == "" {
			continue
		}
		if !found || s.Width*s.Height > best.Width*best.Height ||
			(s.Width*s.Height == best.Width*best.Height && strings.Index(vkSizeRank, s.Type) > strings.Index(vkSizeRank, best.Type)) {
			best, found = s, true
		}
	}
	return best, found
}
