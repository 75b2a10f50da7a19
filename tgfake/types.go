package tgfake

import (
	"encoding/json"
	"strconv"
)

// User is a Telegram user as the Bot API shows it.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// PrivateChat is the private chat between u and the bot (its id equals the user id).
func (u User) PrivateChat() Chat {
	return Chat{ID: u.ID, Type: ChatPrivate, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
}

// Chat types as the Bot API spells them.
const (
	ChatPrivate    = "private"
	ChatGroup      = "group"
	ChatSupergroup = "supergroup"
	ChatChannel    = "channel"
)

// Chat is a Telegram chat as the Bot API shows it.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// Recipient lets a Chat be passed straight to telebot's Send.
func (c Chat) Recipient() string { return strconv.FormatInt(c.ID, 10) }

// MessageEntity is a special entity in a text or caption; it is passed through untouched.
type MessageEntity struct {
	Type     string `json:"type"`
	Offset   int    `json:"offset"`
	Length   int    `json:"length"`
	URL      string `json:"url,omitempty"`
	User     *User  `json:"user,omitempty"`
	Language string `json:"language,omitempty"`
	EmojiID  string `json:"custom_emoji_id,omitempty"`
}

// PhotoSize is one size of a photo.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

// Video is a video file.
type Video struct {
	FileID       string     `json:"file_id"`
	FileUniqueID string     `json:"file_unique_id"`
	Width        int        `json:"width"`
	Height       int        `json:"height"`
	Duration     int        `json:"duration"`
	FileName     string     `json:"file_name,omitempty"`
	MimeType     string     `json:"mime_type,omitempty"`
	FileSize     int        `json:"file_size,omitempty"`
	Thumbnail    *PhotoSize `json:"thumbnail,omitempty"`
}

// Animation is a GIF or a sound-less H.264/MPEG-4 video.
type Animation Video

// Document is a general file.
type Document struct {
	FileID       string     `json:"file_id"`
	FileUniqueID string     `json:"file_unique_id"`
	FileName     string     `json:"file_name,omitempty"`
	MimeType     string     `json:"mime_type,omitempty"`
	FileSize     int        `json:"file_size,omitempty"`
	Thumbnail    *PhotoSize `json:"thumbnail,omitempty"`
}

// File is the answer of getFile.
type File struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int    `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

// InlineKeyboardButton is one button of an inline keyboard. Fields the fake
// does not interpret are kept raw so they are echoed back unchanged.
type InlineKeyboardButton struct {
	Text                         string          `json:"text"`
	URL                          string          `json:"url,omitempty"`
	CallbackData                 string          `json:"callback_data,omitempty"`
	WebApp                       json.RawMessage `json:"web_app,omitempty"`
	LoginURL                     json.RawMessage `json:"login_url,omitempty"`
	SwitchInlineQuery            *string         `json:"switch_inline_query,omitempty"`
	SwitchInlineQueryCurrentChat *string         `json:"switch_inline_query_current_chat,omitempty"`
	SwitchInlineQueryChosenChat  json.RawMessage `json:"switch_inline_query_chosen_chat,omitempty"`
	CopyText                     json.RawMessage `json:"copy_text,omitempty"`
	CallbackGame                 json.RawMessage `json:"callback_game,omitempty"`
	Pay                          bool            `json:"pay,omitempty"`
}

// InlineKeyboardMarkup is the only reply_markup Telegram echoes back in a Message.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]InlineKeyboardButton `json:"inline_keyboard"`
}

// MessageOrigin describes where a forwarded message came from.
type MessageOrigin struct {
	Type       string `json:"type"`
	Date       int64  `json:"date"`
	SenderUser *User  `json:"sender_user,omitempty"`
	SenderChat *Chat  `json:"sender_chat,omitempty"`
	Chat       *Chat  `json:"chat,omitempty"`
	MessageID  int    `json:"message_id,omitempty"`
	Signature  string `json:"author_signature,omitempty"`
	// SenderUserName names a user who hides their account in forwards ("hidden_user").
	SenderUserName string `json:"sender_user_name,omitempty"`
}

// ReactionType is an emoji reaction.
type ReactionType struct {
	Type  string `json:"type"`
	Emoji string `json:"emoji,omitempty"`
}

// Message is a Telegram message. Fields tagged json:"-" are bookkeeping of the
// fake (visible in Transcript) and never sent to the bot.
type Message struct {
	MessageID       int                   `json:"message_id"`
	From            *User                 `json:"from,omitempty"`
	SenderChat      *Chat                 `json:"sender_chat,omitempty"`
	Date            int64                 `json:"date"`
	Chat            Chat                  `json:"chat"`
	ForwardOrigin   *MessageOrigin        `json:"forward_origin,omitempty"`
	ViaBot          *User                 `json:"via_bot,omitempty"`
	ReplyToMessage  *Message              `json:"reply_to_message,omitempty"`
	EditDate        int64                 `json:"edit_date,omitempty"`
	MediaGroupID    string                `json:"media_group_id,omitempty"`
	Text            string                `json:"text,omitempty"`
	Entities        []MessageEntity       `json:"entities,omitempty"`
	Animation       *Animation            `json:"animation,omitempty"`
	Document        *Document             `json:"document,omitempty"`
	Photo           []PhotoSize           `json:"photo,omitempty"`
	Video           *Video                `json:"video,omitempty"`
	Caption         string                `json:"caption,omitempty"`
	CaptionEntities []MessageEntity       `json:"caption_entities,omitempty"`
	HasMediaSpoiler bool                  `json:"has_media_spoiler,omitempty"`
	ReplyMarkup     *InlineKeyboardMarkup `json:"reply_markup,omitempty"`

	// Deleted is set once the message was deleted (it stays in the transcript).
	Deleted bool `json:"-"`
	// EditCount counts successful edits.
	EditCount int `json:"-"`
	// Keyboard is a non-inline reply_markup (custom keyboard, remove, force reply)
	// sent with the message; Telegram does not echo it, so only tests see it.
	Keyboard json.RawMessage `json:"-"`
	// Reactions set by the bot via setMessageReaction.
	BotReactions []ReactionType `json:"-"`

	sentByBot bool // channel posts carry no from, so it is kept apart
}

// FromBot reports whether the bot sent the message.
func (m Message) FromBot() bool { return m.sentByBot }

// Content is the text or the caption, whichever the message has.
func (m Message) Content() string {
	if m.Text != "" {
		return m.Text
	}
	return m.Caption
}

// MediaFileID is the file_id of the message's media (largest photo size), or "".
func (m Message) MediaFileID() string {
	switch {
	case len(m.Photo) > 0:
		return m.Photo[len(m.Photo)-1].FileID
	case m.Animation != nil:
		return m.Animation.FileID
	case m.Video != nil:
		return m.Video.FileID
	case m.Document != nil:
		return m.Document.FileID
	}
	return ""
}

// Buttons lists the inline buttons row by row, flattened.
func (m Message) Buttons() []InlineKeyboardButton {
	if m.ReplyMarkup == nil {
		return nil
	}
	var out []InlineKeyboardButton
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		out = append(out, row...)
	}
	return out
}

// clone deep-copies the parts of m that the fake mutates later.
func (m *Message) clone() Message {
	c := *m
	if m.ReplyMarkup != nil {
		mk := cloneMarkup(*m.ReplyMarkup)
		c.ReplyMarkup = &mk
	}
	c.Photo = append([]PhotoSize(nil), m.Photo...)
	c.Entities = append([]MessageEntity(nil), m.Entities...)
	c.CaptionEntities = append([]MessageEntity(nil), m.CaptionEntities...)
	c.BotReactions = append([]ReactionType(nil), m.BotReactions...)
	c.Video = clonePtr(m.Video)
	c.Animation = clonePtr(m.Animation)
	c.Document = clonePtr(m.Document)
	if len(c.Photo) == 0 {
		c.Photo = nil
	}
	if len(c.Entities) == 0 {
		c.Entities = nil
	}
	if len(c.CaptionEntities) == 0 {
		c.CaptionEntities = nil
	}
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func cloneMarkup(mk InlineKeyboardMarkup) InlineKeyboardMarkup {
	rows := make([][]InlineKeyboardButton, len(mk.InlineKeyboard))
	for i, r := range mk.InlineKeyboard {
		rows[i] = append([]InlineKeyboardButton(nil), r...)
	}
	return InlineKeyboardMarkup{InlineKeyboard: rows}
}

// CallbackQuery is what a button press sends to the bot.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// MessageReactionUpdated is the message_reaction update payload.
type MessageReactionUpdated struct {
	Chat        Chat           `json:"chat"`
	MessageID   int            `json:"message_id"`
	User        *User          `json:"user,omitempty"`
	Date        int64          `json:"date"`
	OldReaction []ReactionType `json:"old_reaction"`
	NewReaction []ReactionType `json:"new_reaction"`
}

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// CommandScope selects which users see a command list.
type CommandScope struct {
	Type   string `json:"type"`
	ChatID int64  `json:"chat_id,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
}
