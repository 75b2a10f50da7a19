package telegram

import (
	"context"
	"time"
)

// Limit is a sending rate: Rate messages per Per, of which up to Burst may go
// back to back. In any window of length W at most W/Per*Rate + Burst
// messages are sent.
type Limit struct {
	Rate  int
	Per   time.Duration
	Burst int
}

// interval is the spacing between messages at the steady rate.
func (l Limit) interval() time.Duration { return l.Per / time.Duration(l.Rate) }

// Limits are Telegram's flood limits as memebot keeps them. They hold for all
// processes sharing one token, because the counters live in Redis.
type Limits struct {
	Global  Limit // all chats together; default 30/s, burst 5
	Private Limit // one private chat (positive chat id); default 1/s, burst 2
	Group   Limit // one group, supergroup or channel (negative id or @username); default 20/min, burst 3
	// Reserve is how many slots of the global burst each priority leaves to
	// the one above it, so that a process sending bulk cannot take the slots
	// another process needs to answer a user: with burst 5 and reserve 2,
	// answers may use 5, notifications 3, bulk 1. 0 means 2; negative means
	// no reserve.
	Reserve int
	// MaxBufferedUpload is the largest multipart upload read into memory to
	// find its chat_id (telebot writes the file before chat_id); larger ones
	// are limited by the global rate only. Default 50 MB, Telegram's cap.
	MaxBufferedUpload int64
}

// withDefaults fills in every zero field.
func (l Limits) withDefaults() Limits {
	fill := func(x *Limit, def Limit) {
		if x.Rate <= 0 || x.Per <= 0 {
			x.Rate, x.Per = def.Rate, def.Per
		}
		if x.Burst <= 0 {
			x.Burst = def.Burst
		}
	}
	fill(&l.Global, Limit{Rate: 30, Per: time.Second, Burst: 5})
	fill(&l.Private, Limit{Rate: 1, Per: time.Second, Burst: 2})
	fill(&l.Group, Limit{Rate: 20, Per: time.Minute, Burst: 3})
	switch {
	case l.Reserve == 0:
		l.Reserve = 2
	case l.Reserve < 0:
		l.Reserve = 0
	}
	if l.MaxBufferedUpload <= 0 {
		l.MaxBufferedUpload = 50 << 20
	}
	return l
}

// globalBurst is how much of the global burst priority p may use.
func (l Limits) globalBurst(p Priority) int {
	return max(1, l.Global.Burst-int(p)*l.Reserve)
}

// Priority orders requests waiting for the rate limit: lower goes first.
type Priority int

const (
	// PriorityInteractive is for answers to a user's command or button press
	// (the handlers' telebot bot).
	PriorityInteractive Priority = iota
	// PriorityNotify is for the workers' messages (Client.Sender): uploaders told
	// the outcome, review posts, storage-chat uploads.
	PriorityNotify
	// PriorityBulk is for broadcasts (Client.BulkSender): they get what is left.
	PriorityBulk
	priorities = 3
)

func (p Priority) String() string {
	switch p {
	case PriorityInteractive:
		return "interactive"
	case PriorityNotify:
		return "notify"
	}
	return "bulk"
}

type priorityKey struct{}

// WithPriority makes the Bot API calls made with ctx (Client.Call, Sender
// downloads) wait at priority p, whichever client makes them.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

func priorityFrom(ctx context.Context, def Priority) Priority {
	if p, ok := ctx.Value(priorityKey{}).(Priority); ok && p >= 0 && p < priorities {
		return p
	}
	return def
}
