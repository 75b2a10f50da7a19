package handlers

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/charts"
	"memebot/i18n"
	"memebot/queue"
	"memebot/recommend"
	"memebot/storage"
)

// StatsStore is the storage /stats reads.
type StatsStore interface {
	GlobalStats(ctx context.Context, now time.Time) (storage.GlobalStats, error)
	DailySeries(ctx context.Context, days int, now time.Time) ([]storage.DayFigures, error)
	UserStats(ctx context.Context, userID int64) (storage.UserFigures, error)
}

// QueueStats reads a job queue's figures: the media queue's.
type QueueStats interface {
	Stats(ctx context.Context) (queue.Stats, error)
}

// Colours of the /stats chart's series.
var (
	ReactionsColor = charts.Palette[0]
	UploadsColor   = charts.Palette[1]
	ApprovalsColor = charts.Palette[2]
)

const (
	chartDays               = 14
	chartWidth, chartHeight = 960, 540
	statsTimeout            = 30 * time.Second
	statsTimeLayout         = "2006-01-02 15:04"
	noFigure                = "—"
)

// EngineWeights reads the learned blend's current weights.
type EngineWeights interface {
	EngineWeights(ctx context.Context) ([]recommend.StageWeights, error)
}

// StatsCommand answers /stats. It is a handler of its own: it reads only
// the figures, never changes anything.
type StatsCommand struct {
	Figures    StatsStore
	MediaQueue QueueStats    // nil: the queue line says unavailable
	Weights    EngineWeights // nil: no blend lines
	Log        *slog.Logger
}

// Handle answers /stats: admins get the global figures and a chart of the
// last two weeks, everyone else their own figures.
func (s *StatsCommand) Handle(c tele.Context) error {
	if c.Sender() == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctxOf(c), statsTimeout)
	defer cancel()
	if bot.RoleOf(c) == bot.RoleAdmin {
		return s.global(ctx, c)
	}
	f, err := s.Figures.UserStats(ctx, c.Sender().ID)
	if err != nil {
		_ = c.Send(i18n.T(senderLang(c), "generic_error"))
		return fmt.Errorf("stats: %w", err)
	}
	return c.Send(userStatsText(c.Sender().LanguageCode, f))
}

// global sends the admins' figures, then the chart.
func (s *StatsCommand) global(ctx context.Context, c tele.Context) error {
	code, now := c.Sender().LanguageCode, time.Now().UTC()
	g, err := s.Figures.GlobalStats(ctx, now)
	if err != nil {
		_ = c.Send(i18n.T(senderLang(c), "generic_error"))
		return fmt.Errorf("stats: %w", err)
	}
	if err := c.Send(globalStatsText(code, g, now) + "\n" + s.queueLine(ctx, code) + s.weightLines(ctx, code)); err != nil {
		return err
	}
	chart, err := s.chart(ctx, code, now)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	return c.Send(&tele.Photo{File: tele.FromReader(bytes.NewReader(chart))})
}

func userStatsText(code string, f storage.UserFigures) string {
	return i18n.T(code, "stats_user", f.Seen, f.Likes, f.Dislikes, f.Uploads, f.Approved, f.Coins)
}

func globalStatsText(code string, g storage.GlobalStats, now time.Time) string {
	newMemes := g.NewMemesTotal()
	lines := []string{
		i18n.T(code, "stats_header", now.Format(statsTimeLayout)),
		i18n.T(code, "stats_users", g.Users, g.Active24h, g.Active7d, g.Blocked),
		i18n.T(code, "stats_memes", memesByStatus(g.MemesByStatus)),
		i18n.T(code, "stats_reviews", g.Uploads24h, g.Approved24h, g.Rejected24h, g.AutoApproved24h),
		i18n.T(code, "stats_reactions", g.Sent24h, g.Likes24h+g.Dislikes24h, likeRate(g.Likes24h, g.Dislikes24h), g.Likes24h, g.Dislikes24h),
		i18n.T(code, "stats_search", g.Searches24h, g.Picks24h),
		i18n.T(code, "stats_new_memes", newMemes.Memes, newMemes.OnTime, share(newMemes.OnTime, newMemes.Memes), storage.FreshImpressions),
	}
	if len(g.NewMemes) > 1 { // a language whose new memes fall behind hides in the total
		var parts []string
		for _, n := range g.NewMemes {
			parts = append(parts, fmt.Sprintf("%s %d/%d (%s)", n.Language, n.OnTime, n.Memes, share(n.OnTime, n.Memes)))
		}
		lines = append(lines, i18n.T(code, "stats_new_memes_languages", strings.Join(parts, ", ")))
	}
	if len(g.Engines) == 0 {
		lines = append(lines, i18n.T(code, "stats_engines_none"))
	} else {
		lines = append(lines, i18n.T(code, "stats_engines"))
	}
	for _, e := range g.Engines {
		lines = append(lines, i18n.T(code, "stats_engine", e.Engine, likeRate(e.Likes, e.Dislikes), e.Likes, e.Dislikes))
	}
	if g.Backlog == 0 {
		lines = append(lines, i18n.T(code, "stats_backlog_empty"))
	} else {
		lines = append(lines, i18n.T(code, "stats_backlog", g.Backlog, age(code, g.OldestWaiting)))
	}
	return strings.Join(lines, "\n")
}

