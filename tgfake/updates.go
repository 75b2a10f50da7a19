package tgfake

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// defaultAllowed is Telegram's update filter until the bot sets one: every
// type except chat_member, message_reaction and message_reaction_count.
func defaultExcluded(kind string) bool {
	return kind == "chat_member" || kind == "message_reaction" || kind == "message_reaction_count"
}

type pendingUpdate struct {
	id   int
	kind string
	raw  json.RawMessage
}

type updateQueue struct {
	pending []pendingUpdate
	nextID  int
	// allowed is the filter set by the last allowed_updates; nil = default.
	allowed map[string]bool
	// poll is closed to terminate the running getUpdates with 409 Conflict.
	poll chan struct{}
}

func (q *updateQueue) accepts(kind string) bool {
	if q.allowed == nil {
		return !defaultExcluded(kind)
	}
	return q.allowed[kind]
}

// enqueueLocked stores an update of kind (e.g. "message") unless the bot's
// allowed_updates filter excludes it, like Telegram which never creates
// unwanted updates. Returns the update_id, or 0 when filtered out.
// Call with s.mu held.
func (s *Server) enqueueLocked(kind string, payload any) int {
	body, err := json.Marshal(payload)
	if err != nil {
		return 0
	}
	return s.enqueueRawLocked(kind, map[string]json.RawMessage{kind: body})
}

func (s *Server) enqueueRawLocked(kind string, fields map[string]json.RawMessage) int {
	q := &s.updates
	if kind != "" && !q.accepts(kind) {
		return 0
	}
	if q.nextID == 0 {
		q.nextID = 100000001 // Telegram's ids are large and increasing
	}
	id := q.nextID
	q.nextID++
	fields["update_id"], _ = json.Marshal(id)
	raw, _ := json.Marshal(fields)
	q.pending = append(q.pending, pendingUpdate{id: id, kind: kind, raw: raw})
	s.notifyLocked()
	return id
}

// SendRawUpdate queues an arbitrary update object (its update_id is replaced
// by the next id). Its content is not validated, so it can be malformed on
// purpose; it must be a JSON object so the getUpdates answer stays parseable.
func (s *Server) SendRawUpdate(raw json.RawMessage) (int, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return 0, errors.New("tgfake: raw update must be a JSON object")
	}
	kind := ""
	for k := range fields {
		if k != "update_id" {
			kind = k
			break
		}
	}
	if len(fields) > 2 {
		kind = "" // several payloads: not filterable, deliver as is
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueueRawLocked(kind, fields), nil
}

// PendingUpdates is the number of updates not yet confirmed by the bot.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates.pending)
}

func (s *Server) getUpdates(ctx context.Context, p params) (any, *APIError) {
	offset, err := p.int64("offset")
	if err != nil {
		return nil, err
	}
	limit, err := p.int("limit")
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, err := p.int("timeout")
	if err != nil {
		return nil, err
	}
	var allowed []string
	setAllowed := false
	if v := p.str("allowed_updates"); v != "" && v != "null" {
		if err := p.json("allowed_updates", &allowed); err != nil {
			return nil, err
		}
		setAllowed = true
	}

	select {
	case <-s.closed:
		return s.closedPoll(ctx, timeout), nil
	default:
	}
	s.mu.Lock()
	if s.hook.url != "" {
		s.mu.Unlock()
		return nil, errWebhookActive
	}
	q := &s.updates
	if setAllowed {
		q.allowed = allowedSet(allowed)
	}
	q.confirm(offset)
	if q.poll != nil {
		close(q.poll) // Telegram ends the older request with 409
	}
	mine := make(chan struct{})
	q.poll = mine
	s.mu.Unlock()

	defer func() {
		s.mu.Lock()
		if s.updates.poll == mine {
			s.updates.poll = nil
		}
		s.mu.Unlock()
	}()

	deadline := time.NewTimer(time.Duration(max(timeout, 0)) * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(q.pending) > 0 || timeout <= 0 {
			out := make([]json.RawMessage, 0, min(limit, len(q.pending)))
			for _, u := range q.pending[:min(limit, len(q.pending))] {
				out = append(out, u.raw)
			}
			s.mu.Unlock()
			return out, nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-mine:
			return nil, errOtherPoll
		case <-deadline.C:
			timeout = 0
		case <-ctx.Done():
			return nil, &APIError{Code: 499, Description: "client went away"}
		case <-s.closed:
			return s.closedPoll(ctx, timeout), nil
		}
	}
}

// closedPollPause bounds how fast a poller that outlives Close spins: its
// getUpdates calls answer [] after this pause instead of at once.
const closedPollPause = 500 * time.Millisecond

func (s *Server) closedPoll(ctx context.Context, timeout int) []json.RawMessage {
	t := time.NewTimer(min(time.Duration(max(timeout, 0))*time.Second, closedPollPause))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return []json.RawMessage{}
}

// confirm drops updates below offset; a negative offset keeps only the last
// -offset updates, as the Bot API documents.
func (q *updateQueue) confirm(offset int64) {
	switch {
	case offset > 0:
		i := 0
		for i < len(q.pending) && int64(q.pending[i].id) < offset {
			i++
		}
		q.pending = q.pending[i:]
	case offset < 0:
		keep := int(-offset)
		if len(q.pending) > keep {
			q.pending = q.pending[len(q.pending)-keep:]
		}
	}
}

func allowedSet(kinds []string) map[string]bool {
	if len(kinds) == 0 {
		return nil // an empty list restores the default
	}
	set := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		set[k] = true
	}
	return set
}

func (q *updateQueue) allowedList() []string {
	if q.allowed == nil {
		return nil
	}
	out := make([]string, 0, len(q.allowed))
	for k := range q.allowed {
		out = append(out, k)
	}
	return out
}
