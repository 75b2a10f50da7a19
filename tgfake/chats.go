package tgfake

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

type chatState struct {
	chat    Chat
	msgs    []*Message // in send order, deleted ones included
	byID    map[int]*Message
	nextID  int
	botLeft bool
	members map[int64]string                 // user id -> status set by the scenario
	reacts  map[int]map[int64][]ReactionType // message id -> user id -> reactions
}

func newChatState(c Chat) *chatState {
	if c.Type == "" {
		c.Type = inferChatType(c.ID)
	}
	return &chatState{chat: c, byID: map[int]*Message{}, nextID: 1,
		members: map[int64]string{}, reacts: map[int]map[int64][]ReactionType{}}
}

// inferChatType guesses from the id: users are positive, supergroups and
// channels look like -100xxxxxxxxxx, basic groups are other negatives.
func inferChatType(id int64) string {
	switch {
	case id > 0:
		return ChatPrivate
	case id <= -1000000000000:
		return ChatSupergroup
	default:
		return ChatGroup
	}
}

// CreateChat makes a chat known to the fake (and so reachable by the bot).
// Type defaults from the id; creating an existing chat updates its fields.
func (s *Server) CreateChat(c Chat) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ensureChatLocked(c).chat
}

func (s *Server) ensureChatLocked(c Chat) *chatState {
	if cs, ok := s.chats[c.ID]; ok {
		if c.Type != "" || c.Title != "" || c.Username != "" || c.FirstName != "" {
			if c.Type == "" {
				c.Type = cs.chat.Type
			}
			cs.chat = c
		}
		return cs
	}
	cs := newChatState(c)
	s.chats[c.ID] = cs
	s.chatIDs = append(s.chatIDs, c.ID)
	return cs
}

// Chats lists known chats in creation order.
func (s *Server) Chats() []Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Chat, 0, len(s.chatIDs))
	for _, id := range s.chatIDs {
		out = append(out, s.chats[id].chat)
	}
	return out
}

// SetMemberStatus sets what getChatMember answers for user in chat
// ("creator", "administrator", "member", "restricted", "left", "kicked").
func (s *Server) SetMemberStatus(chatID, userID int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.chats[chatID]
	if !ok {
		return fmt.Errorf("tgfake: set member status: %w", ErrChatNotFound)
	}
	cs.members[userID] = status
	return nil
}

// lookupChatLocked resolves a chat_id parameter (number or @username).
func (s *Server) lookupChatLocked(raw string) (*chatState, *APIError) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	if strings.HasPrefix(raw, "@") {
		for _, cs := range s.chats {
			if cs.chat.Username != "" && strings.EqualFold("@"+cs.chat.Username, raw) {
				return cs, nil
			}
		}
		return nil, errChatNotFound
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, errChatNotFound
	}
	cs, ok := s.chats[id]
	if !ok {
		return nil, errChatNotFound
	}
	return cs, nil
}

// writableChatLocked resolves a chat the bot wants to post into.
func (s *Server) writableChatLocked(raw string) (*chatState, *APIError) {
	cs, err := s.lookupChatLocked(raw)
	if err != nil {
		return nil, err
	}
	if cs.chat.Type == ChatPrivate && s.blocked[cs.chat.ID] {
		return nil, errBlocked
	}
	if cs.botLeft {
		return nil, forbidden("bot is not a member of the " + cs.chat.Type + " chat")
	}
	return cs, nil
}

// BlockBot makes user block the bot: sends to them fail with 403 and the
// bot gets a my_chat_member update with status "kicked", as on Telegram.
func (s *Server) BlockBot(userID int64) { s.setBlocked(userID, true) }

// UnblockBot undoes BlockBot (Telegram sends my_chat_member "member").
func (s *Server) UnblockBot(userID int64) { s.setBlocked(userID, false) }

func (s *Server) setBlocked(userID int64, blocked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[userID] == blocked {
		return
	}
	s.blocked[userID] = blocked
	u := s.userLocked(userID)
	cs := s.ensureChatLocked(u.PrivateChat())
	oldStatus, newStatus := "member", "kicked"
	if !blocked {
		oldStatus, newStatus = newStatus, oldStatus
	}
	s.enqueueLocked("my_chat_member", map[string]any{
		"chat": cs.chat, "from": u, "date": s.now().Unix(),
		"old_chat_member": map[string]any{"status": oldStatus, "user": s.bot},
		"new_chat_member": map[string]any{"status": newStatus, "user": s.bot},
	})
}

func (s *Server) userLocked(id int64) User {
	if u, ok := s.users[id]; ok {
		return u
	}
	return User{ID: id, FirstName: fmt.Sprintf("User %d", id)}
}

func (s *Server) getChat(_ context.Context, p params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.lookupChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	// ChatFullInfo: the Chat fields plus the two fields the API marks required.
	return struct {
		Chat
		AccentColorID    int `json:"accent_color_id"`
		MaxReactionCount int `json:"max_reaction_count"`
	}{Chat: cs.chat, MaxReactionCount: 11}, nil
}

// ChatMember is the answer of getChatMember (a simplified union).
type ChatMember struct {
	Status string `json:"status"`
	User   User   `json:"user"`
	// Administrator rights; set for "creator" and "administrator".
	CanBeEdited        bool `json:"can_be_edited,omitempty"`
	CanDeleteMessages  bool `json:"can_delete_messages,omitempty"`
	CanRestrictMembers bool `json:"can_restrict_members,omitempty"`
	CanPostMessages    bool `json:"can_post_messages,omitempty"`
	CanEditMessages    bool `json:"can_edit_messages,omitempty"`
	CanPinMessages     bool `json:"can_pin_messages,omitempty"`
	IsAnonymous        bool `json:"is_anonymous"`
}

func (s *Server) getChatMember(_ context.Context, p params) (any, *APIError) {
	userID, perr := p.int64("user_id")
	if perr != nil {
		return nil, perr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.lookupChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	if userID == 0 {
		return nil, badRequest("user not found")
	}
	status, ok := cs.members[userID]
	if !ok {
		status = "member"
		if userID == s.bot.ID && cs.chat.Type != ChatPrivate {
			status = "administrator" // the fake assumes the bot is an admin of its groups
		}
	}
	user := s.userLocked(userID)
	if userID == s.bot.ID {
		user = s.bot
	}
	m := ChatMember{Status: status, User: user}
	if status == "administrator" || status == "creator" {
		m.CanDeleteMessages, m.CanRestrictMembers, m.CanPinMessages = true, true, true
		m.CanPostMessages, m.CanEditMessages = cs.chat.Type == ChatChannel, cs.chat.Type == ChatChannel
	}
	return m, nil
}

func (s *Server) leaveChat(_ context.Context, p params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.lookupChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	if cs.chat.Type == ChatPrivate {
		return nil, badRequest("chat member status can't be changed in private chats")
	}
	if cs.botLeft {
		return nil, forbidden("bot is not a member of the " + cs.chat.Type + " chat")
	}
	cs.botLeft = true
	return true, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func (s *Server) sendChatAction(_ context.Context, p params) (any, *APIError) {
	action := p.str("action")
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.writableChatLocked(p.str("chat_id"))
	if err != nil {
		return nil, err
	}
	if !chatActions[action] {
		return nil, badRequest("wrong parameter action in request")
	}
	s.emitLocked(Event{Type: EventChatAction, ChatID: cs.chat.ID, Action: action})
	return true, nil
}
