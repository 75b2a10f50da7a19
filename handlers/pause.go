package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/i18n"
	"memebot/jobs"
)

// JobControl pauses and resumes background jobs.
type JobControl interface {
	List(ctx context.Context) ([]jobs.Status, error)
	Set(ctx context.Context, name string, paused bool, by int64, reason string) ([]string, error)
}

// Pause lists the background jobs (no argument) or pauses one or all of them.
// Anything after the job's name is kept as the reason.
func (h *Handlers) Pause(c tele.Context) error { return h.setJobs(c, true) }

// Resume resumes one or all background jobs.
func (h *Handlers) Resume(c tele.Context) error { return h.setJobs(c, false) }

func (h *Handlers) setJobs(c tele.Context, pause bool) error {
	if bot.RoleOf(c) != bot.RoleAdmin {
		return c.Send(i18n.T(senderLang(c), "admin_only"))
	}
	name, reason, _ := strings.Cut(strings.TrimSpace(c.Message().Payload), " ")
	if name == "" {
		return h.listJobs(c)
	}
	if reason == "" {
		reason = "by an admin"
	}
	changed, err := h.Control.Set(ctxOf(c), strings.ToLower(name), pause, c.Sender().ID, reason)
	if errors.Is(err, jobs.ErrUnknownJob) {
		return c.Send(i18n.T(senderLang(c), "job_unknown", name) + "\n\n" + h.jobList(c))
	}
	if err != nil {
		return fmt.Errorf("pause: %w", err)
	}
	key := "jobs_resumed"
	if pause {
		key = "jobs_paused"
	}
	h.Log.Info("jobs switched", "paused", pause, "jobs", changed, "admin_id", c.Sender().ID, "reason", reason)
	return c.Send(i18n.T(senderLang(c), key, strings.Join(changed, ", ")))
}

func (h *Handlers) listJobs(c tele.Context) error { return c.Send(h.jobList(c)) }

func (h *Handlers) jobList(c tele.Context) string {
	list, err := h.Control.List(ctxOf(c))
	if err != nil {
		return i18n.T(senderLang(c), "generic_error")
	}
	var b strings.Builder
	b.WriteString(i18n.T(senderLang(c), "jobs_header") + "\n")
	for _, s := range list {
		state := "▶️ running"
		if s.Paused {
			by := "the system"
			if s.By != nil {
				by = fmt.Sprintf("id %d", *s.By)
			}
			state = fmt.Sprintf("⏸ paused by %s at %s (%s)", by, s.At.UTC().Format("2006-01-02 15:04 UTC"), s.Reason)
		}
		fmt.Fprintf(&b, "• %s [%s]: %s\n", s.Name, s.Schedule, state)
	}
	b.WriteString(i18n.T(senderLang(c), "jobs_usage"))
	return b.String()
}
