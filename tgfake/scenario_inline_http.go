package tgfake

import (
	"errors"
	"net/http"
	"strconv"
)

// inlineRoutes adds inline mode and forwarding to the scenario API.
func (s *Server) inlineRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /_fake/inline_queries", s.httpInlineQuery)
	mux.HandleFunc("GET /_fake/inline_queries/{id}", s.httpInlineAnswer)
	mux.HandleFunc("POST /_fake/inline_queries/{id}/choose", s.httpChooseInline)
	mux.HandleFunc("POST /_fake/inline_queries/{id}/start", s.httpInlineStart)
	mux.HandleFunc("POST /_fake/forward", s.httpForward)
	mux.HandleFunc("POST /_fake/chats/{id}/bot_member", s.httpBotMember)
}

func (s *Server) httpInlineQuery(w http.ResponseWriter, r *http.Request) {
	var req struct {
		actor
		Query    string `json:"query"`
		Offset   string `json:"offset"`
		ChatType string `json:"chat_type"`
	}
	if err := decodeBody(r, &req); err != nil {
		writeScenarioError(w, err)
		return
	}
	u, _, err := s.resolve(req.actor)
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	if req.ChatType == "" {
		req.ChatType = "sender"
	}
	id, err := s.SendInlineQuery(u, req.Query, req.Offset, req.ChatType)
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"inline_query_id": id})
}

// httpInlineAnswer is {"answered":bool,"answer":InlineAnswer}.
func (s *Server) httpInlineAnswer(w http.ResponseWriter, r *http.Request) {
	a, ok := s.InlineAnswerFor(r.PathValue("id"))
	writeJSON(w, http.StatusOK, map[string]any{"answered": ok, "answer": a})
}

func (s *Server) httpChooseInline(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ResultID string `json:"result_id"`
		ChatID   int64  `json:"chat_id"`
		Chat     *Chat  `json:"chat"`
	}
	if err := decodeBody(r, &req); err != nil {
		writeScenarioError(w, err)
		return
	}
	chat, err := s.inlineTarget(r.PathValue("id"), req.ChatID, req.Chat)
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	m, err := s.ChooseInlineResult(r.PathValue("id"), req.ResultID, chat)
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.entry(m))
}

// inlineTarget is the chat a chosen result goes to: the given chat, a known
// chat id, or the private chat of the user who asked.
func (s *Server) inlineTarget(queryID string, chatID int64, chat *Chat) (Chat, error) {
	if chat != nil {
		return *chat, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if chatID != 0 {
		if cs, ok := s.chats[chatID]; ok {
			return cs.chat, nil
		}
		return Chat{}, ErrChatNotFound
	}
	st, ok := s.inline[queryID]
	if !ok {
		return Chat{}, errors.New("tgfake: unknown inline query")
	}
	return st.query.From.PrivateChat(), nil
}

func (s *Server) httpInlineStart(w http.ResponseWriter, r *http.Request) {
	m, err := s.PressInlineButton(r.PathValue("id"))
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.entry(m))
}

func (s *Server) httpForward(w http.ResponseWriter, r *http.Request) {
	var req struct {
		actor
		FromChatID int64 `json:"from_chat_id"`
		MessageID  int   `json:"message_id"`
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
	m, err := s.ForwardMessage(u, req.FromChatID, req.MessageID, chat)
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.entry(m))
}

func (s *Server) httpBotMember(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Member bool `json:"member"`
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		err = decodeBody(r, &req)
	}
	if err == nil {
		err = s.SetBotMember(id, req.Member)
	}
	if err != nil {
		writeScenarioError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"member": req.Member})
}
