package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	tele "gopkg.in/telebot.v3"

	"memebot/metrics"
)

// secretHeader carries the secret Telegram was given in setWebhook.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookHandler serves updates Telegram posts to the webhook. A request
// without the right secret gets 401 (compared in constant time). An update is
// handled before the answer, so Telegram redelivers it if this process dies
// mid-way; at most `workers` are handled at once, the rest wait in line.
func (b *Bot) WebhookHandler(secret string) http.Handler {
	slots := make(chan struct{}, b.cfg.Workers)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(secretHeader)
		if subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var u tele.Update
		if err := json.Unmarshal(body, &u); err != nil {
			// Telegram would retry a non-2xx answer forever; a malformed update is dropped.
			b.log.Warn("malformed webhook update skipped", slog.Any("error", err))
			metrics.Updates.WithLabelValues("malformed").Inc()
			w.WriteHeader(http.StatusOK)
			return
		}
		select {
		case slots <- struct{}{}:
		case <-r.Context().Done():
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		defer func() { <-slots }()
		if !b.handle(r.Context(), r.Context(), u) { // held through an outage until Telegram gave up: it sends it again
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// RegisterWebhook tells Telegram to post updates to url with the secret.
func (b *Bot) RegisterWebhook(ctx context.Context, url, secret string) error {
	params := map[string]any{
		"url": url, "secret_token": secret, "allowed_updates": allowedUpdates,
		"max_connections": b.cfg.Workers, "drop_pending_updates": false,
	}
	if err := b.tg.Call(ctx, "setWebhook", params, nil); err != nil {
		return fmt.Errorf("bot: setWebhook: %w", b.tg.Redact(err))
	}
	b.log.Info("webhook registered", slog.String("username", b.tb.Me.Username))
	return nil
}
