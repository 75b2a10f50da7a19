package intake_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"memebot/intake"
	"memebot/kv"
	"memebot/kv/kvtest"
	"memebot/queue"
	"memebot/ratelimit"
	"memebot/storage"
	"memebot/storage/storagetest"
)

type world struct {
	store *storage.Store
	rdb   *kv.Redis
	q     *queue.Queue
	in    *intake.Intake
}

func newWorld(t *testing.T, limit int, q intake.Queue) *world {
	w := &world{store: storagetest.NewStore(t), rdb: kvtest.NewRedis(t)}
	w.q = queue.New(w.rdb, "media", queue.Options{}, storagetest.Logger())
	if q == nil {
		q = w.q
	}
	w.in = intake.New(w.store, q, ratelimit.NewWindow(w.rdb, "uploads", limit, time.Hour), "upload",
		intake.Options{MaxBatch: 64}, storagetest.Logger())
	return w
}

func photo(user int64, msg int) intake.Request {
	return intake.Request{Upload: storage.Upload{
		Uploader:   storage.UserProfile{ID: user, FirstName: fmt.Sprint("u", user), LanguageCode: "ru"},
		Submission: storage.Submission{ChatID: user, MessageID: int64(msg), MediaType: "photo", FileID: fmt.Sprintf("f-%d-%d", user, msg)},
	}}
}

// jobs returns the submission ids of the upload jobs on the queue.
func (w *world) jobs(t *testing.T) []int64 {
	msgs, err := w.rdb.XRange(context.Background(), w.rdb.Key("queue", "media"), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var refs []int64
	for _, m := range msgs {
		var j queue.Job
		if err := json.Unmarshal([]byte(m.Values["job"].(string)), &j); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, j.Ref)
	}
	return refs
}

func TestBurstOfUploadsKeepsEveryLimitAndQueuesEachSubmissionOnce(t *testing.T) {
	w := newWorld(t, 5, nil)
	const users, each = 30, 8
	var mu sync.Mutex
	accepted := map[int64][]int64{} // user -> submission ids
	limited := 0
	var wg sync.WaitGroup
	for u := range users {
		for m := range each {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := w.in.Accept(context.Background(), photo(int64(1000+u), m))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if res.Limited {
					limited++
					if res.RetryIn <= 59*time.Minute {
						t.Errorf("retry in %v, want about an hour", res.RetryIn)
					}
					return
				}
				accepted[int64(1000+u)] = append(accepted[int64(1000+u)], res.Submission.ID)
			}()
		}
	}
	wg.Wait()
	if limited != users*(each-5) {
		t.Errorf("%d uploads limited, want %d", limited, users*(each-5))
	}
	queued := map[int64]int{}
	for _, ref := range w.jobs(t) {
		queued[ref]++
	}
	for u, ids := range accepted {
		if len(ids) != 5 {
			t.Errorf("user %d: %d accepted, want the limit 5", u, len(ids))
		}
		for _, id := range ids {
			sub, err := w.store.Submission(context.Background(), id)
			if err != nil || sub.UploaderID != u || sub.Status != storage.SubmissionQueued || sub.Language != "ru" {
				t.Fatalf("submission %d: %+v, %v", id, sub, err)
			}
			if queued[id] != 1 {
				t.Errorf("submission %d has %d jobs, want 1", id, queued[id])
			}
		}
	}
	var events int64
	storagetest.DB(w.store).Table("status_events").Where("to_status = 'queued'").Count(&events)
	if events != users*5 {
		t.Errorf("%d queued events, want %d", events, users*5)
	}
}

func TestModeratorsAreNotLimited(t *testing.T) {
	w := newWorld(t, 1, nil)
	for m := range 3 {
		r := photo(7, m)
		r.Exempt = true
		if res, err := w.in.Accept(context.Background(), r); err != nil || res.Limited {
			t.Fatalf("exempt upload %d: %+v %v", m, res, err)
		}
	}
}

