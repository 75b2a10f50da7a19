package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"golang.org/x/sync/errgroup"

	"memebot/config"
	"memebot/heal"
	"memebot/httpserver"
	"memebot/kv"
	"memebot/storage"
)

// component is one long-running part of a process. Run returns when ctx ends,
// after finishing or handing back the work in hand.
type component interface {
	Run(ctx context.Context) error
}

type componentFunc func(ctx context.Context) error

func (f componentFunc) Run(ctx context.Context) error { return f(ctx) }

// deps are the connections every role shares.
type deps struct {
	cfg   *config.Config
	log   *slog.Logger
	store *storage.Store
	redis *kv.Redis
	http  *httpserver.Server
	probe *heal.Probe // whether PostgreSQL and Redis answer, asked before giving up on work
}

func runRoles(ctx context.Context, cfg *config.Config, log *slog.Logger, roles Roles) error {
	inst, err := Start(ctx, cfg, log, roles)
	if err != nil {
		return err
	}
	return inst.Wait()
}

// Instance is a started process: its roles run until the context given to
// Start ends.
type Instance struct {
	// Addr is the address the HTTP server listens on.
	Addr string
	done chan struct{} // closed once stopped
	err  error
}

// Wait blocks until the instance has stopped and returns why it stopped:
// nil after a requested shutdown, the error when a part failed on its own.
// It may be called any number of times.
func (i *Instance) Wait() error {
	<-i.done
	return i.err
}

// Start opens the connections, builds the roles and starts them. The
// instance shuts down in order when ctx ends.
func Start(ctx context.Context, cfg *config.Config, log *slog.Logger, roles Roles) (*Instance, error) {
	if err := cfg.RequireTelegram(); err != nil { // every role talks to Telegram
		return nil, configError{err}
	}
	// Bind first: a port in use is reported before anything else is opened.
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("app: HTTP_ADDR: %w", err)
	}
	d, closeDeps, err := openDeps(ctx, cfg, log)
	if err != nil {
		ln.Close()
		return nil, err
	}
	parts, err := buildComponents(ctx, d, roles)
	if err != nil {
		ln.Close()
		closeDeps()
		return nil, err
	}
	go func() {
		if err := d.http.Serve(ln); err != nil {
			log.Error("http server stopped", slog.Any("error", err))
		}
	}()
	log.Info("memebot started", slog.Bool("bot", roles.Bot), slog.Bool("worker", roles.Worker),
		slog.Bool("scheduler", roles.Scheduler), slog.String("http", ln.Addr().String()))

	inst := &Instance{Addr: ln.Addr().String(), done: make(chan struct{})}
	g, gctx := errgroup.WithContext(ctx)
	for _, p := range parts {
		g.Go(func() error { return p.Run(gctx) })
	}
	go func() {
		defer close(inst.done)
		defer closeDeps()
		<-gctx.Done()
		log.Info("shutting down")
		runErr := waitWithin(g, shutdownBudget)
		shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = d.http.Shutdown(shutdownCtx)
		if runErr != nil && ctx.Err() == nil {
			inst.err = runErr // a part failed on its own, not because we were asked to stop
			return
		}
		if runErr != nil {
			log.Error("shutdown incomplete", slog.Any("error", runErr))
		} else {
			log.Info("stopped cleanly")
		}
	}()
	return inst, nil
}

func waitWithin(g *errgroup.Group, budget time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- g.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(budget):
		return fmt.Errorf("app: components still running after %s", budget)
	}
}

func openDeps(ctx context.Context, cfg *config.Config, log *slog.Logger) (*deps, func(), error) {
	st, err := storage.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, nil, err
	}
	if cfg.AutoMigrate {
		if _, err := st.Migrate(ctx); err != nil {
			st.Close()
			return nil, nil, err
		}
	}
	rdb, err := kv.Open(ctx, cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	pingers := map[string]heal.Pinger{
		"postgres": st,
		"redis":    pingFunc(func(ctx context.Context) error { return rdb.Ping(ctx).Err() }),
	}
	srv := httpserver.New(cfg.HTTPAddr, map[string]httpserver.Pinger{"postgres": pingers["postgres"], "redis": pingers["redis"]}, log)
	d := &deps{cfg: cfg, log: log, store: st, redis: rdb, http: srv, probe: heal.NewProbe(pingers)}
	return d, func() { rdb.Close(); st.Close() }, nil
}

type pingFunc func(ctx context.Context) error

func (f pingFunc) Ping(ctx context.Context) error { return f(ctx) }
