package app

import (
	"context"
	"log/slog"

	"memebot/storage"
)

func migrate(ctx context.Context, p *process) error {
	st, err := storage.Open(ctx, p.cfg.DatabaseURL, p.log)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	p.log.Info("migrations applied", slog.Any("applied", applied), slog.String("schema", storage.SchemaVersion()))
	return nil
}
