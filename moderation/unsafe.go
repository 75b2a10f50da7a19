package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"net/http"
	"strings"
	"time"

	"memebot/moderation/internal/openai"
)

// Unsafe-content defaults. The thresholds follow the seed: below 0.3 safe,
// 0.3-0.7 needs review, above 0.7 unsafe.
const (
	DefaultModerationModel   = "omni-moderation-latest"
	DefaultModerationTimeout = 10 * time.Second
	DefaultRiskReview        = 0.3
	DefaultRiskReject        = 0.7
	// fallbackRisk is the score of a keyword hit: enough for review, never
	// enough to reject without the remote model.
	fallbackRisk = 0.5
	// flaggedRisk is the least risk of an input the service flagged.
	flaggedRisk = 0.9
	// moderationImageSide bounds the image sent, to keep requests small.
	moderationImageSide = 1024
)

// DefaultUnsafeWords are obviously unsafe words in English and Russian, the
// heuristic used when the moderation service is unavailable.
var DefaultUnsafeWords = []string{
	"porn*", "xxx", "nude", "nudes", "hentai", "rape", "raping", "child porn",
	"kill yourself", "kys", "suicide", "self harm", "beheading", "gore", "heil hitler",
	"white power", "terrorist*", "cocaine", "heroin", "meth",
	"порн*", "голые", "голая", "изнасил*", "убей себя", "самоубий*", "суицид*",
	"наркот*", "кокаин*", "героин*", "закладк*", "теракт*", "зиг хайль", "расчлен*",
}

var defaultUnsafeList = newWordList(DefaultUnsafeWords)

// RiskThresholds split an unsafe-content risk into pass, flag and reject.
type RiskThresholds struct {
	Review float64 `json:"review"` // risk at or above this needs review; default 0.3
	Reject float64 `json:"reject"` // risk above this is rejected; default 0.7
}

func (t RiskThresholds) withDefaults() RiskThresholds {
	if t.Review <= 0 {
		t.Review = DefaultRiskReview
	}
	if t.Reject <= 0 {
		t.Reject = DefaultRiskReject
	}
	return t
}

// Classify maps a risk to a verdict.
func (t RiskThresholds) Classify(risk float64) Verdict {
	t = t.withDefaults()
	switch {
	case risk > t.Reject:
		return VerdictReject
	case risk >= t.Review:
		return VerdictFlag
	}
	return VerdictPass
}

// UnsafeConfig configures NewUnsafeCheck. Zero values take the defaults.
type UnsafeConfig struct {
	// URL is the base of an OpenAI-compatible API (MODERATION_API_URL);
	// requests go to URL + "/v1/moderations". Empty: keyword heuristic only.
	URL        string
	APIKey     string
	Model      string        // default omni-moderation-latest
	Timeout    time.Duration // per HTTP call; default 10s
	HTTPClient *http.Client
	Thresholds RiskThresholds
	Keywords   []string // default DefaultUnsafeWords
	MaxImages  int      // keyframes sent per upload; default 3
}

// UnsafeCheck asks a moderation model about the image and its text (caption
// and OCR). When the service is not configured, fails, times out or answers
// nonsense, a keyword heuristic answers instead and the Result is marked
// Fallback, so an outage never stalls the pipeline nor approves blindly.
type UnsafeCheck struct {
	cfg      UnsafeConfig
	keywords *wordList
}

