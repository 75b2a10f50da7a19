// Package app wires memebot together: it reads the configuration, opens
// PostgreSQL and Redis, builds the roles a subcommand asks for (bot, worker,
// scheduler), runs them, and shuts them down in order on SIGINT/SIGTERM.
package app

import (
	"context"
	"errors"
	"flag"
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

// A command is one subcommand. Adding a subcommand is one entry in commands.
type command struct {
	name    string
	summary string // one line for the usage
	// flags declares the subcommand's flags on fs and returns what runs it
	// once they are parsed and the configuration is loaded. Nothing may be
	// read or opened here: `--help` must work without any configuration.
	flags func(fs *flag.FlagSet) action
}

// action runs a subcommand whose flags are parsed.
type action func(ctx context.Context, p *process) error

// process is what every subcommand is given: the configuration, the logger
// and where to print for a person.
type process struct {
	cfg    *config.Config
	log    *slog.Logger
	stderr io.Writer
}

// commands are memebot's subcommands, in the order the usage lists them;
// the first is the default.
var commands = []command{
	{"run", "bot + workers + scheduler in one process (the default)", roleCommand(allRoles)},
	{"bot", "receive updates (long polling, or a webhook when WEBHOOK_URL is set) and answer them", roleCommand(Roles{Bot: true})},
	{"worker", "process the media / moderation queue; any number of replicas", roleCommand(Roles{Worker: true})},
	{"scheduler", "run the background jobs; any number of replicas, each job still runs once", roleCommand(Roles{Scheduler: true})},
	{"migrate", "apply database migrations and exit", noFlags(migrate)},
	{"seed", "write synthetic users, memes and reactions for demos and benchmarks", seedFlags},
	{"sandbox", "the real bot against a built-in fake Telegram, in your browser (no token needed)", sandboxFlags},
	{"simulate", "measure how much of each person's taste the feed captures, on synthetic worlds (--json PATH)", simulateFlags},
	{"healthcheck", "exit 0 when this container's memebot answers GET /readyz with 200 (Docker's HEALTHCHECK)", noFlags(healthcheck)},
}

// Main runs the subcommand named in args and returns the exit code. Help
// goes to stdout, everything else to stderr.
func Main(args []string, stdout, stderr io.Writer) int {
	name, rest := commands[0].name, args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, rest = args[0], args[1:]
	}
	if name == "help" && len(rest) > 0 { // help SUBCOMMAND
		name, rest = rest[0], []string{"--help"}
	}
	if name == "help" || (len(args) > 0 && isHelpFlag(args[0])) {
		fmt.Fprint(stdout, usage())
		return 0
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "memebot: unknown subcommand %q\n\n%s", name, usage())
		return 2
	}
	fs := flag.NewFlagSet("memebot "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	run := cmd.flags(fs)
	if err := fs.Parse(rest); errors.Is(err, flag.ErrHelp) {
		printHelp(stdout, cmd, fs)
		return 0
	} else if err != nil {
		fmt.Fprintf(stderr, "memebot %s: %v (see memebot %s --help)\n", cmd.name, err, cmd.name)
		return 2
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "memebot %s: unexpected argument %q (see memebot %s --help)\n", cmd.name, fs.Arg(0), cmd.name)
		return 2
	}

	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(stderr, "config:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	p := &process{cfg: cfg, log: newLogger(cfg, stderr), stderr: stderr}
	if err := run(ctx, p); err != nil {
		return report(stderr, p.log, cmd.name, err)
	}
	return 0
}

func isHelpFlag(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: memebot [subcommand] [flags]\n\nsubcommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString("\n`memebot SUBCOMMAND --help` shows a subcommand's flags. The configuration comes from\n" +
		"environment variables and a .env file in the working directory (see .env.example and README.md).\n")
	return b.String()
}

func printHelp(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: memebot %s [flags]\n\n%s.\n", c.name, c.summary)
	var flags strings.Builder
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nflags:\n%s", flags.String())
	}
	fmt.Fprint(w, "\nThe configuration comes from environment variables and .env (see .env.example).\n")
}

// noFlags is the flags of a subcommand that takes none.
func noFlags(run action) func(*flag.FlagSet) action {
	return func(*flag.FlagSet) action { return run }
}

// roleCommand runs roles until SIGINT/SIGTERM.
func roleCommand(roles Roles) func(*flag.FlagSet) action {
	return noFlags(func(ctx context.Context, p *process) error {
		if p.cfg.BotToken == "" { // what a newcomer meets first: say where to go
			return configError{errors.New("BOT_TOKEN: required (put it in .env; `memebot sandbox` runs the bot against a fake Telegram without one)")}
		}
		return runRoles(ctx, p.cfg, p.log, roles)
	})
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

// allRoles is what `memebot run` runs.
var allRoles = Roles{Bot: true, Worker: true, Scheduler: true}
