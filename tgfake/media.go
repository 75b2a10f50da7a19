package tgfake

import (
	"context"
	"encoding/json"
	"fmt"
)

// mediaMeta are the sender-declared properties of a video or animation.
type mediaMeta struct {
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Duration int    `json:"duration"`
	FileName string `json:"file_name"`
}

func metaFromParams(p params) (mediaMeta, *APIError) {
	var m mediaMeta
	var err *APIError
	if m.Width, err = p.int("width"); err != nil {
		return m, err
	}
	if m.Height, err = p.int("height"); err != nil {
		return m, err
	}
	if m.Duration, err = p.int("duration"); err != nil {
		return m, err
	}
	m.FileName = p.str("file_name")
	return m, nil
}

// attachMedia puts file f into m as kind; declared meta wins over probing.
func attachMedia(m *Message, kind string, f *storedFile, meta mediaMeta) {
	m.Photo, m.Video, m.Animation, m.Document = nil, nil, nil, nil
	pick := func(declared, probed int) int {
		if declared > 0 {
			return declared
		}
		return probed
	}
	name := f.name
	if meta.FileName != "" && kind != "document" {
		name = meta.FileName
	}
	switch kind {
	case "photo":
		m.Photo = f.photoSizes()
	case "video", "animation":
		v := Video{FileID: f.id, FileUniqueID: f.uniqueID, Width: pick(meta.Width, f.width),
			Height: pick(meta.Height, f.height), Duration: pick(meta.Duration, f.duration),
			FileName: name, MimeType: f.mime, FileSize: len(f.data)}
		if kind == "video" {
			m.Video = &v
			return
		}
		a := Animation(v)
		m.Animation = &a
		// Telegram also fills document on animation messages, for old clients.
		m.Document = &Document{FileID: f.id, FileUniqueID: f.uniqueID, FileName: name, MimeType: f.mime, FileSize: len(f.data)}
	default:
		m.Document = &Document{FileID: f.id, FileUniqueID: f.uniqueID, FileName: name, MimeType: f.mime, FileSize: len(f.data)}
	}
}

func captionFrom(caption, parseMode, entities string) (string, []MessageEntity, *APIError) {
	text, ents, err := formatText(caption, parseMode, entities)
	if err != nil {
		return "", nil, err
	}
	if utf16Len(text) > maxCaptionLen {
		return "", nil, badRequest("message caption is too long")
	}
	return text, ents, nil
}

// sendMediaMethod serves sendPhoto, sendVideo, sendAnimation and sendDocument.
func (s *Server) sendMediaMethod(kind string) apiMethod {
	return func(_ context.Context, p params) (any, *APIError) {
		caption, ents, err := captionFrom(p.str("caption"), p.str("parse_mode"), p.str("caption_entities"))
		if err != nil {
			return nil, err
		}
		meta, err := metaFromParams(p)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		_, err = s.writableChatLocked(p.str("chat_id"))
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
		f, err := s.resolveInput(kind, kind, p)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		cs, err := s.writableChatLocked(p.str("chat_id"))
		if err != nil {
			return nil, err
		}
		m := &Message{Caption: caption, CaptionEntities: ents, HasMediaSpoiler: p.bool("has_spoiler")}
		attachMedia(m, kind, f, meta)
		if err := s.prepareBotMessageLocked(cs, p, m); err != nil {
			return nil, err
		}
		s.appendMessageLocked(cs, m)
		return m.clone(), nil
	}
}

// inputMedia is the InputMedia object of sendMediaGroup and editMessageMedia.
type inputMedia struct {
	Type            string          `json:"type"`
	Media           string          `json:"media"`
	Caption         string          `json:"caption"`
	ParseMode       string          `json:"parse_mode"`
	CaptionEntities json.RawMessage `json:"caption_entities"`
	HasSpoiler      bool            `json:"has_spoiler"`
	IsSpoiler       bool            `json:"is_spoiler"` // telebot v3's spelling
	mediaMeta
}

var inputMediaKinds = map[string]bool{"photo": true, "video": true, "animation": true, "document": true}

// buildMedia turns one InputMedia into message content.
func (s *Server) buildMedia(im inputMedia, p params) (*Message, *APIError) {
	if !inputMediaKinds[im.Type] {
		return nil, badRequest("unsupported media type %q", im.Type)
	}
	caption, ents, err := captionFrom(im.Caption, im.ParseMode, string(im.CaptionEntities))
	if err != nil {
		return nil, err
	}
	if im.Media == "" {
		return nil, badRequest("there is no media in the request")
	}
	f, err := s.resolveRef(im.Type, im.Media, p, im.FileName)
	if err != nil {
		return nil, err
	}
	m := &Message{Caption: caption, CaptionEntities: ents, HasMediaSpoiler: im.HasSpoiler || im.IsSpoiler}
	attachMedia(m, im.Type, f, im.mediaMeta)
	return m, nil
}

func (s *Server) sendMediaGroup(_ context.Context, p params) (any, *APIError) {
	var items []inputMedia
	if err := p.json("media", &items); err != nil {
		return nil, err
	}
	if len(items) < 2 || len(items) > 10 {
		return nil, badRequest("media group must include 2-10 items")
	}
	s.mu.Lock()
	_, err := s.writableChatLocked(p.str("chat_id"))
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	built := make([]*Message, 0, len(items))
	for _, im := range items {
		if im.Type == "animation" {
			return nil, badRequest("unsupported media type %q in the album", im.Type)
		}
		m, err := s.buildMedia(im, p)
		if err != nil {
			return nil, err
		}
		built = append(built, m)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.writableChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	s.seq.mediaGroup++
	group := fmt.Sprintf("1%016d", s.seq.mediaGroup)
	out := make([]Message, 0, len(built))
	for _, m := range built {
		m.MediaGroupID = group
		if err := s.prepareBotMessageLocked(cs, params{values: map[string]string{
			"reply_to_message_id": p.str("reply_to_message_id"), "reply_parameters": p.str("reply_parameters"),
		}}, m); err != nil {
			return nil, err
		}
		s.appendMessageLocked(cs, m)
		out = append(out, m.clone())
	}
	return out, nil
}

func (s *Server) editMessageMedia(_ context.Context, p params) (any, *APIError) {
	var im inputMedia
	if err := p.json("media", &im); err != nil {
		return nil, err
	}
	markup, err := editMarkup(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	_, err = s.editableLocked(p)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	next, err := s.buildMedia(im, p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.editableLocked(p)
	if err != nil {
		return nil, err
	}
	if m.MediaFileID() == "" {
		return nil, badRequest("there is no media in the message to edit")
	}
	if m.MediaFileID() == next.MediaFileID() && m.Caption == next.Caption &&
		sameEntities(m.CaptionEntities, next.CaptionEntities) && sameMarkup(m.ReplyMarkup, markup) {
		return nil, errNotModified
	}
	m.Photo, m.Video, m.Animation, m.Document = next.Photo, next.Video, next.Animation, next.Document
	m.Caption, m.CaptionEntities, m.HasMediaSpoiler = next.Caption, next.CaptionEntities, next.HasMediaSpoiler
	m.ReplyMarkup = markup
	return s.finishEditLocked(m), nil
}
