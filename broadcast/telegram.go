package broadcast

import "memebot/telegram"

// TelegramSender is the Sender over the Telegram client's bulk lane
// (telegram.Client.BulkSender): answers to presses go first.
type TelegramSender struct{ *telegram.Sender }

// IsBlocked: the user blocked the bot or deleted their account.
func (TelegramSender) IsBlocked(err error) bool { return telegram.IsBlocked(err) }
