// Package outbound adapts the Telegram client (telegram.Sender, telebot) to the
// small outbound ports their consumers declare in their own types:
// pipeline.Telegram (Worker), review.Telegram (Review) and the admins'
// alerts (Admins). Only this package translates between those types and
// telebot's.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	tele "gopkg.in/telebot.v3"

	"memebot/media"
	"memebot/pipeline"
	"memebot/review"
	"memebot/telegram"
)

// Worker is the pipeline's Telegram: telegram.Sender's calls, retried on 429 and
// 5xx, at the priority of notifications.
type Worker struct{ Sender *telegram.Sender }

// Download fetches a file by file_id; over maxBytes it is pipeline.ErrFileTooLarge.
func (w Worker) Download(ctx context.Context, fileID string, maxBytes int64) ([]byte, error) {
	data, err := w.Sender.Download(ctx, fileID, maxBytes)
	if errors.Is(err, telegram.ErrFileTooLarge) {
		return nil, fmt.Errorf("%w: %w", pipeline.ErrFileTooLarge, err)
	}
	return data, err
}

// SendMedia sends media with a caption and returns the message's id and file_id.
func (w Worker) SendMedia(ctx context.Context, chatID int64, m pipeline.Media, caption string) (pipeline.Sent, error) {
	msg, err := w.Sender.SendMedia(ctx, chatID, telegram.Media{Kind: m.Kind, FileID: m.FileID, Data: m.Data}, caption, nil)
	if err != nil {
		return pipeline.Sent{}, err
	}
	return pipeline.Sent{MessageID: int64(msg.ID), FileID: telegram.FileID(msg)}, nil
}

// Review is the review service's Telegram: messages go through telegram.Sender
// (retried, at the priority of notifications), edits of a review post
// through Bot, the handlers' client, as the press that made them.
type Review struct {
	Sender *telegram.Sender
	Bot    *tele.Bot
}

// SendMedia sends a stored file with a caption and buttons.
func (r Review) SendMedia(ctx context.Context, chatID int64, kind media.Kind, fileID, caption string, buttons review.Buttons) (int64, error) {
	msg, err := r.Sender.SendMedia(ctx, chatID, telegram.Media{Kind: kind, FileID: fileID}, caption, markup(buttons))
	if err != nil {
		return 0, err
	}
	return int64(msg.ID), nil
}

// SendText sends text, with buttons when there are some, in reply to replyTo.
func (r Review) SendText(ctx context.Context, chatID int64, text string, replyTo int64, buttons review.Buttons) error {
	var err error
	if len(buttons) == 0 {
		err = r.Sender.SendText(ctx, chatID, text, replyTo)
	} else {
		err = r.Sender.SendTextMarkup(ctx, chatID, text, replyTo, markup(buttons))
	}
	if telegram.IsBlocked(err) {
		return fmt.Errorf("%w: %w", review.ErrBlocked, err)
	}
	return err
}

// EditCaption replaces a media message's caption (and drops its buttons).
func (r Review) EditCaption(_ context.Context, chatID, messageID int64, caption string) error {
	_, err := r.Bot.EditCaption(stored(chatID, messageID), caption)
	return err
}

// EditText replaces a text message's text (and drops its buttons).
func (r Review) EditText(_ context.Context, chatID, messageID int64, text string) error {
	_, err := r.Bot.Edit(stored(chatID, messageID), text)
	return err
}

func stored(chatID, messageID int64) tele.StoredMessage {
	return tele.StoredMessage{ChatID: chatID, MessageID: strconv.FormatInt(messageID, 10)}
}

// markup is buttons as telebot's inline keyboard; nil for none.
func markup(buttons review.Buttons) *tele.ReplyMarkup {
	if len(buttons) == 0 {
		return nil
	}
	m := &tele.ReplyMarkup{}
	rows := make([]tele.Row, len(buttons))
	for i, row := range buttons {
		for _, b := range row {
			rows[i] = append(rows[i], m.Data(b.Label, b.Unique, b.Data))
		}
	}
	m.Inline(rows...)
	return m
}

// Admins tells every admin about what needs a person: a job that paused
// itself, an upload given up on.
type Admins struct {
	Sender *telegram.Sender
	IDs    []int64
	Log    *slog.Logger
}

// Alert sends text to every admin; an admin who cannot be reached is logged
// and the others are still told.
func (a Admins) Alert(ctx context.Context, text string) {
	for _, id := range a.IDs {
		if err := a.Sender.SendText(ctx, id, text, 0); err != nil {
			a.Log.Warn("telling an admin", slog.Int64("admin_id", id), slog.Any("error", err))
		}
	}
}
