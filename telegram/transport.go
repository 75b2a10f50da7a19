package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"memebot/metrics"
)

// retryTransport sits under every Bot API call and is its only retry layer.
// It counts calls by method and outcome, and retries a call Telegram refused
// with 429 (after retry_after) or failed with a 5xx / network error (with
// exponential backoff); any other refusal (400 and the like) is returned at
// once, since sending it again would be refused again. An upload streamed
// through a pipe (telebot's multipart) is read into memory first, up to
// maxBuffer, so that it can be sent again like any other request.
type retryTransport struct {
	next        http.RoundTripper
	log         *slog.Logger
	maxAttempts int
	maxWait     time.Duration // the longest single wait; a longer retry_after is returned to the caller
	baseBackoff time.Duration
	maxBuffer   int64 // the largest streamed body kept for a retry; a larger one is sent once
	// onFlood, when set, hears of every 429 and its retry_after (the rate
	// limiter holds the chat for that long), retried or not.
	onFlood func(req *http.Request, retryAfter time.Duration)
}

// apiReply is the envelope of every Bot API answer.
type apiReply struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := apiMethod(req.URL.Path)
	req, err := replayable(req, t.maxBuffer)
	if err != nil {
		return nil, fmt.Errorf("telegram: %s: read request: %w", method, err)
	}
	for attempt := 1; ; attempt++ {
		resp, err := t.next.RoundTrip(req)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests && t.onFlood != nil {
			t.onFlood(req, time.Duration(retryAfter(resp))*time.Second)
		}
		wait, reason := t.retryDecision(resp, err, attempt)
		if req.Context().Err() != nil { // the caller gave up (a shutdown): no retry, nothing to warn about
			reason = ""
		}
		if reason == "" || req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
			countCall(method, resp, err)
			return resp, err
		}
		if resp != nil {
			resp.Body.Close()
		}
		metrics.APIRetries.WithLabelValues(method, reason).Inc()
		t.log.Warn("telegram call retried", slog.String("method", method), slog.String("reason", reason),
			slog.Duration("wait", wait), slog.Int("attempt", attempt))
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(wait):
		}
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("telegram: replay %s body: %w", method, err)
			}
			req.Body = body
		}
	}
}

// replayable returns req, or when its body cannot be read again (a stream)
// and is at most maxBuffer bytes, a copy whose body is kept in memory and can.
func replayable(req *http.Request, maxBuffer int64) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return req, nil
	}
	_, sent, _, err := peekBody(req, maxBuffer) // read whole, it comes with GetBody
	return sent, err
}

// retryDecision says whether and how long to wait before another attempt.
func (t *retryTransport) retryDecision(resp *http.Response, err error, attempt int) (time.Duration, string) {
	if attempt >= t.maxAttempts {
		return 0, ""
	}
	backoff := t.baseBackoff << (attempt - 1)
	switch {
	case err != nil:
		return backoff, "network"
	case resp.StatusCode == http.StatusTooManyRequests:
		wait := time.Duration(retryAfter(resp)) * time.Second
		if wait > t.maxWait {
			return 0, "" // let the caller see the FloodError and schedule it
		}
		return max(wait, t.baseBackoff), "429"
	case resp.StatusCode >= 500:
		return backoff, strconv.Itoa(resp.StatusCode)
	}
	return 0, ""
}

// retryAfter reads parameters.retry_after from a 429 body, leaving the body readable.
func retryAfter(resp *http.Response) int {
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if err != nil {
		return 1
	}
	var r apiReply
	if json.Unmarshal(data, &r) != nil || r.Parameters.RetryAfter <= 0 {
		if v, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			return v
		}
		return 1
	}
	return r.Parameters.RetryAfter
}

func countCall(method string, resp *http.Response, err error) {
	outcome := "ok"
	switch {
	case err != nil:
		outcome = "network"
	case resp.StatusCode != http.StatusOK:
		outcome = strconv.Itoa(resp.StatusCode)
	}
	metrics.APICalls.WithLabelValues(method, outcome).Inc()
}

// apiMethod extracts "sendMessage" from "/bot<token>/sendMessage" without ever
// returning the token; file downloads count as "file".
func apiMethod(path string) string {
	if strings.HasPrefix(path, "/file/") {
		return "file"
	}
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return "unknown"
}
