package tgfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxRequestBody bounds one Bot API request (Telegram accepts 50 MB uploads).
const maxRequestBody = 50 << 20

// APIError is an error the fake answers with, in Telegram's shape.
type APIError struct {
	Code        int    `json:"error_code"`
	Description string `json:"description"`
	RetryAfter  int    `json:"-"`
}

func (e *APIError) Error() string { return fmt.Sprintf("tgfake: %d %s", e.Code, e.Description) }

func badRequest(format string, args ...any) *APIError {
	return &APIError{Code: http.StatusBadRequest, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(desc string) *APIError {
	return &APIError{Code: http.StatusForbidden, Description: "Forbidden: " + desc}
}

var (
	errUnauthorized  = &APIError{Code: http.StatusUnauthorized, Description: "Unauthorized"}
	errNotFound      = &APIError{Code: http.StatusNotFound, Description: "Not Found"}
	errChatNotFound  = badRequest("chat not found")
	errNotModified   = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	errEditNotFound  = badRequest("message to edit not found")
	errQueryTooOld   = badRequest("query is too old and response timeout expired or query ID is invalid")
	errBlocked       = forbidden("bot was blocked by the user")
	errWebhookActive = &APIError{Code: http.StatusConflict, Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	errOtherPoll     = &APIError{Code: http.StatusConflict, Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
)

// upload is a file part of a multipart request.
type upload struct {
	Name string
	MIME string
	Data []byte
}

// params are the arguments of one Bot API call, normalised to strings: a JSON
// body's non-string values keep their JSON text, so "123", 123 and "true"/true
// read alike, and reply_markup may be an object or a JSON string.
type params struct {
	values map[string]string
	files  map[string]upload
}

func (p params) has(k string) bool   { _, ok := p.values[k]; return ok }
func (p params) str(k string) string { return p.values[k] }

func (p params) int64(k string) (int64, *APIError) {
	v, ok := p.values[k]
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, badRequest("invalid %s specified", k)
	}
	return n, nil
}

func (p params) int(k string) (int, *APIError) {
	n, err := p.int64(k)
	return int(n), err
}

func (p params) bool(k string) bool {
	b, _ := strconv.ParseBool(p.values[k])
	return b
}

// json decodes a JSON-serialised parameter; missing or empty leaves v alone.
func (p params) json(k string, v any) *APIError {
	s := strings.TrimSpace(p.values[k])
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return badRequest("can't parse %s JSON object", k)
	}
	return nil
}

// recorded renders params for the call log; file parts become a short note.
func (p params) recorded() map[string]string {
	out := make(map[string]string, len(p.values)+len(p.files))
	for k, v := range p.values {
		out[k] = v
	}
	for k, f := range p.files {
		out[k] = fmt.Sprintf("<file %q %s, %d bytes>", f.Name, f.MIME, len(f.Data))
	}
	return out
}

// parseParams reads query parameters and a body of any encoding Telegram accepts.
func parseParams(r *http.Request) (params, *APIError) {
	p := params{values: map[string]string{}, files: map[string]upload{}}
	for k, vs := range r.URL.Query() {
		p.values[k] = vs[0]
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return p, nil
	}
	body := http.MaxBytesReader(nil, r.Body, maxRequestBody)
	ctype, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ctype {
	case "application/json":
		return p, parseJSONBody(body, p)
	case "multipart/form-data":
		return p, parseMultipart(multipart.NewReader(body, ctParams["boundary"]), p)
	default:
		data, err := io.ReadAll(body)
		if err != nil {
			return p, badRequest("can't read request body")
		}
		form, err := url.ParseQuery(string(data))
		if err != nil {
			return p, badRequest("can't parse request body")
		}
		for k, vs := range form {
			p.values[k] = vs[0]
		}
		return p, nil
	}
}

func parseJSONBody(body io.Reader, p params) *APIError {
	data, err := io.ReadAll(body)
	if err != nil {
		return badRequest("can't read request body")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return badRequest("can't parse JSON encoded request body")
	}
	for k, raw := range obj {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			p.values[k] = s
			continue
		}
		if string(raw) == "null" {
			continue
		}
		p.values[k] = string(raw)
	}
	return nil
}

// parseMultipart treats a part as a file when it declares a filename or a
// Content-Type (telebot sends file parts with filename="" at times).
func parseMultipart(mr *multipart.Reader, p params) *APIError {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return badRequest("can't parse multipart request body")
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return badRequest("can't read multipart request body")
		}
		name := part.FormName()
		_, dispParams, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		_, hasFilename := dispParams["filename"]
		if hasFilename || part.Header.Get("Content-Type") != "" {
			p.files[name] = upload{Name: part.FileName(), MIME: part.Header.Get("Content-Type"), Data: data}
			continue
		}
		p.values[name] = string(data)
	}
}

type okResponse struct {
	OK     bool `json:"ok"`
	Result any  `json:"result"`
}

type errResponse struct {
	OK          bool            `json:"ok"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeAPIError(w http.ResponseWriter, e *APIError) {
	resp := errResponse{ErrorCode: e.Code, Description: e.Description}
	if e.RetryAfter > 0 {
		resp.Parameters = &responseParams{RetryAfter: e.RetryAfter}
	}
	writeJSON(w, e.Code, resp)
}
