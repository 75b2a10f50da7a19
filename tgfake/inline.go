package tgfake

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
)

// InlineQuery is the inline_query update: a user typing "@bot words" in a chat.
type InlineQuery struct {
	ID       string `json:"id"`
	From     User   `json:"from"`
	Query    string `json:"query"`
	Offset   string `json:"offset"`
	ChatType string `json:"chat_type,omitempty"`
}

// InlineResult is one result of answerInlineQuery as the fake understands it:
// the cached media kinds a meme bot answers with, and articles. Other fields
// are kept raw so they can be inspected.
type InlineResult struct {
	Type          string                `json:"type"`
	ID            string                `json:"id"`
	PhotoFileID   string                `json:"photo_file_id,omitempty"`
	GifFileID     string                `json:"gif_file_id,omitempty"`
	Mpeg4FileID   string                `json:"mpeg4_file_id,omitempty"`
	VideoFileID   string                `json:"video_file_id,omitempty"`
	DocFileID     string                `json:"document_file_id,omitempty"`
	Title         string                `json:"title,omitempty"`
	Caption       string                `json:"caption,omitempty"`
	ReplyMarkup   *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
	InputContent  json.RawMessage       `json:"input_message_content,omitempty"`
	PhotoURL      string                `json:"photo_url,omitempty"`
	ThumbnailURL  string                `json:"thumbnail_url,omitempty"`
	ParseMode     string                `json:"parse_mode,omitempty"`
	CaptionEntity []MessageEntity       `json:"caption_entities,omitempty"`
}

// InlineButton is the button shown above the results (answerInlineQuery's
// "button"): it opens the private chat with the bot and sends
// "/start <start_parameter>".
type InlineButton struct {
	Text           string          `json:"text"`
	StartParameter string          `json:"start_parameter,omitempty"`
	WebApp         json.RawMessage `json:"web_app,omitempty"`
}

// InlineAnswer is what the bot said in answerInlineQuery.
type InlineAnswer struct {
	QueryID    string         `json:"inline_query_id"`
	Results    []InlineResult `json:"results"`
	CacheTime  int            `json:"cache_time,omitempty"`
	IsPersonal bool           `json:"is_personal,omitempty"`
	NextOffset string         `json:"next_offset,omitempty"`
	Button     *InlineButton  `json:"button,omitempty"`
}

// ChosenInlineResult is the chosen_inline_result update.
type ChosenInlineResult struct {
	ResultID        string `json:"result_id"`
	From            User   `json:"from"`
	Query           string `json:"query"`
	InlineMessageID string `json:"inline_message_id,omitempty"`
}

type inlineState struct {
	query    InlineQuery
	answered bool
	answer   InlineAnswer
}

