package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// limitedMethods put a message in a chat or change one, and so count against
// Telegram's flood limits (keys in lower case: Telegram ignores case).
// Edits count: Telegram limits them per chat like sends. Not counted, and
// never waiting: reads (getUpdates, getFile, downloads, getChat...),
// answerCallbackQuery (not a message, and the user is watching a spinner),
// sendChatAction, setMessageReaction, deleteMessage (removes rather than adds,
// and is rare here) and setup calls (setMyCommands, webhooks, getMe).
var limitedMethods = setOf(
	"sendMessage", "sendPhoto", "sendVideo", "sendAnimation", "sendDocument", "sendAudio", "sendVoice",
	"sendVideoNote", "sendSticker", "sendLocation", "sendVenue", "sendContact", "sendPoll", "sendDice",
	"sendMediaGroup", "sendPaidMedia", "sendInvoice", "sendGame",
	"copyMessage", "copyMessages", "forwardMessage", "forwardMessages",
	"editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup",
	"editMessageLiveLocation", "stopMessageLiveLocation", "stopPoll",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	return m
}

// limitTransport makes limited Bot API calls wait for the rate limit at the
// priority of the client it belongs to (or the one WithPriority put in the
// request's context). It sits above the retry transport, so a request keeps
// its chat's turn through its retries and a retry never overtakes the
// message issued after it.
type limitTransport struct {
	limiter   *limiter
	priority  Priority
	maxBuffer int64
	next      http.RoundTripper
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := apiMethod(req.URL.Path)
	if !limitedMethods[strings.ToLower(method)] {
		return t.next.RoundTrip(req)
	}
	tgt, sent, err := requestTarget(req, method, t.maxBuffer)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("telegram: %s: read request: %w", method, err)
	}
	release, err := t.limiter.wait(req.Context(), tgt, priorityFrom(req.Context(), t.priority))
	if err != nil {
		if sent.Body != nil {
			sent.Body.Close()
		}
		return nil, fmt.Errorf("telegram: %s: waiting for the rate limit: %w", method, err)
	}
	defer release()
	return t.next.RoundTrip(sent.WithContext(context.WithValue(sent.Context(), targetKey{}, tgt)))
}

type targetKey struct{}

// floodHold is the retry transport's onFlood: a 429 to a limited request
// holds its chat (or everything, for a request without a chat) for
// retry_after, in every process.
func (l *limiter) floodHold(req *http.Request, retryAfter time.Duration) {
	t, ok := req.Context().Value(targetKey{}).(target)
	if !ok {
		return // not a limited method
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(req.Context()), 2*time.Second)
	defer cancel()
	l.hold(ctx, t, retryAfter)
}

// requestTarget reads the chat a request writes to, and returns the request
// to send in its place: req itself when its body can be read again (JSON and
// urlencoded bodies come with GetBody), otherwise a copy whose body was read
// into memory. Streamed multipart uploads are read up to maxBuffer, because
// telebot writes chat_id after the file; a larger one goes on streaming and
// is limited by the global rate only. A copy read whole can be sent again
// (GetBody), so the retry transport below can retry it.
func requestTarget(req *http.Request, method string, maxBuffer int64) (target, *http.Request, error) {
	params := req.URL.Query()
	sent := req
	if req.Body != nil && req.Body != http.NoBody {
		body, replacement, complete, err := peekBody(req, maxBuffer)
		if err != nil {
			return target{}, nil, err
		}
		sent = replacement
		if complete {
			bodyParams(params, req.Header.Get("Content-Type"), body)
		}
	}
	t := target{cost: 1}
	t.chat, t.group = chatOf(params.Get("chat_id"))
	switch strings.ToLower(method) {
	case "sendmediagroup":
		t.cost = arrayLen(params.Get("media"))
	case "copymessages", "forwardmessages":
		t.cost = arrayLen(params.Get("message_ids"))
	}
	return t, sent, nil
}

// peekBody returns up to maxBuffer bytes of the body, whether that was all
// of it, and the request to send instead of req.
func peekBody(req *http.Request, maxBuffer int64) (body []byte, sent *http.Request, complete bool, err error) {
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, nil, false, err
		}
		defer rc.Close()
		body, err = io.ReadAll(io.LimitReader(rc, maxBuffer+1))
		return body, req, int64(len(body)) <= maxBuffer, err
	}
	body, err = io.ReadAll(io.LimitReader(req.Body, maxBuffer+1))
	if err != nil {
		req.Body.Close()
		return nil, nil, false, err
	}
	sent = req.Clone(req.Context())
	if int64(len(body)) > maxBuffer {
		sent.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), req.Body), req.Body}
		return body, sent, false, nil
	}
	req.Body.Close()
	sent.Body, sent.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	sent.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if len(body) == 0 {
		sent.Body = http.NoBody
	}
	return body, sent, true, nil
}

// targetParams are the parameters the limiter needs from a request.
var targetParams = map[string]bool{"chat_id": true, "media": true, "message_ids": true}

// bodyParams adds the target parameters found in a JSON, urlencoded or
// multipart body to params. An unreadable body adds nothing: the request
// is then limited as one without a chat, and Telegram will refuse it anyway.
func bodyParams(params url.Values, contentType string, body []byte) {
	mediaType, ps, _ := mime.ParseMediaType(contentType)
	switch mediaType {
	case "application/json":
		var fields struct { // only these: the rest is skipped, not kept
			ChatID     json.RawMessage `json:"chat_id"`
			Media      json.RawMessage `json:"media"`
			MessageIDs json.RawMessage `json:"message_ids"`
		}
		_ = json.Unmarshal(body, &fields)
		setJSON(params, "chat_id", fields.ChatID)
		setJSON(params, "media", fields.Media)
		setJSON(params, "message_ids", fields.MessageIDs)
	case "application/x-www-form-urlencoded":
		form, _ := url.ParseQuery(string(body))
		for name := range targetParams {
			if v := form.Get(name); v != "" {
				params.Set(name, v)
			}
		}
	case "multipart/form-data":
		multipartParams(params, body, ps["boundary"])
	}
}

func multipartParams(params url.Values, body []byte, boundary string) {
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := r.NextPart()
		if err != nil { // io.EOF, or a malformed body that Telegram will refuse
			return
		}
		if name := part.FormName(); targetParams[name] {
			v, _ := io.ReadAll(io.LimitReader(part, 1<<20))
			params.Set(name, string(v))
		}
		part.Close()
	}
}

// setJSON sets params[name] to the JSON value raw, when there is one.
func setJSON(params url.Values, name string, raw json.RawMessage) {
	if raw != nil {
		params.Set(name, jsonScalar(raw))
	}
}

// jsonScalar is a JSON string's text, or any other JSON value as written
// (chat_id may be a number or a string; media an array or a string of one).
func jsonScalar(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// chatOf normalises a chat_id ("" when absent) and says whether the group
// limit applies: negative ids are groups, supergroups and channels, and
// @username always names a public group or channel.
func chatOf(raw string) (chat string, group bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", false
	}
	if strings.HasPrefix(raw, "@") {
		return strings.ToLower(raw), true
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return raw, true // not a valid id: Telegram will refuse it; limit it strictly
	}
	return strconv.FormatInt(id, 10), id < 0
}

// arrayLen is the length of a JSON array, at least 1.
func arrayLen(raw string) int {
	var items []json.RawMessage
	if json.Unmarshal([]byte(raw), &items) != nil || len(items) == 0 {
		return 1
	}
	return len(items)
}
