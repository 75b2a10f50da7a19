package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"memebot/storage"
)

// ErrPlatformFailing: a platform's runs failed FailedRunsToPause times in a
// row; the caller should pause its job (ingest-<platform>) and tell admins.
var ErrPlatformFailing = errors.New("ingest: platform keeps failing")

// ErrBadValue: a platform the ingester has no parser for.
var ErrBadValue = errors.New("ingest: bad value")

// Config is what ingestion is told (see the TG_WEB_URL, VK_*, IG_* and
// INGEST_ALLOW_PRIVATE_HOSTS variables).
type Config struct {
	TGWebURL          string // default https://t.me
	VKAPIURL          string // default https://api.vk.com/method
	VKToken           string
	IGAPIURL          string // default https://api.hikerapi.com
	IGAPIKey          string
	AllowPrivateHosts bool

	TelegramPages int           // t.me/s pages read per channel (default 2)
	MinPostAge    time.Duration // Telegram posts younger than this wait for their views (default 3h; negative = none)
	Client        ClientOptions // AllowPrivateHosts above wins over Client.AllowPrivateHosts
}

// Rules are the automatic decisions about sources and platforms.
type Rules struct {
	EmptyParsesToSnooze int     // consecutive empty parses that snooze a source (default 3)
	FailedRunsToPause   int     // consecutive failed runs that pause a platform (default 3)
	MinReactions        int     // reactions needed before judging a source's like rate (default 100)
	MinLikeRate         float64 // sources liked less are snoozed (default 0.10)
	MinPostAge          time.Duration
}

func (r Rules) withDefaults() Rules {
	if r.EmptyParsesToSnooze <= 0 {
		r.EmptyParsesToSnooze = 3
	}
	if r.FailedRunsToPause <= 0 {
		r.FailedRunsToPause = 3
	}
	if r.MinReactions <= 0 {
		r.MinReactions = 100
	}
	if r.MinLikeRate <= 0 {
		r.MinLikeRate = 0.10
	}
	return r
}

// Ingester parses due sources and selects their memes.
type Ingester struct {
	store   Store
	parsers map[string]Parser
	rules   Rules
	log     *slog.Logger
	now     func() time.Time
}

// New builds an Ingester over the given parsers (by platform).
func New(store Store, parsers map[string]Parser, rules Rules, log *slog.Logger) *Ingester {
	return &Ingester{store: store, parsers: parsers, rules: rules.withDefaults(), log: log, now: time.Now}
}

