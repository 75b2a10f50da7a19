// Package moderation runs the automatic checks on an uploaded meme (OCR,
// blur, unsafe content, ads) and turns their results into a decision:
// reject, send to human review, or approve. It knows nothing about Telegram:
// the upload pipeline hands it decoded images and a caption, and stores the
// returned Report (every Result with the Decision) so that each automatic
// verdict can be explained later.
package moderation

import (
	"context"
	"image"
	"time"
)

// Verdict is the outcome of one check.
type Verdict string

// Verdicts a check can return.
const (
	VerdictPass   Verdict = "pass"
	VerdictFlag   Verdict = "flag"   // needs a human look
	VerdictReject Verdict = "reject" // reject on its own
	VerdictError  Verdict = "error"  // the check could not run; never counts as a pass
	VerdictSkip   Verdict = "skip"   // nothing to check (no images, no text)
)

// Names of the built-in checks, used as Result.Check.
const (
	CheckOCR    = "ocr"
	CheckBlur   = "blur"
	CheckUnsafe = "unsafe"
	CheckAds    = "ads"
)

// Reasons carried by Result.Reason and Decision.Reason.
const (
	ReasonBlurry = "blurry"
	ReasonUnsafe = "unsafe"
	ReasonAd     = "ad"
)

// Result is what one check found. It is stored with the decision.
type Result struct {
	Check    string         `json:"check"`
	Verdict  Verdict        `json:"verdict"`
	Score    float64        `json:"score"`
	Reason   string         `json:"reason,omitempty"`
	Details  map[string]any `json:"details,omitempty"`
	Error    string         `json:"error,omitempty"`
	Duration time.Duration  `json:"duration_ns"`
	// Fallback is set when a remote check answered with its local heuristic
	// because the remote service was unavailable.
	Fallback bool `json:"fallback,omitempty"`
}

// Input is one upload to analyse. Videos pass a few keyframes as Images.
type Input struct {
	Images   []image.Image
	Caption  string
	SHA256   string // hex SHA-256 of the file bytes, the cache key
	Language string // hint from the uploader, used when the text has no letters
	// OCRText is filled by the Analyzer after OCR, for the text checks.
	OCRText string
}

// Checker is one automatic check. Check never panics on bad input and
// reports its own failures as a Result with VerdictError.
type Checker interface {
	Check(ctx context.Context, in *Input) Result
}

// OCRText is the text read from one image.
type OCRText struct {
	Text       string  `json:"text"`
	Confidence float64 `json:"confidence"` // mean word confidence, 0..100
	Variant    string  `json:"variant"`    // which preprocessing produced it
}

// TextReader reads the text printed on an image. The Tesseract
// implementation lives in moderation/ocr.
type TextReader interface {
	ReadText(ctx context.Context, img image.Image) (OCRText, error)
}

func errorResult(check string, err error) Result {
	return Result{Check: check, Verdict: VerdictError, Error: err.Error()}
}
