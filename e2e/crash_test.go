package e2e

import (
	"strings"
	"testing"
	"time"

	"memebot/app"
	"memebot/storage"
	"memebot/storage/storagetest"
)

func TestJobOfKilledWorkerIsCompletedByAnother(t *testing.T) {
	e := startRoles(t, app.Roles{Bot: true}, "JOB_CLAIM_IDLE=2s")
	ivy := user(2010, "en")
	w1 := e.spawn("worker")

	// Slow Telegram down so that the worker is surely in the middle of the job.
	e.tg.SetLatency(700 * time.Millisecond)
	if _, err := e.tg.SendPhoto(ivy, ivy.PrivateChat(), encodeJPEG(t, memeImage(7, 600, 600), 90), ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, "worker 1 starts the job", func() bool {
		var sub storage.Submission
		err := storagetest.DB(e.store).Where("uploader_id = ?", ivy.ID).First(&sub).Error
		return err == nil && sub.Status == storage.SubmissionProcessing
	})
	w1.kill(t)
	e.tg.SetLatency(0)
	if n := len(e.tg.Transcript(reviewChatID)); n != 0 {
		t.Fatalf("worker 1 finished before it was killed (%d review posts); the test proves nothing", n)
	}

	e.spawn("worker")
	post := e.reviewPost(ivy)
	e.mediaQueueSettled() // no job left that could post again
	posts := 0
	for _, m := range e.tg.Transcript(reviewChatID) {
		if strings.Contains(m.Caption, "id 2010") {
			posts++
		}
	}
	if posts != 1 {
		t.Fatalf("%d review posts for one submission, want 1", posts)
	}
	var sub storage.Submission
	storagetest.DB(e.store).Where("uploader_id = ?", ivy.ID).First(&sub)
	if sub.Status != storage.SubmissionInReview || sub.ReviewMessageID == nil || int(*sub.ReviewMessageID) != post.MessageID {
		t.Fatalf("submission after takeover: %+v", sub)
	}
}

func TestWorkerStopsCleanlyOnSIGTERM(t *testing.T) {
	e := startRoles(t, app.Roles{Bot: true})
	w := e.spawn("worker")
	waitUntil(t, "the worker started", 30*time.Second, func() bool { return strings.Contains(w.out.String(), `msg="memebot started"`) })
	err, took := w.terminate(t)
	if err != nil {
		t.Fatalf("worker exited with %v after SIGTERM, want 0", err)
	}
	if took > 10*time.Second {
		t.Fatalf("worker took %v to stop, want under 10 s", took)
	}
}
