package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/broadcast"
	"memebot/handlers"
	"memebot/ingest"
	"memebot/intake"
	"memebot/jobs"
	"memebot/jobs/jobstore"
	"memebot/outbound"
	"memebot/pipeline"
	"memebot/queue"
	"memebot/ratelimit"
	"memebot/recommend"
	"memebot/review"
	"memebot/stats"
	"memebot/telegram"
)

// mediaQueue is the queue of upload and ingestion processing jobs.
const mediaQueue = "media"

// buildComponents creates what the roles need, in start order.
func buildComponents(ctx context.Context, d *deps, roles Roles) ([]component, error) {
	tg, err := telegram.New(telegram.Config{
		Token: d.cfg.BotToken, APIURL: d.cfg.TelegramAPIURL, Conns: d.cfg.UpdateConcurrency,
		Redis: d.redis, Limits: telegram.Limits{
			Global:  telegram.Limit{Rate: d.cfg.RateGlobal, Per: time.Second, Burst: 5},
			Private: telegram.Limit{Rate: d.cfg.RatePrivate, Per: time.Second, Burst: 2},
			Group:   telegram.Limit{Rate: d.cfg.RateGroup, Per: time.Minute, Burst: 3},
		},
	}, d.log.With("component", "telegram"))
	if err != nil {
		return nil, err
	}
	b, err := bot.New(tg, bot.Config{Workers: d.cfg.UpdateConcurrency, Redis: d.redis, Down: d.probe.Down}, d.log.With("component", "bot"))
	if err != nil {
		return nil, err
	}
	if d.cfg.WatermarkText == "" {
		d.cfg.WatermarkText = "@" + b.Username()
	}
	parts := []component{redisWatch(d)}
	media := newMediaQueue(d, nil)
	if roles.Worker {
		analyzer, closeAnalyzer := newAnalyzer(d)
		p := newPipeline(d, b, tg, analyzer).WithIngestion(
			ingest.NewClient(ingest.ClientOptions{AllowPrivateHosts: d.cfg.IngestAllowPrivateHosts, HostInterval: 200 * time.Millisecond}),
			d.store)
		media = newMediaQueue(d, p.DeadLetter)
		parts = append(parts, componentFunc(func(ctx context.Context) error {
			defer closeAnalyzer()
			return media.Consume(ctx, queue.ConsumerName(), d.cfg.WorkerConcurrency, 5*time.Second, p.Handle)
		}))
	}
	// The bot needs the job list for /pause even where the scheduler does not run.
	sched, err := newScheduler(d, tg, media)
	if err != nil {
		return nil, err
	}
	if roles.Bot {
		feed := newFeed(d)
		registerHandlers(d, b, tg, media, feed, jobs.NewControl(sched, jobstore.New(d.store)))
		run, err := botRunner(ctx, d, b)
		if err != nil {
			return nil, err
		}
		parts = append(parts, componentFunc(func(ctx context.Context) error {
			defer feed.Close()
			return run(ctx)
		}))
	}
	if roles.Scheduler {
		parts = append(parts, sched)
	}
	return parts, nil
}

func newMediaQueue(d *deps, onDead func(context.Context, queue.Job, error)) *queue.Queue {
	return queue.New(d.redis, mediaQueue, queue.Options{
		MaxAttempts: d.cfg.JobMaxAttempts, ClaimIdle: d.cfg.JobClaimIdle, OnDeadLetter: onDead, Down: d.probe.Down,
		Dead: queue.DeadConsumer,
		Paused: func(ctx context.Context) bool {
			paused, err := d.store.JobPaused(ctx, jobs.WorkerJob)
			return err == nil && paused
		},
	}, d.log.With("component", "queue"))
}

