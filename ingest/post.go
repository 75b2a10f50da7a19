package ingest

import (
	"context"
	"net/http"

	"memebot/media"
	"memebot/storage"
)

// MediaOther is a post's media that is not a meme (a document, a sticker, a
// poll, a video too large to preview): it still counts when telling
// single-media posts from albums. Memes are media.Photo, Video or Animation.
const MediaOther media.Kind = "other"

// Media is one picture or clip of a post, Post a post as read from a
// platform, RawPost a post as stored: storage keeps these rows, the parsers
// produce them and Select judges them, so both name the same types.
type (
	Media   = storage.PostMedia
	Post    = storage.Post
	RawPost = storage.RawPost
)

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
