package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/metrics"
)

// allowedUpdates are the update types the bot asks Telegram for.
var allowedUpdates = []string{"message", "edited_message", "callback_query", "message_reaction", "my_chat_member"}

// offsetTracker decides which updates Telegram may forget. An update is
// confirmed only once it and every update before it were handled, so a crash
// never loses an update that was fetched but not yet handled (handlers are
// idempotent, so a redelivery after a crash is harmless).
type offsetTracker struct {
	mu       sync.Mutex
	inFlight map[int]struct{}
	maxSeen  int           // the highest update id ever dispatched
	finished chan struct{} // signalled when an update is done
}

func newOffsetTracker() *offsetTracker {
	return &offsetTracker{inFlight: map[int]struct{}{}, finished: make(chan struct{}, 1)}
}

// begin registers an update; it reports false for one already dispatched.
func (o *offsetTracker) begin(id int) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if id <= o.maxSeen {
		return false
	}
	o.maxSeen = id
	o.inFlight[id] = struct{}{}
	return true
}

func (o *offsetTracker) done(id int) {
	o.mu.Lock()
	delete(o.inFlight, id)
	o.mu.Unlock()
	select {
	case o.finished <- struct{}{}:
	default:
	}
}

// waitFinished waits until some update is done (or ctx ends, or max passes).
func (o *offsetTracker) waitFinished(ctx context.Context, max time.Duration) {
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-o.finished:
	case <-ctx.Done():
	case <-t.C:
	}
}

// offset is the getUpdates offset: the lowest unfinished id, or the next one.
func (o *offsetTracker) offset() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	next := o.maxSeen + 1
	for id := range o.inFlight {
		next = min(next, id)
	}
	return next
}

// poll long-polls getUpdates until ctx ends, handing every new update to
// dispatch. Errors back off exponentially instead of spinning.
func (b *Bot) poll(ctx context.Context, dispatch func(tele.Update)) {
	allowed, _ := json.Marshal(allowedUpdates)
	backoff := time.Second
	for ctx.Err() == nil {
		updates, err := b.getUpdates(ctx, string(allowed))
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait := backoff
			if after, ok := RetryAfter(err); ok {
				wait = after
			}
			b.log.Warn("getUpdates failed", slog.Any("error", err), slog.Duration("retry_in", wait))
			sleep(ctx, wait)
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = time.Second
		fresh := 0
		for _, u := range updates {
			if b.offsets.begin(u.ID) {
				dispatch(u)
				fresh++
			}
		}
		if len(updates) > 0 && fresh == 0 {
			// Only updates still being handled came back (they are not
			// confirmed until done): asking again at once would fetch them
			// again and again. Ask when one is done.
			b.offsets.waitFinished(ctx, time.Second)
		}
	}
}

func (b *Bot) getUpdates(ctx context.Context, allowed string) ([]tele.Update, error) {
	params := map[string]string{
		"offset":          strconv.Itoa(b.offsets.offset()),
		"timeout":         strconv.Itoa(int(b.cfg.PollTimeout / time.Second)),
		"allowed_updates": allowed,
		"limit":           "100",
	}
	var raw []json.RawMessage
	if err := b.call(ctx, "getUpdates", params, &raw); err != nil {
		return nil, err
	}
	return b.decodeUpdates(raw), nil
}

// decodeUpdates decodes each update on its own: one malformed update is
// logged and skipped (its id still advances the offset), never allowed to
// block the ones after it.
func (b *Bot) decodeUpdates(raw []json.RawMessage) []tele.Update {
	updates := make([]tele.Update, 0, len(raw))
	for _, r := range raw {
		var u tele.Update
		if err := json.Unmarshal(r, &u); err != nil {
			var id struct {
				ID int `json:"update_id"`
			}
			_ = json.Unmarshal(r, &id)
			b.log.Warn("malformed update skipped", slog.Int("update_id", id.ID), slog.Any("error", err))
			metrics.Updates.WithLabelValues("malformed").Inc()
			if b.offsets.begin(id.ID) {
				b.offsets.done(id.ID)
			}
			continue
		}
		updates = append(updates, u)
	}
	return updates
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
