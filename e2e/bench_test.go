package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"memebot/app"
	"memebot/queue"
	"memebot/storage"
	"memebot/storage/storagetest"
)

func percentile(d []time.Duration, p float64) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// BenchmarkPipeline: a worker process (2 cores, WORKER_CONCURRENCY=4) with the
// moderation service faked at 200 ms latency; uploads arrive at a steady rate
// (BENCH_RATE per second, default 9 = 540 a minute) for BENCH_SECONDS (30).
// Reports throughput, p50/p95 from enqueue to review post, and the worker's
// peak RSS. Opt-in (MEMEBOT_BENCH_PIPELINE=1): it takes a minute. -benchtime 1x.
func BenchmarkPipeline(b *testing.B) {
	if os.Getenv("MEMEBOT_BENCH_PIPELINE") == "" {
		b.Skip("set MEMEBOT_BENCH_PIPELINE=1 to run the pipeline benchmark")
	}
	rate, seconds := envInt("BENCH_RATE", 9), envInt("BENCH_SECONDS", 30)
	mod := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
		fmt.Fprint(w, `{"results":[{"flagged":false,"category_scores":{"violence":0.01}}]}`)
	}))
	defer mod.Close()
	for range b.N {
		roles := app.Roles{}
		inProcess := os.Getenv("BENCH_INPROCESS") != "" // for -cpuprofile
		if inProcess {
			roles.Worker = true
		}
		e := startBench(b, roles, "MODERATION_API_URL="+mod.URL, "WORKER_CONCURRENCY=4", "LOG_LEVEL=warn")
		n := rate * seconds
		// Pictures already on "Telegram", one distinct meme each.
		fileIDs := make([]string, n)
		for i := range n {
			m, err := e.tg.SendPhoto(user(200000, "en"), user(200000, "en").PrivateChat(), encodeJPEG(b, distinctImage(1000+i, 1080, 1080), 88), "")
			if err != nil {
				b.Fatal(err)
			}
			fileIDs[i] = m.MediaFileID()
		}
		var w *proc
		if !inProcess {
			w = e.spawn("worker", "MODERATION_API_URL="+mod.URL, "WORKER_CONCURRENCY=4", "LOG_LEVEL=warn")
		}
		q := queue.New(e.redis, "media", queue.Options{}, e.logger())
		events, cancel := e.tg.Subscribe()
		posted := map[int64]time.Time{}
		var mu sync.Mutex
		go func() {
			for ev := range events {
				if ev.ChatID == reviewChatID && ev.Type == "message" && ev.Message != nil {
					var id int64
					if i := strings.Index(ev.Message.Caption, "Meme #"); i >= 0 {
						fmt.Sscanf(ev.Message.Caption[i:], "Meme #%d", &id)
					}
					mu.Lock()
					posted[id] = ev.Time
					mu.Unlock()
				}
			}
		}()
		ctx := context.Background()
		if _, _, err := e.store.UpsertUser(ctx, storage.UserProfile{ID: 200000, FirstName: "Bench"}); err != nil {
			b.Fatal(err)
		}
		enqueued := make([]time.Time, n)
		subs := make([]int64, n)
		b.ResetTimer()
		began := time.Now()
		for i := range n {
			time.Sleep(time.Until(began.Add(time.Duration(i) * time.Second / time.Duration(rate))))
			sub, _, err := e.store.CreateSubmission(ctx, storage.Submission{UploaderID: 200000, ChatID: 200000,
				MessageID: int64(10_000_000 + i), MediaType: "photo", FileID: fileIDs[i], Language: "en"})
			if err != nil {
				b.Fatal(err)
			}
			subs[i], enqueued[i] = sub.ID, time.Now()
			if _, err := q.Enqueue(ctx, queue.Job{Kind: "upload", Ref: sub.ID}); err != nil {
				b.Fatal(err)
			}
		}
		deadline := time.Now().Add(5 * time.Minute)
		for {
			mu.Lock()
			got := len(posted)
			mu.Unlock()
			if got >= n || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		elapsed := time.Since(began)
		b.StopTimer()
		cancel()
		rss := peakRSS(w)
		// Submission i became meme (i-th created); map by submission -> meme id.
		var rows []storage.Submission
		storagetest.DB(e.store).Where("id IN ?", subs).Find(&rows)
		memeOf := map[int64]int64{}
		for _, r := range rows {
			if r.MemeID != nil {
				memeOf[r.ID] = *r.MemeID
			}
		}
		var lat []time.Duration
		mu.Lock()
		for i, s := range subs {
			if at, ok := posted[memeOf[s]]; ok {
				lat = append(lat, at.Sub(enqueued[i]))
			}
		}
		mu.Unlock()
		b.ReportMetric(float64(len(lat))/elapsed.Minutes(), "images/min")
		b.ReportMetric(float64(percentile(lat, 0.5).Milliseconds()), "p50-ms")
		b.ReportMetric(float64(percentile(lat, 0.95).Milliseconds()), "p95-ms")
		b.ReportMetric(float64(rss)/1024, "worker-peak-rss-MB")
		b.ReportMetric(float64(len(lat)), "posted")
		var outcomes []struct {
			Status string
			N      int
		}
		storagetest.DB(e.store).Raw("SELECT status, count(*) AS n FROM submissions WHERE id IN ? GROUP BY status", subs).Scan(&outcomes)
		b.Logf("submissions by status: %+v", outcomes)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// peakRSS reads a process's peak resident memory in KiB (VmHWM).
func peakRSS(p *proc) int {
	if p == nil {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb
		}
	}
	return 0
}
