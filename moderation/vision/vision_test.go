package vision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// forEachRedis runs f against the real Redis at REDIS_URL (skipped, saying
// so, when unreachable) and against miniredis. Each run gets its own key
// prefix, as tests share the real Redis.
func forEachRedis(t *testing.T, f func(t *testing.T, rdb redis.UniversalClient, prefix string)) {
	t.Run("redis", func(t *testing.T) {
		url := os.Getenv("REDIS_URL")
		if url == "" {
			url = "redis://127.0.0.1:6379/0"
		}
		opts, err := redis.ParseURL(url)
		if err != nil {
			t.Fatalf("REDIS_URL: %v", err)
		}
		rdb := redis.NewClient(opts)
		t.Cleanup(func() { rdb.Close() })
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := rdb.Ping(ctx).Err(); err != nil {
			t.Skipf("real Redis at %s unreachable (%v); set REDIS_URL to run", url, err)
		}
		prefix := fmt.Sprintf("test:%x:", rand.Uint64())
		t.Cleanup(func() {
			keys, _ := rdb.Keys(context.Background(), prefix+"*").Result()
			if len(keys) > 0 {
				rdb.Del(context.Background(), keys...)
			}
		})
		f(t, rdb, prefix)
	})
	t.Run("miniredis", func(t *testing.T) {
		mr := miniredis.RunT(t)
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { rdb.Close() })
		f(t, rdb, fmt.Sprintf("test:%x:", rand.Uint64()))
	})
}

// fakeAPI is a chat completions server whose answer depends on the model.
type fakeAPI struct {
	mu      sync.Mutex
	calls   []string // models, in call order
	answers map[string]func(w http.ResponseWriter)
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model    string `json:"model"`
		Messages []struct {
			Content []struct {
				Type     string            `json:"type"`
				ImageURL map[string]string `json:"image_url"`
			} `json:"content"`
		} `json:"messages"`
	}
	if r.URL.Path != "/api/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer key" {
		http.Error(w, "bad path or key", http.StatusNotFound)
		return
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 ||
		!strings.HasPrefix(req.Messages[0].Content[1].ImageURL["url"], "data:image/jpeg;base64,") {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, req.Model)
	answer := f.answers[req.Model]
	f.mu.Unlock()
	answer(w)
}

func (f *fakeAPI) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func ok(content string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		b, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": content}}}})
		w.Write(b)
	}
}

func status(code int, retryAfter string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, "nope", code)
	}
}

func hang(d time.Duration) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) { time.Sleep(d); ok(goodAnswer)(w) }
}

const goodAnswer = "```json\n{\"text\": \"WHEN THE CODE COMPILES\", \"description\": \"A man celebrates.\", \"language\": \"EN\", \"tags\": [\"Programming\", \"code compiles\", \"x\", \"programming\"]}\n```"

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 900, 300))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(0, 0, color.White)
	return img
}

type harness struct {
	d      *Describer
	api    *fakeAPI
	trips  atomic.Int32
	reason atomic.Value
}

func newHarness(t *testing.T, rdb redis.UniversalClient, prefix string, models []string, answers map[string]func(http.ResponseWriter), tweak func(*Config)) *harness {
	t.Helper()
	h := &harness{api: &fakeAPI{answers: answers}}
	srv := httptest.NewServer(h.api)
	t.Cleanup(srv.Close)
	cfg := Config{
		URL: srv.URL + "/api/v1", APIKey: "key", Models: models, Redis: rdb, KeyPrefix: prefix,
		Timeout: 300 * time.Millisecond, ImageSide: 256,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnTrip: func(_ context.Context, reason string) {
			h.trips.Add(1)
			h.reason.Store(reason)
		},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	d, err := NewDescriber(cfg)
	if err != nil {
		t.Fatalf("NewDescriber: %v", err)
	}
	h.d = d
	return h
}

func TestNewDescriberRefusesPaidModels(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	_, err := NewDescriber(Config{URL: "http://x/v1", Redis: rdb, Models: []string{"a/b:free", "openai/gpt-4o"}})
	if err == nil || !strings.Contains(err.Error(), `"openai/gpt-4o" is not free`) {
		t.Fatalf("paid model accepted or unclear error: %v", err)
	}
	if _, err := NewDescriber(Config{URL: "http://x/v1", Redis: rdb, Models: []string{"a/b:free"}}); err != nil {
		t.Fatalf("free model refused: %v", err)
	}
}

func TestDescribeSuccess(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		h := newHarness(t, rdb, prefix, []string{"m1:free"}, map[string]func(http.ResponseWriter){"m1:free": ok(goodAnswer)}, nil)
		got, err := h.d.Describe(context.Background(), testImage())
		if err != nil {
			t.Fatalf("Describe: %v", err)
		}
		if got.Text != "WHEN THE CODE COMPILES" || got.Description != "A man celebrates." || got.Language != "en" || got.Model != "m1:free" {
			t.Errorf("unexpected description %+v", got)
		}
		if strings.Join(got.Tags, ",") != "programming,code_compiles" {
			t.Errorf("tags %q, want programming,code_compiles", got.Tags)
		}
		if time.Since(got.CalculatedAt) > time.Minute {
			t.Errorf("calculated_at %v not set", got.CalculatedAt)
		}
		if used, _ := h.d.QuotaUsed(context.Background()); used != 1 {
			t.Errorf("quota used %d, want 1", used)
		}
	})
}

