package review

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"memebot/i18n"
	"memebot/media"
	"memebot/storage"
)

// Telegram is the Bot API as the review service uses it: the four calls it
// makes, in its own types. outbound.Review implements it.
type Telegram interface {
	// SendMedia sends a stored file (by file_id) with a caption and buttons
	// (sendPhoto, sendVideo, sendAnimation) and returns the message id.
	SendMedia(ctx context.Context, chatID int64, kind media.Kind, fileID, caption string, buttons Buttons) (int64, error)
	// SendText sends text with buttons (sendMessage), in reply to message
	// replyTo when it is not 0; a user who blocked the bot is ErrBlocked.
	SendText(ctx context.Context, chatID int64, text string, replyTo int64, buttons Buttons) error
	// EditCaption replaces a media message's caption and drops its buttons
	// (editMessageCaption).
	EditCaption(ctx context.Context, chatID, messageID int64, caption string) error
	// EditText replaces a text message's text and drops its buttons
	// (editMessageText).
	EditText(ctx context.Context, chatID, messageID int64, text string) error
}

// InlineButton is one button under a message: its label, the callback's
// "unique" that routes a press to its handler, and the press's data.
type InlineButton struct {
	Label, Unique, Data string
}

// Buttons are the rows of buttons under a message; nil for none.
type Buttons [][]InlineButton

// ErrBlocked is what Telegram says of a user who blocked the bot or
// deactivated their account.
var ErrBlocked = errors.New("review: the user blocked the bot")

// Store is the storage the review service needs (storage.Store).
type Store interface {
	Meme(ctx context.Context, id int64) (storage.Meme, error)
	Decide(ctx context.Context, d storage.Decision) (storage.ReviewDecision, error)
	AutoApprove(ctx context.Context, memeID int64) error
	ChangeMemeStatus(ctx context.Context, id int64, status, reason string, actor *int64) error
	ChangeSubmission(ctx context.Context, id int64, ch storage.SubmissionChange) error
	Submission(ctx context.Context, id int64) (storage.Submission, error)
	SubmissionOfMeme(ctx context.Context, memeID int64) (storage.Submission, error)
	MarkUploaderNotified(ctx context.Context, id int64) (bool, error)
	User(ctx context.Context, id int64) (storage.User, error)
	MarkBlocked(ctx context.Context, id int64) error
}

// Service is the one owner of decisions on submissions and of what
// moderators and uploaders are told about them: it posts a submission to
// the review chat, records a moderator's decision or an automatic one (the
// status, the coins and approval likes go with it, in storage.Decide and
// storage.AutoApprove), edits the decided post, and tells the uploader the
// outcome exactly once.
type Service struct {
	store        Store
	tg           Telegram
	reviewChatID int64
	log          *slog.Logger
}

// NewService returns the review service of the review chat reviewChatID.
func NewService(store Store, tg Telegram, reviewChatID int64, log *slog.Logger) *Service {
	return &Service{store: store, tg: tg, reviewChatID: reviewChatID, log: log}
}

// TellUploader tells a submission's uploader, once however often it is
// called, what compose writes in their language (with buttons when it
// returns some), in reply to the upload. A user who blocked the bot is
// marked so, which is not an error.
func (s *Service) TellUploader(ctx context.Context, sub storage.Submission, compose func(lang string) (string, Buttons)) error {
	first, err := s.store.MarkUploaderNotified(ctx, sub.ID)
	if err != nil || !first {
		return err
	}
	u, err := s.store.User(ctx, sub.UploaderID)
	if err != nil {
		return fmt.Errorf("review: tell uploader: %w", err)
	}
	text, buttons := compose(u.LanguageCode)
	err = s.tg.SendText(ctx, sub.ChatID, text, sub.MessageID, buttons)
	if errors.Is(err, ErrBlocked) {
		return s.store.MarkBlocked(ctx, u.ID)
	}
	return err
}

// Tell is TellUploader of the i18n text key with args.
func (s *Service) Tell(ctx context.Context, sub storage.Submission, key string, args ...any) error {
	return s.TellUploader(ctx, sub, func(lang string) (string, Buttons) { return i18n.T(lang, key, args...), nil })
}
