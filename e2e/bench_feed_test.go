package e2e

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"memebot/app"
	"memebot/tgfake"
)

// BenchmarkFeedHotPath: a user presses 👍 and the bot sends the next meme;
// measured from the press reaching the bot's update queue to the next
// sendPhoto reaching the (in-process, loopback) Bot API, with the user's queue
// warm. -benchtime 1x; 200 presses.
func BenchmarkFeedHotPath(b *testing.B) {
	for range b.N {
		e := startBench(b, app.Roles{Bot: true}, "LOG_LEVEL=warn")
		e.seedMemes("en", 260, 3000)
		u := user(8001, "en")
		events, cancel := e.tg.Subscribe()
		sends := make(chan time.Time, 1024)
		go func() {
			for ev := range events {
				if ev.ChatID == u.ID && ev.Type == "message" && ev.Message != nil && ev.Message.FromBot() && ev.Message.MediaFileID() != "" {
					sends <- ev.Time
				}
			}
		}()
		e.say(u, "/start")
		<-sends
		var lat []time.Duration
		b.ResetTimer()
		for range 200 {
			msgs := e.memeMessages(u.ID)
			last := msgs[len(msgs)-1]
			time.Sleep(20 * time.Millisecond) // a person, not a loop: background refills keep up
			pressed := time.Now()
			if _, err := e.tg.PressButtonLabeled(u, u.ID, last.MessageID, "👍"); err != nil {
				b.Fatal(err)
			}
			select {
			case at := <-sends:
				lat = append(lat, at.Sub(pressed))
			case <-time.After(5 * time.Second):
				b.Fatal("no next meme after a press")
			}
		}
		b.StopTimer()
		cancel()
		b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkBotMemoryWithActiveQueues: a `memebot bot` process serves /start to
// 10,000 users (each gets a meme, so each has a queue in Redis); reports the
// process's peak RSS. Opt-in (MEMEBOT_BENCH_MEMORY=1), -benchtime 1x.
func BenchmarkBotMemoryWithActiveQueues(b *testing.B) {
	if os.Getenv("MEMEBOT_BENCH_MEMORY") == "" {
		b.Skip("set MEMEBOT_BENCH_MEMORY=1 to run")
	}
	users := envInt("BENCH_USERS", 10000)
	for range b.N {
		e := startBench(b, app.Roles{})
		e.seedMemes("en", 40, 4000)
		p := e.spawn("bot", "LOG_LEVEL=warn", "UPDATE_CONCURRENCY=64")
		time.Sleep(2 * time.Second)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 32)
		for i := range users {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				u := tgfake.User{ID: int64(9_000_000 + i), FirstName: "u", LanguageCode: "en"}
				if _, err := e.tg.SendText(u, u.PrivateChat(), "/start"); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		served := func() bool {
			served := 0
			for i := 0; i < users; i += users / 20 {
				for _, m := range e.tg.Transcript(int64(9_000_000 + i)) {
					if m.FromBot() && (m.MediaFileID() != "" || strings.Contains(m.Text, "memes")) {
						served++
						break
					}
				}
			}
			return served >= 20
		}
		for deadline := time.Now().Add(4 * time.Minute); !served(); time.Sleep(time.Second) {
			if time.Now().After(deadline) {
				b.Fatal("not every user was served")
			}
		}
		time.Sleep(3 * time.Second)
		var queues int64
		iter := e.redis.Scan(b.Context(), 0, e.redis.Key("*queue*"), 1000).Iterator()
		for iter.Next(b.Context()) {
			queues++
		}
		b.ReportMetric(float64(peakRSS(p))/1024, "bot-peak-rss-MB")
		b.ReportMetric(float64(queues), "redis-queues")
	}
}
