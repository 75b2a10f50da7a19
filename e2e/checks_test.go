package e2e

import (
	"context"
	"encoding/json"
	"image"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/image/draw"

	"memebot/moderation"
	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

// fakeModeration is an OpenAI-compatible /v1/moderations server whose answer
// a test sets: the risk score, or an HTTP status to fail with.
type fakeModeration struct {
	mu     sync.Mutex
	risk   float64
	status int
	calls  atomic.Int32
	srv    *httptest.Server
}

func newFakeModeration(t *testing.T) *fakeModeration {
	f := &fakeModeration{status: 200}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		if r.URL.Path != "/v1/moderations" || r.Header.Get("Authorization") != "Bearer mod-key" {
			http.Error(w, "bad request", 400)
			return
		}
		f.mu.Lock()
		risk, status := f.risk, f.status
		f.mu.Unlock()
		if status != 200 {
			http.Error(w, "unavailable", status)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"id": "modr-1", "model": "omni-moderation-latest", "results": []any{
			map[string]any{"flagged": risk > 0.7, "categories": map[string]bool{"violence": risk > 0.7},
				"category_scores": map[string]float64{"violence": risk, "sexual": 0.001}},
		}})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeModeration) set(risk float64, status int) {
	f.mu.Lock()
	f.risk, f.status = risk, status
	f.mu.Unlock()
}

func (f *fakeModeration) env() []string {
	return []string{"MODERATION_API_URL=" + f.srv.URL, "MODERATION_API_KEY=mod-key"}
}

func blurred(img image.Image) *image.RGBA {
	b := img.Bounds()
	small := image.NewRGBA(image.Rect(0, 0, b.Dx()/12, b.Dy()/12))
	draw.BiLinear.Scale(small, small.Bounds(), img, b, draw.Src, nil)
	out := image.NewRGBA(b)
	draw.BiLinear.Scale(out, b, small, small.Bounds(), draw.Src, nil)
	return out
}

func reportOf(t *testing.T, m storage.Meme) moderation.Report {
	t.Helper()
	var r moderation.Report
	if err := json.Unmarshal(m.Checks, &r); err != nil || len(r.Results) == 0 {
		t.Fatalf("meme %d has no stored report: %s", m.ID, m.Checks)
	}
	return r
}

func submissionOf(t *testing.T, e *env, uploader int64) storage.Submission {
	t.Helper()
	var sub storage.Submission
	if err := storagetest.DB(e.store).Where("uploader_id = ?", uploader).Order("id DESC").First(&sub).Error; err != nil {
		t.Fatal(err)
	}
	return sub
}

func TestBlurryUploadIsRejectedAutomatically(t *testing.T) {
	e := start(t)
	u := user(3001, "en")
	e.upload(u, encodeJPEG(t, blurred(memeImage(40, 1080, 800)), 90), "")
	e.waitText(u.ID, "too blurry")
	sub := submissionOf(t, e, u.ID)
	if sub.Status != storage.SubmissionRejected || sub.StatusReason != "blurry" || sub.MemeID == nil {
		t.Fatalf("submission %+v", sub)
	}
	meme, _ := e.store.Meme(context.Background(), *sub.MemeID)
	report := reportOf(t, meme)
	if meme.Status != storage.MemeRejected || report.Decision.Action != moderation.ActionReject {
		t.Fatalf("meme %s, decision %+v", meme.Status, report.Decision)
	}
	if n := len(e.tg.Transcript(reviewChatID)); n != 0 {
		t.Fatalf("a blurry upload reached the moderators (%d posts)", n)
	}
}

func TestUnsafeScoresDecideTheRoute(t *testing.T) {
	mod := newFakeModeration(t)
	e := start(t, mod.env()...)
	ctx := context.Background()

	mod.set(0.93, 200)
	bad := user(3002, "en")
	e.upload(bad, encodeJPEG(t, memeImage(41, 800, 600), 90), "")
	e.waitText(bad.ID, "looks unsafe")

	mod.set(0.5, 200)
	doubt := user(3003, "en")
	e.upload(doubt, encodeJPEG(t, memeImage(42, 800, 600), 90), "")
	post := e.reviewPost(doubt)
	if !strings.Contains(post.Caption, "⚠️") || !strings.Contains(post.Caption, "unsafe") {
		t.Fatalf("a 0.5-risk post is not highlighted:\n%s", post.Caption)
	}

	mod.set(0, 503) // the service is down: the fallback answers, the queue moves on
	calm := user(3004, "en")
	e.upload(calm, encodeJPEG(t, memeImage(43, 800, 600), 90), "")
	post = e.reviewPost(calm)
	if !strings.Contains(post.Caption, "fallback:unsafe") {
		t.Fatalf("a post checked by the fallback does not say so:\n%s", post.Caption)
	}
	meme, _ := e.store.Meme(ctx, memeIDOf(t, post))
	for _, r := range reportOf(t, meme).Results {
		if r.Check == moderation.CheckUnsafe && !r.Fallback {
			t.Fatalf("unsafe result during an outage: %+v", r)
		}
	}
}

