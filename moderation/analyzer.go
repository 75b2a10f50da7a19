package moderation

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Default per-check time limits inside Analyze.
const (
	DefaultOCRTimeout    = 20 * time.Second
	DefaultBlurTimeout   = 5 * time.Second
	DefaultUnsafeTimeout = 30 * time.Second
	DefaultAdsTimeout    = 2 * time.Second
)

// Timeouts limit each check inside Analyze; zero takes the default. A check
// that overruns is recorded as an error and Analyze moves on.
type Timeouts struct {
	OCR, Blur, Unsafe, Ads time.Duration
}

// Config wires an Analyzer. Nil checks take their defaults, except OCR.
type Config struct {
	OCR    TextReader   // reads image text (moderation/ocr.Pool); nil: OCR is skipped
	Blur   *BlurCheck   // default &BlurCheck{}
	Unsafe *UnsafeCheck // default: keyword heuristic only (no API configured)
	Ads    *AdCheck     // default NewAdCheck(AdConfig{})
	Cache  Cache        // reports by SHA-256; nil: no reuse
	Policy Policy
	Timeouts
	Logger *slog.Logger
}

// Report is everything Analyze found about one upload; store it whole with
// the meme.
type Report struct {
	SHA256       string    `json:"sha256,omitempty"`
	Results      []Result  `json:"results"`
	OCRText      string    `json:"ocr_text"`
	Language     string    `json:"language"`
	CleanCaption string    `json:"clean_caption"`
	Risk         float64   `json:"risk"` // unsafe-content risk, 0..1
	Decision     Decision  `json:"decision"`
	Cached       bool      `json:"cached,omitempty"` // image results reused by SHA-256
	AnalyzedAt   time.Time `json:"analyzed_at"`
}

// Summary renders the report's results for the review post.
func (r Report) Summary() string { return Summary(r.Results) }

// step is one check with its name, time limit, and whether its result
// depends only on the image (so it can be reused by SHA-256).
type step struct {
	name      string
	check     Checker
	timeout   time.Duration
	imageOnly bool
}

// Analyzer runs the checks on uploads. It is safe for concurrent use; the
// OCR reader bounds how many images are read at once.
type Analyzer struct {
	imageSteps []step // independent of each other: run concurrently
	textSteps  []step // need the OCR text: run after imageSteps, concurrently
	cache      Cache
	policy     Policy
	log        *slog.Logger
}

