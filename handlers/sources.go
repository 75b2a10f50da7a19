package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/i18n"
	"memebot/ingest"
	"memebot/storage"
)

// Sources is the source management the moderators' buttons need.
type Sources interface {
	AddSource(ctx context.Context, platform, handle, url string, addedBy int64) (storage.Source, bool, error)
	Source(ctx context.Context, id int64) (storage.Source, error)
	SetSourceLanguage(ctx context.Context, id int64, lang string) error
	SetSourceStatus(ctx context.Context, id int64, status, reason string, changedBy *int64) error
	SetSourceNeedsReview(ctx context.Context, id int64, needs bool) error
	Sources(ctx context.Context, platform string) ([]storage.SourceSummary, error)
}

const sourceButton = "src"

// EnableLabel is the fixed label of the button that starts parsing (interface.md).
const EnableLabel = "▶️ Enable parsing"

// AddSource handles a link a moderator sends: the source is recorded and
// its settings shown as buttons.
func (h *Handlers) AddSource(c tele.Context, link ingest.SourceLink) error {
	src, created, err := h.Sources.AddSource(ctxOf(c), link.Platform, link.Handle, link.URL, c.Sender().ID)
	if err != nil {
		return fmt.Errorf("add source: %w", err)
	}
	key := "source_known"
	if created {
		key = "source_added"
	}
	return c.Send(i18n.T(senderLang(c), key)+"\n\n"+h.sourceText(src), sourceKeyboard(src))
}

// SourceButton handles a press on a source's settings: language, parsing on
// or off, review of its memes.
func (h *Handlers) SourceButton(c tele.Context) error {
	if !bot.IsModerator(bot.RoleOf(c)) {
		return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "refused"), ShowAlert: true})
	}
	parts := strings.Split(c.Data(), "|")
	if len(parts) != 3 {
		return c.Respond()
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return c.Respond()
	}
	ctx, who := ctxOf(c), c.Sender().ID
	switch parts[0] {
	case "l":
		err = h.Sources.SetSourceLanguage(ctx, id, parts[2])
	case "s":
		status := map[string]string{"on": storage.SourceParsingEnabled, "off": storage.SourceParsingOff}[parts[2]]
		err = h.Sources.SetSourceStatus(ctx, id, status, "set by a moderator", &who)
	case "r":
		err = h.Sources.SetSourceNeedsReview(ctx, id, parts[2] == "1")
	default:
		return c.Respond()
	}
	if errors.Is(err, storage.ErrBadValue) {
		return c.Respond(&tele.CallbackResponse{Text: err.Error(), ShowAlert: true})
	}
	if err != nil {
		return fmt.Errorf("source button: %w", err)
	}
	src, err := h.Sources.Source(ctx, id)
	if err != nil {
		return fmt.Errorf("source button: %w", err)
	}
	_ = c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "saved")})
	return c.Edit(i18n.T(senderLang(c), "source_known")+"\n\n"+h.sourceText(src), sourceKeyboard(src))
}

// ListSources answers /sources with every source and its recent yield.
func (h *Handlers) ListSources(c tele.Context) error {
	if !bot.IsModerator(bot.RoleOf(c)) {
		return c.Send(i18n.T(senderLang(c), "refused"))
	}
	list, err := h.Sources.Sources(ctxOf(c), "")
	if err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	suggestions, kb := h.suggestionsText(ctxOf(c), c)
	if len(list) == 0 {
		return c.Send(strings.TrimSpace(i18n.T(senderLang(c), "sources_none")+"\n\n"+suggestions), kb)
	}
	var b strings.Builder
	for i, s := range list {
		if i == 40 {
			fmt.Fprintf(&b, "… and %d more", len(list)-i)
			break
		}
		parsed := "never"
		if s.ParsedAt != nil {
			parsed = s.ParsedAt.UTC().Format("01-02 15:04")
		}
		fmt.Fprintf(&b, "#%d %s/%s [%s, %s] 7d: %d memes, %d posts · parsed %s", s.ID, s.Platform, s.Handle, s.Status, s.Language, s.MemesLastWeek, s.PostsLastWeek, parsed)
		if s.LastError != "" {
			fmt.Fprintf(&b, " · ⚠️ %s", s.LastError)
		}
		b.WriteString("\n")
	}
	if suggestions != "" {
		b.WriteString("\n" + suggestions)
	}
	return c.Send(b.String(), &tele.SendOptions{DisableWebPagePreview: true, ReplyMarkup: kb})
}

func (h *Handlers) sourceText(s storage.Source) string {
	review := "no (clean memes go straight to the feed)"
	if s.NeedsReview {
		review = "yes"
	}
	text := fmt.Sprintf("Source #%d: %s/%s\nURL: %s\nLanguage: %s\nStatus: %s\nModerators review its memes: %s",
		s.ID, s.Platform, s.Handle, s.URL, s.Language, s.Status, review)
	if s.Platform == ingest.PlatformTelegram {
		text += "\n" + telegramHoldLine(h.Settings.TelegramHold)
	}
	return text
}

// shortDuration drops the zero units Duration.String keeps: 3h, 1h30m, 45s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// telegramHoldLine says how long new posts wait for their views
// (INGEST_TELEGRAM_HOLD); what the page shows beyond that is taken within a
// minute of enabling parsing (the ingest-new job).
func telegramHoldLine(hold time.Duration) string {
	if hold <= 0 {
		return "New posts: judged at once (INGEST_TELEGRAM_HOLD=0)"
	}
	return fmt.Sprintf("New posts: wait %s for their views to settle before they are judged; older posts on its page are taken within a minute of enabling",
		shortDuration(hold))
}

func sourceKeyboard(s storage.Source) *tele.ReplyMarkup {
	m := &tele.ReplyMarkup{}
	id := strconv.FormatInt(s.ID, 10)
	// The buttons are the bare language codes (interface.md); the text says which is set.
	var langs []tele.Btn
	for _, l := range i18n.MemeLanguages {
		langs = append(langs, m.Data(l, sourceButton, "l", id, l))
	}
	status := m.Data(EnableLabel, sourceButton, "s", id, "on")
	if s.Status == storage.SourceParsingEnabled {
		status = m.Data("⏸ Disable parsing", sourceButton, "s", id, "off")
	}
	review := m.Data("👀 Review its memes", sourceButton, "r", id, "1")
	if s.NeedsReview {
		review = m.Data("🚀 Publish without review", sourceButton, "r", id, "0")
	}
	m.Inline(m.Row(langs...), m.Row(status), m.Row(review))
	return m
}

// sourceLink reports whether a moderator's text is a source link.
func sourceLink(c tele.Context) (ingest.SourceLink, bool) {
	if !bot.IsModerator(bot.RoleOf(c)) || strings.HasPrefix(c.Text(), "/") {
		return ingest.SourceLink{}, false
	}
	link, err := ingest.ParseSourceLink(strings.TrimSpace(c.Text()))
	return link, err == nil && slices.Contains(ingest.Platforms, link.Platform)
}
