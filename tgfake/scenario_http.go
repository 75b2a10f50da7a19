package tgfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// scenarioMux serves the HTTP scenario API documented in the package comment.
func (s *Server) scenarioMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_fake/bot", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.bot) })
	mux.HandleFunc("GET /_fake/chats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Chats()) })
	mux.HandleFunc("POST /_fake/chats", s.httpCreateChat)
	mux.HandleFunc("GET /_fake/chats/{id}/messages", s.httpTranscript)
	mux.HandleFunc("POST /_fake/messages", s.httpSendText)
	mux.HandleFunc("POST /_fake/media", s.httpSendMedia)
	mux.HandleFunc("POST /_fake/press", s.httpPress)
	mux.HandleFunc("GET /_fake/callbacks/{id}", s.httpCallbackAnswer)
	mux.HandleFunc("POST /_fake/reactions", s.httpReact)
	mux.HandleFunc("POST /_fake/updates", s.httpRawUpdate)
	mux.HandleFunc("POST /_fake/block", s.httpBlock)
	mux.HandleFunc("GET /_fake/files/{id}", s.httpFile)
	mux.HandleFunc("GET /_fake/calls", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Calls(r.URL.Query().Get("method")))
	})
	mux.HandleFunc("POST /_fake/faults", s.httpFault)
	mux.HandleFunc("GET /_fake/commands", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.AllCommands()) })
	mux.HandleFunc("GET /_fake/events", s.httpEvents)
	s.inlineRoutes(mux)
	return mux
}

// TranscriptEntry is a Message as the scenario API shows it, bookkeeping included.
type TranscriptEntry struct {
	Message
	FromBot   bool            `json:"from_bot"`
	Deleted   bool            `json:"deleted"`
	EditCount int             `json:"edit_count"`
	Keyboard  json.RawMessage `json:"keyboard,omitempty"`
	// MediaURL downloads the media (largest photo size) via /_fake/files.
	MediaURL string `json:"media_url,omitempty"`
}

func (s *Server) entry(m Message) TranscriptEntry {
	e := TranscriptEntry{Message: m, FromBot: m.FromBot(), Deleted: m.Deleted, EditCount: m.EditCount, Keyboard: m.Keyboard}
	if id := m.MediaFileID(); id != "" {
		s.mu.Lock()
		e.MediaURL = s.baseURL + "/_fake/files/" + url.PathEscape(id)
		s.mu.Unlock()
	}
	return e
}

func writeScenarioError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, ErrChatNotFound) || errors.Is(err, ErrMessageNotFound) ||
		errors.Is(err, ErrButtonNotFound) || errors.Is(err, ErrFileNotFound) {
		status = http.StatusNotFound
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func decodeBody(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("tgfake: decode request: %w", err)
	}
	return nil
}

// actor is how a scenario request names the human acting and where.
type actor struct {
	User   User  `json:"user"`
	ChatID int64 `json:"chat_id"`
	Chat   *Chat `json:"chat"`
}

// resolve fills a user given only by id and picks the chat: chat, else a
// known chat_id, else the user's private chat.
func (s *Server) resolve(a actor) (User, Chat, error) {
	if a.User.ID == 0 {
		return User{}, Chat{}, errors.New("tgfake: user.id is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := a.User
	if known, ok := s.users[u.ID]; ok && u.FirstName == "" {
		u = known
	}
	if u.FirstName == "" {
		u.FirstName = fmt.Sprintf("User %d", u.ID)
	}
	switch {
	case a.Chat != nil:
		return u, *a.Chat, nil
	case a.ChatID == 0 || a.ChatID == u.ID:
		return u, u.PrivateChat(), nil
	}
	cs, ok := s.chats[a.ChatID]
	if !ok {
		return User{}, Chat{}, fmt.Errorf("tgfake: chat %d: %w", a.ChatID, ErrChatNotFound)
	}
	return u, cs.chat, nil
}

func (s *Server) httpCreateChat(w http.ResponseWriter, r *http.Request) {
	var c Chat
	if err := decodeBody(r, &c); err != nil || c.ID == 0 {
		writeScenarioError(w, errors.New("tgfake: a chat with a non-zero id is required"))
		return
	}
	writeJSON(w, http.StatusOK, s.CreateChat(c))
}

func (s *Server) httpTranscript(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeScenarioError(w, fmt.Errorf("tgfake: chat id: %w", ErrChatNotFound))
		return
	}
	msgs := s.Transcript(id)
	out := make([]TranscriptEntry, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, s.entry(m))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) httpSendText(w http.ResponseWriter, r *http.Request) {
	var req struct {
		actor
		Text    string `json:"text"`
		ReplyTo int    `json:"reply_to"`
	}
	if err := decodeBody(r, &req); err != nil {
		writeScenarioError(w, err)
		return
	}
	u, chat, err := s.resolve(req.actor)
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	m, err := s.ReplyText(u, chat, req.ReplyTo, req.Text)
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.entry(m))
}

