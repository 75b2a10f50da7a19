package app

import (
	"context"
	"log/slog"

	"memebot/config"
	"memebot/storage"
)

func migrate(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	st, err := storage.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	log.Info("migrations applied", slog.Any("applied", applied), slog.String("schema", storage.SchemaVersion()))
	return nil
}
