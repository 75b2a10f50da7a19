package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/i18n"
	"memebot/media"
	"memebot/metrics"
	"memebot/recommend"
	"memebot/storage"
	"memebot/telegram"
)

// Feed serves memes one by one and records reactions.
type Feed interface {
	Next(ctx context.Context, userID int64, isModerator bool) (recommend.Item, error)
	Unsend(ctx context.Context, userID, memeID int64) error
	ReactNext(ctx context.Context, userID, memeID int64, reaction int, isModerator bool) (recommend.Press, error)
	Reset(ctx context.Context, userID int64) error
	// Serve claims a meme someone shared with the user.
	Serve(ctx context.Context, userID, memeID int64) (recommend.Item, error)
}

// SentMessages remembers which meme a sent message shows, so native Telegram
// reactions on it can be counted.
type SentMessages interface {
	Remember(ctx context.Context, chatID int64, messageID int, memeID int64, engine string) error
	Lookup(ctx context.Context, chatID int64, messageID int) (memeID int64, engine string, ok bool)
}

const reactButton = "r"

// Like and dislike labels start with 👍 and 👎 (interface.md).
const (
	LikeLabel    = "👍"
	DislikeLabel = "👎"
	// ShareLabel opens the chat picker to send the meme with a link back.
	ShareLabel = "↗️"
)

func feedKeyboard(memeID int64) *tele.ReplyMarkup {
	m := &tele.ReplyMarkup{}
	id := strconv.FormatInt(memeID, 10)
	m.Inline(m.Row(m.Data(LikeLabel, reactButton, id, "1"), m.Data(DislikeLabel, reactButton, id, "2"),
		m.Query(ShareLabel, ShareQuery(memeID))))
	return m
}

// sendNext sends the user's next meme, or the "no more memes" text (first is
// true on /start, where an empty feed says "no memes yet").
func (h *Handlers) sendNext(ctx context.Context, b Telegram, user *tele.User, role string, first bool) error {
	item, err := h.Feed.Next(ctx, user.ID, bot.IsModerator(role))
	return h.deliver(ctx, b, user, item, err, first)
}

// deliver sends a meme claimed for the user (err is the claim's), or the
// "no more memes" text when there was none; a failed delivery unclaims it.
func (h *Handlers) deliver(ctx context.Context, b Telegram, user *tele.User, item recommend.Item, err error, first bool) error {
	if errors.Is(err, recommend.ErrNoMemes) {
		key := "no_more_memes"
		if first {
			key = "no_memes_yet"
		}
		_, err = b.Send(user, i18n.T(user.LanguageCode, key))
		return h.sendFailed(ctx, user.ID, err)
	}
	if err != nil {
		return fmt.Errorf("feed: next for %d: %w", user.ID, err)
	}
	msg, err := b.Send(user, memeSendable(item), feedKeyboard(item.MemeID))
	if err != nil {
		if uerr := h.Feed.Unsend(context.WithoutCancel(ctx), user.ID, item.MemeID); uerr != nil {
			h.Log.Warn("unsend after a failed delivery", slog.Any("error", uerr))
		}
		return h.sendFailed(ctx, user.ID, err)
	}
	metrics.FeedSends.WithLabelValues(item.Engine).Inc()
	if h.Sent != nil {
		if err := h.Sent.Remember(ctx, user.ID, msg.ID, item.MemeID, item.Engine); err != nil {
			h.Log.Warn("remember sent meme", slog.Any("error", err))
		}
	}
	return nil
}

// sendFailed marks users who blocked the bot; nothing is sent to them until they return.
func (h *Handlers) sendFailed(ctx context.Context, userID int64, err error) error {
	if err != nil && telegram.IsBlocked(err) {
		h.Log.Info("user blocked the bot", slog.Int64("user_id", userID))
		return h.Users.MarkBlocked(ctx, userID)
	}
	return err
}

func memeSendable(it recommend.Item) tele.Sendable {
	file := tele.File{FileID: it.FileID}
	switch it.Type {
	case media.Video:
		return &tele.Video{File: file, Caption: it.Caption}
	case media.Animation:
		return &tele.Animation{File: file, Caption: it.Caption}
	}
	return &tele.Photo{File: file, Caption: it.Caption}
}

// React handles 👍 / 👎 under a meme: the reaction is stored first (with the
// claim of the next meme, in one round trip), then the next meme is sent. A
// repeated or concurrent press on the same meme finds the reaction already
// stored and sends nothing new.
func (h *Handlers) React(c tele.Context) error {
	memeID, reaction, ok := parseReaction(c.Data())
	if !ok {
		return c.Respond()
	}
	return h.react(ctxOf(c), h.Telegram, c.Sender(), bot.RoleOf(c), memeID, reaction, func() error { return c.Respond() })
}

func (h *Handlers) react(ctx context.Context, b Telegram, user *tele.User, role string, memeID int64, reaction int, answer func() error) error {
	press, err := h.Feed.ReactNext(ctx, user.ID, memeID, reaction, bot.IsModerator(role))
	// The answer (which stops the button's spinner) goes out alongside the
	// next meme instead of before it: the next meme is what the user waits for.
	go func() {
		if err := answer(); err != nil {
			h.Log.Debug("answer reaction", slog.Any("error", err))
		}
	}()
	if !press.Changed {
		if err != nil {
			return fmt.Errorf("react: %w", err)
		}
		return nil
	}
	metrics.FeedReactions.WithLabelValues(press.Engine, reactionName(reaction)).Inc()
	return h.deliver(ctx, b, user, press.Next, err, false)
}

func parseReaction(data string) (int64, int, bool) {
	idText, r, ok := strings.Cut(data, "|")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || (r != "1" && r != "2") {
		return 0, 0, false
	}
	return id, int(r[0] - '0'), true
}

func reactionName(r int) string {
	if r == storage.Like {
		return "like"
	}
	return "dislike"
}

// likeEmoji and dislikeEmoji map native Telegram reactions to feed reactions.
var (
	likeEmoji    = "👍❤🔥🥰👏😁🤣😂💯🤩❤‍🔥😍🏆⚡🍓"
	dislikeEmoji = "👎💩🤮🥱😴🤡😐🙈"
)

// NativeReaction counts a Telegram message reaction on a meme as a like or
// dislike (the first reaction only, as with the buttons).
func (h *Handlers) NativeReaction(ctx context.Context, r *tele.MessageReaction, roles *bot.Roles) error {
	if r.User == nil || r.Chat == nil || h.Sent == nil || len(r.NewReaction) == 0 {
		return nil
	}
	memeID, _, ok := h.Sent.Lookup(ctx, r.Chat.ID, r.MessageID)
	if !ok {
		return nil
	}
	reaction := 0
	switch emoji := r.NewReaction[0].Emoji; {
	case emoji != "" && strings.Contains(dislikeEmoji, emoji):
		reaction = storage.Dislike
	case emoji != "" && strings.Contains(likeEmoji, emoji):
		reaction = storage.Like
	default:
		return nil
	}
	role := roles.Role(ctx, r.User.ID)
	if err := h.react(ctx, h.Telegram, r.User, role, memeID, reaction, func() error { return nil }); err != nil {
		return fmt.Errorf("native reaction: %w", err)
	}
	return nil
}
