package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	tele "gopkg.in/telebot.v3"
)

// Call makes one JSON Bot API call bound to ctx (telebot's own calls cannot
// be cancelled) and decodes its result into out. It waits for the rate limit
// at the priority of answers unless ctx says otherwise (WithPriority).
// Telegram's refusals come back as *APIError.
func (c *Client) Call(ctx context.Context, method string, params any, out any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("telegram: encode %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/bot"+c.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, c.Redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http[PriorityInteractive].Do(req)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, c.Redact(err))
	}
	defer resp.Body.Close()
	if out == nil && resp.StatusCode == http.StatusOK {
		// Telegram answers 200 exactly when "ok" is true: a result nobody
		// reads is not decoded (a sent message comes back whole, with the
		// message it replies to).
		_, err := io.Copy(io.Discard, resp.Body)
		return err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("telegram: %s: read: %w", method, err)
	}
	var reply struct {
		apiReply
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(data, &reply); err != nil {
		return fmt.Errorf("telegram: %s: decode (HTTP %d): %w", method, resp.StatusCode, err)
	}
	if !reply.OK {
		return apiError(reply.apiReply)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(reply.Result, out); err != nil {
		return fmt.Errorf("telegram: %s: decode result: %w", method, err)
	}
	return nil
}

// SendText sends text to a chat, as a reply to message replyTo when it is
// not 0 (sent anyway if that message is gone), at the priority of answers
// unless ctx says otherwise (WithPriority). Unlike telebot's Send it does not
// read the sent message back: a text nothing refers to later is sent without
// decoding Telegram's copy of it.
func (c *Client) SendText(ctx context.Context, chatID int64, text string, replyTo int64) error {
	type replyParameters struct {
		MessageID                int64 `json:"message_id"`
		AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
	}
	params := struct {
		ChatID  int64            `json:"chat_id"`
		Text    string           `json:"text"`
		ReplyTo *replyParameters `json:"reply_parameters,omitempty"`
	}{ChatID: chatID, Text: text}
	if replyTo != 0 {
		params.ReplyTo = &replyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
	}
	return c.Call(ctx, "sendMessage", params, nil)
}

// APIError is an error reply to a call made with Client.Call.
type APIError struct {
	Code        int
	Description string
	RetryAfter  int
}

func (e *APIError) Error() string { return fmt.Sprintf("telegram: %s (%d)", e.Description, e.Code) }

func apiError(r apiReply) error {
	return &APIError{Code: r.ErrorCode, Description: r.Description, RetryAfter: r.Parameters.RetryAfter}
}

// RetryAfter reports how long Telegram asked us to wait, for a 429 from
// either telebot or Client.Call.
func RetryAfter(err error) (time.Duration, bool) {
	var flood tele.FloodError
	if errors.As(err, &flood) {
		return time.Duration(flood.RetryAfter) * time.Second, true
	}
	var floodPtr *tele.FloodError
	if errors.As(err, &floodPtr) {
		return time.Duration(floodPtr.RetryAfter) * time.Second, true
	}
	var api *APIError
	if errors.As(err, &api) && api.Code == http.StatusTooManyRequests {
		return time.Duration(api.RetryAfter) * time.Second, true
	}
	return 0, false
}

// IsBlocked reports whether Telegram refused because the user blocked the bot
// or deactivated their account.
func IsBlocked(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, tele.ErrBlockedByUser) || errors.Is(err, tele.ErrUserIsDeactivated) {
		return true
	}
	msg := err.Error() // Client.Call's errors and wrapped ones
	return strings.Contains(msg, "bot was blocked by the user") || strings.Contains(msg, "user is deactivated")
}

// Redact removes the bot token from an error's text (URLs in net/http errors
// include it) so that it never reaches a log.
func (c *Client) Redact(err error) error {
	if err == nil || c.token == "" || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), c.token, "<token>"))
}
