package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	tele "gopkg.in/telebot.v3"
)

// ErrFileTooLarge is returned by Download for a file over the limit.
var ErrFileTooLarge = errors.New("bot: file too large")

// Sender makes the Bot API calls of the background workers: downloads,
// uploads to the storage chat, review posts and notifications. Each call is
// retried on 429 (after retry_after) and 5xx, including multipart uploads,
// which the HTTP transport cannot replay.
type Sender struct {
	b        *Bot
	tb       *tele.Bot // the bot's telebot with a client of the Sender's priority
	priority Priority
	attempts int
}

// Sender returns the worker-side Bot API client; its messages wait for the
// rate limit behind the handlers' answers (PriorityNotify).
func (b *Bot) Sender() *Sender {
	return &Sender{b: b, tb: b.notify, priority: PriorityNotify, attempts: 4}
}

// BulkSender is a Sender for broadcasts: its messages get only what the
// handlers and the workers leave of the rate limit (PriorityBulk). Each
// call still waits at most the client timeout, so send a broadcast a few
// messages at a time rather than all at once.
func (b *Bot) BulkSender() *Sender {
	return &Sender{b: b, tb: b.bulk, priority: PriorityBulk, attempts: 4}
}

// retry runs call until it succeeds, fails for good, or attempts run out.
func (s *Sender) retry(ctx context.Context, call func() error) error {
	backoff := time.Second
	var err error
	for attempt := 1; attempt <= s.attempts; attempt++ {
		if err = call(); err == nil {
			return nil
		}
		wait, ok := RetryAfter(err)
		if !ok {
			if !transient(err) {
				return err
			}
			wait, backoff = backoff, backoff*2
		}
		if attempt == s.attempts {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up waiting: %w)", err, ctx.Err())
		case <-time.After(wait):
		}
	}
	return err
}

// transient reports errors worth retrying: 5xx answers (including a front
// end's HTML error page, which does not parse as JSON) and network failures.
func transient(err error) bool {
	var te *tele.Error
	if errors.As(err, &te) {
		return te.Code >= 500
	}
	var api *APIError
	if errors.As(err, &api) {
		return api.Code >= 500
	}
	var netErr net.Error
	var syntax *json.SyntaxError
	return errors.As(err, &netErr) || errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF)
}

// Download fetches a file by file_id (getFile, then the file endpoint), refusing
// files over maxBytes without downloading them.
func (s *Sender) Download(ctx context.Context, fileID string, maxBytes int64) ([]byte, error) {
	var f tele.File
	err := s.retry(ctx, func() (err error) {
		f, err = s.tb.FileByID(fileID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bot: getFile: %w", redact(err, s.b.cfg.Token))
	}
	if f.FileSize > maxBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrFileTooLarge, f.FileSize)
	}
	var data []byte
	err = s.retry(ctx, func() (err error) {
		data, err = s.fetch(ctx, f.FilePath, maxBytes)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bot: download: %w", redact(err, s.b.cfg.Token))
	}
	return data, nil
}

func (s *Sender) fetch(ctx context.Context, path string, maxBytes int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.b.tb.URL+"/file/bot"+s.b.tb.Token+"/"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.b.client.Do(req)
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
	Kind   string // photo, video, animation
	FileID string
	Data   []byte
}

func (m Media) sendable(caption string) (tele.Sendable, error) {
	file := tele.File{FileID: m.FileID}
	if m.Data != nil {
		file = tele.FromReader(bytes.NewReader(m.Data))
	}
	switch m.Kind {
	case "photo":
		return &tele.Photo{File: file, Caption: caption}, nil
	case "video":
		return &tele.Video{File: file, Caption: caption, FileName: "meme.mp4"}, nil
	case "animation":
		return &tele.Animation{File: file, Caption: caption, FileName: "meme.mp4"}, nil
	}
	return nil, fmt.Errorf("bot: unknown media kind %q", m.Kind)
}

// SendMedia sends media with a caption (and buttons) to a chat and returns the
// message Telegram made, whose file_id can be served from then on.
func (s *Sender) SendMedia(ctx context.Context, chatID int64, m Media, caption string, markup *tele.ReplyMarkup) (*tele.Message, error) {
	var msg *tele.Message
	err := s.retry(ctx, func() error {
		what, err := m.sendable(caption) // a fresh reader each attempt
		if err != nil {
			return err
		}
		msg, err = s.tb.Send(&tele.Chat{ID: chatID}, what, &tele.SendOptions{ReplyMarkup: markup})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bot: send %s to %d: %w", m.Kind, chatID, redact(err, s.b.cfg.Token))
	}
	return msg, nil
}

// SendText is Bot.SendText at the Sender's priority, retried.
func (s *Sender) SendText(ctx context.Context, chatID int64, text string, replyTo int64) error {
	err := s.retry(ctx, func() error {
		return s.b.SendText(WithPriority(ctx, s.priority), chatID, text, replyTo)
	})
	if err != nil {
		return fmt.Errorf("bot: send text to %d: %w", chatID, redact(err, s.b.cfg.Token))
	}
	return nil
}

// SendTextMarkup sends text with buttons, as a reply to message replyTo when
// it is not 0 (sent anyway if that message is gone), retried.
func (s *Sender) SendTextMarkup(ctx context.Context, chatID int64, text string, replyTo int64, markup *tele.ReplyMarkup) error {
	opts := &tele.SendOptions{ReplyMarkup: markup, AllowWithoutReply: true}
	if replyTo != 0 {
		opts.ReplyTo = &tele.Message{ID: int(replyTo)}
	}
	err := s.retry(ctx, func() error {
		_, err := s.tb.Send(&tele.Chat{ID: chatID}, text, opts)
		return err
	})
	if err != nil {
		return fmt.Errorf("bot: send text to %d: %w", chatID, redact(err, s.b.cfg.Token))
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

// BulkTelebot is telebot on the bulk-priority client (broadcasts).
func (b *Bot) BulkTelebot() *tele.Bot { return b.bulk }
