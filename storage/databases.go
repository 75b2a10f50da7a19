package storage

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"memebot/heal"
)

// Setting is a database's default for a run-time parameter.
type Setting struct{ Name, Value string }

// PrepareDatabase creates the database dbURL names, with settings, when it
// is missing on its server; with recreate it first drops it (with whoever
// is connected to it). Which databases may be dropped is the caller's
// policy.
func PrepareDatabase(ctx context.Context, dbURL string, recreate bool, settings ...Setting) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("storage: database url: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return heal.NewConnectError("PostgreSQL", dbURL, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	ident := pgx.Identifier{name}.Sanitize()
	if recreate {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("storage: drop database %s: %w", name, err)
		}
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("storage: look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("storage: create database %s: %w", name, err)
	}
	for _, s := range settings {
		stmt := "ALTER DATABASE " + ident + " SET " + pgx.Identifier{s.Name}.Sanitize() + " = " + quoteLiteral(s.Value)
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("storage: database %s: set %s: %w", name, s.Name, err)
		}
	}
	return nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
