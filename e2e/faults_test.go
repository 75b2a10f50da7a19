package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"memebot/app"
	"memebot/jobs"
	"memebot/tgfake"
)

// countReviewPosts is how many review posts name each uploader.
func (e *env) countReviewPosts(uploaders []tgfake.User) map[int64]int {
	n := map[int64]int{}
	for _, m := range e.tg.Transcript(reviewChatID) {
		for _, u := range uploaders {
			if m.FromBot() && m.MediaFileID() != "" && strings.Contains(m.Caption, fmt.Sprintf("id %d", u.ID)) {
				n[u.ID]++
			}
		}
	}
	return n
}

// waitOnePostEach waits until every uploader has a review post, within limit,
// then checks that none has two.
func (e *env) waitOnePostEach(uploaders []tgfake.User, limit time.Duration) {
	e.t.Helper()
	waitUntil(e.t, "a review post for every acknowledged upload", limit, func() bool {
		return len(e.countReviewPosts(uploaders)) == len(uploaders)
	})
	e.mediaQueueSettled() // no job left that could post again
	for id, n := range e.countReviewPosts(uploaders) {
		if n != 1 {
			e.t.Errorf("uploader %d: %d review posts, want exactly 1\n%s", id, n, e.dump(reviewChatID))
		}
	}
}

// Redis restarted empty loses the queued jobs, the consumer group, the inbox
// and every limit. Uploads acknowledged before and made after all reach the
// review chat, each once, within a minute, without a restart of memebot.
func TestRedisRestartedEmptyLosesNoUpload(t *testing.T) {
	rdb := startPrivateRedis(t)
	e := start(t, "REDIS_URL="+rdb.URL())
	ctx := context.Background()
	// The worker is paused so that the first uploads' jobs are surely still
	// in Redis when it loses them.
	if err := e.store.SetJobPaused(ctx, jobs.WorkerJob, true, nil, "test"); err != nil {
		t.Fatal(err)
	}
	e.mediaWorkersHoldOff(1)
	var uploaders []tgfake.User
	for i := range 3 {
		u := user(int64(6100+i), "en")
		e.upload(u, encodeJPEG(t, distinctImage(610+i, 640, 480), 90), "")
		uploaders = append(uploaders, u)
	}
	rdb.Kill()
	time.Sleep(time.Second)
	rdb.Start()
	back := time.Now()
	if err := e.store.SetJobPaused(ctx, jobs.WorkerJob, false, nil, "test"); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		u := user(int64(6200+i), "en")
		m, err := e.tg.SendPhoto(u, u.PrivateChat(), encodeJPEG(t, distinctImage(620+i, 640, 480), 90), "")
		if err != nil {
			t.Fatal(err)
		}
		e.waitBot(u.ID, "acknowledgement after the wipe", func(x tgfake.Message) bool {
			return x.MessageID > m.MessageID && strings.Contains(x.Text, "#")
		})
		uploaders = append(uploaders, u)
	}
	e.waitOnePostEach(uploaders, time.Minute-time.Since(back))
}

// While PostgreSQL is down, updates are held, not dropped: once it is back,
// a /start sent during the outage is answered and an upload is stored,
// acknowledged and posted for review. /readyz says so while it lasts.
func TestPostgresOutageHoldsUpdatesUntilItIsBack(t *testing.T) {
	pg := startPrivatePostgres(t)
	e := start(t, "DATABASE_URL="+pg.URL())
	e.seedMemes("en", 2, 700)
	readyz := func() int {
		resp, err := http.Get("http://" + e.inst.Addr + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := readyz(); code != http.StatusOK {
		t.Fatalf("/readyz = %d before the outage", code)
	}

	pg.Stop()
	if code := readyz(); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d while PostgreSQL is down, want 503", code)
	}
	newcomer, uploader := user(6301, "en"), user(6302, "en")
	start := e.say(newcomer, "/start")
	up, err := e.tg.SendPhoto(uploader, uploader.PrivateChat(), encodeJPEG(t, distinctImage(630, 640, 480), 90), "")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second) // the outage lasts
	for _, m := range append(e.tg.Transcript(newcomer.ID), e.tg.Transcript(uploader.ID)...) {
		if m.FromBot() {
			t.Fatalf("the bot answered during the outage: %q (an error, or a text it could not have stored)", m.Content())
		}
	}
	pg.Start()
	e.waitBot(newcomer.ID, "the meme for /start sent during the outage", func(m tgfake.Message) bool {
		return m.MessageID > start.MessageID && m.MediaFileID() != "" && hasButton(m, "👍")
	})
	e.waitBot(uploader.ID, "the acknowledgement of the upload sent during the outage", func(m tgfake.Message) bool {
		return m.MessageID > up.MessageID && strings.Contains(m.Text, "#")
	})
	e.waitOnePostEach([]tgfake.User{uploader}, 30*time.Second)
	if code := readyz(); code != http.StatusOK {
		t.Errorf("/readyz = %d after the outage", code)
	}
}

// killOnAck is a front for the fake Telegram that kills the bot process the
// moment it sends an upload's acknowledgement: Telegram has the message, the
// bot never hears back, so the update is still in its inbox.
type killOnAck struct {
	next   http.Handler
	victim atomic.Pointer[proc]
	killed atomic.Bool
}

func (k *killOnAck) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/sendMessage") || k.killed.Load() {
		k.next.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	k.next.ServeHTTP(rec, r)
	if p := k.victim.Load(); p != nil && bytes.Contains(body, []byte("#")) && k.killed.CompareAndSwap(false, true) {
		p.cmd.Process.Kill()
	}
	for key, v := range rec.Header() {
		w.Header()[key] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// A process killed with SIGKILL the moment its acknowledgement left: after a
// restart the upload is posted for review within 30 s (its lock died with the
// process, its job is taken over), and the replayed update does not send the
// uploader a second acknowledgement.
func TestKilledRightAfterAcknowledgementRecoversWithoutRepeating(t *testing.T) {
	front := &killOnAck{}
	e := startFronted(t, app.Roles{}, func(h http.Handler) http.Handler { front.next = h; return front },
		"JOB_CLAIM_IDLE=15s") // the default, not the tests' 2 s
	first := e.spawn("run")
	front.victim.Store(first)
	ivy := user(6401, "en")
	up, err := e.tg.SendPhoto(ivy, ivy.PrivateChat(), encodeJPEG(t, distinctImage(640, 640, 480), 90), "")
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the acknowledgement and the kill", 30*time.Second, func() bool {
		select {
		case <-first.done:
			return true
		default:
			return false
		}
	})
	if !front.killed.Load() {
		t.Fatalf("the process died on its own:\n%s", first.out.String())
	}
	e.spawn("run")
	restarted := time.Now()
	e.waitOnePostEach([]tgfake.User{ivy}, 30*time.Second)
	t.Logf("review post %v after the restart", time.Since(restarted).Round(100*time.Millisecond))
	acks := 0
	for _, m := range e.tg.Transcript(ivy.ID) {
		if m.FromBot() && m.MessageID > up.MessageID && strings.Contains(m.Text, "#") {
			acks++
		}
	}
	if acks != 1 {
		t.Fatalf("%d acknowledgements for one upload, want 1:\n%s", acks, e.dump(ivy.ID))
	}
}
