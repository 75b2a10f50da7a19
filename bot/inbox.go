package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"memebot/kv"

	tele "gopkg.in/telebot.v3"
)

// inbox keeps the updates fetched by long polling until they are handled: a
// Redis hash, update id -> the update as Telegram sent it. Telegram forgets an
// update once a later getUpdates confirms it; from then until its handler
// returns, the inbox is where it survives a crash. Without Redis (tests of
// wiring only) it keeps nothing.
type inbox struct {
	rdb      *kv.Redis
	key      string
	log      *slog.Logger
	finished chan int // handled update ids, removed in batches by forget
}

// newInbox returns the inbox of the bot whose token is token (one per bot, so
// bots sharing a Redis do not replay each other's updates).
func newInbox(rdb *kv.Redis, token string, log *slog.Logger) *inbox {
	botID, _, _ := strings.Cut(token, ":")
	in := &inbox{rdb: rdb, log: log, finished: make(chan int, 1024)}
	if rdb != nil {
		in.key = rdb.Key("bot", botID, "inbox")
	}
	return in
}

// put stores updates (raw[i] is updates[i] as received) in one round trip.
func (in *inbox) put(ctx context.Context, updates []tele.Update, raw []json.RawMessage) error {
	if in.rdb == nil || len(updates) == 0 {
		return nil
	}
	fields := make([]any, 0, 2*len(updates))
	for i, u := range updates {
		fields = append(fields, strconv.Itoa(u.ID), []byte(raw[i]))
	}
	if err := in.rdb.HSet(ctx, in.key, fields...).Err(); err != nil {
		return fmt.Errorf("bot: inbox: %w", err)
	}
	return nil
}

// done marks an update handled; forget removes it from Redis soon after.
func (in *inbox) done(id int) {
	if in.rdb != nil {
		in.finished <- id
	}
}

// forget removes handled updates, as many as have finished in one round trip,
// until finished is closed and drained.
func (in *inbox) forget() {
	for id := range in.finished {
		ids := []string{strconv.Itoa(id)}
	more:
		for len(ids) < 1000 {
			select {
			case id, ok := <-in.finished:
				if !ok {
					break more
				}
				ids = append(ids, strconv.Itoa(id))
			default:
				break more
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := in.rdb.HDel(ctx, in.key, ids...).Err(); err != nil {
			// Harmless but for a repeat: the next start replays these updates.
			in.log.Warn("inbox: handled updates not removed", slog.Int("updates", len(ids)), slog.Any("error", err))
		}
		cancel()
	}
}

// pending is every update fetched and not yet handled.
func (in *inbox) pending(ctx context.Context) ([]json.RawMessage, error) {
	if in.rdb == nil {
		return nil, nil
	}
	vals, err := in.rdb.HVals(ctx, in.key).Result()
	if err != nil {
		return nil, fmt.Errorf("bot: inbox: %w", err)
	}
	raw := make([]json.RawMessage, len(vals))
	for i, v := range vals {
		raw[i] = json.RawMessage(v)
	}
	return raw, nil
}