func TestDescribe429CoolsDownModelAndMovesOn(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		h := newHarness(t, rdb, prefix, []string{"m1:free", "m2:free"}, map[string]func(http.ResponseWriter){
			"m1:free": status(http.StatusTooManyRequests, "120"),
			"m2:free": ok(goodAnswer),
		}, nil)
		for i := 0; i < 2; i++ {
			got, err := h.d.Describe(context.Background(), testImage())
			if err != nil || got.Model != "m2:free" {
				t.Fatalf("call %d: %+v, %v; want an answer from m2", i, got, err)
			}
		}
		if calls := strings.Join(h.api.Calls(), ","); calls != "m1:free,m2:free,m2:free" {
			t.Errorf("calls %s: the cooling model was called again", calls)
		}
		ttl := rdb.PTTL(context.Background(), prefix+"vision:cooldown:m1:free").Val()
		if ttl < 100*time.Second || ttl > 120*time.Second {
			t.Errorf("cooldown TTL %v, want Retry-After 120s", ttl)
		}
	})
}

func TestDescribeAllModelsCoolingDownIsNotAFailure(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		h := newHarness(t, rdb, prefix, []string{"m1:free", "m2:free"}, map[string]func(http.ResponseWriter){
			"m1:free": status(http.StatusTooManyRequests, ""),
			"m2:free": status(http.StatusTooManyRequests, ""),
		}, nil)
		for i := 0; i < 4; i++ {
			if _, err := h.d.Describe(context.Background(), testImage()); !errors.Is(err, ErrAllModelsCoolingDown) {
				t.Fatalf("call %d: %v, want ErrAllModelsCoolingDown", i, err)
			}
		}
		if n := len(h.api.Calls()); n != 2 {
			t.Errorf("%d calls, want 2 (each model once, then cooling)", n)
		}
		if h.trips.Load() != 0 {
			t.Error("cooldowns tripped the breaker")
		}
		ttl := rdb.PTTL(context.Background(), prefix+"vision:cooldown:m2:free").Val()
		if ttl < 9*time.Minute {
			t.Errorf("default cooldown TTL %v, want ~10m", ttl)
		}
	})
}

func TestDescribeTimeoutCoolsDownAndMovesOn(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		h := newHarness(t, rdb, prefix, []string{"slow:free", "m2:free"}, map[string]func(http.ResponseWriter){
			"slow:free": hang(5 * time.Second),
			"m2:free":   ok(goodAnswer),
		}, nil)
		start := time.Now()
		got, err := h.d.Describe(context.Background(), testImage())
		if err != nil || got.Model != "m2:free" {
			t.Fatalf("got %+v, %v; want an answer from m2", got, err)
		}
		if d := time.Since(start); d > 3*time.Second { // waiting for the slow model takes 5 s
			t.Errorf("took %v: the per-call timeout (300ms) was not applied", d)
		}
		if n := rdb.Exists(context.Background(), prefix+"vision:cooldown:slow:free").Val(); n != 1 {
			t.Error("timed-out model is not cooling down")
		}
	})
}

func TestDescribeMalformedJSONFailsOverAndCounts(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		h := newHarness(t, rdb, prefix, []string{"bad:free", "good:free"}, map[string]func(http.ResponseWriter){
			"bad:free":  ok("I think this meme is funny {not json"),
			"good:free": ok(`{"text":"","description":"A cat.","language":"","tags":[]}`),
		}, nil)
		got, err := h.d.Describe(context.Background(), testImage())
		if err != nil || got.Model != "good:free" || got.Description != "A cat." {
			t.Fatalf("got %+v, %v; want the good model's answer", got, err)
		}
		h2 := newHarness(t, rdb, prefix+"b:", []string{"bad:free"}, map[string]func(http.ResponseWriter){
			"bad:free": func(w http.ResponseWriter) { w.Write([]byte(`{"choices": [`)) },
		}, nil)
		if _, err := h2.d.Describe(context.Background(), testImage()); !errors.Is(err, ErrDescribeFailed) {
			t.Fatalf("malformed body: %v, want ErrDescribeFailed", err)
		}
	})
}

