package handlers

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	tele "gopkg.in/telebot.v3"

	"memebot/i18n"
	"memebot/storage"
)

const langButton = "lang"

// Lang shows the meme languages as toggle buttons.
func (h *Handlers) Lang(c tele.Context) error {
	u, _, err := h.Users.UpsertUser(ctxOf(c), profile(c.Sender()))
	if err != nil {
		return fmt.Errorf("lang: %w", err)
	}
	return c.Send(i18n.T(senderLang(c), "lang_prompt"), langKeyboard(u.Languages))
}

// LangToggle switches one language on or off and shows the new state.
func (h *Handlers) LangToggle(c tele.Context) error {
	lang := c.Data()
	if !slices.Contains(i18n.MemeLanguages, lang) {
		return c.Respond()
	}
	u, err := h.Users.User(ctxOf(c), c.Sender().ID)
	if errors.Is(err, storage.ErrNotFound) {
		u, _, err = h.Users.UpsertUser(ctxOf(c), profile(c.Sender()))
	}
	if err != nil {
		return fmt.Errorf("lang toggle: %w", err)
	}
	langs := toggle(u.Languages, lang)
	if len(langs) == 0 {
		return c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "lang_need_one")})
	}
	if err := h.Users.SetUserLanguages(ctxOf(c), u.ID, langs); err != nil {
		return fmt.Errorf("lang toggle: %w", err)
	}
	if h.Feed != nil {
		if err := h.Feed.Reset(ctxOf(c), u.ID); err != nil { // the queued memes are in the old languages
			h.Log.Warn("reset feed queue", "user_id", u.ID, "error", err)
		}
	}
	names := make([]string, len(langs))
	for i, l := range langs {
		names[i] = i18n.LanguageName(l)
	}
	if err := c.Respond(&tele.CallbackResponse{Text: i18n.T(senderLang(c), "lang_saved", strings.Join(names, ", "))}); err != nil {
		return err
	}
	return c.Edit(i18n.T(senderLang(c), "lang_prompt"), langKeyboard(langs))
}

func toggle(langs []string, lang string) []string {
	if i := slices.Index(langs, lang); i >= 0 {
		return slices.Delete(slices.Clone(langs), i, i+1)
	}
	return append(slices.Clone(langs), lang)
}

func langKeyboard(selected []string) *tele.ReplyMarkup {
	m := &tele.ReplyMarkup{}
	rows := make([]tele.Row, 0, len(i18n.MemeLanguages))
	for _, l := range i18n.MemeLanguages {
		label := i18n.LanguageName(l)
		if slices.Contains(selected, l) {
			label = "✅ " + label
		}
		rows = append(rows, m.Row(m.Data(label, langButton, l)))
	}
	m.Inline(rows...)
	return m
}