// memesByStatus lists the non-zero counts, known statuses first.
func memesByStatus(counts map[string]int64) string {
	var parts []string
	for _, s := range storage.MemeStatuses {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s, n))
		}
	}
	var others []string
	for s, n := range counts {
		if !slices.Contains(storage.MemeStatuses, s) && n > 0 {
			others = append(others, fmt.Sprintf("%s %d", s, n))
		}
	}
	slices.Sort(others)
	if parts = append(parts, others...); len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, ", ")
}

func (s *StatsCommand) queueLine(ctx context.Context, code string) string {
	if s.MediaQueue == nil {
		return i18n.T(code, "stats_queue_failed")
	}
	q, err := s.MediaQueue.Stats(ctx)
	if err != nil {
		s.Log.Warn("stats: media queue", slog.Any("error", err))
		return i18n.T(code, "stats_queue_failed")
	}
	oldest := noFigure
	if q.Length > 0 {
		oldest = age(code, q.OldestAge)
	}
	return i18n.T(code, "stats_queue", q.Length, q.Delayed, q.Dead, oldest)
}

// statsChart draws reactions, uploads and approvals per UTC day.
func (s *StatsCommand) chart(ctx context.Context, code string, now time.Time) ([]byte, error) {
	days, err := s.Figures.DailySeries(ctx, chartDays, now)
	if err != nil {
		return nil, err
	}
	dates := make([]time.Time, len(days))
	reactions, uploads, approvals := make([]float64, len(days)), make([]float64, len(days)), make([]float64, len(days))
	for i, d := range days {
		dates[i] = d.Day
		reactions[i], uploads[i], approvals[i] = float64(d.Reactions), float64(d.Uploads), float64(d.Approvals)
	}
	return charts.LineChart(i18n.T(code, "stats_chart_title", chartDays), dates, []charts.Series{
		{Name: i18n.T(code, "stats_reactions_name"), Color: ReactionsColor, Values: reactions},
		{Name: i18n.T(code, "stats_uploads_name"), Color: UploadsColor, Values: uploads},
		{Name: i18n.T(code, "stats_approvals_name"), Color: ApprovalsColor, Values: approvals},
	}, chartWidth, chartHeight)
}

// likeRate is the share of likes as a whole percentage, or a dash without reactions.
func likeRate(likes, dislikes int64) string { return share(likes, likes+dislikes) }

// share is part of whole as a percentage, or noFigure of nothing.
func share(part, whole int64) string {
	if whole == 0 {
		return noFigure
	}
	return fmt.Sprintf("%.0f%%", 100*float64(part)/float64(whole))
}

// age is a duration in its two largest units.
func age(code string, d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return i18n.T(code, "age_days", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	case d >= time.Hour:
		return i18n.T(code, "age_hours", int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return i18n.T(code, "age_minutes", int(d/time.Minute))
	}
	return i18n.T(code, "age_seconds", int(d/time.Second))
}

// weightLines shows each stage's blend, heaviest engines first; empty when
// the weights cannot be read.
func (s *StatsCommand) weightLines(ctx context.Context, code string) string {
	if s.Weights == nil {
		return ""
	}
	stages, err := s.Weights.EngineWeights(ctx)
	if err != nil {
		s.Log.Warn("stats: engine weights", slog.String("error", err.Error()))
		return ""
	}
	lines := []string{"", i18n.T(code, "stats_weights")}
	for _, st := range stages {
		engines := slices.Collect(maps.Keys(st.Weights))
		slices.SortFunc(engines, func(a, b string) int { return cmp.Compare(st.Weights[b], st.Weights[a]) })
		var parts []string
		for _, e := range engines {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", e, 100*st.Weights[e]))
		}
		lines = append(lines, i18n.T(code, "stats_weight_stage", st.Stage, strings.Join(parts, ", ")))
	}
	return strings.Join(lines, "\n")
}
