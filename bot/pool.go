package bot

import (
	"context"
	"sync"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/metrics"
)

// pool handles updates on a fixed number of workers. One chat's updates are
// handled one at a time and in order (its next update follows on the worker
// that finished the last); different chats never wait for each other while a
// worker is free.
//
// At most max updates are in hand (fetched and not finished): the poller
// asks Telegram for more only when there is room. A burst then waits at
// Telegram, which keeps updates for a day, instead of in this process, where
// every waiting update would share the CPU with the ones being answered: the
// updates taken are answered promptly, and in the order they came.
type pool struct {
	b     *Bot
	ctx   context.Context  // ends at shutdown: an update held through an outage stops waiting
	base  context.Context  // the handlers' contexts derive from it: ends after the drain
	ready chan tele.Update // updates whose chat has nothing else in hand
	max   int
	wg    sync.WaitGroup

	mu       sync.Mutex
	inHand   int
	chats    map[int64][]tele.Update // chats with an update in hand -> the updates waiting behind it
	roomMade chan struct{}           // closed when inHand falls to refillAt
}

func (b *Bot) newPool(ctx, base context.Context) *pool {
	p := &pool{b: b, ctx: ctx, base: base, ready: make(chan tele.Update, b.cfg.MaxInHand), max: b.cfg.MaxInHand, chats: map[int64][]tele.Update{}}
	for range b.cfg.Workers {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

// refillAt is how few updates in hand make the poller fetch again: half of
// max, so a page arrives before the workers run dry, but at most 100 below
// (one getUpdates page).
func (p *pool) refillAt() int { return p.max - min(100, max(1, p.max/2)) }

// room waits until the poller may fetch and says how many updates (at most
// 100, Telegram's page). It returns early, with a full page, if ctx ends.
func (p *pool) room(ctx context.Context) int {
	for {
		p.mu.Lock()
		if p.inHand <= p.refillAt() {
			n := min(100, p.max-p.inHand)
			p.mu.Unlock()
			return n
		}
		if p.roomMade == nil {
			p.roomMade = make(chan struct{})
		}
		made := p.roomMade
		p.mu.Unlock()
		select {
		case <-made:
		case <-ctx.Done():
			return 100
		}
	}
}

// dispatch takes an update in hand: to a free worker, or behind the update
// of its chat that is in hand.
func (p *pool) dispatch(u tele.Update) {
	key := chatKey(u)
	p.mu.Lock()
	p.inHand++
	metrics.UpdatesInHand.Set(float64(p.inHand))
	if waiting, busy := p.chats[key]; busy {
		p.chats[key] = append(waiting, u)
		p.mu.Unlock()
		return
	}
	p.chats[key] = nil
	p.mu.Unlock()
	p.ready <- u
}

func (p *pool) work() {
	defer p.wg.Done()
	for u := range p.ready {
		for more := true; more; {
			if p.b.handle(p.ctx, p.base, u) {
				p.b.inbox.done(u.ID) // else it waits in the inbox for the next start
			}
			u, more = p.finished(u)
		}
	}
}

// finished lets go of u and returns the next update of its chat, if any.
func (p *pool) finished(u tele.Update) (next tele.Update, ok bool) {
	key := chatKey(u)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inHand--
	metrics.UpdatesInHand.Set(float64(p.inHand))
	if p.roomMade != nil && p.inHand <= p.refillAt() {
		close(p.roomMade)
		p.roomMade = nil
	}
	waiting := p.chats[key]
	if len(waiting) == 0 {
		delete(p.chats, key)
		return tele.Update{}, false
	}
	p.chats[key] = waiting[1:]
	return waiting[0], true
}

// close stops taking updates and waits up to drain for those in hand; it
// reports whether they all finished.
func (p *pool) close(drain time.Duration) bool {
	close(p.ready)
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(drain):
		p.b.log.Warn("updates still in hand at shutdown; the next start replays them from the inbox")
		return false
	}
}

// chatKey is the chat whose updates are handled one at a time, in order.
func chatKey(u tele.Update) int64 {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID
	case u.Callback != nil && u.Callback.Message != nil && u.Callback.Message.Chat != nil:
		return u.Callback.Message.Chat.ID
	case u.Callback != nil && u.Callback.Sender != nil:
		return u.Callback.Sender.ID
	case u.MessageReaction != nil && u.MessageReaction.Chat != nil:
		return u.MessageReaction.Chat.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return int64(u.ID)
}
