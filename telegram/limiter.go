package telegram

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// limiter makes the requests that send messages wait for the budget. Each
// chat has a line: its requests go one at a time (the next one only after the
// previous got its answer), in the order they were issued. Among the heads of
// the lines the highest priority goes first, then the oldest; a line takes
// the highest priority of anything waiting in it, so that an answer queued
// behind a broadcast to the same chat does not wait at broadcast priority.
// One dispatcher goroutine runs while anything waits and asks the shared
// budget in Redis for the heads that may go, up to maxAsk of them in one
// round trip, in the order they would go one by one.
type limiter struct {
	budget admitter
	pace   time.Duration // spacing of sends while the budget is unavailable
	log    *slog.Logger

	mu      sync.Mutex
	lines   map[string]*line
	seq     uint64
	blocked [priorities]time.Time // the global budget refused this priority (and those under it) until then
	running bool
	kick    chan struct{}
	lastErr time.Time // when a Redis failure was last logged

	enqueued atomic.Uint64 // requests that ever joined a line (tests wait on it)
}

// line is one chat's queue.
type line struct {
	key       string
	waiting   []*waiter
	busy      bool      // one of its requests is at Telegram
	notBefore time.Time // the chat's budget (or a hold) refused it until then
}

type waiter struct {
	target  target
	prio    Priority
	seq     uint64
	since   time.Time
	granted chan struct{}
	done    bool // granted
	taking  bool // the dispatcher is asking Redis for it
	gone    bool // its caller stopped waiting
}

// maxAsk bounds the heads asked for in one round trip.
const maxAsk = 64

// admitter is the shared budget (Redis in production).
type admitter interface {
	// take answers each ask, in order, as if asked one by one.
	take(ctx context.Context, asks []ask) ([]verdict, error)
	hold(ctx context.Context, t target, d time.Duration) error
}

func newLimiter(b admitter, pace time.Duration, log *slog.Logger) *limiter {
	return &limiter{budget: b, pace: pace, log: log, lines: map[string]*line{}, kick: make(chan struct{}, 1)}
}

// wait blocks until t may be sent at priority p, or ctx ends. On success the
// caller must call release once Telegram has answered.
func (l *limiter) wait(ctx context.Context, t target, p Priority) (release func(), err error) {
	w, ln := l.enqueue(t, p)
	select {
	case <-w.granted:
		return func() { l.release(ln) }, nil
	case <-ctx.Done():
		if l.abandon(ln, w) {
			l.release(ln)
		}
		return nil, ctx.Err()
	}
}

func (l *limiter) enqueue(t target, p Priority) (*waiter, *line) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	w := &waiter{target: t, prio: p, seq: l.seq, since: time.Now(), granted: make(chan struct{})}
	key := t.chat
	if key == "" { // no chat, no order to keep: a line of its own
		key = "#" + strconv.FormatUint(w.seq, 10)
	}
	ln := l.lines[key]
	if ln == nil {
		ln = &line{key: key}
		l.lines[key] = ln
	}
	ln.waiting = append(ln.waiting, w)
	l.enqueued.Add(1)
	limiterWaiting.WithLabelValues(p.String()).Inc()
	l.wakeLocked()
	return w, ln
}

// abandon takes a waiter whose caller gave up out of its line; it reports
// true when the waiter had been granted meanwhile (and so holds the turn).
func (l *limiter) abandon(ln *line, w *waiter) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.done {
		return true
	}
	w.gone = true
	if !w.taking { // otherwise the dispatcher removes it when Redis answers
		l.removeLocked(ln, w)
	}
	return false
}

func (l *limiter) release(ln *line) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ln.busy = false
	l.dropIfIdleLocked(ln)
	l.wakeLocked()
}

func (l *limiter) removeLocked(ln *line, w *waiter) {
	for i, x := range ln.waiting {
		if x == w {
			ln.waiting = append(ln.waiting[:i], ln.waiting[i+1:]...)
			limiterWaiting.WithLabelValues(w.prio.String()).Dec()
			break
		}
	}
	l.dropIfIdleLocked(ln)
	l.wakeLocked()
}

func (l *limiter) dropIfIdleLocked(ln *line) {
	if !ln.busy && len(ln.waiting) == 0 && l.lines[ln.key] == ln {
		delete(l.lines, ln.key)
	}
}

