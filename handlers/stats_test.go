package handlers

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/queue"
	"memebot/recommend"
	"memebot/storage"
)

// fakeContext is the part of a telebot context /stats uses; any other call
// panics on the nil embedded interface.
type fakeContext struct {
	tele.Context
	sender *tele.User
	role   string
	sent   []any
}

func (f *fakeContext) Sender() *tele.User { return f.sender }
func (f *fakeContext) Get(key string) any { return f.role }
func (f *fakeContext) Send(what any, _ ...any) error {
	f.sent = append(f.sent, what)
	return nil
}

type fakeFigures struct {
	global storage.GlobalStats
	days   []storage.DayFigures
	user   map[int64]storage.UserFigures
	err    error
}

func (f fakeFigures) GlobalStats(context.Context, time.Time) (storage.GlobalStats, error) {
	return f.global, f.err
}

func (f fakeFigures) DailySeries(_ context.Context, days int, now time.Time) ([]storage.DayFigures, error) {
	return f.days, f.err
}

func (f fakeFigures) UserStats(_ context.Context, id int64) (storage.UserFigures, error) {
	return f.user[id], f.err
}

type fakeQueue struct {
	stats queue.Stats
	err   error
}

func (q fakeQueue) Stats(context.Context) (queue.Stats, error) { return q.stats, q.err }

func figures() fakeFigures {
	days := make([]storage.DayFigures, chartDays)
	for i := range days {
		days[i] = storage.DayFigures{Day: time.Date(2025, 6, 2+i, 0, 0, 0, 0, time.UTC), Reactions: int64(10 * i), Uploads: 3, Approvals: 1}
	}
	return fakeFigures{
		global: storage.GlobalStats{
			Users: 120, Active24h: 30, Active7d: 80, Blocked: 5,
			MemesByStatus: map[string]int64{"ok": 400, "waiting_review": 3, "rejected": 20},
			Uploads24h:    7, Approved24h: 4, Rejected24h: 1, AutoApproved24h: 2,
			Sent24h: 300, Likes24h: 155, Dislikes24h: 95,
			Engines: []storage.EngineFigures{{Engine: "lr_smoothed", Likes: 2, Dislikes: 1}},
			Backlog: 3, OldestWaiting: 2*time.Hour + 15*time.Minute,
			NewMemes: []storage.NewMemesInLanguage{{Language: "en", Memes: 40, OnTime: 39}, {Language: "ru", Memes: 20, OnTime: 11}},
		},
		days: days,
		user: map[int64]storage.UserFigures{42: {Seen: 12, Likes: 7, Dislikes: 4, Uploads: 2, Approved: 1, Coins: 5}},
	}
}

func newStatsCommand(f fakeFigures, q QueueStats) *StatsCommand {
	return &StatsCommand{Figures: f, MediaQueue: q, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestAdminStatsSendGlobalFiguresThenAChart(t *testing.T) {
	s := newStatsCommand(figures(), fakeQueue{stats: queue.Stats{Length: 4, Delayed: 1, Dead: 2, OldestAge: 90 * time.Second}})
	c := &fakeContext{sender: &tele.User{ID: 1, LanguageCode: "en"}, role: storage.RoleAdmin}
	if err := s.Handle(c); err != nil {
		t.Fatal(err)
	}
	if len(c.sent) != 2 {
		t.Fatalf("sent %d messages, want the figures and a chart", len(c.sent))
	}
	text, _ := c.sent[0].(string)
	for _, want := range []string{
		"Users: 120, active 30 in 24 h and 80 in 7 days, 5 blocked",
		"Memes: ok 400, waiting_review 3, rejected 20",
		"7 uploads; reviewed 4 approved, 1 rejected; 2 approved automatically",
		"300 memes sent, 250 reactions, like rate 62% (155 👍 / 95 👎)",
		"lr_smoothed: 67% (2 👍 / 1 👎)",
		"Review backlog: 3, the oldest waiting 2h 15m",
		"Media queue: 4 jobs, 1 delayed, 2 dead letters, the oldest 1m",
		"Went live 1-25 h ago: 60 memes, 50 of them (83%) shown to 20 people within their first hour",
		"by language: en 39/40 (98%), ru 11/20 (55%)", // Russian memes fall behind where the total looks fine
	} {
		if !strings.Contains(text, want) {
			t.Errorf("admin figures lack %q:\n%s", want, text)
		}
	}
	photo, ok := c.sent[1].(*tele.Photo)
	if !ok {
		t.Fatalf("second message is %T, want a photo", c.sent[1])
	}
	data, _ := io.ReadAll(photo.File.FileReader)
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != chartWidth || img.Bounds().Dy() != chartHeight {
		t.Fatalf("chart: %v, err %v; want a %dx%d PNG", img, err, chartWidth, chartHeight)
	}
}

func TestUserStatsShowOnlyTheirOwnFiguresInTheirLanguage(t *testing.T) {
	s := newStatsCommand(figures(), nil)
	for _, c := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"Memes seen: 12", "Likes: 7", "Dislikes: 4", "Uploads: 2, approved: 1", "Coins: 5"}},
		{"ru", []string{"Мемов просмотрено: 12", "Лайков: 7", "Дизлайков: 4", "Загружено: 2, одобрено: 1", "Монет: 5"}},
	} {
		ctx := &fakeContext{sender: &tele.User{ID: 42, LanguageCode: c.lang}, role: storage.RoleModerator}
		if err := s.Handle(ctx); err != nil {
			t.Fatal(err)
		}
		if len(ctx.sent) != 1 {
			t.Fatalf("%s: sent %d messages, want 1", c.lang, len(ctx.sent))
		}
		text := ctx.sent[0].(string)
		for _, want := range c.want {
			if !strings.Contains(text, want) {
				t.Errorf("%s: own figures lack %q:\n%s", c.lang, want, text)
			}
		}
		if strings.Contains(text, "120") {
			t.Errorf("%s: a user sees global figures:\n%s", c.lang, text)
		}
	}
}

