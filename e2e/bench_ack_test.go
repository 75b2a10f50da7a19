package e2e

import (
	"strings"
	"sync"
	"testing"
	"time"

	"memebot/app"
)

// BenchmarkUploadAck: 500 users' photos wait for the bot at once (getUpdates
// is held until all are in, as after a restart or in a viral moment); for
// each, the time from the update being handed to the bot to its
// acknowledgement leaving the bot (submission stored, job queued, answer
// sent): the in-process acknowledgement path. Telegram's flood limits are set
// out of the way here (at Telegram's 30 messages a second, 500 answers take
// 17 s to go out whatever the bot does). -benchtime 1x.
func BenchmarkUploadAck(b *testing.B) {
	const n = 500
	for range b.N {
		tp := newTap()
		tp.gate = make(chan struct{})
		e := startFronted(b, app.Roles{Bot: true}, tp.front, "UPLOAD_LIMIT_PER_HOUR=1000",
			"TELEGRAM_RATE_GLOBAL=1000000", "TELEGRAM_RATE_PRIVATE=1000000", "LOG_LEVEL=warn")
		photo := encodeJPEG(b, memeImage(1, 320, 240), 85)
		uploads := make(map[int64]string, n) // chat -> its upload's update
		for i := range n {
			u := user(int64(100000+i), "en")
			m, err := e.tg.SendPhoto(u, u.PrivateChat(), photo, "")
			if err != nil {
				b.Fatal(err)
			}
			uploads[u.ID] = messageKey(u.ID, m.MessageID)
		}
		b.ResetTimer()
		close(tp.gate)
		lat := make([]time.Duration, 0, n)
		timeout := time.After(60 * time.Second)
		for len(lat) < n {
			select {
			case s := <-tp.sends:
				key, ok := uploads[s.chatID]
				if !ok || s.method != "sendMessage" {
					continue
				}
				delete(uploads, s.chatID) // the first answer in the chat is the acknowledgement
				at, _ := tp.deliveredAt(key, time.Second)
				lat = append(lat, s.at.Sub(at))
			case <-timeout:
				b.Fatalf("%d uploads not acknowledged", len(uploads))
			}
		}
		b.StopTimer()
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
