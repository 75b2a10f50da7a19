package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	tele "gopkg.in/telebot.v3"

	"memebot/i18n"
	"memebot/recommend"
	"memebot/storage"
)

// Referrals pays people whose shared memes bring new people.
type Referrals interface {
	RecordReferral(ctx context.Context, inviteeID, inviterID, memeID int64) (bool, error)
}

// A shared meme travels as an inline result ("@bot meme #ID" in any chat)
// carrying a "More memes" button: a deep link t.me/BOT?start=PAYLOAD that
// names the meme and the person who shared it, signed so that nobody can
// forge a link in someone else's name (or to a meme they never saw).
var shareQuery = regexp.MustCompile(`^meme #(\d{1,18})$`)

// ShareQuery is the inline query the share button of a feed meme opens.
func ShareQuery(memeID int64) string { return "meme #" + strconv.FormatInt(memeID, 10) }

// ShareKeyFor is the key that signs share links (Settings.ShareKey). It
// comes from the bot token, the one secret every deployment has, so links
// keep working across restarts and replicas and stop working if the token is
// revoked.
func ShareKeyFor(botToken string) []byte {
	sum := sha256.Sum256([]byte("memebot share links\x00" + botToken))
	return sum[:]
}

// sharePayload is "s<meme>-<sharer>-<signature>" (base 36 numbers, 9 bytes
// of HMAC-SHA256 in base64url: 48 characters at most, under Telegram's 64).
func sharePayload(key []byte, memeID, sharerID int64) string {
	body := "s" + strconv.FormatInt(memeID, 36) + "-" + strconv.FormatInt(sharerID, 36)
	return body + "-" + shareSignature(key, body)
}

// shareSigLen is the length of the signature: 9 bytes in base64url.
const shareSigLen = 12

func shareSignature(key []byte, body string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:9])
}

// parseSharePayload checks a /start payload; ok is false for anything
// malformed or not signed by us, which /start then treats as plain.
func parseSharePayload(key []byte, payload string) (memeID, sharerID int64, ok bool) {
	i := len(payload) - shareSigLen - 1 // the signature may itself hold '-'
	if len(key) == 0 || !strings.HasPrefix(payload, "s") || i < 1 || payload[i] != '-' {
		return 0, 0, false
	}
	body, sig := payload[:i], payload[i+1:]
	if !hmac.Equal([]byte(sig), []byte(shareSignature(key, body))) {
		return 0, 0, false
	}
	meme, sharer, found := strings.Cut(body[1:], "-")
	memeID, err1 := strconv.ParseInt(meme, 36, 64)
	sharerID, err2 := strconv.ParseInt(sharer, 36, 64)
	if !found || err1 != nil || err2 != nil || memeID <= 0 || sharerID <= 0 {
		return 0, 0, false
	}
	return memeID, sharerID, true
}

// moreMemesButton is the button under a meme sent through inline mode.
func (h *Handlers) moreMemesButton(c tele.Context, memeID int64) *tele.ReplyMarkup {
	m := &tele.ReplyMarkup{}
	link := fmt.Sprintf("https://t.me/%s?start=%s", h.Settings.BotUsername, sharePayload(h.Settings.ShareKey, memeID, c.Sender().ID))
	m.Inline(m.Row(m.URL(i18n.T(senderLang(c), "share_more"), link)))
	return m
}

// startFromLink handles /start PAYLOAD: a valid share link serves its meme
// first and, for a person new to the bot, pays and tells the sharer. It
// reports whether a meme was sent; anything else is a plain /start.
func (h *Handlers) startFromLink(ctx context.Context, c tele.Context, created bool) (bool, error) {
	memeID, sharerID, ok := parseSharePayload(h.Settings.ShareKey, c.Message().Payload)
	if !ok {
		return false, nil
	}
	item, err := h.Feed.Serve(ctx, c.Sender().ID, memeID)
	if errors.Is(err, recommend.ErrNoMemes) {
		return false, nil // seen already, or no longer in the feed
	}
	if err != nil {
		return false, err
	}
	if created && sharerID != c.Sender().ID {
		h.payReferral(ctx, c, sharerID, memeID)
	}
	return true, h.deliver(ctx, h.Telegram, c.Sender(), item, nil, true)
}

func (h *Handlers) payReferral(ctx context.Context, c tele.Context, sharerID, memeID int64) {
	paid, err := h.Referrals.RecordReferral(ctx, c.Sender().ID, sharerID, memeID)
	if err != nil || !paid {
		if err != nil {
			h.Log.Warn("referral not recorded", "invitee", c.Sender().ID, "inviter", sharerID, "error", err)
		}
		return
	}
	sharer, err := h.Users.User(ctx, sharerID)
	if err != nil {
		return
	}
	text := i18n.T(sharer.LanguageCode, "share_paid", c.Sender().FirstName, storage.CoinsReferral)
	if _, err := h.Telegram.Send(&tele.User{ID: sharerID}, text); err != nil {
		h.Log.Info("referral notice not delivered", "inviter", sharerID, "error", err)
	}
}
