package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	tele "gopkg.in/telebot.v3"

	"memebot/media"
)

// ErrFileTooLarge is returned by Download for a file over the limit.
var ErrFileTooLarge = errors.New("telegram: file too large")

// Sender makes the Bot API calls of the background workers: downloads,
// uploads to the storage chat, review posts and notifications. Its calls are
// retried by the client's transport like every other (uploads included: the
// transport keeps their body to send it again), never a second time here.
type Sender struct {
	c        *Client
	tb       *tele.Bot // telebot on the client of the Sender's priority
	priority Priority
}

// Download fetches a file by file_id (getFile, then the file endpoint), refusing
// files over maxBytes without downloading them.
func (s *Sender) Download(ctx context.Context, fileID string, maxBytes int64) ([]byte, error) {
	f, err := s.tb.FileByID(fileID)
	if err != nil {
		return nil, fmt.Errorf("telegram: getFile: %w", s.c.Redact(err))
	}
	if f.FileSize > maxBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrFileTooLarge, f.FileSize)
	}
	data, err := s.fetch(ctx, f.FilePath, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", s.c.Redact(err))
	}
	return data, nil
}

func (s *Sender) fetch(ctx context.Context, path string, maxBytes int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.c.url+"/file/bot"+s.c.token+"/"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.c.http[s.priority].Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, tele.NewError(resp.StatusCode, fmt.Sprintf("download failed: HTTP %d", resp.StatusCode))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrFileTooLarge, maxBytes)
	}
	return data, nil
}

// Media is a file to send: new bytes (uploaded) or an existing file_id.
type Media struct {
	Kind   media.Kind
	FileID string
	Data   []byte
}

func (m Media) sendable(caption string) (tele.Sendable, error) {
	file := tele.File{FileID: m.FileID}
	if m.Data != nil {
		file = tele.FromReader(bytes.NewReader(m.Data))
	}
	switch m.Kind {
	case media.Photo:
		return &tele.Photo{File: file, Caption: caption}, nil
	case media.Video:
		return &tele.Video{File: file, Caption: caption, FileName: "meme.mp4"}, nil
	case media.Animation:
		return &tele.Animation{File: file, Caption: caption, FileName: "meme.mp4"}, nil
	}
	return nil, fmt.Errorf("telegram: unknown media kind %q", m.Kind)
}

// SendMedia sends media with a caption (and buttons) to a chat and returns the
// message Telegram made, whose file_id can be served from then on.
func (s *Sender) SendMedia(ctx context.Context, chatID int64, m Media, caption string, markup *tele.ReplyMarkup) (*tele.Message, error) {
	what, err := m.sendable(caption)
	if err != nil {
		return nil, err
	}
	msg, err := s.tb.Send(&tele.Chat{ID: chatID}, what, &tele.SendOptions{ReplyMarkup: markup})
	if err != nil {
		return nil, fmt.Errorf("telegram: send %s to %d: %w", m.Kind, chatID, s.c.Redact(err))
	}
	return msg, nil
}

// SendText is Client.SendText at the Sender's priority.
func (s *Sender) SendText(ctx context.Context, chatID int64, text string, replyTo int64) error {
	if err := s.c.SendText(WithPriority(ctx, s.priority), chatID, text, replyTo); err != nil {
		return fmt.Errorf("telegram: send text to %d: %w", chatID, err)
	}
	return nil
}

// SendTextMarkup sends text with buttons, as a reply to message replyTo when
// it is not 0 (sent anyway if that message is gone).
func (s *Sender) SendTextMarkup(ctx context.Context, chatID int64, text string, replyTo int64, markup *tele.ReplyMarkup) error {
	opts := &tele.SendOptions{ReplyMarkup: markup, AllowWithoutReply: true}
	if replyTo != 0 {
		opts.ReplyTo = &tele.Message{ID: int(replyTo)}
	}
	if _, err := s.tb.Send(&tele.Chat{ID: chatID}, text, opts); err != nil {
		return fmt.Errorf("telegram: send text to %d: %w", chatID, s.c.Redact(err))
	}
	return nil
}

// FileID is the file_id of a message's media, the largest photo size for photos.
func FileID(m *tele.Message) string {
	switch {
	case m.Photo != nil:
		return m.Photo.FileID
	case m.Video != nil:
		return m.Video.FileID
	case m.Animation != nil:
		return m.Animation.FileID
	case m.Document != nil:
		return m.Document.FileID
	}
	return ""
}

// Copy copies message messageID of chat fromChatID to chat toChatID
// (copyMessage: no "forwarded from" header, media by file_id).
func (s *Sender) Copy(ctx context.Context, toChatID, fromChatID, messageID int64) error {
	src := tele.StoredMessage{ChatID: fromChatID, MessageID: strconv.FormatInt(messageID, 10)}
	if _, err := s.tb.Copy(&tele.Chat{ID: toChatID}, src); err != nil {
		return fmt.Errorf("telegram: copy a message to %d: %w", toChatID, s.c.Redact(err))
	}
	return nil
}

// EditText replaces the text of a message the bot sent; the same text
// again is not an error.
func (s *Sender) EditText(ctx context.Context, chatID, messageID int64, text string) error {
	msg := tele.StoredMessage{ChatID: chatID, MessageID: strconv.FormatInt(messageID, 10)}
	_, err := s.tb.Edit(msg, text)
	if err == nil || errors.Is(err, tele.ErrMessageNotModified) || errors.Is(err, tele.ErrSameMessageContent) {
		return nil
	}
	return fmt.Errorf("telegram: edit message %d in %d: %w", messageID, chatID, s.c.Redact(err))
}
