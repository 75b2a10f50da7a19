package e2e

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/app"
	"memebot/seed/seedtest"
	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

// BenchmarkFeedHotPath: a user presses 👍 and the bot sends the next meme,
// with the user's queue warm; 200 presses a run (BENCH_PRESSES), -benchtime 1x.
//
// p50-ms / p99-ms are the bot's own work: from the getUpdates answer carrying
// the press leaving for the bot to the next sendPhoto reaching the Bot API,
// both seen by a tap in front of the (in-process, loopback) fake.
// e2e-p50-ms / e2e-p99-ms add the fake's side: from the press to the sendPhoto.
// polls/press counts getUpdates calls.
//
// "small" is a fresh database with 60 memes more than presses; "seeded" is a
// mature user of the seeded 100k users / 1M memes / 20M reactions set
// (MEMEBOT_BENCH_SEED=1, see seed/seedtest), whose reactions made here are
// deleted afterwards.
func BenchmarkFeedHotPath(b *testing.B) {
	presses := envInt("BENCH_PRESSES", 200)
	b.Run("small", func(b *testing.B) {
		for range b.N {
			t := newTap()
			e := startFronted(b, app.Roles{Bot: true}, t.front, "LOG_LEVEL=warn")
			e.seedMemes("en", presses+60, 3000)
			benchPresses(b, e, t, user(8001, "en"), presses)
		}
	})
	b.Run("seeded", func(b *testing.B) {
		st := seedtest.BigStore(b)
		for range b.N {
			t := newTap()
			dbURL := databaseURLOf(b, st)
			u := seededMatureUser(b, st)
			e := startFronted(b, app.Roles{Bot: true}, t.front, "LOG_LEVEL=warn", "DATABASE_URL="+dbURL)
			t.rewrite = fakeFileIDs(b, e)
			benchPresses(b, e, t, u, presses)
		}
	})
}

// benchPresses starts u's feed, then presses 👍 on each new meme n times and
// reports the latencies.
func benchPresses(b *testing.B, e *env, t *tap, u tgfake.User, n int) {
	e.say(u, "/start")
	for first := (tapSend{}); first.method == "" || first.method == "sendMessage"; { // after the welcome, if any
		var ok bool
		if first, ok = t.nextSend(u.ID, 30*time.Second); !ok {
			b.Fatal("no first meme")
		}
	}
	time.Sleep(time.Second) // the queue's first background top-up
	var inProcess, endToEnd []time.Duration
	polls := t.polls.Load()
	b.ResetTimer()
	for range n {
		msgs := e.memeMessages(u.ID)
		last := msgs[len(msgs)-1]
		time.Sleep(20 * time.Millisecond) // a person, not a loop: background refills keep up
		pressed := time.Now()
		qid, err := e.tg.PressButtonLabeled(u, u.ID, last.MessageID, "👍")
		if err != nil {
			b.Fatal(err)
		}
		sent, ok := t.nextSend(u.ID, 5*time.Second)
		if !ok {
			b.Fatal("no next meme after a press")
		}
		if sent.method == "sendMessage" {
			b.Fatal("the feed ran out of memes")
		}
		delivered, ok := t.deliveredAt(qid, time.Second)
		if !ok {
			b.Fatal("the press never reached the bot")
		}
		inProcess = append(inProcess, sent.at.Sub(delivered))
		endToEnd = append(endToEnd, sent.at.Sub(pressed))
		eventually(b, "the sent meme in the transcript", func() bool { return len(e.memeMessages(u.ID)) > len(msgs) })
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(percentile(inProcess, 0.5)), "p50-ms")
	b.ReportMetric(ms(percentile(inProcess, 0.99)), "p99-ms")
	b.ReportMetric(ms(percentile(endToEnd, 0.5)), "e2e-p50-ms")
	b.ReportMetric(ms(percentile(endToEnd, 0.99)), "e2e-p99-ms")
	b.ReportMetric(float64(t.polls.Load()-polls)/float64(n), "polls/press")
}

// seededMatureUser is the heavy, mature user recommend's benchmarks use, as a
// Telegram user with the profile stored for them (so /start changes nothing
// but the activity time); their reactions from this run are deleted after it.
func seededMatureUser(b *testing.B, st *storage.Store) tgfake.User {
	ctx := context.Background()
	var u tgfake.User
	var lastActive, updated time.Time
	var blocked *time.Time
	err := storagetest.SQL(st).QueryRowContext(ctx, `
SELECT u.id, u.username, u.first_name, u.language_code, u.last_active_at, u.updated_at, u.blocked_bot_at
FROM users u WHERE u.id = (SELECT user_id FROM user_stats WHERE sent BETWEEN 300 AND 3000 ORDER BY sent DESC LIMIT 1)`).
		Scan(&u.ID, &u.Username, &u.FirstName, &u.LanguageCode, &lastActive, &updated, &blocked)
	if err != nil {
		b.Fatal(err)
	}
	var since time.Time
	if err := storagetest.SQL(st).QueryRowContext(ctx, `SELECT now()`).Scan(&since); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		db := storagetest.SQL(st)
		if _, err := db.ExecContext(ctx, `DELETE FROM reactions WHERE user_id = $1 AND sent_at >= $2`, u.ID, since); err != nil {
			b.Error(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE users SET last_active_at = $2, updated_at = $3, blocked_bot_at = $4 WHERE id = $1`,
			u.ID, lastActive, updated, blocked); err != nil {
			b.Error(err)
		}
	})
	return u
}

// databaseURLOf is the URL of the database st is connected to.
func databaseURLOf(b *testing.B, st *storage.Store) string {
	var name string
	if err := storagetest.SQL(st).QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
		b.Fatal(err)
	}
	u, err := url.Parse(storagetest.DatabaseURL())
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// fakeFileIDs stores one photo, video and animation in the fake and returns a
// tap rewrite that sends those in place of file ids the fake never issued
// (the seeded memes' ids).
func fakeFileIDs(b *testing.B, e *env) func(string, map[string]any) {
	tb, err := tele.NewBot(tele.Settings{URL: e.tgURL(), Token: token, Offline: true})
	if err != nil {
		b.Fatal(err)
	}
	storageChat := &tele.Chat{ID: storageChatID}
	photo := encodeJPEG(b, memeImage(1, 320, 240), 85)
	ids := map[string]string{}
	for kind, what := range map[string]tele.Sendable{
		"photo":     &tele.Photo{File: tele.FromReader(bytes.NewReader(photo))},
		"video":     &tele.Video{File: tele.FromReader(bytes.NewReader([]byte("not really a video")))},
		"animation": &tele.Animation{File: tele.FromReader(bytes.NewReader([]byte("not really a gif")))},
	} {
		m, err := tb.Send(storageChat, what)
		if err != nil {
			b.Fatal(err)
		}
		ids[kind] = m.Media().MediaFile().FileID
	}
	return func(method string, params map[string]any) {
		kind := strings.ToLower(strings.TrimPrefix(method, "send"))
		if id, ok := params[kind].(string); ok && ids[kind] != "" && !strings.HasPrefix(id, "tgfake-") {
			params[kind] = ids[kind]
		}
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
