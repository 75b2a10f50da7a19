package moderation

import (
	"context"
	"errors"
	"image"
	"net/http"
	"strings"
	"testing"
	"time"

	"memebot/moderation/internal/memetest"
)

// fakeReader returns a fixed text, or blocks, or fails.
type fakeReader struct {
	text  string
	err   error
	block time.Duration
}

func (f fakeReader) ReadText(ctx context.Context, _ image.Image) (OCRText, error) {
	if f.block > 0 {
		time.Sleep(f.block) // ignores ctx, like a cgo call
	}
	return OCRText{Text: f.text, Confidence: 90, Variant: "fake"}, f.err
}

func sharpMeme() image.Image {
	return memetest.Render(memetest.Options{Width: 600, Text: "MEME", Background: memetest.Busy, Seed: 1})
}

func safeAPI(t *testing.T) (*fakeModeration, string) {
	return newFakeModeration(t, scores(false, map[string]float64{"sexual": 0.02, "violence": 0.01}))
}

func resultOf(rep Report, check string) Result {
	for _, r := range rep.Results {
		if r.Check == check {
			return r
		}
	}
	return Result{}
}

func TestAnalyzeOCRFeedsTextChecks(t *testing.T) {
	_, url := safeAPI(t)
	a := NewAnalyzer(Config{
		OCR:    fakeReader{text: "ПОДПИСЫВАЙСЯ НА t.me/memes"},
		Unsafe: NewUnsafeCheck(UnsafeConfig{URL: url, APIKey: "secret"}),
	})
	rep, err := a.Analyze(context.Background(), Input{Images: []image.Image{sharpMeme()}, Caption: "лол @spam_channel"})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{rep.Results[0].Check, rep.Results[1].Check, rep.Results[2].Check, rep.Results[3].Check}; strings.Join(got, ",") != "ocr,blur,unsafe,ads" {
		t.Errorf("result order %v", got)
	}
	if rep.OCRText != "ПОДПИСЫВАЙСЯ НА t.me/memes" || rep.Language != "ru" {
		t.Errorf("OCR text %q language %q", rep.OCRText, rep.Language)
	}
	ads := resultOf(rep, CheckAds)
	if ads.Verdict != VerdictFlag || ads.Details["links"] == nil || ads.Details["mentions"] == nil {
		t.Errorf("ads result %+v: the OCR link and the caption mention should both count", ads)
	}
	if rep.Decision.Action != ActionReview || rep.Decision.Flags[0] != ReasonAd {
		t.Errorf("decision %+v, want review flagged ad", rep.Decision)
	}
	if rep.CleanCaption != "лол" {
		t.Errorf("clean caption %q", rep.CleanCaption)
	}
	if s := rep.Summary(); !strings.Contains(s, "⚠️ Ads: links t.me/memes") || !strings.Contains(s, "OCR: 'ПОДПИСЫВАЙСЯ НА t.me/memes' (ru)") {
		t.Errorf("summary:\n%s", s)
	}
}

