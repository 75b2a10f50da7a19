package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"memebot/ingest"
	"memebot/kv"
	"memebot/kv/kvtest"
	"memebot/media"
	"memebot/moderation"
	"memebot/pipeline"
	"memebot/queue"
	"memebot/review"
	"memebot/storage"
	"memebot/storage/storagetest"
)

const (
	reviewChat  = int64(-1001)
	storageChat = int64(-1002)
)

// fakeTelegram plays the Bot API for the worker (pipeline.Telegram) and,
// through review(), for its review service (review.Telegram): it keeps what
// was said in each chat, as people there would see it.
type fakeTelegram struct {
	mu       sync.Mutex
	messages map[int64][]sentMessage
	last     int64 // message id
	files    map[string][]byte
	blocked  map[int64]bool
}

// sentMessage is one message a chat got.
type sentMessage struct {
	id      int64
	kind    string // photo, video, animation, or text
	text    string // the text or caption
	replyTo int64
	buttons review.Buttons
}

func newFakeTelegram() *fakeTelegram {
	return &fakeTelegram{messages: map[int64][]sentMessage{}, files: map[string][]byte{}, blocked: map[int64]bool{}}
}

func (f *fakeTelegram) Download(_ context.Context, fileID string, maxBytes int64) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.files[fileID]
	if !ok {
		return nil, errors.New("fake telegram: no such file")
	}
	if int64(len(data)) > maxBytes {
		return nil, pipeline.ErrFileTooLarge
	}
	return data, nil
}

func (f *fakeTelegram) SendMedia(_ context.Context, chatID int64, m pipeline.Media, caption string) (pipeline.Sent, error) {
	id := f.add(chatID, sentMessage{kind: string(m.Kind), text: caption})
	return pipeline.Sent{MessageID: id, FileID: fmt.Sprintf("file-%d", id)}, nil
}

func (f *fakeTelegram) add(chatID int64, m sentMessage) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last++
	m.id = f.last
	f.messages[chatID] = append(f.messages[chatID], m)
	return m.id
}

// review is the review service's side of the fake.
func (f *fakeTelegram) review() reviewTelegram { return reviewTelegram{f} }

type reviewTelegram struct{ *fakeTelegram }

func (r reviewTelegram) SendMedia(_ context.Context, chatID int64, kind media.Kind, _, caption string, buttons review.Buttons) (int64, error) {
	return r.add(chatID, sentMessage{kind: string(kind), text: caption, buttons: buttons}), nil
}

func (r reviewTelegram) SendText(_ context.Context, chatID int64, text string, replyTo int64, buttons review.Buttons) error {
	r.mu.Lock()
	blocked := r.blocked[chatID]
	r.mu.Unlock()
	if blocked {
		return review.ErrBlocked
	}
	r.add(chatID, sentMessage{kind: "text", text: text, replyTo: replyTo, buttons: buttons})
	return nil
}

func (r reviewTelegram) EditCaption(context.Context, int64, int64, string) error { return nil }
func (r reviewTelegram) EditText(context.Context, int64, int64, string) error    { return nil }

func (f *fakeTelegram) count(chatID int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.messages[chatID])
}

// chat is what chatID has been sent so far.
func (f *fakeTelegram) chat(chatID int64) []sentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentMessage(nil), f.messages[chatID]...)
}

// cleanChecks finds nothing: the route is the source's to decide.
type cleanChecks struct{}

func (cleanChecks) Analyze(_ context.Context, in moderation.Input) (moderation.Report, error) {
	return moderation.Report{
		Results:      []moderation.Result{{Check: "test", Verdict: moderation.VerdictPass}},
		CleanCaption: in.Caption,
		Decision:     moderation.Decision{Action: moderation.ActionReview, Reason: moderation.ReasonLowRisk},
	}, nil
}

