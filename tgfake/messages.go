package tgfake

import (
	"context"
	"strings"
)

const (
	maxTextLen    = 4096 // UTF-16 code units, as Telegram counts
	maxCaptionLen = 1024
)

// appendMessageLocked gives m the next id in cs, stores it and announces it.
func (s *Server) appendMessageLocked(cs *chatState, m *Message) {
	m.MessageID = cs.nextID
	cs.nextID++
	m.Chat = cs.chat
	m.Date = s.now().Unix()
	cs.msgs = append(cs.msgs, m)
	cs.byID[m.MessageID] = m
	s.emitMessageLocked(EventMessage, m)
}

// prepareBotMessageLocked fills the author, reply and markup of a bot message.
func (s *Server) prepareBotMessageLocked(cs *chatState, p params, m *Message) *APIError {
	m.sentByBot = true
	if cs.chat.Type == ChatChannel {
		c := cs.chat
		m.SenderChat = &c
	} else {
		bot := s.bot
		m.From = &bot
	}
	if err := s.applyReplyLocked(cs, p, m); err != nil {
		return err
	}
	inline, keyboard, err := parseReplyMarkup(p.str("reply_markup"))
	if err != nil {
		return err
	}
	m.ReplyMarkup, m.Keyboard = inline, keyboard
	return nil
}