func TestAnalyzeReusesReportBySHA256(t *testing.T) {
	api, url := safeAPI(t)
	cache := NewMemoryCache()
	a := NewAnalyzer(Config{
		OCR:    fakeReader{text: "WHEN THE CODE COMPILES"},
		Unsafe: NewUnsafeCheck(UnsafeConfig{URL: url, APIKey: "secret"}),
		Cache:  cache,
		Policy: Policy{AutoApproveLowRisk: true},
	})
	in := Input{Images: []image.Image{sharpMeme()}, Caption: "classic", SHA256: strings.Repeat("ab", 32)}
	first, err := a.Analyze(context.Background(), in)
	if err != nil || first.Decision.Action != ActionApprove {
		t.Fatalf("first analysis: %+v, %v", first.Decision, err)
	}
	in.Caption = "repost from t.me/other"
	second, err := a.Analyze(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if n := api.calls.Load(); n != 1 {
		t.Errorf("moderation API called %d times, want 1: a known SHA-256 must not be sent again", n)
	}
	if !second.Cached || second.OCRText != first.OCRText || resultOf(second, CheckUnsafe).Score != resultOf(first, CheckUnsafe).Score {
		t.Errorf("second report did not reuse the first: %+v", second)
	}
	if second.Decision.Action != ActionReview || resultOf(second, CheckAds).Verdict != VerdictFlag {
		t.Errorf("new caption's link not checked: %+v", second.Decision)
	}
	if second.CleanCaption != "repost from" {
		t.Errorf("clean caption %q", second.CleanCaption)
	}
}

func TestAnalyzeDoesNotCacheFallbacks(t *testing.T) {
	api, url := newFakeModeration(t, func(w http.ResponseWriter, _ []map[string]any) { http.Error(w, "down", 503) })
	a := NewAnalyzer(Config{Unsafe: NewUnsafeCheck(UnsafeConfig{URL: url, APIKey: "secret"}), Cache: NewMemoryCache()})
	in := Input{Images: []image.Image{sharpMeme()}, SHA256: "cafe"}
	for i := 0; i < 2; i++ {
		rep, err := a.Analyze(context.Background(), in)
		if err != nil || !resultOf(rep, CheckUnsafe).Fallback || rep.Decision.Action != ActionReview {
			t.Fatalf("run %d: %+v, %v", i, rep, err)
		}
	}
	if api.calls.Load() != 2 {
		t.Errorf("API called %d times; a fallback result must not be cached", api.calls.Load())
	}
}

type stuckCheck struct{}

func (stuckCheck) Check(ctx context.Context, in *Input) Result {
	time.Sleep(10 * time.Second) // well past any limit, even on a loaded machine
	return Result{Check: CheckBlur, Verdict: VerdictPass}
}

func TestAnalyzeTimesOutStuckChecks(t *testing.T) {
	a := NewAnalyzer(Config{
		OCR:      fakeReader{text: "x", block: 10 * time.Second},
		Timeouts: Timeouts{OCR: 50 * time.Millisecond, Blur: 50 * time.Millisecond},
		Policy:   Policy{AutoApproveLowRisk: true},
	})
	a.imageSteps[1].check = stuckCheck{}
	start := time.Now()
	rep, err := a.Analyze(context.Background(), Input{Images: []image.Image{sharpMeme()}})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second { // far below the stuck OCR's 10 s, far above a loaded machine's scheduling
		t.Errorf("Analyze took %v: it waited for a stuck check instead of its 50 ms limit", d)
	}
	for _, c := range []string{CheckOCR, CheckBlur} {
		if r := resultOf(rep, c); r.Verdict != VerdictError || !strings.Contains(r.Error, "deadline") {
			t.Errorf("%s: %+v, want a deadline error", c, r)
		}
	}
	if rep.Decision.Action != ActionReview {
		t.Errorf("decision %+v, want review", rep.Decision)
	}
}

type panicky struct{}

func (panicky) Check(context.Context, *Input) Result { panic("bug") }

func TestAnalyzeRecordsFailuresAsErrors(t *testing.T) {
	a := NewAnalyzer(Config{OCR: fakeReader{err: errors.New("tesseract exploded")}})
	a.imageSteps[1].check = panicky{}
	rep, err := a.Analyze(context.Background(), Input{Images: []image.Image{sharpMeme()}})
	if err != nil {
		t.Fatal(err)
	}
	if r := resultOf(rep, CheckOCR); r.Verdict != VerdictError || r.Error != "tesseract exploded" {
		t.Errorf("ocr %+v", r)
	}
	if r := resultOf(rep, CheckBlur); r.Verdict != VerdictError || !strings.Contains(r.Error, "panic") {
		t.Errorf("blur %+v", r)
	}
	if s := rep.Summary(); !strings.Contains(s, "❗ OCR: error: tesseract exploded") {
		t.Errorf("summary:\n%s", s)
	}
}

func TestAnalyzeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewAnalyzer(Config{}).Analyze(ctx, Input{Images: []image.Image{sharpMeme()}}); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

func TestSummary(t *testing.T) {
	results := []Result{
		{Check: CheckOCR, Verdict: VerdictPass, Details: map[string]any{"text": "when the\ncode compiles", "language": "en"}},
		{Check: CheckBlur, Verdict: VerdictPass, Score: 412.4},
		{Check: CheckUnsafe, Verdict: VerdictPass, Score: 0.05},
		{Check: CheckAds, Verdict: VerdictPass},
	}
	want := "OCR: 'when the code compiles' (en)\nBlur: sharp (412)\nUnsafe: 0.05 safe\nAds: none"
	if got := Summary(results); got != want {
		t.Errorf("Summary =\n%s\nwant\n%s", got, want)
	}
	flagged := []Result{
		{Check: CheckBlur, Verdict: VerdictReject, Reason: ReasonBlurry, Score: 37},
		{Check: CheckUnsafe, Verdict: VerdictFlag, Score: 0.5, Fallback: true, Details: map[string]any{"error": "timeout", "keywords": []any{"порн*"}}},
		{Check: CheckAds, Verdict: VerdictFlag, Details: map[string]any{"mentions": []string{"@chan"}, "long_caption": true}},
	}
	got := Summary(flagged)
	for _, line := range []string{"⛔ Blur: blurry (37)", "⚠️ Unsafe: 0.50 review [keyword fallback: timeout] words: порн*", "⚠️ Ads: mentions @chan; long caption"} {
		if !strings.Contains(got, line) {
			t.Errorf("summary lacks %q:\n%s", line, got)
		}
	}
}
