package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"memebot/media"
)

// InstagramParser lists an account's recent media through a third-party
// Instagram API in the style of HikerAPI (the reference bot's). The shape it
// assumes:
//
//	GET {IG_API_URL}/v1/user/by/username?username=NAME   (header x-access-key: IG_API_KEY)
//	  -> {"pk": "123", "is_private": false, ...}           (404: no such account)
//	GET {IG_API_URL}/v2/user/medias?user_id=123
//	  -> {"response": {"items": [ITEM, ...]}, "next_page_id": "..."}
//
// where ITEM is Instagram's own media object: pk, code, taken_at (unix
// seconds or RFC 3339), media_type (1 photo, 2 video, 8 carousel),
// caption.text, image_versions2.candidates[{url,width,height}],
// video_versions[{url,width,height}], video_duration, play_count and, for a
// carousel, carousel_media[ITEM...]. Only the first page is read.
type InstagramParser struct {
	BaseURL string // IG_API_URL
	APIKey  string // IG_API_KEY
	HTTP    Getter

	userIDs sync.Map // handle -> user id, which never changes
}

// Parse implements Parser.
func (p *InstagramParser) Parse(ctx context.Context, handle string) (Fetch, error) {
	id, err := p.userID(ctx, handle)
	if err != nil {
		return Fetch{}, fmt.Errorf("instagram %s: %w", handle, err)
	}
	body, err := p.get(ctx, "/v2/user/medias", url.Values{"user_id": {id}})
	if err != nil {
		return Fetch{}, fmt.Errorf("instagram %s: %w", handle, err)
	}
	f, err := ParseInstagramMedias(body)
	if err != nil {
		return Fetch{}, fmt.Errorf("instagram %s: %w", handle, err)
	}
	return f, nil
}

func (p *InstagramParser) userID(ctx context.Context, handle string) (string, error) {
	if id, ok := p.userIDs.Load(handle); ok {
		return id.(string), nil
	}
	body, err := p.get(ctx, "/v1/user/by/username", url.Values{"username": {handle}})
	var se *StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		return "", fmt.Errorf("%w: no such account", ErrSourceUnavailable)
	}
	if err != nil {
		return "", err
	}
	var user struct {
		PK        flexString `json:"pk"`
		IsPrivate bool       `json:"is_private"`
	}
	if err := json.Unmarshal(body, &user); err != nil {
		return "", fmt.Errorf("decode user: %w", err)
	}
	switch {
	case user.IsPrivate:
		return "", fmt.Errorf("%w: private account", ErrSourceUnavailable)
	case user.PK == "":
		return "", errors.New("user answer has no pk")
	}
	p.userIDs.Store(handle, string(user.PK))
	return string(user.PK), nil
}

func (p *InstagramParser) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	u := strings.TrimRight(p.BaseURL, "/") + path + "?" + q.Encode()
	return p.HTTP.Get(ctx, u, 0, http.Header{"X-Access-Key": {p.APIKey}, "Accept": {"application/json"}})
}

type igMedias struct {
	Response struct {
		Items []igItem `json:"items"`
	} `json:"response"`
}

type igItem struct {
	PK        flexString `json:"pk"`
	TakenAt   flexTime   `json:"taken_at"`
	MediaType int        `json:"media_type"`
	Caption   *struct {
		Text string `json:"text"`
	} `json:"caption"`
	Images *struct {
		Candidates []igVersion `json:"candidates"`
	} `json:"image_versions2"`
	Videos        []igVersion `json:"video_versions"`
	VideoDuration float64     `json:"video_duration"`
	PlayCount     *int64      `json:"play_count"`
	Carousel      []igItem    `json:"carousel_media"`
}

type igVersion struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// ParseInstagramMedias reads a /v2/user/medias answer.
func ParseInstagramMedias(body []byte) (Fetch, error) {
	var m igMedias
	if err := json.Unmarshal(body, &m); err != nil {
		return Fetch{}, fmt.Errorf("decode medias: %w", err)
	}
	f := Fetch{Seen: len(m.Response.Items)}
	for _, it := range m.Response.Items {
		if it.PK == "" {
			continue
		}
		post := Post{PostID: string(it.PK), PostedAt: time.Time(it.TakenAt), Views: it.PlayCount}
		if it.Caption != nil {
			post.Text = it.Caption.Text
		}
		if it.MediaType == 8 {
			for _, c := range it.Carousel {
				post.Media = append(post.Media, igMedia(c))
			}
		} else {
			post.Media = []Media{igMedia(it)}
		}
		f.Posts = append(f.Posts, post)
	}
	return f, nil
}

func igMedia(it igItem) Media {
	switch {
	case it.MediaType == 2 && len(it.Videos) > 0:
		v := largestVersion(it.Videos)
		return Media{Type: media.Video, URL: v.URL, Width: v.Width, Height: v.Height, DurationSec: int(it.VideoDuration + 0.5)}
	case it.MediaType == 1 && it.Images != nil && len(it.Images.Candidates) > 0:
		v := largestVersion(it.Images.Candidates)
		return Media{Type: media.Photo, URL: v.URL, Width: v.Width, Height: v.Height}
	}
	return Media{Type: MediaOther}
}

func largestVersion(vs []igVersion) igVersion {
	best := vs[0]
	for _, v := range vs[1:] {
		if v.Width*v.Height > best.Width*best.Height {
			best = v
		}
	}
	return best
}

// flexString takes a JSON string or number (ids come as either).
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*s = flexString(n.String())
	return nil
}

// flexTime takes unix seconds or an RFC 3339 string.
type flexTime time.Time

func (t *flexTime) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil || s == "" {
		return err
	}
	if secs, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		*t = flexTime(time.Unix(secs, 0).UTC())
		return nil
	}
	if parsed, err := time.Parse(time.RFC3339, string(s)); err == nil {
		*t = flexTime(parsed.UTC())
	}
	return nil
}
