package moderation

import (
	"context"
	"errors"
	"strings"
	"time"
)

// OCRCheck reads the text on the images with a TextReader. It never rejects:
// its text feeds the unsafe and ad checks, the caption of the review post
// and inline search. Details carry "text", "language", "confidence".
type OCRCheck struct {
	Reader TextReader
}

// Check implements Checker. For several images (video keyframes) the
// distinct texts are joined line by line.
func (c *OCRCheck) Check(ctx context.Context, in *Input) Result {
	start := time.Now()
	if len(in.Images) == 0 {
		return Result{Check: CheckOCR, Verdict: VerdictSkip, Details: map[string]any{"why": "no images"}}
	}
	if c.Reader == nil {
		return errorResult(CheckOCR, errors.New("ocr: no reader configured"))
	}
	var (
		texts   []string
		confSum float64
		read    int
		variant string
	)
	for _, img := range in.Images {
		if img == nil || img.Bounds().Empty() {
			continue
		}
		got, err := c.Reader.ReadText(ctx, img)
		if err != nil {
			return errorResult(CheckOCR, err)
		}
		read++
		if t := strings.TrimSpace(got.Text); t != "" && !containsLine(texts, t) {
			texts = append(texts, t)
			confSum += got.Confidence
			variant = got.Variant
		}
	}
	if read == 0 {
		return errorResult(CheckOCR, errors.New("ocr: no usable image"))
	}
	text := strings.Join(texts, "\n")
	r := Result{Check: CheckOCR, Verdict: VerdictPass, Details: map[string]any{
		"text": text, "language": DetectLanguage(text),
	}}
	if len(texts) > 0 {
		r.Score = confSum / float64(len(texts)) / 100
		r.Details["confidence"] = confSum / float64(len(texts))
		r.Details["variant"] = variant
	}
	r.Duration = time.Since(start)
	return r
}

func containsLine(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// ocrText returns the text an OCR result carries.
func ocrText(r Result) string {
	s, _ := r.Details["text"].(string)
	return s
}