// applyReplyLocked handles reply_to_message_id and the newer reply_parameters.
func (s *Server) applyReplyLocked(cs *chatState, p params, m *Message) *APIError {
	var rp struct {
		MessageID                int  `json:"message_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	if err := p.json("reply_parameters", &rp); err != nil {
		return err
	}
	if rp.MessageID == 0 {
		id, err := p.int("reply_to_message_id")
		if err != nil {
			return err
		}
		rp.MessageID, rp.AllowSendingWithoutReply = id, p.bool("allow_sending_without_reply")
	}
	if rp.MessageID == 0 {
		return nil
	}
	target, ok := cs.byID[rp.MessageID]
	if !ok || target.Deleted {
		if rp.AllowSendingWithoutReply {
			return nil
		}
		return badRequest("message to be replied not found")
	}
	c := target.clone()
	c.ReplyToMessage = nil // Telegram does not nest replies further
	m.ReplyToMessage = &c
	return nil
}

func (s *Server) sendMessage(_ context.Context, p params) (any, *APIError) {
	text, ents, err := formatText(p.str("text"), p.str("parse_mode"), p.str("entities"))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.writableChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, badRequest("message text is empty")
	}
	if utf16Len(text) > maxTextLen {
		return nil, badRequest("message is too long")
	}
	m := &Message{Text: text, Entities: ents}
	if err := s.prepareBotMessageLocked(cs, p, m); err != nil {
		return nil, err
	}
	s.appendMessageLocked(cs, m)
	return m.clone(), nil
}

// sourceMessageLocked finds the message copyMessage/forwardMessage refers to.
func (s *Server) sourceMessageLocked(p params, verb string) (*Message, *APIError) {
	from, err := s.lookupChatLocked(p.str("from_chat_id"))
	if err != nil {
		return nil, err
	}
	return from.message(p, badRequest("message to %s not found", verb))
}

// message is the message p's message_id names in the chat, unless it was
// deleted; notFound is Telegram's refusal when there is none.
func (cs *chatState) message(p params, notFound *APIError) (*Message, *APIError) {
	id, err := p.int("message_id")
	if err != nil {
		return nil, err
	}
	m, ok := cs.byID[id]
	if !ok || m.Deleted {
		return nil, notFound
	}
	return m, nil
}

func copyContent(src *Message) *Message {
	c := src.clone()
	return &Message{Text: c.Text, Entities: c.Entities, Photo: c.Photo, Video: c.Video,
		Animation: c.Animation, Document: c.Document, Caption: c.Caption,
		CaptionEntities: c.CaptionEntities, HasMediaSpoiler: c.HasMediaSpoiler}
}

// copyMessage answers with a MessageId object, not a Message, like Telegram.
func (s *Server) copyMessage(_ context.Context, p params) (any, *APIError) {
	caption, capEnts, err := formatText(p.str("caption"), p.str("parse_mode"), p.str("caption_entities"))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src, err := s.sourceMessageLocked(p, "copy")
	if err != nil {
		return nil, err
	}
	cs, err := s.writableChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	m := copyContent(src)
	if p.has("caption") && m.Text == "" {
		m.Caption, m.CaptionEntities = caption, capEnts
	}
	if err := s.prepareBotMessageLocked(cs, p, m); err != nil {
		return nil, err
	}
	s.appendMessageLocked(cs, m)
	return map[string]int{"message_id": m.MessageID}, nil
}

func (s *Server) forwardMessage(_ context.Context, p params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, err := s.sourceMessageLocked(p, "forward")
	if err != nil {
		return nil, err
	}
	cs, err := s.writableChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	m := copyContent(src)
	m.ForwardOrigin = originOf(src)
	if err := s.prepareBotMessageLocked(cs, params{values: map[string]string{}}, m); err != nil {
		return nil, err
	}
	s.appendMessageLocked(cs, m)
	return m.clone(), nil
}

// editableLocked finds the bot message an edit method targets.
func (s *Server) editableLocked(p params) (*Message, *APIError) {
	if p.str("chat_id") == "" && p.has("inline_message_id") {
		return nil, badRequest("MESSAGE_ID_INVALID") // inline messages are not modelled
	}
	cs, err := s.writableChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	m, err := cs.message(p, errEditNotFound)
	if err != nil {
		return nil, err
	}
	if !m.sentByBot {
		return nil, badRequest("message can't be edited")
	}
	return m, nil
}

// finishEditLocked stamps and announces an edit, returning the bot's copy.
func (s *Server) finishEditLocked(m *Message) Message {
	m.EditDate = s.now().Unix()
	m.EditCount++
	s.emitMessageLocked(EventEdited, m)
	return m.clone()
}

// editMarkup parses reply_markup of an edit; omitting it removes the
// keyboard, as it does on Telegram.
func editMarkup(p params) (*InlineKeyboardMarkup, *APIError) {
	inline, _, err := parseReplyMarkup(p.str("reply_markup"))
	return inline, err
}

// editFormatted edits a message's text or caption: it parses the new one
// (textKey and its entities) and the keyboard, then, under the lock, lets
// apply check the message and change it.
func (s *Server) editFormatted(p params, textKey, entitiesKey string,
	apply func(m *Message, text string, ents []MessageEntity, markup *InlineKeyboardMarkup) *APIError) (any, *APIError) {
	text, ents, err := formatText(p.str(textKey), p.str("parse_mode"), p.str(entitiesKey))
	if err != nil {
		return nil, err
	}
	markup, err := editMarkup(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.editableLocked(p)
	if err != nil {
		return nil, err
	}
	if err := apply(m, text, ents, markup); err != nil {
		return nil, err
	}
	return s.finishEditLocked(m), nil
}

func (s *Server) editMessageText(_ context.Context, p params) (any, *APIError) {
	return s.editFormatted(p, "text", "entities", func(m *Message, text string, ents []MessageEntity, markup *InlineKeyboardMarkup) *APIError {
		switch {
		case m.Text == "":
			return badRequest("there is no text in the message to edit")
		case strings.TrimSpace(text) == "":
			return badRequest("message text is empty")
		case utf16Len(text) > maxTextLen:
			return badRequest("MESSAGE_TOO_LONG")
		case m.Text == text && sameEntities(m.Entities, ents) && sameMarkup(m.ReplyMarkup, markup):
			return errNotModified
		}
		m.Text, m.Entities, m.ReplyMarkup = text, ents, markup
		return nil
	})
}

func (s *Server) editMessageCaption(_ context.Context, p params) (any, *APIError) {
	return s.editFormatted(p, "caption", "caption_entities", func(m *Message, caption string, ents []MessageEntity, markup *InlineKeyboardMarkup) *APIError {
		switch {
		case m.MediaFileID() == "":
			return badRequest("there is no caption in the message to edit")
		case utf16Len(caption) > maxCaptionLen:
			return badRequest("message caption is too long")
		case m.Caption == caption && sameEntities(m.CaptionEntities, ents) && sameMarkup(m.ReplyMarkup, markup):
			return errNotModified
		}
		m.Caption, m.CaptionEntities, m.ReplyMarkup = caption, ents, markup
		return nil
	})
}

func (s *Server) editMessageReplyMarkup(_ context.Context, p params) (any, *APIError) {
	markup, err := editMarkup(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.editableLocked(p)
	if err != nil {
		return nil, err
	}
	if sameMarkup(m.ReplyMarkup, markup) {
		return nil, errNotModified
	}
	m.ReplyMarkup = markup
	return s.finishEditLocked(m), nil
}

func (s *Server) deleteMessage(_ context.Context, p params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.lookupChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	m, err := cs.message(p, badRequest("message to delete not found"))
	if err != nil {
		return nil, err
	}
	m.Deleted = true
	s.emitMessageLocked(EventDeleted, m)
	return true, nil
}

func (s *Server) setMessageReaction(_ context.Context, p params) (any, *APIError) {
	var reactions []ReactionType
	if err := p.json("reaction", &reactions); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.writableChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	m, err := cs.message(p, badRequest("message to react not found"))
	if err != nil {
		return nil, err
	}
	for _, r := range reactions {
		if r.Type != "emoji" && r.Type != "custom_emoji" && r.Type != "paid" {
			return nil, badRequest("REACTION_INVALID")
		}
	}
	m.BotReactions = reactions
	return true, nil
}
