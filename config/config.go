// Package config reads memebot's configuration from the environment (and a
// .env file in the working directory), as ../shared/interface.md lists it.
//
// Every value is checked at start: a missing or malformed one is reported as
// a single line naming the variable, and the process exits non-zero.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/joho/godotenv"
)

// Config is the whole configuration of every role.
type Config struct {
	BotToken       string  `env:"BOT_TOKEN"`
	TelegramAPIURL string  `env:"TELEGRAM_API_URL" envDefault:"https://api.telegram.org"`
	DatabaseURL    string  `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/memebot?sslmode=disable"`
	RedisURL       string  `env:"REDIS_URL" envDefault:"redis://127.0.0.1:6379/0"`
	RedisPrefix    string  `env:"REDIS_KEY_PREFIX" envDefault:"memebot"`
	StorageChatID  int64   `env:"STORAGE_CHAT_ID"`
	ReviewChatID   int64   `env:"REVIEW_CHAT_ID"`
	AdminIDs       []int64 `env:"ADMIN_IDS" envSeparator:","`
	ModeratorIDs   []int64 `env:"MODERATOR_IDS" envSeparator:","`
	HTTPAddr       string  `env:"HTTP_ADDR" envDefault:"127.0.0.1:8080"`
	WebhookURL     string  `env:"WEBHOOK_URL"`
	WebhookSecret  string  `env:"WEBHOOK_SECRET"`
	WatermarkText  string  `env:"WATERMARK_TEXT"`
	AutoMigrate    bool    `env:"AUTO_MIGRATE" envDefault:"true"`

	UploadLimitPerHour int   `env:"UPLOAD_LIMIT_PER_HOUR" envDefault:"15"`
	UploadMaxBytes     int64 `env:"UPLOAD_MAX_BYTES" envDefault:"20971520"`

	ModerationAPIURL   string   `env:"MODERATION_API_URL"`
	ModerationAPIKey   string   `env:"MODERATION_API_KEY"`
	VisionAPIURL       string   `env:"VISION_API_URL"`
	VisionAPIKey       string   `env:"VISION_API_KEY"`
	VisionModels       []string `env:"VISION_MODELS" envSeparator:","`
	VisionDailyQuota   int      `env:"VISION_DAILY_QUOTA" envDefault:"900"`
	DescribeBatch      int      `env:"DESCRIBE_BATCH" envDefault:"9"`
	AutoApproveLowRisk bool     `env:"AUTO_APPROVE_LOW_RISK" envDefault:"false"`
	// Check thresholds (not in the fixed interface; the seeds' values by default).
	BlurThreshold   float64 `env:"BLUR_THRESHOLD" envDefault:"100"`
	RiskReviewAbove float64 `env:"MODERATION_REVIEW_THRESHOLD" envDefault:"0.3"`
	RiskRejectAbove float64 `env:"MODERATION_REJECT_THRESHOLD" envDefault:"0.7"`

	TGWebURL                string `env:"TG_WEB_URL" envDefault:"https://t.me"`
	VKAPIURL                string `env:"VK_API_URL" envDefault:"https://api.vk.com/method"`
	VKToken                 string `env:"VK_TOKEN"`
	IGAPIURL                string `env:"IG_API_URL" envDefault:"https://api.hikerapi.com"`
	IGAPIKey                string `env:"IG_API_KEY"`
	IngestAllowPrivateHosts bool   `env:"INGEST_ALLOW_PRIVATE_HOSTS" envDefault:"false"`
	IngestBatch             int    `env:"INGEST_BATCH" envDefault:"25"`
	// IngestTelegramHold is how long a Telegram post waits before it is
	// judged: its views are compared with the channel's median, and a young
	// post has not gathered them yet. 0 judges posts at once.
	IngestTelegramHold time.Duration `env:"INGEST_TELEGRAM_HOLD" envDefault:"3h"`

	// Worker tuning (not part of the fixed interface; defaults suit one small machine).
	WorkerConcurrency int           `env:"WORKER_CONCURRENCY" envDefault:"4"`
	JobMaxAttempts    int           `env:"JOB_MAX_ATTEMPTS" envDefault:"5"`
	JobClaimIdle      time.Duration `env:"JOB_CLAIM_IDLE" envDefault:"15s"`
	JobTimeout        time.Duration `env:"JOB_TIMEOUT" envDefault:"90s"`
	UpdateConcurrency int           `env:"UPDATE_CONCURRENCY" envDefault:"64"`
	// Outgoing limits, shared by every process on the token (Telegram's by default).
	RateGlobal  int `env:"TELEGRAM_RATE_GLOBAL" envDefault:"30"` // messages a second, all chats
	RatePrivate int `env:"TELEGRAM_RATE_PRIVATE" envDefault:"1"` // messages a second to one user
	RateGroup   int `env:"TELEGRAM_RATE_GROUP" envDefault:"20"`  // messages a minute to one group or channel
	// StatsLag keeps the stats job this far behind now, so that rows still
	// being committed are never skipped.
	StatsLag time.Duration `env:"STATS_LAG" envDefault:"30s"`

	LogLevel  string `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat string `env:"LOG_FORMAT" envDefault:"text"`

	// Schedules holds SCHEDULE_<JOB> overrides, keyed by the upper-cased job name.
	Schedules map[string]string `env:"-"`
}

// Load reads the configuration from the environment. A .env file in the
// working directory is read first; variables already set win over it.
func Load() (*Config, error) {
	if err := godotenv.Load(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf(".env: %w", err)
	}
	return Parse(os.Environ())
}

// Parse builds a Config from KEY=VALUE pairs; it is what Load uses and what tests call.
func Parse(environ []string) (*Config, error) {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	var cfg Config
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: vars}); err != nil {
		return nil, firstError(err)
	}
	cfg.Schedules = map[string]string{}
	for k, v := range vars {
		if name, ok := strings.CutPrefix(k, "SCHEDULE_"); ok && v != "" {
			cfg.Schedules[name] = v
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// firstError turns env's aggregate error into one line naming one variable.
func firstError(err error) error {
	var agg env.AggregateError
	if errors.As(err, &agg) && len(agg.Errors) > 0 {
		err = agg.Errors[0]
	}
	var parseErr env.ParseError
	if errors.As(err, &parseErr) {
		return fmt.Errorf("%s: malformed value (%s expected)", envName(parseErr.Name), parseErr.Type)
	}
	return err
}

// envName maps a Config field name reported by env to its variable name.
func envName(field string) string {
	if f, ok := reflect.TypeFor[Config]().FieldByName(field); ok {
		return f.Tag.Get("env")
	}
	return field
}

func (c *Config) validate() error {
	for name, raw := range map[string]string{
		"TELEGRAM_API_URL": c.TelegramAPIURL, "DATABASE_URL": c.DatabaseURL, "REDIS_URL": c.RedisURL,
		"WEBHOOK_URL": c.WebhookURL, "MODERATION_API_URL": c.ModerationAPIURL, "VISION_API_URL": c.VisionAPIURL,
		"TG_WEB_URL": c.TGWebURL, "VK_API_URL": c.VKAPIURL, "IG_API_URL": c.IGAPIURL,
	} {
		if raw == "" {
			continue
		}
		if u, err := url.Parse(raw); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("%s: malformed URL", name)
		}
	}
	if c.WebhookURL != "" && c.WebhookSecret == "" {
		return errors.New("WEBHOOK_SECRET: required when WEBHOOK_URL is set")
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		return fmt.Errorf("LOG_LEVEL: %w", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return errors.New("LOG_FORMAT: must be text or json")
	}
	for _, m := range c.VisionModels {
		if !strings.HasSuffix(strings.TrimSpace(m), ":free") {
			return fmt.Errorf("VISION_MODELS: model %q does not end in :free (paid models are refused)", m)
		}
	}
	if c.RiskReviewAbove < 0 || c.RiskReviewAbove > c.RiskRejectAbove || c.RiskRejectAbove > 1 {
		return errors.New("MODERATION_REVIEW_THRESHOLD: must be between 0 and MODERATION_REJECT_THRESHOLD (at most 1)")
	}
	positive := map[string]int64{
		"UPLOAD_LIMIT_PER_HOUR": int64(c.UploadLimitPerHour), "UPLOAD_MAX_BYTES": c.UploadMaxBytes,
		"WORKER_CONCURRENCY": int64(c.WorkerConcurrency), "JOB_MAX_ATTEMPTS": int64(c.JobMaxAttempts),
		"UPDATE_CONCURRENCY": int64(c.UpdateConcurrency), "TELEGRAM_RATE_GLOBAL": int64(c.RateGlobal),
		"TELEGRAM_RATE_PRIVATE": int64(c.RatePrivate), "TELEGRAM_RATE_GROUP": int64(c.RateGroup),
	}
	for name, v := range positive {
		if v <= 0 {
			return fmt.Errorf("%s: must be positive", name)
		}
	}
	return nil
}

// RequireTelegram checks what the roles that talk to Telegram need.
func (c *Config) RequireTelegram() error {
	switch {
	case c.BotToken == "":
		return errors.New("BOT_TOKEN: required")
	case c.StorageChatID == 0:
		return errors.New("STORAGE_CHAT_ID: required")
	case c.ReviewChatID == 0:
		return errors.New("REVIEW_CHAT_ID: required")
	}
	return nil
}

// IsAdmin reports whether the Telegram user id is listed in ADMIN_IDS.
func (c *Config) IsAdmin(id int64) bool { return contains(c.AdminIDs, id) }

// IsConfiguredModerator reports whether the id is listed in MODERATOR_IDS.
func (c *Config) IsConfiguredModerator(id int64) bool { return contains(c.ModeratorIDs, id) }

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// ParseLevel maps LOG_LEVEL to a slog level.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, errors.New("must be debug, info, warn or error")
	}
	return l, nil
}
