package telegram

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"memebot/metrics"
)

// The outgoing rate limit's collectors, on the registry /metrics serves.
var (
	limiterWaiting = promauto.With(metrics.Registry).NewGaugeVec(prometheus.GaugeOpts{
		Name: "memebot_telegram_limiter_waiting", Help: "Bot API requests waiting for the outgoing rate limit, by priority.",
	}, []string{"priority"})
	limiterWaited = promauto.With(metrics.Registry).NewHistogramVec(prometheus.HistogramOpts{
		Name: "memebot_telegram_limiter_wait_seconds", Help: "Time a Bot API request waited for the outgoing rate limit, by priority.",
		Buckets: []float64{.001, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"priority"})
	limiterHolds = promauto.With(metrics.Registry).NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_telegram_limiter_holds_total", Help: "Holds set after Telegram answered 429, by scope (chat or global).",
	}, []string{"scope"})
	limiterErrors = promauto.With(metrics.Registry).NewCounter(prometheus.CounterOpts{
		Name: "memebot_telegram_limiter_errors_total", Help: "Rate limit checks that failed (Redis unreachable) and let the request through.",
	})
)
