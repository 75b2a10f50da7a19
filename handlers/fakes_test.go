package handlers

import (
	"fmt"
	"strconv"
	"sync"

	tele "gopkg.in/telebot.v3"
)

// fakeUpdate is an update as telebot hands it to a handler: the calls the
// handlers make on it (who sent it, where, what, the role the middleware
// set, answering a press and replying). Any other call panics on the nil
// embedded interface, so a handler that starts making one fails its test.
type fakeUpdate struct {
	tele.Context
	sender *tele.User
	chat   *tele.Chat
	role   string
	data   string
	msg    *tele.Message

	mu       sync.Mutex
	answers  []*tele.CallbackResponse
	answered chan struct{} // closed at the first answer
	replies  []string
}

func (u *fakeUpdate) Sender() *tele.User     { return u.sender }
func (u *fakeUpdate) Chat() *tele.Chat       { return u.chat }
func (u *fakeUpdate) Get(string) any         { return u.role }
func (u *fakeUpdate) Data() string           { return u.data }
func (u *fakeUpdate) Message() *tele.Message { return u.msg }

func (u *fakeUpdate) Respond(r ...*tele.CallbackResponse) error {
	answer := &tele.CallbackResponse{}
	if len(r) > 0 {
		answer = r[0]
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.answers = append(u.answers, answer)
	if len(u.answers) == 1 && u.answered != nil {
		close(u.answered)
	}
	return nil
}

func (u *fakeUpdate) Send(what any, _ ...any) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	text, _ := what.(string)
	u.replies = append(u.replies, text)
	return nil
}

// sent is one message the handlers sent through their Telegram port.
type sent struct {
	to      int64
	what    any
	markup  *tele.ReplyMarkup
	replyTo *tele.Message
}

// fakeTelegram is the handlers' Telegram port; err, when set, fails every send.
type fakeTelegram struct {
	mu     sync.Mutex
	sent   []sent
	calls  []string // the requests other than sends
	err    error
	lastID int
}

func (f *fakeTelegram) Send(to tele.Recipient, what any, opts ...any) (*tele.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	s := sent{what: what}
	s.to, _ = strconv.ParseInt(to.Recipient(), 10, 64)
	for _, o := range opts {
		switch o := o.(type) {
		case *tele.ReplyMarkup:
			s.markup = o
		case *tele.SendOptions:
			s.markup, s.replyTo = o.ReplyMarkup, o.ReplyTo
		}
	}
	f.sent = append(f.sent, s)
	f.lastID++
	return &tele.Message{ID: f.lastID, Chat: &tele.Chat{ID: s.to}}, nil
}

func (f *fakeTelegram) messages() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.sent...)
}

// Copy, Delete, EditReplyMarkup and SetCommands record what the handlers
// asked of Telegram besides sending.
func (f *fakeTelegram) Copy(to tele.Recipient, msg tele.Editable, _ ...any) (*tele.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, chat := msg.MessageSig()
	f.calls = append(f.calls, fmt.Sprintf("copy %s/%d to %s", id, chat, to.Recipient()))
	f.lastID++
	return &tele.Message{ID: f.lastID, Chat: &tele.Chat{ID: chat}}, nil
}

func (f *fakeTelegram) Delete(msg tele.Editable) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, _ := msg.MessageSig()
	f.calls = append(f.calls, "delete "+id)
	return nil
}

func (f *fakeTelegram) EditReplyMarkup(msg tele.Editable, markup *tele.ReplyMarkup) (*tele.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, _ := msg.MessageSig()
	f.calls = append(f.calls, fmt.Sprintf("buttons of %s: %d rows", id, len(markupRows(markup))))
	return nil, nil
}

func (f *fakeTelegram) SetCommands(...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "set commands")
	return nil
}

func markupRows(m *tele.ReplyMarkup) [][]tele.InlineButton {
	if m == nil {
		return nil
	}
	return m.InlineKeyboard
}

// requests are the calls other than sends, in order.
func (f *fakeTelegram) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}
