package tgfake

import (
	"context"
	"fmt"
	"strings"
)

// CallbackAnswer is what the bot said in answerCallbackQuery.
type CallbackAnswer struct {
	QueryID   string `json:"callback_query_id"`
	Text      string `json:"text,omitempty"`
	ShowAlert bool   `json:"show_alert,omitempty"`
	URL       string `json:"url,omitempty"`
	CacheTime int    `json:"cache_time,omitempty"`
}

type callbackState struct {
	query    CallbackQuery
	answered bool
	answer   CallbackAnswer
	answers  int // answerCallbackQuery calls, the refused ones too
}

// PressButton makes user press the inline button carrying callback data on a
// message and returns the callback query id. The button must exist on the
// message as it is now, as a real client could not press anything else.
func (s *Server) PressButton(u User, chatID int64, messageID int, data string) (string, error) {
	return s.press(u, chatID, messageID, func(b InlineKeyboardButton) bool {
		return b.CallbackData != "" && b.CallbackData == data
	})
}

// PressButtonLabeled presses the first callback button whose text starts with label.
func (s *Server) PressButtonLabeled(u User, chatID int64, messageID int, label string) (string, error) {
	return s.press(u, chatID, messageID, func(b InlineKeyboardButton) bool {
		return b.CallbackData != "" && strings.HasPrefix(b.Text, label)
	})
}

// PressForged makes user send a callback query with any data for a message
// that carries an inline keyboard, as a modified client can: the data need
// not be on any of its buttons.
func (s *Server) PressForged(u User, chatID int64, messageID int, data string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.messageLocked(chatID, messageID)
	if err != nil {
		return "", fmt.Errorf("tgfake: forged press: %w", err)
	}
	if len(m.Buttons()) == 0 {
		return "", fmt.Errorf("tgfake: forged press on message %d without buttons: %w", messageID, ErrButtonNotFound)
	}
	return s.pressLocked(u, m, data), nil
}

// CallbackAnswerCalls is how many times the bot called answerCallbackQuery
// for a query, including calls refused because it was answered already.
func (s *Server) CallbackAnswerCalls(queryID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.cbs[queryID]; ok {
		return st.answers
	}
	return 0
}

func (s *Server) press(u User, chatID int64, messageID int, match func(InlineKeyboardButton) bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.messageLocked(chatID, messageID)
	if err != nil {
		return "", fmt.Errorf("tgfake: press button: %w", err)
	}
	if m.Deleted {
		return "", fmt.Errorf("tgfake: press button on deleted message %d: %w", messageID, ErrMessageNotFound)
	}
	for _, b := range m.Buttons() {
		if match(b) {
			return s.pressLocked(u, m, b.CallbackData), nil
		}
	}
	return "", fmt.Errorf("tgfake: press button on message %d: %w", messageID, ErrButtonNotFound)
}

func (s *Server) pressLocked(u User, m *Message, data string) string {
	s.rememberUserLocked(u)
	s.seq.callback++
	id := fmt.Sprintf("%d%06d", 4242424242, s.seq.callback)
	msg := m.clone()
	q := CallbackQuery{ID: id, From: u, Message: &msg, Data: data,
		ChatInstance: fmt.Sprintf("%d", 7000000000000000000+m.Chat.ID)}
	s.cbs[id] = &callbackState{query: q}
	s.enqueueLocked("callback_query", q)
	return id
}

// CallbackAnswer returns the answer the bot gave to a callback query.
func (s *Server) CallbackAnswer(queryID string) (CallbackAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.cbs[queryID]
	if !ok || !st.answered {
		return CallbackAnswer{}, false
	}
	return st.answer, true
}

// answerCallbackQuery accepts one answer per query; later ones fail like
// Telegram's expired queries do.
func (s *Server) answerCallbackQuery(_ context.Context, p params) (any, *APIError) {
	cacheTime, err := p.int("cache_time")
	if err != nil {
		return nil, err
	}
	id := p.str("callback_query_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.cbs[id]
	if ok {
		st.answers++
	}
	if !ok || st.answered {
		return nil, errQueryTooOld
	}
	if utf16Len(p.str("text")) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	st.answered = true
	st.answer = CallbackAnswer{QueryID: id, Text: p.str("text"), ShowAlert: p.bool("show_alert"),
		URL: p.str("url"), CacheTime: cacheTime}
	a := st.answer
	var chatID int64
	if st.query.Message != nil {
		chatID = st.query.Message.Chat.ID
	}
	s.emitLocked(Event{Type: EventCallbackAnswer, ChatID: chatID, Callback: &a})
	return true, nil
}
