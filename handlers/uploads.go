package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	tele "gopkg.in/telebot.v3"

	"memebot/i18n"
	"memebot/storage"
)

// MyUploads reads what an uploader's memes did.
type MyUploads interface {
	UploadedMemes(ctx context.Context, uploaderID int64, offset, limit int) ([]storage.UploadedMeme, error)
	UploaderTotals(ctx context.Context, uploaderID int64) (storage.UploaderFigures, error)
}

const (
	uploadsButton = "up"
	uploadsPage   = 10
)

// Uploads (/uploads) shows the sender's memes, newest first, with views,
// likes, dislikes and like rate, the totals and the number of fans.
func (h *Handlers) Uploads(c tele.Context) error {
	text, kb, err := h.uploadsPage(ctxOf(c), c, 0)
	if err != nil {
		return fmt.Errorf("uploads: %w", err)
	}
	return c.Send(text, kb)
}

// UploadsPage turns the /uploads message to another page.
func (h *Handlers) UploadsPage(c tele.Context) error {
	page, err := strconv.Atoi(c.Data())
	if err != nil || page < 0 {
		return c.Respond()
	}
	text, kb, err := h.uploadsPage(ctxOf(c), c, page)
	if err != nil {
		return fmt.Errorf("uploads page: %w", err)
	}
	if err := c.Respond(); err != nil {
		return err
	}
	return c.Edit(text, kb)
}

func (h *Handlers) uploadsPage(ctx context.Context, c tele.Context, page int) (string, *tele.ReplyMarkup, error) {
	id := c.Sender().ID
	totals, err := h.MyUploads.UploaderTotals(ctx, id)
	if err != nil {
		return "", nil, err
	}
	if totals.Memes == 0 {
		return i18n.T(senderLang(c), "uploads_none"), nil, nil
	}
	pages := int((totals.Memes + uploadsPage - 1) / uploadsPage)
	page = min(page, pages-1)
	memes, err := h.MyUploads.UploadedMemes(ctx, id, page*uploadsPage, uploadsPage)
	if err != nil {
		return "", nil, err
	}
	lines := []string{
		i18n.T(senderLang(c), "uploads_totals", totals.Memes, totals.Approved),
		i18n.T(senderLang(c), "uploads_figures", totals.Views, totals.Likes, totals.Dislikes, likeRate(totals.Likes, totals.Dislikes), totals.Fans),
		"",
	}
	for i, m := range memes {
		lines = append(lines, fmt.Sprintf("%d. %s · %s", page*uploadsPage+i+1, m.CreatedAt.Format("02.01.06"), uploadLine(c, m)))
	}
	if pages > 1 {
		lines = append(lines, "", i18n.T(senderLang(c), "uploads_page", page+1, pages))
	}
	return strings.Join(lines, "\n"), uploadsKeyboard(page, pages), nil
}

// uploadLine is one meme's figures, or where it stands if not in the feed.
func uploadLine(c tele.Context, m storage.UploadedMeme) string {
	switch m.Status {
	case storage.MemeOK:
		return i18n.T(senderLang(c), "uploads_meme", m.Views, m.Likes, m.Dislikes, likeRate(m.Likes, m.Dislikes))
	case storage.MemeRejected:
		if m.StatusReason != "" {
			return i18n.T(senderLang(c), "uploads_rejected_because", m.StatusReason)
		}
		return i18n.T(senderLang(c), "uploads_rejected")
	default:
		return i18n.T(senderLang(c), "uploads_waiting")
	}
}

func uploadsKeyboard(page, pages int) *tele.ReplyMarkup {
	if pages <= 1 {
		return nil
	}
	m := &tele.ReplyMarkup{}
	var row tele.Row
	if page > 0 {
		row = append(row, m.Data("◀️", uploadsButton, strconv.Itoa(page-1)))
	}
	if page < pages-1 {
		row = append(row, m.Data("▶️", uploadsButton, strconv.Itoa(page+1)))
	}
	m.Inline(row)
	return m
}
