package tgfake

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	// Token the bot must use; calls with another token get 401 Unauthorized.
	Token string
	// BotID is the bot's user id; by default the number before ':' in Token.
	BotID int64
	// BotUsername is returned by getMe (without '@').
	BotUsername string
	// BotName is the bot's first_name; defaults to BotUsername.
	BotName string
	// Now is the clock; defaults to time.Now.
	Now func() time.Time
	// WebhookRetry is the pause before re-delivering an update a webhook
	// refused; defaults to 200ms (Telegram waits longer).
	WebhookRetry time.Duration
}

// Server is a fake Telegram Bot API server. It implements http.Handler.
// All methods are safe for concurrent use.
type Server struct {
	opts     Options
	bot      User
	apiMux   map[string]apiMethod
	fakeMux  *http.ServeMux
	closed   chan struct{}
	closeOne sync.Once
	bg       sync.WaitGroup

	mu       sync.Mutex
	baseURL  string
	latency  time.Duration
	changed  chan struct{} // closed and replaced whenever state changes
	users    map[int64]User
	blocked  map[int64]bool
	chats    map[int64]*chatState
	chatIDs  []int64 // creation order
	files    map[string]*storedFile
	paths    map[string]*storedFile
	cbs      map[string]*callbackState
	inline   map[string]*inlineState
	cmds     map[commandKey][]BotCommand
	faults   []faultRule
	calls    []Call
	handling int // Bot API calls inside their handler, long polls aside
	subs     map[int]chan Event
	seq      counters
	updates  updateQueue
	hook     webhookState
}

type counters struct {
	file, callback, mediaGroup, sub, event int
}

// apiMethod serves one Bot API method.
type apiMethod func(ctx context.Context, p params) (any, *APIError)

// New returns a Server ready to serve.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.WebhookRetry <= 0 {
		opts.WebhookRetry = 200 * time.Millisecond
	}
	if opts.BotID == 0 {
		opts.BotID = botIDFromToken(opts.Token)
	}
	if opts.BotName == "" {
		opts.BotName = opts.BotUsername
	}
	s := &Server{
		opts:    opts,
		bot:     User{ID: opts.BotID, IsBot: true, FirstName: opts.BotName, Username: opts.BotUsername},
		closed:  make(chan struct{}),
		changed: make(chan struct{}),
		users:   map[int64]User{},
		blocked: map[int64]bool{},
		chats:   map[int64]*chatState{},
		files:   map[string]*storedFile{},
		paths:   map[string]*storedFile{},
		cbs:     map[string]*callbackState{},
		cmds:    map[commandKey][]BotCommand{},
		subs:    map[int]chan Event{},
	}
	s.apiMux = s.methods()
	s.fakeMux = s.scenarioMux()
	return s
}

func botIDFromToken(token string) int64 {
	var id int64
	for _, r := range token {
		if r < '0' || r > '9' {
			break
		}
		id = id*10 + int64(r-'0')
	}
	if id == 0 {
		id = 1
	}
	return id
}

func (s *Server) methods() map[string]apiMethod {
	m := map[string]apiMethod{
		"getMe":                  s.getMe,
		"getUpdates":             s.getUpdates,
		"setWebhook":             s.setWebhook,
		"deleteWebhook":          s.deleteWebhook,
		"getWebhookInfo":         s.getWebhookInfo,
		"sendMessage":            s.sendMessage,
		"sendPhoto":              s.sendMediaMethod("photo"),
		"sendVideo":              s.sendMediaMethod("video"),
		"sendAnimation":          s.sendMediaMethod("animation"),
		"sendDocument":           s.sendMediaMethod("document"),
		"sendMediaGroup":         s.sendMediaGroup,
		"copyMessage":            s.copyMessage,
		"forwardMessage":         s.forwardMessage,
		"answerInlineQuery":      s.answerInlineQuery,
		"editMessageText":        s.editMessageText,
		"editMessageCaption":     s.editMessageCaption,
		"editMessageReplyMarkup": s.editMessageReplyMarkup,
		"editMessageMedia":       s.editMessageMedia,
		"deleteMessage":          s.deleteMessage,
		"answerCallbackQuery":    s.answerCallbackQuery,
		"setMyCommands":          s.setMyCommands,
		"getMyCommands":          s.getMyCommands,
		"deleteMyCommands":       s.deleteMyCommands,
		"getFile":                s.getFile,
		"getChat":                s.getChat,
		"getChatMember":          s.getChatMember,
		"sendChatAction":         s.sendChatAction,
		"setMessageReaction":     s.setMessageReaction,
		"leaveChat":              s.leaveChat,
	}
	// Telegram treats method names case-insensitively.
	out := make(map[string]apiMethod, len(m))
	for name, fn := range m {
		out[strings.ToLower(name)] = fn
	}
	return out
}

