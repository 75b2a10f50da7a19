// Package httpserver serves memebot's operational endpoints: /healthz (the
// process runs), /readyz (PostgreSQL and Redis answer), /metrics (Prometheus),
// and, in webhook mode, the Telegram webhook.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"memebot/metrics"
)

// Pinger is a dependency /readyz checks.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server is the operational HTTP server.
type Server struct {
	mux    *http.ServeMux
	srv    *http.Server
	log    *slog.Logger
	checks map[string]Pinger
}

// New builds the server; checks are pinged by /readyz, by name.
func New(addr string, checks map[string]Pinger, log *slog.Logger) *Server {
	s := &Server{mux: http.NewServeMux(), log: log, checks: checks}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	s.mux.HandleFunc("GET /readyz", s.ready)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{}))
	s.srv = &http.Server{Addr: addr, Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	return s
}

// Handle mounts another handler (the webhook, the sandbox page).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	for name, c := range s.checks {
		if err := c.Ping(ctx); err != nil {
			http.Error(w, name+": unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	fmt.Fprintln(w, "ready")
}

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("http listening", slog.String("addr", ln.Addr().String()))
	if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpserver: %w", err)
	}
	return nil
}

// Shutdown stops taking requests and waits for those in hand.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