// NewUnsafeCheck builds an UnsafeCheck.
func NewUnsafeCheck(cfg UnsafeConfig) *UnsafeCheck {
	if cfg.Model == "" {
		cfg.Model = DefaultModerationModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultModerationTimeout
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.MaxImages <= 0 {
		cfg.MaxImages = 3
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	cfg.Thresholds = cfg.Thresholds.withDefaults()
	c := &UnsafeCheck{cfg: cfg, keywords: defaultUnsafeList}
	if len(cfg.Keywords) > 0 {
		c.keywords = newWordList(cfg.Keywords)
	}
	return c
}

// ErrModerationNotConfigured is recorded when MODERATION_API_URL is empty.
var ErrModerationNotConfigured = errors.New("moderation: API URL not configured")

// Check implements Checker.
func (c *UnsafeCheck) Check(ctx context.Context, in *Input) Result {
	start := time.Now()
	text := strings.TrimSpace(strings.TrimSpace(in.Caption) + "\n" + strings.TrimSpace(in.OCRText))
	if len(in.Images) == 0 && text == "" {
		return Result{Check: CheckUnsafe, Verdict: VerdictSkip, Details: map[string]any{"why": "nothing to check"}}
	}
	var r Result
	scores, err := c.moderate(ctx, in.Images, text)
	if err != nil {
		r = c.fallback(text, err)
	} else {
		r = Result{Check: CheckUnsafe, Score: scores.risk, Details: map[string]any{
			"model": c.cfg.Model, "flagged": scores.flagged, "top_category": scores.top,
			"top_score": scores.topScore, "categories": scores.flaggedCategories,
		}}
		r.Verdict = c.cfg.Thresholds.Classify(r.Score)
	}
	if r.Verdict == VerdictReject || r.Verdict == VerdictFlag {
		r.Reason = ReasonUnsafe
	}
	r.Duration = time.Since(start)
	return r
}

func (c *UnsafeCheck) fallback(text string, cause error) Result {
	hits := c.keywords.matches(text)
	r := Result{Check: CheckUnsafe, Verdict: VerdictPass, Fallback: true,
		Details: map[string]any{"error": cause.Error(), "method": "keywords"}}
	if len(hits) > 0 {
		r.Score = fallbackRisk
		r.Verdict = c.cfg.Thresholds.Classify(r.Score)
		r.Details["keywords"] = hits
	}
	return r
}

// riskScores is what the service said about all images together.
type riskScores struct {
	risk              float64
	flagged           bool
	top               string
	topScore          float64
	flaggedCategories []string
}

func (s *riskScores) merge(o riskScores) {
	s.flagged = s.flagged || o.flagged
	s.risk = max(s.risk, o.risk)
	if o.topScore > s.topScore {
		s.top, s.topScore = o.top, o.topScore
	}
	s.flaggedCategories = append(s.flaggedCategories, o.flaggedCategories...)
}

// moderate sends one request per image (the text rides with the first), as
// the omni model takes one image per request.
func (c *UnsafeCheck) moderate(ctx context.Context, images []image.Image, text string) (riskScores, error) {
	if c.cfg.URL == "" {
		return riskScores{}, ErrModerationNotConfigured
	}
	if len(images) > c.cfg.MaxImages {
		images = images[:c.cfg.MaxImages]
	}
	var total riskScores
	for i := 0; i == 0 || i < len(images); i++ {
		var items []any
		if i == 0 && text != "" {
			items = append(items, map[string]any{"type": "text", "text": text})
		}
		if i < len(images) {
			url, err := JPEGDataURL(images[i], moderationImageSide)
			if err != nil {
				return riskScores{}, err
			}
			items = append(items, map[string]any{"type": "image_url", "image_url": map[string]string{"url": url}})
		}
		s, err := c.call(ctx, items)
		if err != nil {
			return riskScores{}, err
		}
		total.merge(s)
	}
	return total, nil
}

type moderationResponse struct {
	Results []struct {
		Flagged        bool               `json:"flagged"`
		Categories     map[string]bool    `json:"categories"`
		CategoryScores map[string]float64 `json:"category_scores"`
	} `json:"results"`
}

func (c *UnsafeCheck) call(ctx context.Context, items []any) (riskScores, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := openai.PostJSON(ctx, c.cfg.HTTPClient, c.cfg.URL+"/v1/moderations", c.cfg.APIKey,
		map[string]any{"model": c.cfg.Model, "input": items})
	if err != nil {
		return riskScores{}, fmt.Errorf("moderation: %w", err)
	}
	raw := resp.Body
	if resp.Status != http.StatusOK {
		return riskScores{}, fmt.Errorf("moderation: status %d: %.200s", resp.Status, raw)
	}
	var parsed moderationResponse
	if err := json.Unmarshal(raw, &parsed); err != nil {
		return riskScores{}, fmt.Errorf("moderation: malformed response: %w", err)
	}
	if len(parsed.Results) == 0 {
		return riskScores{}, errors.New("moderation: malformed response: no results")
	}
	var s riskScores
	for _, res := range parsed.Results {
		if len(res.CategoryScores) == 0 {
			return riskScores{}, errors.New("moderation: malformed response: no category scores")
		}
		s.flagged = s.flagged || res.Flagged
		for cat, score := range res.CategoryScores {
			if score > s.topScore || (score == s.topScore && cat < s.top) {
				s.top, s.topScore = cat, score
			}
			if res.Categories[cat] {
				s.flaggedCategories = append(s.flaggedCategories, cat)
			}
		}
	}
	s.risk = s.topScore
	if s.flagged {
		s.risk = max(s.risk, flaggedRisk)
	}
	return s, nil
}

// JPEGDataURL encodes img as a JPEG data URL, shrunk to fit maxSide.
func JPEGDataURL(img image.Image, maxSide int) (string, error) {
	url, err := openai.ImageDataURL(img, maxSide)
	if err != nil {
		return "", fmt.Errorf("moderation: %w", err)
	}
	return url, nil
}
