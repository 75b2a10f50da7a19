package config_test

import (
	"strings"
	"testing"
	"time"

	"memebot/config"
)

func TestDefaultsMatchTheInterface(t *testing.T) {
	cfg, err := config.Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UploadLimitPerHour != 15 || cfg.UploadMaxBytes != 20971520 || cfg.VisionDailyQuota != 900 ||
		cfg.HTTPAddr != "127.0.0.1:8080" || cfg.TelegramAPIURL != "https://api.telegram.org" || !cfg.AutoMigrate {
		t.Fatalf("defaults differ from interface.md: %+v", cfg)
	}
	if err := cfg.RequireTelegram(); err == nil || !strings.HasPrefix(err.Error(), "BOT_TOKEN") {
		t.Fatalf("missing token: %v", err)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := map[string]string{
		"UPLOAD_LIMIT_PER_HOUR=lots":     "UPLOAD_LIMIT_PER_HOUR",
		"STORAGE_CHAT_ID=abc":            "STORAGE_CHAT_ID",
		"ADMIN_IDS=1,x":                  "ADMIN_IDS",
		"AUTO_MIGRATE=maybe":             "AUTO_MIGRATE",
		"TELEGRAM_API_URL=not a url":     "TELEGRAM_API_URL",
		"LOG_LEVEL=loud":                 "LOG_LEVEL",
		"VISION_MODELS=gpt-4o":           "VISION_MODELS",
		"WEBHOOK_URL=https://x.example/": "WEBHOOK_SECRET",
		"UPLOAD_MAX_BYTES=0":             "UPLOAD_MAX_BYTES",
		"JOB_CLAIM_IDLE=soon":            "JOB_CLAIM_IDLE",
	}
	for kv, name := range cases {
		_, err := config.Parse([]string{kv})
		if err == nil {
			t.Errorf("%s: accepted", kv)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, name+":") || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q should be one line starting with %s:", kv, msg, name)
		}
	}
}

func TestListsAndSchedules(t *testing.T) {
	cfg, err := config.Parse([]string{"ADMIN_IDS=1,2", "VISION_MODELS=a:free,b:free", "SCHEDULE_INGEST_TELEGRAM=@every 30s", "JOB_CLAIM_IDLE=5s"})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.IsAdmin(2) || cfg.IsAdmin(3) || len(cfg.VisionModels) != 2 || cfg.Schedules["INGEST_TELEGRAM"] != "@every 30s" || cfg.JobClaimIdle != 5*time.Second {
		t.Fatalf("parsed %+v", cfg)
	}
}