// httpSendMedia takes multipart fields user (JSON), chat_id or chat (JSON),
// kind (photo|video|animation|document), caption and the file part "file".
func (s *Server) httpSendMedia(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(maxRequestBody); err != nil {
		writeScenarioError(w, fmt.Errorf("tgfake: multipart form: %w", err))
		return
	}
	var a actor
	if err := json.Unmarshal([]byte(r.FormValue("user")), &a.User); err != nil {
		writeScenarioError(w, fmt.Errorf("tgfake: user field: %w", err))
		return
	}
	if raw := r.FormValue("chat"); raw != "" {
		a.Chat = &Chat{}
		if err := json.Unmarshal([]byte(raw), a.Chat); err != nil {
			writeScenarioError(w, fmt.Errorf("tgfake: chat field: %w", err))
			return
		}
	}
	a.ChatID, _ = strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
	file, header, err := r.FormFile("file")
	if err != nil {
		writeScenarioError(w, fmt.Errorf("tgfake: file part: %w", err))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		writeScenarioError(w, fmt.Errorf("tgfake: read file part: %w", err))
		return
	}
	u, chat, err := s.resolve(a)
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	kind := r.FormValue("kind")
	if kind == "" {
		kind = "photo"
	}
	m, err := s.SendMedia(u, chat, kind, data, header.Filename, r.FormValue("caption"))
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.entry(m))
}

func (s *Server) httpPress(w http.ResponseWriter, r *http.Request) {
	var req struct {
		actor
		MessageID int    `json:"message_id"`
		Data      string `json:"data"`
		Label     string `json:"label"`
	}
	if err := decodeBody(r, &req); err != nil {
		writeScenarioError(w, err)
		return
	}
	u, chat, err := s.resolve(req.actor)
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	var id string
	if req.Label != "" {
		id, err = s.PressButtonLabeled(u, chat.ID, req.MessageID, req.Label)
	} else {
		id, err = s.PressButton(u, chat.ID, req.MessageID, req.Data)
	}
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"callback_query_id": id})
}

func (s *Server) httpCallbackAnswer(w http.ResponseWriter, r *http.Request) {
	a, ok := s.CallbackAnswer(r.PathValue("id"))
	writeJSON(w, http.StatusOK, map[string]any{"answered": ok, "answer": a})
}

func (s *Server) httpReact(w http.ResponseWriter, r *http.Request) {
	var req struct {
		actor
		MessageID int      `json:"message_id"`
		Emojis    []string `json:"emojis"`
	}
	if err := decodeBody(r, &req); err != nil {
		writeScenarioError(w, err)
		return
	}
	u, chat, err := s.resolve(req.actor)
	if err == nil {
		err = s.React(u, chat.ID, req.MessageID, req.Emojis...)
	}
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (s *Server) httpRawUpdate(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	id, err := s.SendRawUpdate(body)
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"update_id": id})
}

func (s *Server) httpBlock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID  int64 `json:"user_id"`
		Blocked bool  `json:"blocked"`
	}
	if err := decodeBody(r, &req); err != nil || req.UserID == 0 {
		writeScenarioError(w, errors.New("tgfake: user_id is required"))
		return
	}
	if req.Blocked {
		s.BlockBot(req.UserID)
	} else {
		s.UnblockBot(req.UserID)
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (s *Server) httpFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.files[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		writeScenarioError(w, fmt.Errorf("tgfake: file: %w", ErrFileNotFound))
		return
	}
	writeFileBytes(w, f)
}

func (s *Server) httpFault(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Method string `json:"method"`
		N      int    `json:"n"`
		Fault  Fault  `json:"fault"`
	}
	if err := decodeBody(r, &req); err != nil {
		writeScenarioError(w, err)
		return
	}
	s.Fail(req.Method, max(req.N, 1), req.Fault)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// sseHeartbeat keeps idle SSE connections open through proxies.
const sseHeartbeat = 15 * time.Second

// httpEvents streams the Event feed as server-sent events ("event: <type>").
func (s *Server) httpEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeScenarioError(w, errors.New("tgfake: streaming unsupported"))
		return
	}
	events, cancel := s.Subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": tgfake events\n\n")
	flusher.Flush()
	tick := time.NewTicker(sseHeartbeat)
	defer tick.Stop()
	for {
		select {
		case e, open := <-events:
			if !open {
				return
			}
			payload := struct {
				Event
				Message *TranscriptEntry `json:"message,omitempty"`
			}{Event: e}
			if e.Message != nil {
				te := s.entry(*e.Message)
				payload.Message = &te
			}
			data, _ := json.Marshal(payload)
			fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Type, data)
			flusher.Flush()
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
			flusher.Flush()
		case <-r.Context().Done():
			return
		}
	}
}