func TestRedeliveredMessageIsOneSubmission(t *testing.T) {
	w := newWorld(t, 10, nil)
	first, err := w.in.Accept(context.Background(), photo(5, 1))
	if err != nil {
		t.Fatal(err)
	}
	// Delivered again twice at once (a webhook retry racing the original).
	var wg sync.WaitGroup
	again := make([]intake.Result, 2)
	for i := range again {
		wg.Add(1)
		go func() { defer wg.Done(); again[i], _ = w.in.Accept(context.Background(), photo(5, 1)) }()
	}
	wg.Wait()
	for _, r := range again {
		if r.Submission.ID != first.Submission.ID {
			t.Fatalf("redelivery made submission %d, first was %d", r.Submission.ID, first.Submission.ID)
		}
	}
	var n int64
	storagetest.DB(w.store).Table("submissions").Count(&n)
	if n != 1 {
		t.Fatalf("%d submissions for one message", n)
	}
}

type brokenQueue struct{ err error }

func (q brokenQueue) EnqueueMany(_ context.Context, jobs []queue.Job) ([]string, error) {
	return make([]string, len(jobs)), q.err
}

func TestJobThatCannotBeQueuedFailsTheSubmissionAndGivesTheSlotBack(t *testing.T) {
	w := newWorld(t, 1, brokenQueue{errors.New("queue media: encode job: unsupported value")})
	if _, err := w.in.Accept(context.Background(), photo(9, 1)); err == nil {
		t.Fatal("no error although the job was not queued")
	}
	var sub storage.Submission
	if err := storagetest.DB(w.store).Where("chat_id = 9 AND message_id = 1").First(&sub).Error; err != nil {
		t.Fatal(err)
	}
	if sub.Status != storage.SubmissionFailed {
		t.Errorf("submission left %q, want failed (nothing will process it)", sub.Status)
	}
	// The failed upload did not use up the user's only slot.
	w2 := intake.New(w.store, w.q, ratelimit.NewWindow(w.rdb, "uploads", 1, time.Hour), "upload", intake.Options{}, storagetest.Logger())
	if res, err := w2.Accept(context.Background(), photo(9, 2)); err != nil || res.Limited {
		t.Fatalf("next upload after a failed one: %+v %v", res, err)
	}
}

// While Redis is out the upload is refused for now but kept queued: the bot
// holds the update and, once Redis is back, accepts it again, which finds the
// queued submission and queues its job.
func TestJobNotQueuedWhileRedisIsOutIsQueuedWhenTheUploadComesAgain(t *testing.T) {
	w := newWorld(t, 1, brokenQueue{fmt.Errorf("queue media: enqueue: %w", syscall.ECONNREFUSED)})
	if _, err := w.in.Accept(context.Background(), photo(9, 1)); err == nil {
		t.Fatal("no error although the job was not queued")
	}
	var sub storage.Submission
	if err := storagetest.DB(w.store).Where("chat_id = 9 AND message_id = 1").First(&sub).Error; err != nil {
		t.Fatal(err)
	}
	if sub.Status != storage.SubmissionQueued {
		t.Fatalf("submission %q after Redis refused its job, want queued", sub.Status)
	}
	again := intake.New(w.store, w.q, ratelimit.NewWindow(w.rdb, "uploads", 1, time.Hour), "upload", intake.Options{}, storagetest.Logger())
	res, err := again.Accept(context.Background(), photo(9, 1))
	if err != nil || res.Limited || res.Submission.ID != sub.ID || !res.Redelivered {
		t.Fatalf("the same upload once Redis is back: %+v %v (want submission %d, not limited)", res, err, sub.ID)
	}
	if n, _ := w.rdb.XLen(context.Background(), w.rdb.Key("queue", "media")).Result(); n != 1 {
		t.Fatalf("%d jobs queued once Redis is back, want 1", n)
	}
}

type brokenLimiter struct{}

func (brokenLimiter) TakeMany(context.Context, []string) ([]ratelimit.Outcome, error) {
	return nil, errors.New("redis: i/o timeout")
}
func (brokenLimiter) ReleaseMany(context.Context, []ratelimit.Grant) error { return nil }

func TestLimitThatCannotBeCheckedStoresNothing(t *testing.T) {
	w := newWorld(t, 5, nil)
	in := intake.New(w.store, w.q, brokenLimiter{}, "upload", intake.Options{}, storagetest.Logger())
	if _, err := in.Accept(context.Background(), photo(3, 1)); err == nil {
		t.Fatal("no error although the limit could not be checked")
	}
	var n int64
	storagetest.DB(w.store).Table("submissions").Count(&n)
	if n != 0 || len(w.jobs(t)) != 0 {
		t.Fatalf("%d submissions, %d jobs after a failed limit check; want none (the uploader is told to retry)", n, len(w.jobs(t)))
	}
}
