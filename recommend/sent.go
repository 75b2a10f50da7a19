package recommend

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"memebot/kv"
)

// SentLog remembers which meme each sent message shows (for a week), so a
// native Telegram reaction on the message can be counted for the meme.
type SentLog struct {
	rdb *kv.Redis
	ttl time.Duration
}

// NewSentLog returns a log kept in Redis.
func NewSentLog(rdb *kv.Redis) *SentLog { return &SentLog{rdb: rdb, ttl: 7 * 24 * time.Hour} }

func (l *SentLog) key(chatID int64, messageID int) string {
	return l.rdb.Key("sent", strconv.FormatInt(chatID, 10), strconv.Itoa(messageID))
}

// Remember records that a message shows a meme.
func (l *SentLog) Remember(ctx context.Context, chatID int64, messageID int, memeID int64, engine string) error {
	if err := l.rdb.Set(ctx, l.key(chatID, messageID), fmt.Sprintf("%d|%s", memeID, engine), l.ttl).Err(); err != nil {
		return fmt.Errorf("recommend: remember sent message: %w", err)
	}
	return nil
}

// Lookup returns the meme a message shows.
func (l *SentLog) Lookup(ctx context.Context, chatID int64, messageID int) (int64, string, bool) {
	v, err := l.rdb.Get(ctx, l.key(chatID, messageID)).Result()
	if err != nil {
		return 0, "", false // redis.Nil or unavailable: the reaction is not counted
	}
	idText, engine, _ := strings.Cut(v, "|")
	id, err := strconv.ParseInt(idText, 10, 64)
	return id, engine, err == nil
}