func TestDescribeQuotaExhausted(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		h := newHarness(t, rdb, prefix, []string{"m1:free"}, map[string]func(http.ResponseWriter){"m1:free": ok(goodAnswer)},
			func(c *Config) { c.DailyQuota = 3 })
		for i := 0; i < 3; i++ {
			if _, err := h.d.Describe(context.Background(), testImage()); err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		_, err := h.d.Describe(context.Background(), testImage())
		if !errors.Is(err, ErrQuotaExhausted) {
			t.Fatalf("4th call: %v, want ErrQuotaExhausted", err)
		}
		if n := len(h.api.Calls()); n != 3 {
			t.Errorf("%d API calls, want 3: the quota must be checked before calling", n)
		}
		day := time.Now().UTC().Format(time.DateOnly)
		ttl := rdb.TTL(context.Background(), prefix+"vision:quota:"+day).Val()
		if ttl <= 0 || ttl > 25*time.Hour {
			t.Errorf("quota key TTL %v, want until the end of the UTC day", ttl)
		}
	})
}

func TestDescribeQuotaIsPerUTCDay(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		now := time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC)
		h := newHarness(t, rdb, prefix, []string{"m1:free"}, map[string]func(http.ResponseWriter){"m1:free": ok(goodAnswer)},
			func(c *Config) { c.DailyQuota = 1; c.Now = func() time.Time { return now } })
		if _, err := h.d.Describe(context.Background(), testImage()); err != nil {
			t.Fatal(err)
		}
		if _, err := h.d.Describe(context.Background(), testImage()); !errors.Is(err, ErrQuotaExhausted) {
			t.Fatalf("second call the same day: %v", err)
		}
		now = now.Add(2 * time.Minute) // next UTC day
		if _, err := h.d.Describe(context.Background(), testImage()); err != nil {
			t.Fatalf("first call of the next day: %v", err)
		}
	})
}

func TestBreakerOpensAfterThreeFailuresAndResets(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		var healthy atomic.Bool
		answers := map[string]func(http.ResponseWriter){"m1:free": func(w http.ResponseWriter) {
			if healthy.Load() {
				ok(goodAnswer)(w)
				return
			}
			status(http.StatusInternalServerError, "")(w)
		}}
		h := newHarness(t, rdb, prefix, []string{"m1:free"}, answers, nil)
		// A second replica sharing Redis must see the same breaker.
		replica := newHarness(t, rdb, prefix, []string{"m1:free"}, answers, nil)
		for i := 0; i < 3; i++ {
			if _, err := h.d.Describe(context.Background(), testImage()); !errors.Is(err, ErrDescribeFailed) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		if h.trips.Load() != 1 {
			t.Fatalf("trip callback called %d times, want 1", h.trips.Load())
		}
		if r, _ := h.reason.Load().(string); !strings.Contains(r, "3 failures") || !strings.Contains(r, "status 500") {
			t.Errorf("trip reason %q", r)
		}
		calls := len(h.api.Calls())
		for _, d := range []*Describer{h.d, replica.d, h.d} {
			if _, err := d.Describe(context.Background(), testImage()); !errors.Is(err, ErrBreakerOpen) {
				t.Fatalf("open breaker: %v, want ErrBreakerOpen", err)
			}
		}
		if len(h.api.Calls()) != calls || len(replica.api.Calls()) != 0 {
			t.Error("calls went out while the breaker was open")
		}
		if h.trips.Load()+replica.trips.Load() != 1 {
			t.Errorf("trip called again while open")
		}
		healthy.Store(true)
		if err := replica.d.Reset(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := h.d.Describe(context.Background(), testImage()); err != nil {
			t.Fatalf("after reset: %v", err)
		}
		// Failures before the reset are forgotten: two more do not trip it.
		healthy.Store(false)
		for i := 0; i < 2; i++ {
			h.d.Describe(context.Background(), testImage())
		}
		if open, _, _ := h.d.BreakerOpen(context.Background()); open {
			t.Error("breaker open after 2 failures following a reset")
		}
	})
}

func TestBreakerWindowForgetsOldFailures(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		now := time.Now()
		h := newHarness(t, rdb, prefix, []string{"m1:free"}, map[string]func(http.ResponseWriter){"m1:free": status(502, "")},
			func(c *Config) { c.Now = func() time.Time { return now } })
		for i := 0; i < 2; i++ {
			h.d.Describe(context.Background(), testImage())
		}
		now = now.Add(61 * time.Minute)
		h.d.Describe(context.Background(), testImage())
		if open, _, _ := h.d.BreakerOpen(context.Background()); open {
			t.Error("failures older than the window opened the breaker")
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"": 0, "30": 30 * time.Second, "junk": 0, "-5": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
	}
	for in, want := range cases {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