func newPipeline(d *deps, b *bot.Bot, tg *telegram.Client, analyzer pipeline.Analyzer) *pipeline.Pipeline {
	return pipeline.New(pipeline.Config{
		StorageChatID: d.cfg.StorageChatID, WatermarkText: d.cfg.WatermarkText, MaxBytes: d.cfg.UploadMaxBytes,
		JobTimeout: d.cfg.JobTimeout, LockTTL: d.cfg.JobClaimIdle,
	}, pipeline.Deps{
		Telegram: outbound.Worker{Sender: tg.Sender()}, Store: d.store, Locks: d.store,
		Dedup: pipeline.NewDeduplicator(d.store), Analyzer: analyzer,
		Reviews: newReviews(d, b, tg), Alerts: adminAlerts(d, tg),
	}, d.log.With("component", "pipeline"))
}

// newReviews is the review service: decisions on submissions and what
// moderators and uploaders are told of them.
func newReviews(d *deps, b *bot.Bot, tg *telegram.Client) *review.Service {
	return review.NewService(d.store, outbound.Review{Sender: tg.Sender(), Bot: b.Telebot()}, d.cfg.ReviewChatID,
		d.log.With("component", "review"))
}

// adminAlerts tells the admins (ADMIN_IDS) what needs a person.
func adminAlerts(d *deps, tg *telegram.Client) outbound.Admins {
	return outbound.Admins{Sender: tg.Sender(), IDs: d.cfg.AdminIDs, Log: d.log.With("component", "alerts")}
}

// newFeed builds the per-user meme queues; moderators from MODERATOR_IDS and
// ADMIN_IDS are served the long tail like promoted ones.
func newFeed(d *deps) *recommend.Feed {
	return recommend.NewFeed(d.store, d.redis, recommend.Config{
		IsModerator: func(id int64) bool { return d.cfg.IsAdmin(id) || d.cfg.IsConfiguredModerator(id) },
	}, d.log.With("component", "feed"))
}

// newIntake accepts uploads: limit, submission and job before the answer.
func newIntake(d *deps, media *queue.Queue) *intake.Intake {
	limit := ratelimit.NewWindow(d.redis, "uploads", d.cfg.UploadLimitPerHour, time.Hour)
	return intake.New(d.store, media, limit, pipeline.JobUpload, intake.Options{}, d.log.With("component", "intake"))
}

func registerHandlers(d *deps, b *bot.Bot, tg *telegram.Client, media *queue.Queue, feed *recommend.Feed, control *jobs.Control) {
	roles := bot.NewRoles(d.cfg.AdminIDs, d.cfg.ModeratorIDs, d.store)
	h := &handlers.Handlers{
		Users: d.store, Intake: newIntake(d, media), Reviews: newReviews(d, b, tg), Sources: d.store,
		Search: d.store, MyUploads: d.store, Referrals: d.store, Suggestions: d.store, Broadcasts: d.store,
		SecondLooks: d.store, UploadJobs: media,
		Feed: feed, Sent: recommend.NewSentLog(d.redis), Texts: tg, Telegram: b.Telebot(),
		Stats:   &handlers.StatsCommand{Figures: d.store, MediaQueue: media, Weights: feed, Log: d.log.With("component", "stats")},
		Control: control, Roles: d.store, RoleCache: roles,
		Settings: handlers.Settings{
			UploadMaxBytes: d.cfg.UploadMaxBytes, UploadLimitPerHour: d.cfg.UploadLimitPerHour, ReviewChatID: d.cfg.ReviewChatID,
			ShareKey: handlers.ShareKeyFor(d.cfg.BotToken), TelegramHold: d.cfg.IngestTelegramHold, BotUsername: b.Telebot().Me.Username,
		},
		Log: d.log.With("component", "handlers"),
	}
	h.Register(b.Telebot(), roles)
	b.ReactionHandler = func(ctx context.Context, r *tele.MessageReaction) error {
		return h.NativeReaction(ctx, r, roles)
	}
	if err := h.SetCommands(roles); err != nil {
		d.log.Warn("setMyCommands failed", slog.Any("error", err))
	}
}

