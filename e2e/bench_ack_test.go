package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"memebot/app"
)

// ackFront sits in front of the fake Bot API, in the bot's process. It holds
// getUpdates until opened (so a burst waits for the bot in full, as after a
// restart or a viral moment) and notes, per private chat, when the upload
// was handed to the bot and when the bot's answer to it arrived: the bot's own
// part of the acknowledgement, without the fake's work before and after.
type ackFront struct {
	next http.Handler
	gate chan struct{}

	mu        sync.Mutex
	delivered map[int64]time.Time
	acked     map[int64]time.Time
	all       chan struct{}
	want      int
}

func newAckFront(want int) *ackFront {
	return &ackFront{gate: make(chan struct{}), delivered: map[int64]time.Time{}, acked: map[int64]time.Time{},
		all: make(chan struct{}), want: want}
}

func (f *ackFront) wrap(next http.Handler) http.Handler { f.next = next; return f }

func (f *ackFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	switch path.Base(r.URL.Path) {
	case "getUpdates":
		select {
		case <-f.gate:
		case <-r.Context().Done():
			return
		}
		rec := httptest.NewRecorder()
		f.next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		at := time.Now()
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		w.(http.Flusher).Flush()
		var reply struct {
			Result []struct {
				Message *struct {
					Chat struct{ ID int64 } `json:"chat"`
				} `json:"message"`
			} `json:"result"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &reply) == nil {
			f.mu.Lock()
			for _, u := range reply.Result {
				if _, again := f.delivered[u.Message.Chat.ID]; u.Message != nil && !again {
					f.delivered[u.Message.Chat.ID] = at // redeliveries of unconfirmed updates do not count
				}
			}
			f.mu.Unlock()
		}
	case "sendMessage":
		body, _ := io.ReadAll(r.Body)
		var p struct {
			ChatID json.Number `json:"chat_id"`
			Text   string      `json:"text"`
		}
		if json.Unmarshal(body, &p) == nil && strings.Contains(p.Text, "Got it") {
			id, _ := p.ChatID.Int64()
			f.mu.Lock()
			if _, dup := f.acked[id]; !dup {
				if f.acked[id] = arrived; len(f.acked) == f.want {
					close(f.all)
				}
			}
			f.mu.Unlock()
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.next.ServeHTTP(w, r)
	default:
		f.next.ServeHTTP(w, r)
	}
}

// BenchmarkUploadAck: 500 users' photos wait for the bot at once; for each,
// the time from the update being handed to the bot to its acknowledgement
// leaving the bot (submission stored, job queued, answer sent): the in-process
// acknowledgement path. Telegram's flood limits are set out of the way here
// (at Telegram's 30 messages a second, 500 answers take 17 s to go out
// whatever the bot does). -benchtime 1x.
func BenchmarkUploadAck(b *testing.B) {
	const n = 500
	for range b.N {
		front := newAckFront(n)
		e := startFronted(b, app.Roles{Bot: true}, front.wrap, "UPLOAD_LIMIT_PER_HOUR=1000",
			"TELEGRAM_RATE_GLOBAL=1000000", "TELEGRAM_RATE_PRIVATE=1000000", "LOG_LEVEL=warn")
		photo := encodeJPEG(b, memeImage(1, 320, 240), 85)
		for i := range n {
			u := user(int64(100000+i), "en")
			if _, err := e.tg.SendPhoto(u, u.PrivateChat(), photo, ""); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		close(front.gate)
		select {
		case <-front.all:
		case <-time.After(60 * time.Second):
			b.Fatal("not every upload was acknowledged")
		}
		b.StopTimer()
		front.mu.Lock()
		lat := make([]time.Duration, 0, n)
		for chat, at := range front.acked {
			lat = append(lat, at.Sub(front.delivered[chat]))
		}
		front.mu.Unlock()
		b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkUploadAckEndToEnd: 500 users send a photo at the same instant;
// the time from each upload reaching the fake Telegram to the answer reaching
// it, so the fake's own work (taking the uploads, long-poll delivery, storing
// the answers) on the same two cores is included.
func BenchmarkUploadAckEndToEnd(b *testing.B) { benchUploadAckEndToEnd(b, 0) }

// BenchmarkUploadAckSteady: the same, the 500 uploads arriving over one
// second (500 a second) instead of at once.
func BenchmarkUploadAckSteady(b *testing.B) { benchUploadAckEndToEnd(b, time.Second) }

func benchUploadAckEndToEnd(b *testing.B, spread time.Duration) {
	for range b.N {
		e := startBench(b, app.Roles{Bot: true}, "UPLOAD_LIMIT_PER_HOUR=1000",
			"TELEGRAM_RATE_GLOBAL=1000000", "TELEGRAM_RATE_PRIVATE=1000000", "LOG_LEVEL=warn")
		photo := encodeJPEG(b, memeImage(1, 320, 240), 85) // no thumbnail for the fake to scale
		events, cancel := e.tg.Subscribe()
		const n = 500
		sent := make([]time.Time, n)
		acked := make([]time.Time, n)
		var wg sync.WaitGroup
		done := make(chan struct{})
		go func() {
			got := 0
			for ev := range events {
				if ev.Type == "message" && ev.Message != nil && ev.Message.FromBot() && strings.Contains(ev.Message.Text, "Got it") {
					acked[ev.ChatID-100000] = ev.Time
					if got++; got == n {
						close(done)
						return
					}
				}
			}
		}()
		b.ResetTimer()
		began := time.Now()
		for i := range n {
			time.Sleep(time.Until(began.Add(spread * time.Duration(i) / n)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := user(int64(100000+i), "en")
				if _, err := e.tg.SendPhoto(u, u.PrivateChat(), photo, ""); err != nil {
					b.Error(err)
				}
				sent[i] = time.Now() // the update is waiting for the bot from here
			}()
		}
		wg.Wait()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			b.Fatal("not every upload was acknowledged")
		}
		b.StopTimer()
		cancel()
		lat := make([]time.Duration, n)
		for i := range n {
			lat[i] = acked[i].Sub(sent[i])
		}
		b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
	}
}
