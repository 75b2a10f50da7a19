package tgfake

import "fmt"

// ForwardMessage makes user u forward message messageID of chat fromChatID
// into chat to, as a client does: the copy is u's message carrying the
// content and forward_origin ("channel" with the channel and the post's id
// for channel posts, "user" for a person's message, "chat" for a message
// sent on behalf of a group). Forwarding a forward keeps the first origin.
// The bot gets it as any other message in to.
func (s *Server) ForwardMessage(u User, fromChatID int64, messageID int, to Chat) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, err := s.messageLocked(fromChatID, messageID)
	if err != nil {
		return Message{}, fmt.Errorf("tgfake: forward: %w", err)
	}
	m := copyContent(src)
	m.ForwardOrigin = originOf(src)
	return s.postUserMessageLocked(u, to, m)
}

// originOf is the forward_origin Telegram gives a forwarded copy of src.
func originOf(src *Message) *MessageOrigin {
	switch {
	case src.ForwardOrigin != nil:
		o := *src.ForwardOrigin
		return &o
	case src.Chat.Type == ChatChannel:
		c := src.Chat
		return &MessageOrigin{Type: "channel", Date: src.Date, Chat: &c, MessageID: src.MessageID}
	case src.From != nil:
		u := *src.From
		return &MessageOrigin{Type: "user", Date: src.Date, SenderUser: &u}
	case src.SenderChat != nil:
		c := *src.SenderChat
		return &MessageOrigin{Type: "chat", Date: src.Date, SenderChat: &c}
	}
	return nil
}

// SetBotMember says whether the bot is in a chat. A public channel the bot
// is not in still holds posts users can forward, but the bot gets no
// channel_post updates from it and cannot post there.
func (s *Server) SetBotMember(chatID int64, member bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.chats[chatID]
	if !ok {
		return fmt.Errorf("tgfake: set bot member: %w", ErrChatNotFound)
	}
	cs.botLeft = !member
	return nil
}
