// Package handlers is what memebot says and does in Telegram: one file per
// command or button. Handlers are methods on Handlers, which holds their
// dependencies as small interfaces declared here.
package handlers

import (
	"context"
	"log/slog"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/pipeline"
	"memebot/storage"
)

// Users is the user storage the handlers need.
type Users interface {
	UpsertUser(ctx context.Context, p storage.UserProfile) (storage.User, bool, error)
	User(ctx context.Context, id int64) (storage.User, error)
	SetUserLanguages(ctx context.Context, id int64, langs []string) error
	MarkBlocked(ctx context.Context, id int64) error
}

// Telegram is the Bot API as the handlers use it beyond answering the
// update at hand (*tele.Bot): sending a message to a user (the feed's next
// meme, a sharer's reward), copying an admin's message (a broadcast's
// preview), deleting a message, dropping a spent button, and setting the
// command menus. Declared here, small, so the handlers can be tested on a fake.
type Telegram interface {
	Send(to tele.Recipient, what any, opts ...any) (*tele.Message, error)
	Copy(to tele.Recipient, msg tele.Editable, opts ...any) (*tele.Message, error)
	Delete(msg tele.Editable) error
	EditReplyMarkup(msg tele.Editable, markup *tele.ReplyMarkup) (*tele.Message, error)
	SetCommands(opts ...any) error
}

// Settings are the configured values handlers need.
type Settings struct {
	UploadMaxBytes     int64
	UploadLimitPerHour int
	ReviewChatID       int64
	// ShareKey signs share links (see sharePayload).
	ShareKey []byte
	// TelegramHold is how long new Telegram posts wait before they are
	// judged (INGEST_TELEGRAM_HOLD), shown on source cards.
	TelegramHold time.Duration
	// BotUsername is the bot's own @username (without the @), for links
	// to it and the help text.
	BotUsername string
}

// Handlers answers Telegram updates.
type Handlers struct {
	Users     Users
	Intake    UploadIntake
	Control   JobControl
	Roles     RoleAdmin
	RoleCache RoleCache
	Reviews   Reviews
	// SecondLooks and UploadJobs serve the second-look button.
	SecondLooks SecondLooks
	UploadJobs  UploadJobs
	Sources     Sources
	Search      Search
	MyUploads   MyUploads
	Referrals   Referrals
	Suggestions Suggestions
	Broadcasts  Broadcasts
	Feed        Feed
	Sent        SentMessages
	Texts       TextSender
	Telegram    Telegram
	Stats       *StatsCommand
	Settings    Settings
	Log         *slog.Logger
}

// Register routes every command and button to its handler.
func (h *Handlers) Register(b *tele.Bot, roles *bot.Roles) {
	b.Use(roles.Middleware)
	b.Handle("/start", h.Start)
	b.Handle("/lang", h.Lang)
	b.Handle("/help", h.Help)
	b.Handle(&tele.Btn{Unique: langButton}, h.LangToggle)
	b.Handle(tele.OnText, h.Text)
	for _, media := range []string{tele.OnPhoto, tele.OnVideo, tele.OnAnimation, tele.OnDocument} {
		b.Handle(media, h.Upload)
	}
	for _, other := range []string{tele.OnSticker, tele.OnVoice, tele.OnAudio, tele.OnVideoNote, tele.OnLocation, tele.OnContact, tele.OnPoll} {
		b.Handle(other, h.NotMedia)
	}
	b.Handle(&tele.Btn{Unique: reviewButton}, h.Review)
	b.Handle(&tele.Btn{Unique: reactButton}, h.React)
	b.Handle(&tele.Btn{Unique: pipeline.SecondLookButton}, h.SecondLook)
	b.Handle(&tele.Btn{Unique: sourceButton}, h.SourceButton)
	b.Handle(&tele.Btn{Unique: suggestionButton}, h.SuggestionButton)
	b.Handle("/sources", h.ListSources)
	b.Handle("/stats", h.Stats.Handle)
	b.Handle("/pause", h.Pause)
	b.Handle("/resume", h.Resume)
	b.Handle("/promote", h.Promote)
	b.Handle("/demote", h.Demote)
	b.Handle("/uploads", h.Uploads)
	b.Handle("/broadcast", h.Broadcast)
	b.Handle(&tele.Btn{Unique: broadcastButton}, h.BroadcastButton)
	b.Handle(&tele.Btn{Unique: uploadsButton}, h.UploadsPage)
	b.Handle(tele.OnQuery, h.InlineSearch)
	b.Handle(tele.OnInlineResult, h.InlinePick)
}

// profile is what Telegram says about the sender.
func profile(s *tele.User) storage.UserProfile {
	return storage.UserProfile{ID: s.ID, Username: s.Username, FirstName: s.FirstName, LanguageCode: s.LanguageCode}
}

// senderLang is the language code of the update's sender ("" when none),
// what i18n.T picks the language by.
func senderLang(c tele.Context) string {
	if s := c.Sender(); s != nil {
		return s.LanguageCode
	}
	return ""
}

// ctxOf is the context of the update being handled (bot.Context): it has
// the update's deadline and ends when the bot shuts down.
func ctxOf(c tele.Context) context.Context { return bot.Context(c) }
