package app

import (
	"context"
	"errors"
	"log/slog"

	"memebot/config"
)

func seedCommand(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	return errors.New("seed: not available yet")
}
