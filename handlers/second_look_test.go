package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"

	tele "gopkg.in/telebot.v3"

	"memebot/pipeline"
	"memebot/queue"
	"memebot/storage"
)

// fakeSecondLooks grants a second look of submission 5 to its uploader 31.
type fakeSecondLooks struct{ asked []int64 }

func (f *fakeSecondLooks) RequestSecondLook(_ context.Context, submissionID, uploaderID int64) (storage.Submission, error) {
	f.asked = append(f.asked, submissionID)
	if submissionID != 5 || uploaderID != 31 {
		return storage.Submission{}, storage.ErrNoSecondLook
	}
	return storage.Submission{ID: 5, UploaderID: 31}, nil
}

// fakeJobs records the jobs queued.
type fakeJobs struct{ queued []queue.Job }

func (f *fakeJobs) Enqueue(_ context.Context, job queue.Job) (string, error) {
	f.queued = append(f.queued, job)
	return "1-0", nil
}

// The uploader's press under a duplicate notice queues the upload again
// and spends the button; anyone else's press is refused and changes nothing.
func TestSecondLook(t *testing.T) {
	for _, tc := range []struct {
		name      string
		presser   int64
		wantQueue bool
		wantText  string
	}{
		{"the uploader", 31, true, "Sent to the moderators as a possible duplicate; they will decide and I will tell you."},
		{"someone else", 32, false, "A second look can be asked for once, by the uploader, of an upload called a duplicate."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			looks, jobs, tg := &fakeSecondLooks{}, &fakeJobs{}, &fakeTelegram{}
			h := &Handlers{SecondLooks: looks, UploadJobs: jobs, Telegram: tg, Log: slog.New(slog.DiscardHandler)}
			c := &fakeUpdate{sender: &tele.User{ID: tc.presser, LanguageCode: "en"}, data: "5",
				msg: &tele.Message{ID: 90, Chat: &tele.Chat{ID: tc.presser}}}
			if err := h.SecondLook(c); err != nil {
				t.Fatal(err)
			}
			if len(c.answers) != 1 || c.answers[0].Text != tc.wantText || !c.answers[0].ShowAlert {
				t.Fatalf("answers %+v, want one alert %q", c.answers, tc.wantText)
			}
			var queued []string
			for _, j := range jobs.queued {
				queued = append(queued, fmt.Sprintf("%s %d", j.Kind, j.Ref))
			}
			var wantQueued, wantCalls []string
			if tc.wantQueue {
				wantQueued = []string{pipeline.JobUpload + " 5"}
				wantCalls = []string{"buttons of 90: 0 rows"}
			}
			if !slices.Equal(queued, wantQueued) {
				t.Errorf("queued %q, want %q", queued, wantQueued)
			}
			if got := tg.requests(); !slices.Equal(got, wantCalls) {
				t.Errorf("Telegram asked %q, want %q", got, wantCalls)
			}
		})
	}
}