// FromConfig builds the HTTP client, the three parsers and an Ingester on
// the application's database. The client is also what the media pipeline
// downloads candidates' media with.
func FromConfig(cfg Config, st *storage.Store, log *slog.Logger) (*Ingester, *Client) {
	opts := cfg.Client
	opts.AllowPrivateHosts = cfg.AllowPrivateHosts
	if opts.Log == nil {
		opts.Log = log
	}
	client := NewClient(opts)
	parsers := map[string]Parser{
		PlatformTelegram:  &TelegramParser{BaseURL: orDefault(cfg.TGWebURL, "https://t.me"), HTTP: client, Pages: cfg.TelegramPages},
		PlatformVK:        &VKParser{BaseURL: orDefault(cfg.VKAPIURL, "https://api.vk.com/method"), Token: cfg.VKToken, HTTP: client},
		PlatformInstagram: &InstagramParser{BaseURL: orDefault(cfg.IGAPIURL, "https://api.hikerapi.com"), APIKey: cfg.IGAPIKey, HTTP: client},
	}
	minAge := cfg.MinPostAge
	if minAge == 0 {
		minAge = 3 * time.Hour
	}
	return New(st, parsers, Rules{MinPostAge: max(minAge, 0)}, log), client
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// SourceError is one source's failed parse.
type SourceError struct {
	SourceID int64
	Handle   string
	Err      error
}

func (e SourceError) Error() string {
	return fmt.Sprintf("source %d (%s): %v", e.SourceID, e.Handle, e.Err)
}

// Result is what one run for one platform did.
type Result struct {
	Platform   string
	Sources    int         // sources parsed
	Posts      int         // posts fetched
	NewPosts   int         // of which never seen before
	Candidates []Candidate // handed off
	Errors     []SourceError
	Snoozed    []storage.SnoozedSource
	// ConsecutiveFailures counts this platform's failed runs in a row (a run
	// fails when every source it tried failed); Pause is set when it reached
	// Rules.FailedRunsToPause, and ParseDue then also returns ErrPlatformFailing.
	ConsecutiveFailures int
	Pause               bool
}

// ParseDue parses up to batch due sources of one platform, stores their
// posts, hands each source's new candidates to handoff before marking their
// raw posts processed (see Handoff), and returns what it handed off. Sources
// that come back empty EmptyParsesToSnooze times in a row are snoozed.
func (in *Ingester) ParseDue(ctx context.Context, platform string, batch int, handoff Handoff) (Result, error) {
	res := Result{Platform: platform}
	parser, ok := in.parsers[platform]
	if !ok {
		return res, fmt.Errorf("%w: platform %q", ErrBadValue, platform)
	}
	sources, err := in.store.DueSources(ctx, platform, batch)
	if err != nil {
		return res, err
	}
	for _, src := range sources {
		if err := in.parseSource(ctx, parser, src, handoff, &res); err != nil {
			return res, err
		}
	}
	if len(sources) == 0 {
		return res, nil
	}
	return res, in.recordRun(ctx, &res, len(sources))
}

// ParseNew parses the sources whose parsing was just enabled (never parsed
// yet), whatever their platform's schedule, so the backlog their page shows
// is taken at once rather than at the platform's next run. Their outcomes
// do not count towards the platforms' circuit breakers.
func (in *Ingester) ParseNew(ctx context.Context, batch int, handoff Handoff) (Result, error) {
	var res Result
	sources, err := in.store.NewSources(ctx, batch)
	if err != nil {
		return res, err
	}
	for _, src := range sources {
		parser, ok := in.parsers[src.Platform]
		if !ok {
			continue
		}
		if err := in.parseSource(ctx, parser, src, handoff, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// parseSource parses one source into res; only database, handoff and
// context errors are returned, a platform's answer is recorded in res.Errors.
func (in *Ingester) parseSource(ctx context.Context, parser Parser, src storage.Source, handoff Handoff, res *Result) error {
	log := in.log.With(slog.String("platform", src.Platform), slog.Int64("source_id", src.ID), slog.String("handle", src.Handle))
	res.Sources++
	fetch, err := parser.Parse(ctx, src.Handle)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	outcome, errText := storage.ParseFound, ""
	switch {
	case errors.Is(err, ErrSourceUnavailable):
		outcome, errText = storage.ParseEmpty, err.Error()
		log.Info("ingest: source unavailable", slog.Any("error", err))
	case err != nil:
		res.Errors = append(res.Errors, SourceError{SourceID: src.ID, Handle: src.Handle, Err: err})
		log.Warn("ingest: parse failed", slog.Any("error", err))
		_, err = in.store.RecordParse(ctx, src.ID, storage.ParseFailed, err.Error())
		return err
	case fetch.Seen == 0:
		outcome = storage.ParseEmpty
	}
	res.Posts += len(fetch.Posts)
	fresh, err := in.store.UpsertRawPosts(ctx, src.ID, fetch.Posts)
	if err != nil {
		return err
	}
	res.NewPosts += fresh
	sel, err := in.selectPosts(ctx, src, Judgement{
		Platform: src.Platform, Language: src.Language, Now: in.now(), MinAge: in.rules.MinPostAge,
	}, handoff)
	if err != nil {
		return err
	}
	res.Candidates = append(res.Candidates, sel.Candidates...)
	empties, err := in.store.RecordParse(ctx, src.ID, outcome, errText)
	if err != nil {
		return err
	}
	log.Debug("ingest: parsed", slog.Int("posts", len(fetch.Posts)), slog.Int("new", fresh),
		slog.Int("candidates", len(sel.Candidates)), slog.Int("empty_parses", empties))
	if empties >= in.rules.EmptyParsesToSnooze {
		reason := fmt.Sprintf("%d empty parses in a row", empties)
		if err := in.store.SetSourceStatus(ctx, src.ID, storage.SourceSnoozed, reason, nil); err != nil {
			return err
		}
		res.Snoozed = append(res.Snoozed, storage.SnoozedSource{SourceID: src.ID, Handle: src.Handle, Reason: reason})
		log.Info("ingest: source snoozed", slog.String("reason", reason))
	}
	return nil
}

// recordRun updates the platform's circuit breaker after a run of tried sources.
func (in *Ingester) recordRun(ctx context.Context, res *Result, tried int) error {
	failed := len(res.Errors) == tried
	errText := ""
	if failed {
		errText = res.Errors[len(res.Errors)-1].Error()
	}
	n, err := in.store.RecordPlatformRun(ctx, res.Platform, failed, errText)
	if err != nil {
		return err
	}
	res.ConsecutiveFailures = n
	in.log.Info("ingest: run done", slog.String("platform", res.Platform), slog.Int("sources", res.Sources),
		slog.Int("posts", res.Posts), slog.Int("new_posts", res.NewPosts), slog.Int("candidates", len(res.Candidates)),
		slog.Int("errors", len(res.Errors)), slog.Int("consecutive_failures", n))
	if n >= in.rules.FailedRunsToPause {
		res.Pause = true
		return fmt.Errorf("%w: %s failed %d runs in a row, last: %s", ErrPlatformFailing, res.Platform, n, errText)
	}
	return nil
}

// ResetPlatformFailures forgets a platform's failed runs, e.g. when an admin
// resumes its job after fixing the cause.
func (in *Ingester) ResetPlatformFailures(ctx context.Context, platform string) error {
	return in.store.ResetPlatformFailures(ctx, platform)
}

// SnoozeUnpopular snoozes enabled sources whose memes users like less than
// Rules.MinLikeRate over at least Rules.MinReactions reactions (counted since
// the source was last enabled), and returns them.
func (in *Ingester) SnoozeUnpopular(ctx context.Context) ([]storage.SnoozedSource, error) {
	snoozed, err := in.store.SnoozeUnpopularSources(ctx, in.rules.MinReactions, in.rules.MinLikeRate)
	if err != nil {
		return nil, err
	}
	for _, s := range snoozed {
		in.log.Info("ingest: source snoozed", slog.Int64("source_id", s.SourceID), slog.String("handle", s.Handle),
			slog.String("reason", s.Reason))
	}
	return snoozed, nil
}