// startParam is what Telegram accepts in a deep link's start parameter.
var startParam = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// SendInlineQuery makes user u type "@bot query" in a chat of chatType
// ("sender" for the private chat with the bot, "private", "group",
// "supergroup", "channel") and returns the inline query id. offset is ""
// for the first page, else the next_offset the bot answered.
func (s *Server) SendInlineQuery(u User, query, offset, chatType string) (string, error) {
	if utf16Len(query) > 256 {
		return "", fmt.Errorf("tgfake: inline query longer than 256 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rememberUserLocked(u)
	s.seq.callback++
	q := InlineQuery{ID: strconv.FormatInt(s.bot.ID, 10) + "i" + strconv.Itoa(s.seq.callback),
		From: u, Query: query, Offset: offset, ChatType: chatType}
	if s.inline == nil {
		s.inline = map[string]*inlineState{}
	}
	s.inline[q.ID] = &inlineState{query: q}
	s.enqueueLocked("inline_query", q)
	s.notifyLocked()
	return q.ID, nil
}

// InlineAnswerFor returns the bot's answer to an inline query, if it answered.
func (s *Server) InlineAnswerFor(queryID string) (InlineAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.inline[queryID]
	if !ok || !st.answered {
		return InlineAnswer{}, false
	}
	return st.answer, true
}

// answerInlineQuery accepts one answer per query and checks the results the
// way Telegram does before any client sees them.
func (s *Server) answerInlineQuery(_ context.Context, p params) (any, *APIError) {
	var results []InlineResult
	if err := p.json("results", &results); err != nil {
		return nil, err
	}
	cacheTime, err := p.int("cache_time")
	if err != nil {
		return nil, err
	}
	a := InlineAnswer{QueryID: p.str("inline_query_id"), Results: results, CacheTime: cacheTime,
		IsPersonal: p.bool("is_personal"), NextOffset: p.str("next_offset")}
	if p.has("button") {
		a.Button = &InlineButton{}
		if err := p.json("button", a.Button); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.inline[a.QueryID]
	if !ok || st.answered {
		return nil, errQueryTooOld
	}
	if err := s.checkInlineAnswerLocked(a); err != nil {
		return nil, err
	}
	st.answered, st.answer = true, a
	s.notifyLocked()
	return true, nil
}

func (s *Server) checkInlineAnswerLocked(a InlineAnswer) *APIError {
	if len(a.Results) > 50 {
		return badRequest("RESULTS_TOO_MUCH")
	}
	if len(a.NextOffset) > 64 {
		return badRequest("NEXT_OFFSET_INVALID")
	}
	if b := a.Button; b != nil {
		if b.Text == "" {
			return badRequest("BUTTON_TEXT_INVALID")
		}
		if b.WebApp == nil && !startParam.MatchString(b.StartParameter) {
			return badRequest("START_PARAM_INVALID")
		}
	}
	seen := map[string]bool{}
	for _, r := range a.Results {
		if r.ID == "" || len(r.ID) > 64 {
			return badRequest("RESULT_ID_INVALID")
		}
		if seen[r.ID] {
			return badRequest("RESULT_ID_DUPLICATE")
		}
		seen[r.ID] = true
		if err := s.checkInlineResultLocked(r); err != nil {
			return err
		}
	}
	return nil
}

// inlineKinds maps a cached result type to the stored file kind it must name.
var inlineKinds = map[string]string{"photo": "photo", "gif": "animation", "mpeg4_gif": "animation",
	"video": "video", "document": "document"}

func (s *Server) checkInlineResultLocked(r InlineResult) *APIError {
	if r.Type == "article" {
		if r.Title == "" || r.InputContent == nil {
			return badRequest("RESULT_TYPE_INVALID")
		}
		return nil
	}
	kind, ok := inlineKinds[r.Type]
	if !ok {
		return badRequest("RESULT_TYPE_INVALID")
	}
	if (r.Type == "video" || r.Type == "document") && r.Title == "" {
		return badRequest("RESULT_TITLE_EMPTY")
	}
	id := r.fileID()
	if id == "" {
		if r.PhotoURL != "" {
			return badRequest("WEBDOCUMENT_URL_INVALID") // the fake fetches no URLs
		}
		return badRequest("RESULT_TYPE_INVALID")
	}
	f, ok := s.files[id]
	if !ok || (f.kind != kind && !(kind == "animation" && f.kind == "video")) {
		return badRequest("wrong file identifier/HTTP URL specified")
	}
	if utf16Len(r.Caption) > 1024 {
		return badRequest("MEDIA_CAPTION_TOO_LONG")
	}
	if r.ReplyMarkup != nil {
		return validateInlineKeyboard(*r.ReplyMarkup)
	}
	return nil
}

func (r InlineResult) fileID() string {
	for _, id := range []string{r.PhotoFileID, r.GifFileID, r.Mpeg4FileID, r.VideoFileID, r.DocFileID} {
		if id != "" {
			return id
		}
	}
	return ""
}

// ChooseInlineResult makes the user who sent an inline query pick one of the
// bot's results: the result is posted in chat as the user's message "via"
// the bot, and the bot gets a chosen_inline_result update (inline feedback
// is taken as enabled in BotFather). The posted message is returned.
func (s *Server) ChooseInlineResult(queryID, resultID string, chat Chat) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.inline[queryID]
	if !ok || !st.answered {
		return Message{}, fmt.Errorf("tgfake: inline query %s has no answer", queryID)
	}
	var chosen *InlineResult
	for i := range st.answer.Results {
		if st.answer.Results[i].ID == resultID {
			chosen = &st.answer.Results[i]
		}
	}
	if chosen == nil {
		return Message{}, fmt.Errorf("tgfake: inline query %s has no result %q: %w", queryID, resultID, ErrButtonNotFound)
	}
	u := st.query.From
	cs, err := s.userChatLocked(u, chat)
	if err != nil {
		return Message{}, err
	}
	m, err := s.inlineMessageLocked(*chosen)
	if err != nil {
		return Message{}, err
	}
	from, bot := u, s.bot
	m.From, m.ViaBot = &from, &bot
	s.appendMessageLocked(cs, m)
	chosenUpdate := ChosenInlineResult{ResultID: resultID, From: u, Query: st.query.Query}
	if chosen.ReplyMarkup != nil {
		chosenUpdate.InlineMessageID = fmt.Sprintf("im%d_%d", cs.chat.ID, m.MessageID)
	}
	s.enqueueLocked("chosen_inline_result", chosenUpdate)
	s.notifyLocked()
	return m.clone(), nil
}

// inlineMessageLocked builds the message a chosen result becomes.
func (s *Server) inlineMessageLocked(r InlineResult) (*Message, error) {
	m := &Message{Caption: r.Caption, CaptionEntities: r.CaptionEntity}
	if r.ReplyMarkup != nil {
		mk := cloneMarkup(*r.ReplyMarkup)
		m.ReplyMarkup = &mk
	}
	if r.Type == "article" {
		var content struct {
			Text string `json:"message_text"`
		}
		if err := json.Unmarshal(r.InputContent, &content); err != nil {
			return nil, fmt.Errorf("tgfake: article content: %w", err)
		}
		m.Caption, m.Text = "", content.Text
		return m, nil
	}
	f := s.files[r.fileID()]
	kind := inlineKinds[r.Type]
	if kind == "animation" && f.kind == "video" {
		kind = "video"
	}
	attachMedia(m, kind, f, mediaMeta{})
	return m, nil
}

// PressInlineButton presses the button above an inline query's results: the
// private chat with the bot opens with "/start <start_parameter>", as a
// deep link does. Returns the message the user sent.
func (s *Server) PressInlineButton(queryID string) (Message, error) {
	s.mu.Lock()
	st, ok := s.inline[queryID]
	if !ok || !st.answered || st.answer.Button == nil || st.answer.Button.StartParameter == "" {
		s.mu.Unlock()
		return Message{}, fmt.Errorf("tgfake: inline query %s shows no start button: %w", queryID, ErrButtonNotFound)
	}
	u, param := st.query.From, st.answer.Button.StartParameter
	s.mu.Unlock()
	return s.SendText(u, u.PrivateChat(), "/start "+param)
}

// SwitchInlineQuery presses a switch_inline_query button (label prefix) on a
// message: the client asks where to share, and the query text the bot put on
// the button is returned for SendInlineQuery.
func (s *Server) SwitchInlineQuery(chatID int64, messageID int, label string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.messageLocked(chatID, messageID)
	if err != nil {
		return "", fmt.Errorf("tgfake: switch inline: %w", err)
	}
	for _, b := range m.Buttons() {
		if len(b.Text) >= len(label) && b.Text[:len(label)] == label {
			switch {
			case b.SwitchInlineQuery != nil:
				return *b.SwitchInlineQuery, nil
			case b.SwitchInlineQueryCurrentChat != nil:
				return *b.SwitchInlineQueryCurrentChat, nil
			}
		}
	}
	return "", fmt.Errorf("tgfake: no switch-inline button %q on message %d: %w", label, messageID, ErrButtonNotFound)
}
