// Package vision describes memes with free vision LLMs behind an
// OpenAI-compatible chat completions API (OpenRouter): the text on the
// image, a short English description, the language and tags. It is used
// for new uploads and by the scheduled backfill job, and guards the free
// tier with Redis state shared by all replicas: a per-model cooldown after
// 429, a daily quota per UTC day and a circuit breaker.
package vision

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults for Config.
const (
	DefaultDailyQuota       = 900
	DefaultTimeout          = 60 * time.Second
	DefaultCooldown         = 10 * time.Minute
	DefaultTimeoutCooldown  = 5 * time.Minute
	DefaultMaxCooldown      = 24 * time.Hour
	DefaultBreakerThreshold = 3
	DefaultBreakerWindow    = time.Hour
	DefaultImageSide        = 768
)

// Errors Describe returns besides a plain failure. None of them is a
// failure of the meme: the caller stops the batch and tries again later.
var (
	ErrAllModelsCoolingDown = errors.New("vision: all models are cooling down")
	ErrQuotaExhausted       = errors.New("vision: daily quota exhausted")
	ErrBreakerOpen          = errors.New("vision: circuit breaker open")
	// ErrDescribeFailed wraps the errors of a describe attempt that counted
	// as a failure for the circuit breaker.
	ErrDescribeFailed = errors.New("vision: describe failed")
)

// Config configures NewDescriber. Zero values take the defaults.
type Config struct {
	// URL is the API base including its version prefix, e.g.
	// "https://openrouter.ai/api/v1"; requests go to URL + "/chat/completions".
	URL    string
	APIKey string
	// Models are tried in order. Only free models (ids ending in ":free")
	// are accepted: a paid model can drive the balance below zero, which
	// blocks every model.
	Models []string

	Redis     redis.UniversalClient
	KeyPrefix string // e.g. "memebot:"; keys are KeyPrefix + "vision:..."

	DailyQuota      int           // model calls per UTC day; default 900
	Timeout         time.Duration // per model call; default 60s
	Cooldown        time.Duration // after a 429 without Retry-After; default 10m
	TimeoutCooldown time.Duration // after a model timed out; default 5m
	MaxCooldown     time.Duration // caps Retry-After; default 24h

	BreakerThreshold int           // failures within BreakerWindow that open the breaker; default 3
	BreakerWindow    time.Duration // default 1h
	// OnTrip is called once, by the replica that opened the breaker (the
	// caller pauses the describe job and tells the admins).
	OnTrip func(ctx context.Context, reason string)

	HTTPClient *http.Client
	ImageSide  int // the image is shrunk to fit this square; default 768
	Now        func() time.Time
	Logger     *slog.Logger
}

// Description is what a model saw in a meme.
type Description struct {
	Text         string    `json:"text"`        // text on the image, as written
	Description  string    `json:"description"` // 1-3 English sentences
	Language     string    `json:"language"`    // "en", "ru", ...
	Tags         []string  `json:"tags"`
	Model        string    `json:"model"`
	CalculatedAt time.Time `json:"calculated_at"`
}

// Describer calls the vision models. It is safe for concurrent use.
type Describer struct {
	cfg Config
}

// NewDescriber checks cfg and returns a Describer.
func NewDescriber(cfg Config) (*Describer, error) {
	if cfg.URL == "" {
		return nil, errors.New("vision: URL is required")
	}
	if cfg.Redis == nil {
		return nil, errors.New("vision: Redis client is required")
	}
	if len(cfg.Models) == 0 {
		return nil, errors.New("vision: no models configured")
	}
	for _, m := range cfg.Models {
		if !strings.HasSuffix(m, ":free") {
			return nil, fmt.Errorf("vision: model %q is not free (id must end in \":free\"); paid models can drain the balance and block all models", m)
		}
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	setDefaults(&cfg)
	return &Describer{cfg: cfg}, nil
}

func setDefaults(cfg *Config) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Timeout, DefaultTimeout)
	def(&cfg.Cooldown, DefaultCooldown)
	def(&cfg.TimeoutCooldown, DefaultTimeoutCooldown)
	def(&cfg.MaxCooldown, DefaultMaxCooldown)
	def(&cfg.BreakerWindow, DefaultBreakerWindow)
	if cfg.DailyQuota <= 0 {
		cfg.DailyQuota = DefaultDailyQuota
	}
	if cfg.BreakerThreshold <= 0 {
		cfg.BreakerThreshold = DefaultBreakerThreshold
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.ImageSide <= 0 {
		cfg.ImageSide = DefaultImageSide
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.OnTrip == nil {
		cfg.OnTrip = func(context.Context, string) {}
	}
}

// Describe asks the models in order to describe img. A model answering 429
// cools down (Retry-After honoured) and the next is tried; one that times
// out cools down too (free-tier backpressure, not a failure). Other errors
// (5xx, malformed JSON) move on to the next model; if no model succeeds,
// that is one failure for the breaker and the error wraps
// ErrDescribeFailed. Every model call is counted against the daily quota
// first.
func (d *Describer) Describe(ctx context.Context, img image.Image) (Description, error) {
	if open, reason, err := d.BreakerOpen(ctx); err != nil {
		return Description{}, err
	} else if open {
		return Description{}, fmt.Errorf("%w: %s", ErrBreakerOpen, reason)
	}
	dataURL, err := jpegDataURL(img, d.cfg.ImageSide)
	if err != nil {
		return Description{}, err
	}
	var failures []error
	for _, model := range d.cfg.Models {
		cooling, err := d.coolingDown(ctx, model)
		if err != nil {
			return Description{}, err
		}
		if cooling {
			continue
		}
		if err := d.spendQuota(ctx); err != nil {
			return Description{}, err
		}
		desc, err := d.call(ctx, model, dataURL)
		if err == nil {
			return desc, nil
		}
		if ctx.Err() != nil {
			return Description{}, fmt.Errorf("vision: describe: %w", ctx.Err())
		}
		var rl *rateLimitedError
		switch {
		case errors.As(err, &rl):
			d.coolDown(ctx, model, rl.retryAfter, "rate limited")
		case isTimeout(err):
			d.coolDown(ctx, model, d.cfg.TimeoutCooldown, "timeout")
		default:
			d.cfg.Logger.WarnContext(ctx, "vision: model failed", slog.String("model", model), slog.Any("error", err))
			failures = append(failures, fmt.Errorf("%s: %w", model, err))
		}
	}
	if len(failures) == 0 {
		return Description{}, ErrAllModelsCoolingDown
	}
	err = fmt.Errorf("%w: %w", ErrDescribeFailed, errors.Join(failures...))
	d.recordFailure(ctx, err.Error())
	return Description{}, err
}