// wakeLocked starts the dispatcher, or nudges it to look again.
func (l *limiter) wakeLocked() {
	if !l.running {
		l.running = true
		go l.dispatch()
		return
	}
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// dispatch admits heads of lines until nothing waits.
func (l *limiter) dispatch() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	type head struct {
		ln   *line
		w    *waiter
		prio Priority
	}
	var heads []head
	var asks []ask
	for {
		heads, asks = heads[:0], asks[:0]
		l.mu.Lock()
		now := time.Now()
		var wake time.Time
		waiting := true
		for len(heads) < maxAsk {
			ln, prio, at, some := l.pickLocked(now)
			if len(heads) == 0 {
				wake, waiting = at, some
			}
			if ln == nil {
				break
			}
			w := ln.waiting[0]
			w.taking = true
			heads, asks = append(heads, head{ln, w, prio}), append(asks, ask{w.target, prio})
		}
		if !waiting {
			l.running = false
			l.mu.Unlock()
			return
		}
		if len(heads) == 0 {
			l.mu.Unlock()
			l.sleep(timer, wake)
			continue
		}
		l.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		verdicts, err := l.budget.take(ctx, asks)
		cancel()

		l.mu.Lock()
		for i, h := range heads {
			h.w.taking = false
			var v verdict
			if err == nil {
				v = verdicts[i]
			}
			l.settleLocked(h.ln, h.w, h.prio, v, err)
		}
		l.mu.Unlock()
	}
}

// sleep waits for a kick, or until wake when it is set.
func (l *limiter) sleep(timer *time.Timer, wake time.Time) {
	if wake.IsZero() {
		<-l.kick
		return
	}
	timer.Reset(time.Until(wake))
	select {
	case <-timer.C:
	case <-l.kick:
		timer.Stop()
	}
}

// pickLocked finds the line whose head goes next and the priority it goes
// at. With none ready it returns the earliest time one may be (zero when
// every waiting line is busy), and whether anything waits at all.
func (l *limiter) pickLocked(now time.Time) (best *line, bestPrio Priority, wake time.Time, waiting bool) {
	var bestSeq uint64
	for _, ln := range l.lines {
		if len(ln.waiting) == 0 {
			continue
		}
		waiting = true
		if ln.busy || ln.waiting[0].taking { // at Telegram, or being asked for
			continue
		}
		prio := ln.priority()
		if at := later(ln.notBefore, l.blocked[prio]); at.After(now) {
			if wake.IsZero() || at.Before(wake) {
				wake = at
			}
			continue
		}
		seq := ln.waiting[0].seq
		if best == nil || prio < bestPrio || prio == bestPrio && seq < bestSeq {
			best, bestPrio, bestSeq = ln, prio, seq
		}
	}
	return best, bestPrio, wake, waiting
}

// priority is the highest priority waiting in the line.
func (ln *line) priority() Priority {
	p := Priority(priorities - 1)
	for _, w := range ln.waiting {
		p = min(p, w.prio)
	}
	return p
}

// settleLocked acts on Redis's answer for the head w of ln.
func (l *limiter) settleLocked(ln *line, w *waiter, prio Priority, v verdict, err error) {
	now := time.Now()
	if err != nil {
		// Without Redis the limit cannot be shared. Failing closed would stop
		// the bot; fail open instead, paced at the global rate by this
		// process alone, and let the retry transport absorb any 429.
		l.logFailureLocked(now, err)
		limiterErrors.Inc()
		for q := range l.blocked {
			l.blocked[q] = later(l.blocked[q], now.Add(l.pace))
		}
		v = verdict{}
	}
	if w.gone {
		l.removeLocked(ln, w) // if it was admitted, that slot goes unused
		return
	}
	if !v.admitted() {
		if v.chatWait > 0 {
			ln.notBefore = now.Add(v.chatWait)
		}
		if v.globalWait > 0 {
			for q := prio; q < priorities; q++ {
				l.blocked[q] = later(l.blocked[q], now.Add(v.globalWait))
			}
		}
		return
	}
	ln.waiting = ln.waiting[1:]
	ln.busy = true
	w.done = true
	close(w.granted)
	limiterWaiting.WithLabelValues(w.prio.String()).Dec()
	limiterWaited.WithLabelValues(w.prio.String()).Observe(now.Sub(w.since).Seconds())
}

func (l *limiter) logFailureLocked(now time.Time, err error) {
	if now.Sub(l.lastErr) < 10*time.Second {
		return
	}
	l.lastErr = now
	l.log.Warn("rate limit unavailable, sending paced by this process only", slog.Any("error", err))
}

// hold keeps t's chat (or, for a request without a chat, everything) from
// sending for d in every process, after Telegram answered 429.
func (l *limiter) hold(ctx context.Context, t target, d time.Duration) {
	scope := "chat"
	if t.chat == "" {
		scope = "global"
	}
	limiterHolds.WithLabelValues(scope).Inc()
	if err := l.budget.hold(ctx, t, d); err != nil {
		l.log.Warn("rate limit hold failed", slog.String("scope", scope), slog.Any("error", err))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	until := time.Now().Add(d)
	if t.chat == "" {
		for q := range l.blocked {
			l.blocked[q] = later(l.blocked[q], until)
		}
		return
	}
	if ln := l.lines[t.chat]; ln != nil {
		ln.notBefore = later(ln.notBefore, until)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
