package app

import (
	"context"
	"errors"

	"fmt"
	tele "gopkg.in/telebot.v3"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"memebot/bot"
	"memebot/handlers"
	"memebot/ingest"
	"memebot/intake"
	"memebot/jobs"
	"memebot/outbound"
	"memebot/pipeline"
	"memebot/queue"
	"memebot/ratelimit"
	"memebot/recommend"
	"memebot/review"
)

// mediaQueue is the queue of upload and ingestion processing jobs.
const mediaQueue = "media"

// buildComponents creates what the roles need, in start order.
func buildComponents(ctx context.Context, d *deps, roles Roles) ([]component, error) {
	tg, err := bot.New(bot.Config{
		Token: d.cfg.BotToken, APIURL: d.cfg.TelegramAPIURL, Workers: d.cfg.UpdateConcurrency,
		Redis: d.redis, Down: d.probe.Down, Limits: bot.Limits{
			Global:  bot.Limit{Rate: d.cfg.RateGlobal, Per: time.Second, Burst: 5},
			Private: bot.Limit{Rate: d.cfg.RatePrivate, Per: time.Second, Burst: 2},
			Group:   bot.Limit{Rate: d.cfg.RateGroup, Per: time.Minute, Burst: 3},
		},
	}, d.log.With("component", "bot"))
	if err != nil {
		return nil, err
	}
	if d.cfg.WatermarkText == "" {
		d.cfg.WatermarkText = "@" + tg.Username()
	}
	parts := []component{redisWatch(d)}
	media := newMediaQueue(d, nil)
	if roles.Worker {
		analyzer, closeAnalyzer := newAnalyzer(d)
		p := newPipeline(d, tg, analyzer).WithIngestion(
			ingest.NewClient(ingest.ClientOptions{AllowPrivateHosts: d.cfg.IngestAllowPrivateHosts, HostInterval: 200 * time.Millisecond}),
			pipeline.IngestStores(d.store))
		media = newMediaQueue(d, p.DeadLetter)
		parts = append(parts, componentFunc(func(ctx context.Context) error {
			defer closeAnalyzer()
			return media.Consume(ctx, consumerName(), d.cfg.WorkerConcurrency, 5*time.Second, p.Handle)
		}))
	}
	// The bot needs the job list for /pause even where the scheduler does not run.
	sched, err := newScheduler(d, tg, media)
	if err != nil {
		return nil, err
	}
	if roles.Bot {
		feed := newFeed(d)
		registerHandlers(d, tg, media, feed, jobs.NewControl(sched, d.store))
		run, err := botRunner(ctx, d, tg)
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
		Dead: deadConsumer,
		Paused: func(ctx context.Context) bool {
			paused, err := d.store.JobPaused(ctx, jobs.WorkerJob)
			return err == nil && paused
		},
	}, d.log.With("component", "queue"))
}

func newPipeline(d *deps, tg *bot.Bot, analyzer pipeline.Analyzer) *pipeline.Pipeline {
	return pipeline.New(pipeline.Config{
		StorageChatID: d.cfg.StorageChatID, WatermarkText: d.cfg.WatermarkText, MaxBytes: d.cfg.UploadMaxBytes,
		JobTimeout: d.cfg.JobTimeout, LockTTL: d.cfg.JobClaimIdle,
	}, pipeline.Deps{
		Telegram: outbound.Worker{Sender: tg.Sender()}, Store: d.store, Locks: d.store,
		Dedup: pipeline.NewDeduplicator(d.store), Analyzer: analyzer,
		Reviews: newReviews(d, tg), Alerts: adminAlerts(d, tg),
	}, d.log.With("component", "pipeline"))
}

// newReviews is the review service: decisions on submissions and what
// moderators and uploaders are told of them.
func newReviews(d *deps, tg *bot.Bot) *review.Service {
	return review.NewService(d.store, outbound.Review{Sender: tg.Sender(), Bot: tg.Telebot()}, d.cfg.ReviewChatID,
		d.log.With("component", "review"))
}

// adminAlerts tells the admins (ADMIN_IDS) what needs a person.
func adminAlerts(d *deps, tg *bot.Bot) outbound.Admins {
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

func registerHandlers(d *deps, b *bot.Bot, media *queue.Queue, feed *recommend.Feed, control *jobs.Control) {
	roles := bot.NewRoles(d.cfg.AdminIDs, d.cfg.ModeratorIDs, d.store)
	h := &handlers.Handlers{
		Users: d.store, Intake: newIntake(d, media), Reviews: newReviews(d, b), Sources: ingest.NewStore(d.store.DB()),
		SecondLooks: d.store, UploadJobs: media,
		Feed: feed, Sent: recommend.NewSentLog(d.redis), Texts: b,
		Stats:   &handlers.StatsCommand{Figures: d.store, MediaQueue: media, Weights: feed, Log: d.log.With("component", "stats")},
		Control: control, Roles: d.store, RoleCache: roles,
		Settings: handlers.Settings{
			UploadMaxBytes: d.cfg.UploadMaxBytes, UploadLimitPerHour: d.cfg.UploadLimitPerHour, ReviewChatID: d.cfg.ReviewChatID,
		},
		Log: d.log.With("component", "handlers"),
	}
	h.Register(b.Telebot(), roles)
	b.ReactionHandler = func(_ context.Context, r *tele.MessageReaction) error { return h.NativeReaction(b.Telebot(), r, roles) }
	if err := h.SetCommands(b.Telebot(), roles); err != nil {
		d.log.Warn("setMyCommands failed", slog.Any("error", err))
	}
}

func newScheduler(d *deps, tg *bot.Bot, media *queue.Queue) (*jobs.Scheduler, error) {
	s := jobs.New(d.redis, d.store, d.cfg.Schedules, d.log.With("component", "scheduler"))
	if err := addDescribeJob(d, s, tg.Sender(), adminAlerts(d, tg)); err != nil {
		return nil, err
	}
	addIngestJobs(d, s, adminAlerts(d, tg), media)
	addFeedJobs(d, s)
	s.Add(jobs.Job{Name: "requeue-stale", Schedule: "@every 10m", Timeout: 5 * time.Minute,
		Run: requeueStale(d, media)})
	// Fingerprints an older rule computed are recomputed from the storage
	// chat, 200 memes every 5 minutes (a download and 10 ms of CPU each).
	s.Add(jobs.Job{Name: jobs.FingerprintsJob, Schedule: "@every 5m", Timeout: 4 * time.Minute,
		Run: jobs.Fingerprints(d.store, tg.Sender(), 200, d.cfg.UploadMaxBytes, d.log.With("job", jobs.FingerprintsJob))})
	s.Add(jobs.Job{Name: "queue-metrics", Schedule: "@every 15s", Timeout: 10 * time.Second,
		Run: func(ctx context.Context) error { _, err := media.Stats(ctx); return err }})
	return s, nil
}

// consumerName identifies this worker process in the queue's consumer group.
func consumerName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// deadConsumer reports whether a consumer named by consumerName was a
// process of this host that no longer runs (it crashed or was killed).
func deadConsumer(name string) bool {
	host, _ := os.Hostname()
	pidText, ok := strings.CutPrefix(name, host+"-")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
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
