package pipeline

import (
	"context"
	"errors"

	"memebot/media"
)

// Telegram is the Bot API as the worker uses it: the two calls it makes, in
// its own types (outbound.Worker implements it). What the worker says to
// moderators and uploaders goes through the review service instead.
type Telegram interface {
	// Download fetches a file by file_id (getFile and the file itself);
	// a file over maxBytes is ErrFileTooLarge.
	Download(ctx context.Context, fileID string, maxBytes int64) ([]byte, error)
	// SendMedia sends media with a caption (sendPhoto, sendVideo,
	// sendAnimation) and says which message and file Telegram made of it.
	SendMedia(ctx context.Context, chatID int64, m Media, caption string) (Sent, error)
}

// Media is a file to send: new bytes, or a file Telegram has already.
type Media struct {
	Kind   media.Kind
	FileID string
	Data   []byte // sent instead of FileID when set
}

// Sent is the message Telegram made of a SendMedia.
type Sent struct {
	MessageID int64
	FileID    string // the file_id to send it by from now on
}

// ErrFileTooLarge is a download refused for its size.
var ErrFileTooLarge = errors.New("pipeline: file too large")

// Alerts tells the admins about what needs a person (outbound.Admins).
type Alerts interface {
	Alert(ctx context.Context, text string)
}
