package tgfake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"
)

type webhookState struct {
	url            string
	secret         string
	maxConnections int
	ipAddress      string
	gen            int // bumped on every set/delete so an old worker stops
	lastErrorDate  int64
	lastErrorMsg   string
}

// WebhookInfo is the answer of getWebhookInfo.
type WebhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	IPAddress            string   `json:"ip_address,omitempty"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
}

func (s *Server) setWebhook(_ context.Context, p params) (any, *APIError) {
	raw := p.str("url")
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
		}
	}
	var allowed []string
	if err := p.json("allowed_updates", &allowed); err != nil {
		return nil, err
	}
	maxConn, err := p.int("max_connections")
	if err != nil {
		return nil, err
	}
	if maxConn == 0 {
		maxConn = 40
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.has("allowed_updates") {
		s.updates.allowed = allowedSet(allowed)
	}
	if p.bool("drop_pending_updates") {
		s.updates.pending = nil
	}
	s.hook = webhookState{url: raw, secret: p.str("secret_token"), maxConnections: maxConn,
		ipAddress: p.str("ip_address"), gen: s.hook.gen + 1}
	if s.updates.poll != nil {
		close(s.updates.poll)
		s.updates.poll = nil
	}
	select {
	case <-s.closed:
	default:
		if raw != "" {
			s.startWebhookLocked()
		}
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) deleteWebhook(_ context.Context, p params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.bool("drop_pending_updates") {
		s.updates.pending = nil
	}
	s.hook = webhookState{gen: s.hook.gen + 1}
	s.notifyLocked()
	return true, nil
}

func (s *Server) getWebhookInfo(context.Context, params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := WebhookInfo{URL: s.hook.url, PendingUpdateCount: len(s.updates.pending)}
	if s.hook.url != "" {
		info.MaxConnections = s.hook.maxConnections
		info.IPAddress = s.hook.ipAddress
		info.LastErrorDate = s.hook.lastErrorDate
		info.LastErrorMessage = s.hook.lastErrorMsg
		info.AllowedUpdates = s.updates.allowedList()
		slices.Sort(info.AllowedUpdates)
	}
	return info, nil
}

// startWebhookLocked starts a worker delivering pending updates one at a time,
// in order, until the webhook changes or the server closes. Call with s.mu held.
func (s *Server) startWebhookLocked() {
	gen, target, secret := s.hook.gen, s.hook.url, s.hook.secret
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-s.closed:
				cancel()
			case <-ctx.Done():
			}
		}()
		client := &http.Client{Timeout: 10 * time.Second}
		for {
			u, ok := s.nextForWebhook(ctx, gen)
			if !ok {
				return
			}
			err := postUpdate(ctx, client, target, secret, u.raw)
			if !s.finishWebhookDelivery(gen, u.id, err) {
				select {
				case <-time.After(s.opts.WebhookRetry):
				case <-ctx.Done():
					return
				}
			}
		}
	}()
}

// nextForWebhook waits for the first pending update while webhook gen is current.
func (s *Server) nextForWebhook(ctx context.Context, gen int) (pendingUpdate, bool) {
	for {
		s.mu.Lock()
		if s.hook.gen != gen {
			s.mu.Unlock()
			return pendingUpdate{}, false
		}
		if len(s.updates.pending) > 0 {
			u := s.updates.pending[0]
			s.mu.Unlock()
			return u, true
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return pendingUpdate{}, false
		}
	}
}

// finishWebhookDelivery confirms a delivered update or records the failure.
func (s *Server) finishWebhookDelivery(gen, id int, err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook.gen != gen {
		return true
	}
	if err != nil {
		s.hook.lastErrorDate = s.now().Unix()
		s.hook.lastErrorMsg = err.Error()
		return false
	}
	if len(s.updates.pending) > 0 && s.updates.pending[0].id == id {
		s.updates.pending = s.updates.pending[1:]
	}
	return true
}

func postUpdate(ctx context.Context, client *http.Client, target, secret string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("Invalid webhook URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("Connection refused")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("Wrong response from the webhook: %s", resp.Status)
	}
	return nil
}
