// Package app wires memebot together: it reads the configuration, opens
// PostgreSQL and Redis, builds the roles a subcommand asks for (bot, worker,
// scheduler), runs them, and shuts them down in order on SIGINT/SIGTERM.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"memebot/config"
)

// shutdownBudget is how long a stop may take in all; interface.md promises 10 s.
const shutdownBudget = 9 * time.Second

const usage = `usage: memebot [run|bot|worker|scheduler|migrate|seed] [flags]

  run        bot + workers + scheduler in one process (default)
  bot        receive updates and answer them
  worker     process the media / moderation queue
  scheduler  run the background jobs
  migrate    apply database migrations and exit
  seed       write synthetic users, memes and reactions (see seed -h)
  sandbox    try the whole bot in a browser against a fake Telegram (sandbox -h)
  simulate   measure how much taste the feed captures on synthetic worlds (simulate -h)
`

// Main runs the subcommand named in args and returns the exit code.
func Main(args []string, stderr io.Writer) int {
	cmd, rest := "run", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stderr, usage)
		return 0
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(stderr, "config:", err)
		return 2
	}
	log := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "run", "bot", "worker", "scheduler":
		err = runRoles(ctx, cfg, log, rolesOf(cmd))
	case "migrate":
		err = migrate(ctx, cfg, log)
	case "seed":
		err = seedCommand(ctx, cfg, log, rest)
	case "sandbox":
		err = sandboxCommand(ctx, cfg, log, rest, stderr)
	case "simulate":
		err = simulateCommand(ctx, cfg, log, rest, stderr)
	default:
		fmt.Fprintf(stderr, "unknown subcommand %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		var cfgErr configError
		if errors.As(err, &cfgErr) {
			fmt.Fprintln(stderr, "config:", cfgErr.err)
			return 2
		}
		log.Error("exiting", slog.String("command", cmd), slog.Any("error", err))
		return 1
	}
	return 0
}

// configError is a configuration problem found after Load (a role's
// requirements); it is printed as one line like Load's errors.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	level, _ := config.ParseLevel(cfg.LogLevel) // validated by Load
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Roles says which parts a process runs.
type Roles struct{ Bot, Worker, Scheduler bool }

func rolesOf(cmd string) Roles {
	switch cmd {
	case "bot":
		return Roles{Bot: true}
	case "worker":
		return Roles{Worker: true}
	case "scheduler":
		return Roles{Scheduler: true}
	}
	return Roles{Bot: true, Worker: true, Scheduler: true}
}
