package tgfake

import (
	"fmt"
	"strings"
)

// rememberUserLocked records u so later lookups (getChatMember, events) know it.
func (s *Server) rememberUserLocked(u User) {
	if u.ID != 0 {
		s.users[u.ID] = u
	}
}

// userChatLocked makes the chat known when a user writes into it. A private
// chat always belongs to the user writing.
func (s *Server) userChatLocked(u User, chat Chat) (*chatState, error) {
	if chat.ID == 0 {
		return nil, fmt.Errorf("tgfake: chat id 0: %w", ErrChatNotFound)
	}
	if chat.Type == ChatPrivate || (chat.Type == "" && chat.ID > 0) {
		if chat.ID != u.ID {
			return nil, fmt.Errorf("tgfake: user %d cannot write in the private chat of %d", u.ID, chat.ID)
		}
		chat = u.PrivateChat()
	}
	return s.ensureChatLocked(chat), nil
}

// postUserMessageLocked stores a user's message and emits the update the bot
// gets: message, or channel_post in channels (authored by the channel).
func (s *Server) postUserMessageLocked(u User, chat Chat, m *Message) (Message, error) {
	s.rememberUserLocked(u)
	cs, err := s.userChatLocked(u, chat)
	if err != nil {
		return Message{}, err
	}
	kind := "message"
	if cs.chat.Type == ChatChannel {
		c := cs.chat
		m.SenderChat, kind = &c, "channel_post"
	} else {
		from := u
		m.From = &from
	}
	s.appendMessageLocked(cs, m)
	if !cs.botLeft {
		s.enqueueLocked(kind, m.clone())
	}
	return m.clone(), nil
}

// commandEntity marks a leading /command like Telegram does.
func commandEntity(text string) []MessageEntity {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return nil
	}
	end := strings.IndexAny(text, " \n\t")
	if end < 0 {
		end = len(text)
	}
	return []MessageEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(text[:end])}}
}

// SendText makes user u write text in chat; a private chat must be u.PrivateChat().
func (s *Server) SendText(u User, chat Chat, text string) (Message, error) {
	return s.ReplyText(u, chat, 0, text)
}

// ReplyText is SendText replying to message replyTo (0 = no reply).
func (s *Server) ReplyText(u User, chat Chat, replyTo int, text string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Text: text, Entities: commandEntity(text)}
	if replyTo != 0 {
		if cs, ok := s.chats[chat.ID]; ok {
			if target, ok := cs.byID[replyTo]; ok && !target.Deleted {
				c := target.clone()
				c.ReplyToMessage = nil
				m.ReplyToMessage = &c
			}
		}
		if m.ReplyToMessage == nil {
			return Message{}, fmt.Errorf("tgfake: reply to %d: %w", replyTo, ErrMessageNotFound)
		}
	}
	return s.postUserMessageLocked(u, chat, m)
}

// SendPhoto makes user u send an image (JPEG, PNG, GIF or WebP) with a caption.
func (s *Server) SendPhoto(u User, chat Chat, data []byte, caption string) (Message, error) {
	return s.sendUserMedia(u, chat, "photo", upload{Data: data}, caption)
}

// SendVideo makes user u send an MP4 video; its size and duration are probed.
func (s *Server) SendVideo(u User, chat Chat, data []byte, caption string) (Message, error) {
	return s.sendUserMedia(u, chat, "video", upload{Name: "video.mp4", Data: data}, caption)
}

// SendAnimation makes user u send a GIF-like sound-less MP4.
func (s *Server) SendAnimation(u User, chat Chat, data []byte, caption string) (Message, error) {
	return s.sendUserMedia(u, chat, "animation", upload{Name: "animation.mp4", Data: data}, caption)
}

// SendDocument makes user u send a file; mimeType "" is guessed.
func (s *Server) SendDocument(u User, chat Chat, data []byte, fileName, mimeType, caption string) (Message, error) {
	return s.sendUserMedia(u, chat, "document", upload{Name: fileName, MIME: mimeType, Data: data}, caption)
}

// SendMedia sends media of kind "photo", "video", "animation" or "document".
func (s *Server) SendMedia(u User, chat Chat, kind string, data []byte, fileName, caption string) (Message, error) {
	if !inputMediaKinds[kind] {
		return Message{}, fmt.Errorf("tgfake: unknown media kind %q", kind)
	}
	return s.sendUserMedia(u, chat, kind, upload{Name: fileName, Data: data}, caption)
}

func (s *Server) sendUserMedia(u User, chat Chat, kind string, up upload, caption string) (Message, error) {
	f, apiErr := s.newUpload(kind, up, "")
	if apiErr != nil {
		return Message{}, fmt.Errorf("tgfake: send %s: %w", kind, apiErr)
	}
	m := &Message{Caption: caption}
	attachMedia(m, kind, f, mediaMeta{})
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.postUserMessageLocked(u, chat, m)
}

// EditText makes user u edit their text message; the bot gets edited_message
// (edited_channel_post in channels).
func (s *Server) EditText(u User, chatID int64, messageID int, text string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.messageLocked(chatID, messageID)
	if err != nil {
		return Message{}, fmt.Errorf("tgfake: edit text: %w", err)
	}
	if m.Deleted || m.sentByBot || m.Text == "" {
		return Message{}, fmt.Errorf("tgfake: message %d is not an editable user text: %w", messageID, ErrMessageNotFound)
	}
	m.Text, m.Entities = text, commandEntity(text)
	c := s.finishEditLocked(m)
	kind := "edited_message"
	if c.Chat.Type == ChatChannel {
		kind = "edited_channel_post"
	}
	if !s.chats[chatID].botLeft {
		s.enqueueLocked(kind, c)
	}
	return c, nil
}

// React sets user u's reactions on a message (none = remove them) and emits
// a message_reaction update with the old and new lists. The bot only gets it
// if it listed "message_reaction" in allowed_updates, as on Telegram.
func (s *Server) React(u User, chatID int64, messageID int, emojis ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.messageLocked(chatID, messageID)
	if err != nil {
		return fmt.Errorf("tgfake: react: %w", err)
	}
	if m.Deleted {
		return fmt.Errorf("tgfake: react to deleted message %d: %w", messageID, ErrMessageNotFound)
	}
	s.rememberUserLocked(u)
	cs := s.chats[chatID]
	if cs.reacts[messageID] == nil {
		cs.reacts[messageID] = map[int64][]ReactionType{}
	}
	old := cs.reacts[messageID][u.ID]
	next := make([]ReactionType, 0, len(emojis))
	for _, e := range emojis {
		next = append(next, ReactionType{Type: "emoji", Emoji: e})
	}
	cs.reacts[messageID][u.ID] = next
	user := u
	s.enqueueLocked("message_reaction", MessageReactionUpdated{Chat: cs.chat, MessageID: messageID,
		User: &user, Date: s.now().Unix(), OldReaction: append([]ReactionType{}, old...), NewReaction: next})
	return nil
}
