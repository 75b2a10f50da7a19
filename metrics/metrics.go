// Package metrics holds memebot's Prometheus collectors, registered on one
// registry that the HTTP server exposes at /metrics.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Registry is what /metrics serves.
var Registry = prometheus.NewRegistry()

var factory = promauto.With(Registry)

func init() {
	Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

var (
	// Updates counts incoming Telegram updates by type.
	Updates = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_updates_total", Help: "Telegram updates received, by type.",
	}, []string{"type"})
	// UpdateDuration is how long handling one update took, by type.
	UpdateDuration = factory.NewHistogramVec(prometheus.HistogramOpts{
		Name: "memebot_update_duration_seconds", Help: "Time to handle one update, by type.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"type"})
	// UpdatesInHand is how many updates the bot has fetched and not finished.
	UpdatesInHand = factory.NewGauge(prometheus.GaugeOpts{
		Name: "memebot_updates_in_hand", Help: "Updates fetched from Telegram and not yet handled.",
	})
	// HandlerPanics counts recovered handler panics.
	HandlerPanics = factory.NewCounter(prometheus.CounterOpts{
		Name: "memebot_handler_panics_total", Help: "Handler panics recovered.",
	})
	// APICalls counts Bot API calls by method and outcome ("ok" or the error code).
	APICalls = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_telegram_api_calls_total", Help: "Bot API calls by method and outcome.",
	}, []string{"method", "outcome"})
	// APIRetries counts Bot API calls retried after 429 or 5xx.
	APIRetries = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_telegram_api_retries_total", Help: "Bot API calls retried, by method and reason.",
	}, []string{"method", "reason"})

	// UploadsReceived counts uploads accepted at intake.
	UploadsReceived = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_uploads_received_total", Help: "Uploads accepted at intake, by media type.",
	}, []string{"type"})
	// IntakeBatchSize is how many uploads were written together at intake.
	IntakeBatchSize = factory.NewHistogram(prometheus.HistogramOpts{
		Name: "memebot_intake_batch_size", Help: "Uploads stored and queued in one round trip at intake.",
		Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200},
	})
	// UploadsRefused counts uploads refused at intake, by reason.
	UploadsRefused = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_uploads_refused_total", Help: "Uploads refused at intake, by reason.",
	}, []string{"reason"})
	// UploadsProcessed counts processed uploads by outcome (review, duplicate, rejected:<reason>, failed).
	UploadsProcessed = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_uploads_processed_total", Help: "Uploads processed by the workers, by outcome.",
	}, []string{"outcome"})
	// IngestProcessed counts ingested posts processed by the workers, by outcome.
	IngestProcessed = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_ingest_processed_total", Help: "Ingested posts processed, by outcome.",
	}, []string{"outcome"})
	// JobsRequeued counts jobs that requeue-stale queued again because the
	// queue lost them (Redis wiped), by kind (upload, ingest).
	JobsRequeued = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_jobs_requeued_total", Help: "Jobs queued again after the queue lost them, by kind.",
	}, []string{"kind"})
	// IngestRuns counts source parsing runs by platform and outcome.
	IngestRuns = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_ingest_runs_total", Help: "Source parsing runs, by platform and outcome.",
	}, []string{"platform", "outcome"})
	// ProcessingDuration is the time one media job took.
	ProcessingDuration = factory.NewHistogramVec(prometheus.HistogramOpts{
		Name: "memebot_processing_duration_seconds", Help: "Time to process one media job.",
		Buckets: prometheus.ExponentialBuckets(0.05, 2, 10),
	}, []string{"type"})
	// QueueLength is the number of jobs waiting or in flight, by queue.
	QueueLength = factory.NewGaugeVec(prometheus.GaugeOpts{
		Name: "memebot_queue_length", Help: "Jobs waiting or in flight, by queue.",
	}, []string{"queue"})
	// QueueOldestAge is the age of the oldest waiting or in-flight job, by queue.
	QueueOldestAge = factory.NewGaugeVec(prometheus.GaugeOpts{
		Name: "memebot_queue_oldest_job_age_seconds", Help: "Age of the oldest unfinished job, by queue.",
	}, []string{"queue"})
	// QueuePausedTurns counts the turns (about one a second) a queue's
	// consumers let pass without taking a job because they are paused
	// (/pause media-worker): it grows while the pause holds, nothing else.
	QueuePausedTurns = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_queue_paused_turns_total", Help: "Turns a queue's paused consumers let pass without taking a job, by queue.",
	}, []string{"queue"})
	// DeadLetters counts jobs moved to the dead-letter queue.
	DeadLetters = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_dead_letters_total", Help: "Jobs moved to the dead-letter queue, by queue.",
	}, []string{"queue"})
	// ReviewDecisions counts moderator decisions.
	ReviewDecisions = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_review_decisions_total", Help: "Moderator decisions, by decision.",
	}, []string{"decision"})
	// FeedSends counts memes sent to users, by engine.
	FeedSends = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_feed_sends_total", Help: "Memes sent in the feed, by engine.",
	}, []string{"engine"})
	// FeedReactions counts likes and dislikes, by engine.
	FeedReactions = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_feed_reactions_total", Help: "Reactions to feed memes, by engine and reaction.",
	}, []string{"engine", "reaction"})
	// Recoveries counts faults this process noticed and healed, by what:
	// redis_wiped (Redis restarted empty; lost jobs queued again from
	// PostgreSQL), queue_group (a consumer group created again), update_held
	// (an update held through an outage and answered once it ended).
	Recoveries = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_recoveries_total", Help: "Infrastructure faults noticed and healed, by what.",
	}, []string{"what"})
	// DependencyUp is 1 while a dependency (postgres, redis) answers, 0 while
	// it is out, as this process last saw it.
	DependencyUp = factory.NewGaugeVec(prometheus.GaugeOpts{
		Name: "memebot_dependency_up", Help: "1 while the dependency answers, 0 while it is out.",
	}, []string{"dependency"})
	// CallbacksUnanswered counts button presses whose answer Telegram refused
	// or never got (the user's button kept spinning).
	CallbacksUnanswered = factory.NewCounter(prometheus.CounterOpts{
		Name: "memebot_callbacks_unanswered_total", Help: "Button presses left without an answer.",
	})
	// FeedEngineWeight is the learned blend's share of positions per engine
	// and maturity stage, as of the last stats run.
	FeedEngineWeight = factory.NewGaugeVec(prometheus.GaugeOpts{
		Name: "memebot_feed_engine_weight", Help: "Share of feed positions the learned blend gives an engine, by stage.",
	}, []string{"stage", "engine"})
	// FeedNewMemes counts the memes that went live 1-25 h ago, by whether
	// the feed showed them to 20 people within their first hour (on_time,
	// late) and by language, as of the last stats run.
	FeedNewMemes = factory.NewGaugeVec(prometheus.GaugeOpts{
		Name: "memebot_feed_new_memes", Help: "Memes that went live 1-25 h ago, by whether 20 people saw them within their first hour, and by language.",
	}, []string{"state", "language"})
	// JobRuns counts background job runs by job and outcome.
	JobRuns = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "memebot_job_runs_total", Help: "Background job runs, by job and outcome.",
	}, []string{"job", "outcome"})
)
