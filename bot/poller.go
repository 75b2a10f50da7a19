package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"strconv"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/metrics"
	"memebot/telegram"
)

// allowedUpdates are the update types the bot asks Telegram for.
var allowedUpdates = []string{"message", "edited_message", "callback_query", "message_reaction", "my_chat_member"}

// fresh reports whether update id is new to this run and notes it as the
// highest seen, so an update is never handed to the handlers twice (replayed
// from the inbox, then redelivered by Telegram). Only the poller calls it.
func (b *Bot) fresh(id int) bool {
	if id <= b.maxSeen {
		return false
	}
	b.maxSeen = id
	return true
}

// offset is the getUpdates offset: the update after the last one fetched
// (fetched updates are safe in the inbox before it confirms them), or 0 for
// whatever Telegram still holds.
func (b *Bot) offset() int {
	if b.maxSeen == 0 {
		return 0
	}
	return b.maxSeen + 1
}

// poll long-polls getUpdates until ctx ends, handing every new update to
// dispatch. Each batch is put in the inbox before the next getUpdates
// confirms it to Telegram, so an update is never only in memory: a crash
// loses nothing (the next start replays the inbox) and a slow handler never
// holds back the updates after it. It asks only for as many updates as room
// allows (waiting for room first). Errors back off exponentially instead of
// spinning.
func (b *Bot) poll(ctx context.Context, dispatch func(tele.Update), room func(context.Context) int) {
	b.replayInbox(ctx, dispatch)
	allowed, _ := json.Marshal(allowedUpdates)
	backoff := time.Second
	for ctx.Err() == nil {
		raw, err := b.getUpdates(ctx, string(allowed), room(ctx))
		updates, kept, last := b.decodeUpdates(raw)
		if err == nil {
			err = b.inbox.put(ctx, updates, kept)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait := backoff
			if after, ok := telegram.RetryAfter(err); ok {
				wait = after
			}
			b.log.Warn("getUpdates failed", slog.Any("error", err), slog.Duration("retry_in", wait))
			sleep(ctx, wait)
			backoff = min(backoff*2, 5*time.Second) // Redis or Telegram back: going again within seconds
			continue
		}
		backoff = time.Second
		for _, u := range updates {
			if b.fresh(u.ID) {
				dispatch(u)
			}
		}
		b.fresh(last) // a malformed last update is confirmed too
	}
}

// replayInbox dispatches the updates a previous run fetched but did not
// finish (it crashed or was cut off at shutdown). The first getUpdates then
// asks for what follows them, which confirms them to Telegram: updates the
// previous run fetched before them were confirmed by its own polls.
func (b *Bot) replayInbox(ctx context.Context, dispatch func(tele.Update)) {
	raw, err := b.inbox.pending(ctx)
	if err != nil {
		b.log.Error("inbox not read: unfinished updates of the last run are not replayed", slog.Any("error", err))
		return
	}
	if len(raw) == 0 {
		return
	}
	updates, _, _ := b.decodeUpdates(raw)
	sort.Slice(updates, func(i, j int) bool { return updates[i].ID < updates[j].ID })
	b.log.Info("replaying updates the last run did not finish", slog.Int("updates", len(updates)))
	for _, u := range updates {
		if b.fresh(u.ID) {
			dispatch(u)
		}
	}
}

func (b *Bot) getUpdates(ctx context.Context, allowed string, limit int) ([]json.RawMessage, error) {
	params := map[string]string{
		"offset":          strconv.Itoa(b.offset()),
		"timeout":         strconv.Itoa(int(b.cfg.PollTimeout / time.Second)),
		"allowed_updates": allowed,
		"limit":           strconv.Itoa(limit),
	}
	var raw []json.RawMessage
	if err := b.tg.Call(ctx, "getUpdates", params, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// decodeUpdates decodes each update on its own: one malformed update is
// logged and skipped, never allowed to block the ones after it. It returns
// the good updates, their raw JSON, and the highest update id of all.
func (b *Bot) decodeUpdates(raw []json.RawMessage) (updates []tele.Update, kept []json.RawMessage, last int) {
	updates, kept = make([]tele.Update, 0, len(raw)), make([]json.RawMessage, 0, len(raw))
	for _, r := range raw {
		var u tele.Update
		if err := json.Unmarshal(r, &u); err != nil {
			var id struct {
				ID int `json:"update_id"`
			}
			_ = json.Unmarshal(r, &id)
			b.log.Warn("malformed update skipped", slog.Int("update_id", id.ID), slog.Any("error", err))
			metrics.Updates.WithLabelValues("malformed").Inc()
			last = max(last, id.ID)
			continue
		}
		updates, kept, last = append(updates, u), append(kept, r), max(last, u.ID)
	}
	return updates, kept, last
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
