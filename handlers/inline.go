package handlers

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	tele "gopkg.in/telebot.v3"

	"memebot/i18n"
	"memebot/media"
	"memebot/storage"
)

// Search finds approved memes for inline queries ("@bot words" in any chat).
type Search interface {
	SearchMemes(ctx context.Context, terms storage.SearchTerms, offset string, limit int) (storage.SearchPage, error)
	FavouriteMemes(ctx context.Context, userID int64, languages []string, offset string, limit int) (storage.SearchPage, error)
	RecordInlineSearch(ctx context.Context, userID int64, query string, results int) error
	RecordInlinePick(ctx context.Context, userID, memeID int64, query string) error
	ApprovedMeme(ctx context.Context, memeID int64) (storage.SearchHit, error)
}

// Inline search limits: Telegram shows at most 50 results per answer; a
// query shorter than 3 characters matches too much to mean anything.
const (
	inlinePage      = 50
	inlineMinRunes  = 3
	inlineMaxRunes  = 128
	inlineCacheSecs = 30
	// inlineStartParam is the deep-link payload of the button above the
	// results; /start treats it as a plain start.
	inlineStartParam = "inline"
)

// InlineSearch answers an inline query with memes whose text matches it (an
// empty query shows the person's liked memes, or the best liked ones). A
// query of the wrong length gets an empty answer whose button says why,
// never an error; someone who never started the bot gets a button that opens it.
func (h *Handlers) InlineSearch(c tele.Context) error {
	q := c.Query()
	ctx := ctxOf(c)
	text := strings.TrimSpace(q.Text)
	user, err := h.Users.User(ctx, q.Sender.ID)
	known := err == nil
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	resp := &tele.QueryResponse{CacheTime: inlineCacheSecs, IsPersonal: true}
	page, why, err := h.inlinePage(ctx, q, text, user, known)
	if err != nil {
		return err
	}
	resp.Results, resp.NextOffset = h.inlineResults(c, page.Hits), page.NextOffset
	switch {
	case why != "":
		resp.Button = startButton(i18n.T(senderLang(c), why))
	case !known:
		resp.Button = startButton(i18n.T(senderLang(c), "inline_start"))
	case len(page.Hits) == 0 && q.Offset == "":
		// the query is clipped so the button stays under 64 characters
		resp.Button = startButton(i18n.T(senderLang(c), "inline_none", clip(text, 20)))
	}
	if text != "" && why == "" && q.Offset == "" {
		if err := h.Search.RecordInlineSearch(ctx, q.Sender.ID, text, len(page.Hits)); err != nil {
			h.Log.Warn("inline search not recorded", "error", err)
		}
	}
	return c.Answer(resp)
}

// inlinePage finds the page to show, or says (as a catalogue key) why the
// query cannot be searched.
func (h *Handlers) inlinePage(ctx context.Context, q *tele.Query, text string, user storage.User, known bool) (storage.SearchPage, string, error) {
	if m := shareQuery.FindStringSubmatch(text); m != nil {
		return h.sharedMemePage(ctx, m[1])
	}
	n := utf8.RuneCountInString(text)
	switch {
	case n == 0:
		langs := []string(user.Languages)
		if !known {
			langs = storage.DefaultLanguages(q.Sender.LanguageCode)
		}
		page, err := h.Search.FavouriteMemes(ctx, q.Sender.ID, langs, q.Offset, inlinePage)
		return page, "", err
	case n < inlineMinRunes:
		return storage.SearchPage{}, "inline_short", nil
	case n > inlineMaxRunes:
		return storage.SearchPage{}, "inline_long", nil
	}
	terms, ok := storage.ParseSearch(text)
	if !ok {
		return storage.SearchPage{}, "inline_short", nil
	}
	page, err := h.Search.SearchMemes(ctx, terms, q.Offset, inlinePage)
	return page, "", err
}

// sharedMemePage is the one meme a share button asks for ("meme #ID").
func (h *Handlers) sharedMemePage(ctx context.Context, id string) (storage.SearchPage, string, error) {
	memeID, _ := strconv.ParseInt(id, 10, 64)
	hit, err := h.Search.ApprovedMeme(ctx, memeID)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.SearchPage{}, "", nil
	}
	return storage.SearchPage{Hits: []storage.SearchHit{hit}}, "", err
}

// inlineResults sends each meme by the file_id of its storage-chat copy,
// with a button that brings whoever sees it to the bot.
func (h *Handlers) inlineResults(c tele.Context, hits []storage.SearchHit) tele.Results {
	out := make(tele.Results, 0, len(hits))
	for _, hit := range hits {
		var r tele.Result
		switch hit.Type {
		case media.Video:
			r = &tele.VideoResult{Cache: hit.FileID, Title: i18n.T(senderLang(c), "inline_video")}
		case media.Animation:
			r = &tele.GifResult{Cache: hit.FileID}
		default:
			r = &tele.PhotoResult{Cache: hit.FileID}
		}
		r.SetResultID(inlineResultID(hit.MemeID))
		r.SetReplyMarkup(h.moreMemesButton(c, hit.MemeID))
		out = append(out, r)
	}
	return out
}

func startButton(text string) *tele.QueryResponseButton {
	return &tele.QueryResponseButton{Text: text, Start: inlineStartParam}
}

func inlineResultID(memeID int64) string { return "m" + strconv.FormatInt(memeID, 10) }

func parseInlineResultID(id string) (int64, bool) {
	memeID, err := strconv.ParseInt(strings.TrimPrefix(id, "m"), 10, 64)
	return memeID, strings.HasPrefix(id, "m") && err == nil && memeID > 0
}

// InlinePick records which meme someone sent from their search results.
func (h *Handlers) InlinePick(c tele.Context) error {
	r := c.InlineResult()
	memeID, ok := parseInlineResultID(r.ResultID)
	if !ok {
		h.Log.Info("chosen inline result of unknown form", "result_id", r.ResultID)
		return nil
	}
	return h.Search.RecordInlinePick(ctxOf(c), r.Sender.ID, memeID, r.Query)
}

// clip shortens s to at most n runes for a button label.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
