//go:build !nosandbox

package app

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"memebot/config"
	"memebot/sandbox"
)

// sandboxFlags: `memebot sandbox [--reset] [--demo]` runs the whole bot
// against an in-process fake Telegram, with a page to drive it from a browser.
func sandboxFlags(fs *flag.FlagSet) action {
	reset := fs.Bool("reset", false, "start clean: empty chats, the sandbox database recreated, its Redis keys deleted")
	demo := fs.Bool("demo", false, "add demo users, sources and approved memes when absent")
	return func(ctx context.Context, p *process) error {
		sbCfg, err := sandboxConfig(p.cfg)
		if err != nil {
			return configError{err}
		}
		sb, err := sandbox.Start(ctx, sbCfg, p.log, sandbox.Options{
			Dir: sandbox.DirFromEnv(), Reset: *reset, Demo: *demo, StartBot: startForSandbox(p.log),
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(p.stderr, "\n  memebot sandbox: open %s\n\n", sb.URL)
		return sb.Wait()
	}
}

// sandboxConfig keeps the sandbox's data apart from a real bot's: its own
// database next to DATABASE_URL's (SANDBOX_DATABASE_URL overrides it) and
// its own Redis namespace unless REDIS_KEY_PREFIX was changed.
func sandboxConfig(cfg *config.Config) (*config.Config, error) {
	c := *cfg
	if u := strings.TrimSpace(os.Getenv("SANDBOX_DATABASE_URL")); u != "" {
		c.DatabaseURL = u
	} else {
		u, err := sandbox.DatabaseURL(cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		c.DatabaseURL = u
	}
	if c.RedisPrefix == "memebot" {
		c.RedisPrefix = sandbox.RedisPrefix
	}
	return &c, nil
}

// startForSandbox runs every role, as `memebot run` does.
func startForSandbox(log *slog.Logger) sandbox.StartBot {
	return func(ctx context.Context, cfg *config.Config) (string, func() error, error) {
		inst, err := Start(ctx, cfg, log, allRoles)
		if err != nil {
			return "", nil, err
		}
		return inst.Addr, inst.Wait, nil
	}
}