// channel plays t.me/s/<name>: one page of single-picture posts.
func channel(t *testing.T, name string, pictures [][]byte) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("/s/"+name, func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString(`<html><body><section class="tgme_channel_history">`)
		for i := range pictures {
			fmt.Fprintf(&b, `<div class="tgme_widget_message" data-post="%[1]s/%[2]d">
 <a class="tgme_widget_message_photo_wrap" style="background-image:url('%[3]s/file/%[2]d.jpg')"></a>
 <div class="tgme_widget_message_text">meme %[2]d</div>
 <span class="tgme_widget_message_views">1.2K</span>
 <a class="tgme_widget_message_date"><time datetime="%[4]s"></time></a>
</div>`, name, i, srv.URL, time.Now().Add(-time.Duration(10+i)*time.Hour).UTC().Format(time.RFC3339))
		}
		b.WriteString(`</section></body></html>`)
		fmt.Fprint(w, b.String())
	})
	mux.HandleFunc("/file/", func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/file/%d.jpg", &i); err != nil || i >= len(pictures) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(pictures[i])
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// picture is a distinct picture per seed: coarse random blocks that no two
// seeds share, so that no meme is a near-duplicate of another.
func picture(t *testing.T, seed uint64) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed*7+1))
	img := image.NewRGBA(image.Rect(0, 0, 480, 360))
	for by := 0; by < 360; by += 40 {
		for bx := 0; bx < 480; bx += 40 {
			c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
			for y := by; y < by+40; y++ {
				for x := bx; x < bx+40; x++ {
					img.Set(x, y, c)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// channelSource is a Telegram channel (t.me preview pages) added as a source
// with parsing enabled.
type channelSource struct {
	tme     *httptest.Server
	client  *ingest.Client
	sources *storage.Store
	ing     *ingest.Ingester
	src     storage.Source
}

func newChannelSource(t *testing.T, st *storage.Store, name string, pictures [][]byte) channelSource {
	t.Helper()
	ctx := context.Background()
	w := channelSource{tme: channel(t, name, pictures), sources: st}
	w.client = ingest.NewClient(ingest.ClientOptions{AllowPrivateHosts: true, HostInterval: -1})
	w.ing = ingest.New(w.sources, map[string]ingest.Parser{
		ingest.PlatformTelegram: &ingest.TelegramParser{BaseURL: w.tme.URL, HTTP: w.client, Pages: 1},
	}, ingest.Rules{}, storagetest.Logger())
	link, _ := ingest.ParseSourceLink("https://t.me/" + name)
	src, _, err := w.sources.AddSource(ctx, link.Platform, link.Handle, link.URL, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.sources.SetSourceStatus(ctx, src.ID, storage.SourceParsingEnabled, "", nil); err != nil {
		t.Fatal(err)
	}
	w.src = src
	return w
}

// ingestPipeline is the pipeline of the ingest tests: tg plays the storage
// and review chats, and the checks find nothing.
func ingestPipeline(st *storage.Store, rdb *kv.Redis, client *ingest.Client, tg *fakeTelegram) *pipeline.Pipeline {
	return newPipeline(st, rdb, tg, cleanChecks{}).WithIngestion(client, st)
}

// newPipeline is a pipeline whose Telegram is tg, with checks and no admins.
func newPipeline(st *storage.Store, rdb *kv.Redis, tg *fakeTelegram, checks pipeline.Analyzer) *pipeline.Pipeline {
	log := storagetest.Logger()
	return pipeline.New(pipeline.Config{StorageChatID: storageChat, WatermarkText: "@test", MaxBytes: 10 << 20}, pipeline.Deps{
		Telegram: tg, Store: st, Locks: rdb, Dedup: pipeline.NewDeduplicator(st), Analyzer: checks,
		Reviews: review.NewService(st, tg.review(), reviewChat, log), Alerts: noAlerts{},
	}, log)
}

type noAlerts struct{}

func (noAlerts) Alert(context.Context, string) {}

// work runs a worker on media with p until the returned stop is called.
func work(media *queue.Queue, p *pipeline.Pipeline) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { media.Consume(ctx, "w1", 2, time.Second, p.Handle); close(done) }()
	return func() { cancel(); <-done }
}

// drain waits until media holds no job, waiting or delayed.
func drain(t *testing.T, media *queue.Queue) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		s, err := media.Stats(context.Background())
		if err == nil && s.Length == 0 && s.Delayed == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queue never drained: %+v, %v", s, err)
		}
	}
}

// A scheduler that dies after queueing a source's candidates but before
// marking their posts processed loses none of them, and the candidates it
// queued twice still make one meme each: one storage copy, one review post.
func TestCrashBetweenQueueingAndMarkingIngestsEachPostOnce(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	rdb := kvtest.NewRedis(t)
	log := storagetest.Logger()
	const posts = 3
	var pictures [][]byte
	for i := range posts {
		pictures = append(pictures, picture(t, uint64(i+1)))
	}
	w := newChannelSource(t, st, "crashmemes", pictures)
	client, sources, ing, src := w.client, w.sources, w.ing, w.src
	if err := sources.SetSourceNeedsReview(ctx, src.ID, true); err != nil {
		t.Fatal(err)
	}

	media := queue.New(rdb, "media", queue.Options{Block: 100 * time.Millisecond, BaseBackoff: 50 * time.Millisecond,
		BusyDelay: 100 * time.Millisecond}, log)
	queueCandidates := pipeline.QueueCandidates(media)

	// The crash: the jobs are in the queue, the marks never commit.
	_, err := ing.ParseDue(ctx, ingest.PlatformTelegram, 10, func(ctx context.Context, cs []ingest.Candidate) error {
		if err := queueCandidates(ctx, cs); err != nil {
			return err
		}
		return errors.New("scheduler killed")
	})
	if err == nil {
		t.Fatal("the crashed run reported success")
	}
	// The next run (the restarted scheduler, or another replica).
	res, err := ing.ParseDue(ctx, ingest.PlatformTelegram, 10, queueCandidates)
	if err != nil || len(res.Candidates) != posts {
		t.Fatalf("the run after the crash queued %d candidates (%v), want %d", len(res.Candidates), err, posts)
	}
	if s, _ := media.Stats(ctx); s.Length != 2*posts {
		t.Fatalf("%d jobs queued, want each candidate twice (%d)", s.Length, 2*posts)
	}

	tg := newFakeTelegram()
	defer work(media, ingestPipeline(st, rdb, client, tg))()
	drain(t, media)

	memes := oneMemePerPost(t, st, src.ID, posts, func(m storage.Meme) bool {
		return m.Status == storage.MemeWaitingReview && m.ReviewMessageID != nil
	})
	if n := tg.count(storageChat); n != posts {
		t.Errorf("%d storage copies, want %d", n, posts)
	}
	if n := tg.count(reviewChat); n != posts {
		t.Errorf("%d review posts, want %d", n, posts)
	}

	// The database itself refuses a second meme for a post.
	again := storage.Meme{SourceID: &src.ID, RawPostID: memes[0].RawPostID, Type: "photo", Status: storage.MemeProcessing}
	if err := st.CreateMeme(ctx, &again); err == nil {
		t.Error("a second meme for the same raw post was stored")
	}
}

// oneMemePerPost checks that the source's posts made exactly one meme each,
// every one as ok says, and returns them in post order.
func oneMemePerPost(t *testing.T, st *storage.Store, sourceID int64, posts int, ok func(storage.Meme) bool) []storage.Meme {
	t.Helper()
	var memes []storage.Meme
	storagetest.DB(st).Where("source_id = ?", sourceID).Order("raw_post_id").Find(&memes)
	perPost := map[int64]int{}
	for _, m := range memes {
		if m.RawPostID == nil || !ok(m) {
			t.Errorf("meme #%d: raw post %v, status %s, review post %v", m.ID, m.RawPostID, m.Status, m.ReviewMessageID)
			continue
		}
		perPost[*m.RawPostID]++
	}
	if len(memes) != posts || len(perPost) != posts {
		t.Fatalf("%d memes from %d posts, want one meme for each of %d posts", len(memes), len(perPost), posts)
	}
	return memes
}

// A candidate whose job is given up on (its picture cannot be fetched) is
// recorded as failed as soon as it is dead-lettered, not presumed lost and
// queued again by the requeue sweep later.
func TestIngestJobGivenUpOnIsRecordedFailedAtOnce(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	rdb := kvtest.NewRedis(t)
	log := storagetest.Logger()
	w := newChannelSource(t, st, "gonememes", [][]byte{picture(t, 9)})
	client, ing, src := w.client, w.ing, w.src

	p := ingestPipeline(st, rdb, client, newFakeTelegram())
	media := queue.New(rdb, "media", queue.Options{Block: 100 * time.Millisecond, MaxAttempts: 1, OnDeadLetter: p.DeadLetter}, log)
	if res, err := ing.ParseDue(ctx, ingest.PlatformTelegram, 10, pipeline.QueueCandidates(media)); err != nil || len(res.Candidates) != 1 {
		t.Fatalf("parsing queued %d candidates (%v), want 1", len(res.Candidates), err)
	}
	w.tme.Close() // the post's picture is gone

	defer work(media, p)()

	var outcome string
	deadline := time.Now().Add(20 * time.Second)
	for outcome == "" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		storagetest.DB(st).Raw(`SELECT ingest_outcome FROM raw_posts WHERE source_id = ?`, src.ID).Scan(&outcome)
	}
	if outcome != storage.IngestOutcomeFailed {
		t.Fatalf("the given-up post's outcome is %q, want %q", outcome, storage.IngestOutcomeFailed)
	}
	if s, _ := media.Stats(ctx); s.Dead != 1 {
		t.Errorf("%d dead letters, want 1", s.Dead)
	}
}