func TestStatsSayWhatIsUnavailable(t *testing.T) {
	admin := &fakeContext{sender: &tele.User{ID: 1, LanguageCode: "ru"}, role: storage.RoleAdmin}
	if err := newStatsCommand(figures(), fakeQueue{err: errors.New("redis down")}).Handle(admin); err != nil {
		t.Fatal(err)
	}
	if text := admin.sent[0].(string); !strings.Contains(text, "Очередь обработки: недоступна") || !strings.Contains(text, "Пользователей: 120") {
		t.Fatalf("with the queue down the figures should still come, in Russian:\n%s", text)
	}
	broken := figures()
	broken.err = errors.New("db down")
	user := &fakeContext{sender: &tele.User{ID: 42, LanguageCode: "en"}}
	if err := newStatsCommand(broken, nil).Handle(user); err == nil || len(user.sent) != 1 || !strings.Contains(user.sent[0].(string), "went wrong") {
		t.Fatalf("a storage failure should be reported to the user and returned: err %v, sent %v", err, user.sent)
	}
}

func TestAgeAndLikeRate(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		lang string
		want string
	}{
		{35 * time.Second, "en", "35s"},
		{5 * time.Minute, "en", "5m"},
		{2*time.Hour + 15*time.Minute, "ru", "2 ч 15 мин"},
		{50 * time.Hour, "en", "2d 2h"},
	} {
		if got := age(c.lang, c.d); got != c.want {
			t.Errorf("age(%v, %s) = %q, want %q", c.d, c.lang, got, c.want)
		}
	}
	if likeRate(0, 0) != noFigure || likeRate(1, 2) != "33%" {
		t.Errorf("like rate: %q, %q", likeRate(0, 0), likeRate(1, 2))
	}
}

type fakeWeights []recommend.StageWeights

func (w fakeWeights) EngineWeights(context.Context) ([]recommend.StageWeights, error) { return w, nil }

func TestAdminStatsShowTheBlendByStage(t *testing.T) {
	s := newStatsCommand(figures(), fakeQueue{})
	s.Weights = fakeWeights{
		{Stage: "explore", Weights: map[string]float64{recommend.Fresh: 0.1, recommend.ColdStartExplore: 0.9}},
		{Stage: "mature", Weights: map[string]float64{recommend.CoLiked: 0.25, recommend.SourceAffinity: 0.62, recommend.Fresh: 0.13}},
	}
	c := &fakeContext{sender: &tele.User{ID: 1, LanguageCode: "en"}, role: storage.RoleAdmin}
	if err := s.Handle(c); err != nil {
		t.Fatal(err)
	}
	text, _ := c.sent[0].(string)
	for _, want := range []string{
		"explore: cold_start_explore 90%, fresh 10%",
		"mature: source_affinity 62%, co_liked 25%, fresh 13%",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("admin figures lack %q:\n%s", want, text)
		}
	}
}
