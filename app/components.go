package app

import (
	"context"
	"log/slog"
	"time"

	"memebot/bot"
	"memebot/handlers"
)

// buildComponents creates what the roles need, in start order.
func buildComponents(ctx context.Context, d *deps, roles Roles) ([]component, error) {
	var parts []component
	if roles.Bot {
		b, err := newBot(ctx, d)
		if err != nil {
			return nil, err
		}
		parts = append(parts, componentFunc(func(ctx context.Context) error {
			return b.Run(ctx, 5*time.Second)
		}))
	}
	if roles.Worker {
		parts = append(parts, componentFunc(func(ctx context.Context) error {
			<-ctx.Done()
			return nil
		}))
	}
	if roles.Scheduler {
		parts = append(parts, componentFunc(func(ctx context.Context) error {
			<-ctx.Done()
			return nil
		}))
	}
	return parts, nil
}

func newBot(ctx context.Context, d *deps) (*bot.Bot, error) {
	b, err := bot.New(bot.Config{
		Token: d.cfg.BotToken, APIURL: d.cfg.TelegramAPIURL, Workers: d.cfg.UpdateConcurrency,
	}, d.log.With("component", "bot"))
	if err != nil {
		return nil, err
	}
	roles := bot.NewRoles(d.cfg.AdminIDs, d.cfg.ModeratorIDs, d.store)
	h := &handlers.Handlers{Users: d.store, Log: d.log.With("component", "handlers")}
	h.Register(b.Telebot(), roles)
	if err := h.SetCommands(b.Telebot(), roles); err != nil {
		d.log.Warn("setMyCommands failed", slog.Any("error", err))
	}
	return b, nil
}
