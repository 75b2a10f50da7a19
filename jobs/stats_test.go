package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"memebot/metrics"
	"memebot/storage"
	"memebot/storage/storagetest"
)

// TestNewMemesArePublishedPerLanguage: the stats job's gauges count each
// language's new memes on time and late, and it warns about the language
// whose new memes miss their first 20 people, not about the one that keeps
// pace (the total, 12 of 22 on time, would not say which).
func TestNewMemesArePublishedPerLanguage(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	exec := storagetest.Exec(t, st)
	live := time.Now().Add(-2 * time.Hour)
	for u := 1; u <= storage.FreshImpressions; u++ {
		exec(`INSERT INTO users (id) VALUES ($1)`, u)
	}
	add := func(id int64, lang string, shown int) {
		exec(`INSERT INTO memes (id, type, status, language) VALUES ($1, 'photo', 'ok', $2)`, id, lang)
		exec(`INSERT INTO status_events (meme_id, from_status, to_status, reason, created_at) VALUES ($1, 'waiting_review', 'ok', '', $2)`, id, live)
		for u := 1; u <= shown; u++ {
			exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at) VALUES ($1, $2, 'fresh', $3)`, u, id, live.Add(20*time.Minute))
		}
	}
	for id := int64(1); id <= 12; id++ {
		add(id, "en", storage.FreshImpressions)
	}
	for id := int64(13); id <= 22; id++ {
		add(id, "ru", 3)
	}
	var logs bytes.Buffer
	if err := publishNewMemes(ctx, st, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		state, language string
		want            float64
	}{{"on_time", "en", 12}, {"late", "en", 0}, {"on_time", "ru", 0}, {"late", "ru", 10}} {
		var m dto.Metric
		if err := metrics.FeedNewMemes.WithLabelValues(g.state, g.language).Write(&m); err != nil {
			t.Fatal(err)
		}
		if got := m.GetGauge().GetValue(); got != g.want {
			t.Errorf("memebot_feed_new_memes{state=%q,language=%q} = %v, want %v", g.state, g.language, got, g.want)
		}
	}
	if !strings.Contains(logs.String(), "language=ru") || strings.Contains(logs.String(), "language=en") {
		t.Fatalf("want a warning about the Russian memes alone, logged:\n%s", logs.String())
	}
}