// SetBaseURL records the URL the server is reachable at; the scenario API
// uses it to make absolute media_url links. Bot API answers do not need it.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimRight(u, "/")
}

// Bot returns the bot's own user.
func (s *Server) Bot() User { return s.bot }

// Close ends pending long polls, SSE streams and webhook delivery and waits
// for background goroutines. It does not close an httptest.Server around s.
func (s *Server) Close() {
	s.closeOne.Do(func() {
		close(s.closed)
		s.mu.Lock()
		for id, ch := range s.subs {
			close(ch)
			delete(s.subs, id)
		}
		s.notifyLocked()
		s.mu.Unlock()
	})
	s.bg.Wait()
}

// notifyLocked wakes everyone waiting for a state change. Call with s.mu held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) now() time.Time { return s.opts.Now() }

// ServeHTTP routes Bot API calls, file downloads and the scenario API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/_fake/"):
		s.fakeMux.ServeHTTP(w, r)
	case strings.HasPrefix(path, "/file/bot"):
		s.serveFile(w, r, strings.TrimPrefix(path, "/file/bot"))
	case strings.HasPrefix(path, "/bot"):
		s.serveAPI(w, r, strings.TrimPrefix(path, "/bot"))
	default:
		writeAPIError(w, errNotFound)
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	token, method, ok := strings.Cut(rest, "/")
	if !ok || token != s.opts.Token {
		writeAPIError(w, errUnauthorized)
		return
	}
	handler, known := s.apiMux[strings.ToLower(method)]
	if !known {
		s.record(method, nil, nil, errNotFound)
		writeAPIError(w, errNotFound)
		return
	}
	p, perr := parseParams(r)
	if perr != nil {
		s.record(method, p.recorded(), nil, perr)
		writeAPIError(w, perr)
		return
	}
	result, apiErr := s.call(r.Context(), method, handler, p)
	if apiErr != nil {
		s.writeFault(w, apiErr)
		return
	}
	writeJSON(w, http.StatusOK, okResponse{OK: true, Result: result})
}

// call applies latency and injected faults, then runs the handler.
func (s *Server) call(ctx context.Context, method string, h apiMethod, p params) (any, *APIError) {
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, &APIError{Code: 499, Description: "client went away"}
		case <-s.closed:
		}
	}
	if f, ok := s.takeFault(method); ok {
		s.record(method, p.recorded(), nil, f)
		return nil, f
	}
	// A call's effects (a message in a chat) become visible inside the
	// handler, its record just after; Calls waits for the calls in between
	// so that what a test has seen happen is also listed. A long poll is
	// left out: it may wait for seconds and changes nothing a test watches.
	counted := !strings.EqualFold(method, "getUpdates")
	if counted {
		s.mu.Lock()
		s.handling++
		s.mu.Unlock()
	}
	result, apiErr := h(ctx, p)
	s.record(method, p.recorded(), result, apiErr)
	if counted {
		s.mu.Lock()
		s.handling--
		s.notifyLocked()
		s.mu.Unlock()
	}
	return result, apiErr
}

// Call is one recorded Bot API call.
type Call struct {
	Method string            `json:"method"`
	Params map[string]string `json:"params"`
	Time   time.Time         `json:"time"`
	Result json.RawMessage   `json:"result,omitempty"`
	Err    *APIError         `json:"error,omitempty"`
}

func (s *Server) record(method string, p map[string]string, result any, apiErr *APIError) {
	c := Call{Method: method, Params: p, Time: s.now(), Err: apiErr}
	if apiErr == nil {
		c.Result, _ = json.Marshal(result)
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
}

// Calls lists recorded calls of method (case-insensitive; "" lists all) in
// order. It first waits, for at most a second, until no call is being handled,
// so a call whose effect was already seen is listed.
func (s *Server) Calls(method string) []Call {
	deadline := time.NewTimer(time.Second)
	defer deadline.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for waiting := true; waiting && s.handling > 0; {
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			waiting = false
		case <-s.closed:
			waiting = false
		}
		s.mu.Lock()
	}
	var out []Call
	for _, c := range s.calls {
		if method == "" || strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// SetLatency delays every later Bot API call by d before it is handled.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}