func newScheduler(d *deps, tg *telegram.Client, media *queue.Queue) (*jobs.Scheduler, error) {
	s := jobs.New(d.redis, d.store, d.cfg.Schedules, d.log.With("component", "scheduler"))
	breaker := jobs.Breaker{Pauses: d.store, Alerts: adminAlerts(d, tg), Log: d.log.With("component", "scheduler")}
	if err := addDescribeJob(d, s, tg.Sender(), breaker); err != nil {
		return nil, err
	}
	addIngestJobs(d, s, breaker, media)
	addFeedJobs(d, s)
	s.Add(jobs.NewRequeueStale(jobstore.New(d.store), jobstore.New(d.store), media, d.log.With("job", "requeue-stale")))
	s.Add(jobs.Job{Name: "broadcast", Schedule: "@every 10s", Timeout: 2 * time.Minute,
		Run: (&broadcast.Deliverer{Store: d.store, Sender: broadcast.TelegramSender{Sender: tg.BulkSender()},
			Batch: 20, Budget: time.Minute, ProgressEvery: 3 * time.Second, Log: d.log.With("component", "broadcast")}).Run})
	s.Add(jobs.Job{Name: "search-ranks", Schedule: "@every 10m", Timeout: 5 * time.Minute,
		Run: func(ctx context.Context) error { _, err := d.store.RefreshSearchRanks(ctx); return err }})
	// Fingerprints an older rule computed are recomputed from the storage
	// chat, 200 memes every 5 minutes (a download and 10 ms of CPU each).
	s.Add(jobs.Job{Name: jobs.FingerprintsJob, Schedule: "@every 5m", Timeout: 4 * time.Minute,
		Run: jobs.Fingerprints(jobstore.New(d.store), tg.Sender(), 200, d.cfg.UploadMaxBytes, d.log.With("job", jobs.FingerprintsJob))})
	s.Add(jobs.Job{Name: "queue-metrics", Schedule: "@every 15s", Timeout: 10 * time.Second,
		Run: func(ctx context.Context) error { _, err := media.Stats(ctx); return err }})
	return s, nil
}

// addFeedJobs schedules the incremental statistics, the co-likes the
// co_liked engine reads, and the ahead-of-time refill of recently active
// users' queues.
func addFeedJobs(d *deps, s *jobs.Scheduler) {
	log := d.log.With("component", "feed")
	opts := stats.DefaultOptions()
	opts.Lag = d.cfg.StatsLag
	opts.Stage = recommend.StageOf
	feed := newFeed(d)
	s.Add(jobs.NewStats(stats.New(d.store, opts, log.With("job", "stats")), feed, d.store, log))
	s.Add(jobs.NewCoLikes(recommend.NewCoLikes(d.store, log.With("job", "colikes")), log))
	s.Add(jobs.NewFactors(recommend.NewFactors(d.store, log.With("job", "factors")), log))
	s.Add(jobs.NewRefill(feed, log))
}

// botRunner takes updates by long polling, or, when WEBHOOK_URL is set, by
// Telegram posting them to our HTTP server at that URL's path (any number of
// bot replicas behind a load balancer).
func botRunner(ctx context.Context, d *deps, tg *bot.Bot) (func(context.Context) error, error) {
	if d.cfg.WebhookURL == "" {
		return func(ctx context.Context) error { return tg.Run(ctx, 5*time.Second) }, nil
	}
	u, err := url.Parse(d.cfg.WebhookURL)
	if err != nil {
		return nil, configError{fmt.Errorf("WEBHOOK_URL: %w", err)}
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	d.http.Handle("POST "+path, tg.WebhookHandler(d.cfg.WebhookSecret))
	if err := tg.RegisterWebhook(ctx, d.cfg.WebhookURL, d.cfg.WebhookSecret); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { <-ctx.Done(); return nil }, nil
}
