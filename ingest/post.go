package ingest

import (
	"context"
	"net/http"
	"time"

	"memebot/storage"
)

// Media types of a post's media. MediaOther is anything that is not a meme
// (a document, a sticker, a poll, a video too large to preview): it still
// counts when telling single-media posts from albums.
const (
	MediaPhoto     = storage.MediaPhoto
	MediaVideo     = storage.MediaVideo
	MediaAnimation = storage.MediaAnimation
	MediaOther     = "other"
)

// Media is one picture or clip of a post.
type Media struct {
	Type        string `json:"type"`
	URL         string `json:"url,omitempty"`
	DurationSec int    `json:"duration_sec,omitempty"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
}

// Post is one post as read from a platform, before any selection.
type Post struct {
	PostID        string
	PostedAt      time.Time // zero when the page did not say
	Text          string
	Media         []Media
	Views         *int64 // nil when the platform does not show them
	ForwardedFrom string
	OutLinks      []string
}

// Fetch is what one parse of one source brought back.
type Fetch struct {
	Posts []Post
	// Seen counts the posts the platform showed, including those a parser
	// skipped (VK ads, video-only posts): zero means the source came back empty.
	Seen int
}

// Parser reads the recent posts of one source of its platform.
type Parser interface {
	Parse(ctx context.Context, handle string) (Fetch, error)
}

// Getter is the HTTP the parsers need; *Client implements it.
type Getter interface {
	Get(ctx context.Context, url string, maxBytes int64, header http.Header) ([]byte, error)
}
