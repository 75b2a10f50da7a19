package broadcast

import (
	"context"
	"errors"
	"strconv"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
)

// TelebotSender is the Sender over a telebot bot whose HTTP client sends at
// the rate limiter's bulk priority.
type TelebotSender struct{ Bot *tele.Bot }

// Copy copies the admin's message to a user (copyMessage: no "forwarded
// from" header, the media by file_id).
func (s TelebotSender) Copy(_ context.Context, toChatID, fromChatID, messageID int64) error {
	_, err := s.Bot.Copy(&tele.Chat{ID: toChatID}, tele.StoredMessage{ChatID: fromChatID, MessageID: strconv.FormatInt(messageID, 10)})
	return err
}

// EditText edits the progress message; an edit to the same text is no error.
func (s TelebotSender) EditText(_ context.Context, chatID, messageID int64, text string) error {
	_, err := s.Bot.Edit(tele.StoredMessage{ChatID: chatID, MessageID: strconv.FormatInt(messageID, 10)}, text)
	if errors.Is(err, tele.ErrMessageNotModified) || errors.Is(err, tele.ErrSameMessageContent) {
		return nil
	}
	return err
}

// IsBlocked: the user blocked the bot or deleted their account.
func (TelebotSender) IsBlocked(err error) bool { return bot.IsBlocked(err) }