// NewAnalyzer builds an Analyzer from cfg.
func NewAnalyzer(cfg Config) *Analyzer {
	if cfg.Blur == nil {
		cfg.Blur = &BlurCheck{}
	}
	if cfg.Unsafe == nil {
		cfg.Unsafe = NewUnsafeCheck(UnsafeConfig{Thresholds: cfg.Policy.Risk})
	}
	if cfg.Ads == nil {
		cfg.Ads = NewAdCheck(AdConfig{})
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &Analyzer{cache: cfg.Cache, policy: cfg.Policy, log: cfg.Logger}
	if cfg.OCR != nil {
		a.imageSteps = append(a.imageSteps, step{CheckOCR, &OCRCheck{Reader: cfg.OCR}, orDefault(cfg.Timeouts.OCR, DefaultOCRTimeout), true})
	}
	a.imageSteps = append(a.imageSteps, step{CheckBlur, cfg.Blur, orDefault(cfg.Timeouts.Blur, DefaultBlurTimeout), true})
	// The unsafe verdict also reads the caption, but it is the expensive
	// remote call the cache exists to avoid, so it is reused by image.
	a.textSteps = []step{
		{CheckUnsafe, cfg.Unsafe, orDefault(cfg.Timeouts.Unsafe, DefaultUnsafeTimeout), true},
		{CheckAds, cfg.Ads, orDefault(cfg.Timeouts.Ads, DefaultAdsTimeout), false},
	}
	return a
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Analyze runs the checks on in and decides. A file whose SHA-256 is in the
// cache reuses the stored image results and only reruns the caption checks.
// Check failures are recorded in the results; the error is only for a
// cancelled ctx.
func (a *Analyzer) Analyze(ctx context.Context, in Input) (Report, error) {
	if cached, ok := a.lookup(ctx, in.SHA256); ok {
		return a.reuse(ctx, cached, in)
	}
	imageResults := a.runAll(ctx, a.imageSteps, &in)
	textIn := in // a copy: an overrunning check may still read in
	for _, r := range imageResults {
		if r.Check == CheckOCR {
			textIn.OCRText = ocrText(r)
		}
	}
	textResults := a.runAll(ctx, a.textSteps, &textIn)
	if err := ctx.Err(); err != nil {
		return Report{}, fmt.Errorf("moderation: analyze: %w", err)
	}
	rep := a.report(in, textIn.OCRText, append(imageResults, textResults...))
	a.store(ctx, rep)
	return rep, nil
}

func (a *Analyzer) lookup(ctx context.Context, sha string) (Report, bool) {
	if a.cache == nil || sha == "" {
		return Report{}, false
	}
	rep, ok, err := a.cache.Get(ctx, sha)
	if err != nil {
		a.log.WarnContext(ctx, "moderation: cache lookup failed; analysing again",
			slog.String("sha256", sha), slog.Any("error", err))
		return Report{}, false
	}
	return rep, ok
}

// reuse keeps the image results of a cached report and reruns the checks
// that read the new caption.
func (a *Analyzer) reuse(ctx context.Context, cached Report, in Input) (Report, error) {
	in.OCRText = cached.OCRText
	var results []Result
	var rerun []step
	for _, s := range append(a.imageSteps, a.textSteps...) {
		if !s.imageOnly {
			rerun = append(rerun, s)
		}
	}
	for _, r := range cached.Results {
		if !stepNamed(rerun, r.Check) {
			results = append(results, r)
		}
	}
	results = append(results, a.runAll(ctx, rerun, &in)...)
	if err := ctx.Err(); err != nil {
		return Report{}, fmt.Errorf("moderation: analyze: %w", err)
	}
	rep := a.report(in, cached.OCRText, results)
	rep.Cached = true
	return rep, nil
}

func stepNamed(steps []step, name string) bool {
	for _, s := range steps {
		if s.name == name {
			return true
		}
	}
	return false
}

func (a *Analyzer) report(in Input, ocr string, results []Result) Report {
	rep := Report{
		SHA256:       in.SHA256,
		Results:      results,
		OCRText:      ocr,
		CleanCaption: CleanCaption(in.Caption),
		Decision:     Decide(results, a.policy),
		AnalyzedAt:   time.Now().UTC(),
	}
	rep.Language = memeLanguage(ocr, rep.CleanCaption, in.Language)
	for _, r := range results {
		if r.Check == CheckUnsafe && r.Verdict != VerdictError {
			rep.Risk = max(rep.Risk, r.Score)
		}
	}
	return rep
}

// store caches reports whose checks all ran properly: a failure or a
// fallback should be retried with the next upload of the same file.
func (a *Analyzer) store(ctx context.Context, rep Report) {
	if a.cache == nil || rep.SHA256 == "" {
		return
	}
	for _, r := range rep.Results {
		if r.Verdict == VerdictError || r.Fallback {
			return
		}
	}
	if err := a.cache.Put(ctx, rep.SHA256, rep); err != nil {
		a.log.WarnContext(ctx, "moderation: cache store failed", slog.String("sha256", rep.SHA256), slog.Any("error", err))
	}
}

// runAll runs steps concurrently and returns their results in step order.
func (a *Analyzer) runAll(ctx context.Context, steps []step, in *Input) []Result {
	results := make([]Result, len(steps))
	var wg sync.WaitGroup
	for i, s := range steps {
		wg.Go(func() { results[i] = run(ctx, s, in) })
	}
	wg.Wait()
	return results
}

// run runs one check within its time limit. A check that ignores its
// context is abandoned at the deadline (its goroutine finishes later).
func run(ctx context.Context, s step, in *Input) Result {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	start := time.Now()
	done := make(chan Result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- errorResult(s.name, fmt.Errorf("%s: panic: %v", s.name, p))
			}
		}()
		done <- s.check.Check(ctx, in)
	}()
	var r Result
	select {
	case r = <-done:
	case <-ctx.Done():
		r = errorResult(s.name, fmt.Errorf("%s: %w", s.name, ctx.Err()))
	}
	if r.Check == "" {
		r.Check = s.name
	}
	if r.Verdict == "" {
		r.Verdict = VerdictError
		r.Error = strings.TrimSpace(r.Error + " check returned no verdict")
	}
	if r.Duration == 0 {
		r.Duration = time.Since(start)
	}
	return r
}

// memeLanguage is the language of the text on the picture when there is
// enough of it (that is what viewers read), else of the caption, else the
// hint. Links and usernames are Latin whatever the language, so they are
// cleaned away first.
func memeLanguage(ocr, caption, hint string) string {
	if text := CleanCaption(ocr); letterCount(text) >= 6 {
		if lang := DetectLanguage(text); lang != "" {
			return lang
		}
	}
	if lang := DetectLanguage(caption); lang != "" {
		return lang
	}
	return hint
}

func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
