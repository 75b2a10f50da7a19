package tgfake

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Sentinel errors of the scenario API.
var (
	ErrChatNotFound    = errors.New("chat not found")
	ErrMessageNotFound = errors.New("message not found")
	ErrButtonNotFound  = errors.New("inline button not found")
	ErrFileNotFound    = errors.New("file not found")
	ErrClosed          = errors.New("server closed")
)

// Event types of the live feed.
const (
	EventMessage        = "message"         // a new message (from the bot or a user)
	EventEdited         = "edited"          // a message's text, caption, media or buttons changed
	EventDeleted        = "deleted"         // a message was deleted
	EventCallbackAnswer = "callback_answer" // the bot answered a button press
	EventChatAction     = "chat_action"     // the bot sent a chat action such as "typing"
)

// Event is one entry of the live feed (see Subscribe and /_fake/events).
type Event struct {
	Seq      int             `json:"seq"` // increasing; a gap means the subscriber fell behind
	Type     string          `json:"type"`
	Time     time.Time       `json:"time"`
	ChatID   int64           `json:"chat_id"`
	Message  *Message        `json:"message,omitempty"`
	Callback *CallbackAnswer `json:"callback,omitempty"`
	Action   string          `json:"action,omitempty"`
}

// subscriberBuffer is how many events a slow subscriber may lag before
// further events are dropped for it (never blocking the server).
const subscriberBuffer = 256

// Subscribe returns a feed of every later Event. Call cancel when done; the
// channel is closed by cancel or by Close.
func (s *Server) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, subscriberBuffer)
	s.mu.Lock()
	select {
	case <-s.closed:
		s.mu.Unlock()
		close(ch)
		return ch, func() {}
	default:
	}
	s.seq.sub++
	id := s.seq.sub
	s.subs[id] = ch
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c, ok := s.subs[id]; ok {
			close(c)
			delete(s.subs, id)
		}
	}
}

// emitLocked publishes e and wakes waiters. Call with s.mu held.
func (s *Server) emitLocked(e Event) {
	s.seq.event++
	e.Seq = s.seq.event
	e.Time = s.now()
	for _, ch := range s.subs {
		select {
		case ch <- e:
		default:
		}
	}
	s.notifyLocked()
}

func (s *Server) emitMessageLocked(kind string, m *Message) {
	c := m.clone()
	s.emitLocked(Event{Type: kind, ChatID: m.Chat.ID, Message: &c})
}

// Transcript returns every message of the chat in order, with edits applied;
// deleted messages stay, flagged Deleted.
func (s *Server) Transcript(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	out := make([]Message, 0, len(cs.msgs))
	for _, m := range cs.msgs {
		out = append(out, m.clone())
	}
	return out
}

// Message returns the current state of one message.
func (s *Server) Message(chatID int64, messageID int) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.messageLocked(chatID, messageID)
	if err != nil {
		return Message{}, err
	}
	return m.clone(), nil
}

func (s *Server) messageLocked(chatID int64, messageID int) (*Message, error) {
	cs, ok := s.chats[chatID]
	if !ok {
		return nil, fmt.Errorf("tgfake: chat %d: %w", chatID, ErrChatNotFound)
	}
	m, ok := cs.byID[messageID]
	if !ok {
		return nil, fmt.Errorf("tgfake: message %d in chat %d: %w", messageID, chatID, ErrMessageNotFound)
	}
	return m, nil
}

// WaitMessage waits until a non-deleted bot message in the chat matches, and
// returns the earliest one. It looks at the current state of all the chat's
// bot messages, so a reply that arrived before the call is found too (and an
// edit that makes a message match wakes it); to wait for something new, put
// e.g. m.MessageID > lastSeen in match.
func (s *Server) WaitMessage(ctx context.Context, chatID int64, match func(Message) bool) (Message, error) {
	for {
		s.mu.Lock()
		var candidates []Message
		if cs, ok := s.chats[chatID]; ok {
			for _, m := range cs.msgs {
				if !m.Deleted && m.FromBot() {
					candidates = append(candidates, m.clone())
				}
			}
		}
		changed := s.changed
		s.mu.Unlock()
		for _, c := range candidates { // match runs unlocked: it may call s
			if match == nil || match(c) {
				return c, nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, fmt.Errorf("tgfake: wait message in chat %d: %w", chatID, ctx.Err())
		case <-s.closed:
			return Message{}, fmt.Errorf("tgfake: wait message in chat %d: %w", chatID, ErrClosed)
		}
	}
}
