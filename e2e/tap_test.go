package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// tap sits in front of the fake Bot API, in the bot's process, and notes the
// two ends of the bot's own work on an update: when an update is handed to
// the bot (the getUpdates answer carrying it is written) and when a send
// request for a chat arrives. What the fake does before and after (queueing
// the press, holding the long poll, storing the message) is left out.
type tap struct {
	next http.Handler
	// rewrite, when set, may change a JSON send request's parameters before
	// the fake sees them (the seeded data set's file ids mean nothing to it).
	rewrite func(method string, params map[string]any)
	// gate, when set, holds every getUpdates until it is closed: a burst then
	// reaches the bot all at once.
	gate chan struct{}

	mu        sync.Mutex
	delivered map[string]time.Time // update key (callback query id, messageKey) -> first handed to the bot
	waiters   map[string]chan struct{}
	sends     chan tapSend
	polls     atomic.Int64 // getUpdates calls answered
}

// tapSend is a send request as it reached the Bot API.
type tapSend struct {
	method string
	chatID int64
	at     time.Time
}

var tapSendMethods = map[string]bool{"sendMessage": true, "sendPhoto": true, "sendVideo": true, "sendAnimation": true}

func newTap() *tap {
	return &tap{delivered: map[string]time.Time{}, waiters: map[string]chan struct{}{}, sends: make(chan tapSend, 4096)}
}

// front is the wrapper startFronted takes.
func (t *tap) front(next http.Handler) http.Handler {
	t.next = next
	return t
}

func (t *tap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	switch method := path.Base(r.URL.Path); {
	case method == "getUpdates":
		t.serveUpdates(w, r)
	case tapSendMethods[method] && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		t.serveSend(w, r, method, arrived)
	default:
		t.next.ServeHTTP(w, r)
	}
}

// messageKey names a message update in delivered.
func messageKey(chatID int64, messageID int) string {
	return fmt.Sprintf("message %d/%d", chatID, messageID)
}

// serveUpdates answers getUpdates from the fake and notes the updates in the
// answer as handed to the bot (a redelivery of an unconfirmed one does not
// count).
func (t *tap) serveUpdates(w http.ResponseWriter, r *http.Request) {
	if t.gate != nil {
		select {
		case <-t.gate:
		case <-r.Context().Done():
			return
		}
	}
	rec := httptest.NewRecorder()
	t.next.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	at := time.Now()
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	t.polls.Add(1)
	var reply struct {
		Result []struct {
			CallbackQuery *struct {
				ID string `json:"id"`
			} `json:"callback_query"`
			Message *struct {
				ID   int `json:"message_id"`
				Chat struct {
					ID int64 `json:"id"`
				} `json:"chat"`
			} `json:"message"`
		} `json:"result"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &reply) != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, u := range reply.Result {
		var id string
		switch {
		case u.CallbackQuery != nil:
			id = u.CallbackQuery.ID
		case u.Message != nil:
			id = messageKey(u.Message.Chat.ID, u.Message.ID)
		default:
			continue
		}
		if _, seen := t.delivered[id]; !seen {
			t.delivered[id] = at
			if ch, ok := t.waiters[id]; ok {
				close(ch)
				delete(t.waiters, id)
			}
		}
	}
}

func (t *tap) serveSend(w http.ResponseWriter, r *http.Request, method string, arrived time.Time) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var target struct {
		ChatID json.Number `json:"chat_id"`
	}
	if json.Unmarshal(body, &target) == nil {
		chatID, _ := target.ChatID.Int64()
		if t.rewrite != nil {
			var params map[string]any
			_ = json.Unmarshal(body, &params)
			t.rewrite(method, params)
			body = mustJSON(params)
		}
		select {
		case t.sends <- tapSend{method: method, chatID: chatID, at: arrived}:
		default: // nobody listens
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	t.next.ServeHTTP(w, r)
}

// deliveredAt is when the update (a callback query id, or a messageKey) was
// first handed to the bot; it waits up to timeout for that to happen.
func (t *tap) deliveredAt(queryID string, timeout time.Duration) (time.Time, bool) {
	t.mu.Lock()
	if at, ok := t.delivered[queryID]; ok {
		t.mu.Unlock()
		return at, true
	}
	ch, ok := t.waiters[queryID]
	if !ok {
		ch = make(chan struct{})
		t.waiters[queryID] = ch
	}
	t.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(timeout):
		return time.Time{}, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	at, ok := t.delivered[queryID]
	return at, ok
}

// nextSend waits for the next send request to chatID.
func (t *tap) nextSend(chatID int64, timeout time.Duration) (tapSend, bool) {
	deadline := time.After(timeout)
	for {
		select {
		case s := <-t.sends:
			if s.chatID == chatID {
				return s, true
			}
		case <-deadline:
			return tapSend{}, false
		}
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