func TestOCRTextAdsAndLanguageReachTheReviewPost(t *testing.T) {
	e := start(t)
	u := user(3005, "en")
	img := memeImageText(44, 1000, 700, "КОГДА ТЕСТЫ", "ПРОШЛИ")
	e.upload(u, encodeJPEG(t, img, 92), "subscribe to t.me/spamchannel for more @spammer")
	post := e.reviewPost(u)
	if !strings.Contains(post.Caption, "⚠️") || !strings.Contains(post.Caption, "ad") {
		t.Fatalf("an ad caption is not flagged:\n%s", post.Caption)
	}
	meme, _ := e.store.Meme(context.Background(), memeIDOf(t, post))
	if !strings.Contains(meme.OCRText, "КОГДА") || !strings.Contains(post.Caption, "OCR") {
		t.Errorf("OCR text stored = %q", meme.OCRText)
	}
	if meme.Language != "ru" || !strings.Contains(post.Caption, "КОГДА") {
		t.Errorf("meme language %q (want ru, from the Cyrillic text); review caption:\n%s", meme.Language, post.Caption)
	}
	if strings.Contains(meme.Caption, "t.me/") || strings.Contains(meme.Caption, "@spammer") || !strings.Contains(meme.Caption, "subscribe") {
		t.Errorf("cleaned caption = %q: links and mentions removed, the rest kept", meme.Caption)
	}
}

func TestRetriedJobDoesNotCallTheModerationServiceAgain(t *testing.T) {
	mod := newFakeModeration(t)
	mod.set(0.01, 200)
	e := start(t, mod.env()...)
	e.tg.Fail("sendPhoto", 2, tgfake.Fault{Code: 500}) // the storage upload fails twice
	u := user(3006, "en")
	e.upload(u, encodeJPEG(t, memeImage(45, 800, 600), 90), "")
	e.reviewPost(u)
	if sub := submissionOf(t, e, u.ID); sub.Attempts < 2 && len(e.tg.Calls("sendPhoto")) < 3 {
		t.Fatalf("the storage upload was never retried (attempts %d)", sub.Attempts)
	}
	if n := mod.calls.Load(); n != 1 {
		t.Fatalf("moderation service called %d times for one meme, want 1", n)
	}
}

func TestLowRiskIsApprovedAutomaticallyWhenEnabled(t *testing.T) {
	mod := newFakeModeration(t)
	mod.set(0.02, 200)
	e := start(t, append(mod.env(), "AUTO_APPROVE_LOW_RISK=true")...)
	u := user(3007, "en")
	e.upload(u, encodeJPEG(t, memeImage(46, 800, 600), 90), "")
	e.waitText(u.ID, "approved")
	sub := submissionOf(t, e, u.ID)
	meme, _ := e.store.Meme(context.Background(), *sub.MemeID)
	if meme.Status != storage.MemeOK || meme.StorageFileID == "" {
		t.Fatalf("auto-approved meme: status %s, storage file %q", meme.Status, meme.StorageFileID)
	}
	if n := len(e.tg.Transcript(reviewChatID)); n != 0 {
		t.Fatalf("an auto-approved meme was posted for review")
	}
}

func TestVideoUploadIsCheckedOnKeyframesAndReviewed(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (scripts/deps.sh installs it)")
	}
	clip := mp4Clip(t)
	e := start(t)
	u := user(3008, "en")
	m, err := e.tg.SendVideo(u, u.PrivateChat(), clip, "a video meme")
	if err != nil {
		t.Fatal(err)
	}
	e.waitBot(u.ID, "ack", func(x tgfake.Message) bool { return x.MessageID > m.MessageID })
	post := e.waitBot(reviewChatID, "video review post", func(x tgfake.Message) bool { return x.Video != nil })
	if !strings.Contains(post.Caption, "h264") || !strings.Contains(post.Caption, "Blur") {
		t.Fatalf("video review caption:\n%s", post.Caption)
	}
	meme, _ := e.store.Meme(context.Background(), memeIDOf(t, post))
	if meme.Type != "video" || meme.PHash == nil || meme.DurationSec < 1 {
		t.Fatalf("video meme %+v", meme)
	}
}

// mp4Clip renders a 2-second test video with ffmpeg.
func mp4Clip(t *testing.T) []byte {
	t.Helper()
	out := t.TempDir() + "/clip.mp4"
	cmd := exec.Command("ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2",
		"-pix_fmt", "yuv420p", "-c:v", "libx264", "-movflags", "+faststart", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	data, err := readFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
