package storage_test

import (
	"context"
	"testing"

	"memebot/storage"
	"memebot/storage/storagetest"
)

// A moderator may decide the moment the review post appears, before the
// worker records that the post is out: the decision stands.
func TestDecisionBeforeTheWorkerMarksInReviewStands(t *testing.T) {
	s := storagetest.NewStore(t)
	ctx := context.Background()
	got, err := s.Intake(ctx, []storage.Upload{
		{Uploader: storage.UserProfile{ID: 1, FirstName: "a"}, Submission: storage.Submission{ChatID: 1, MessageID: 1, MediaType: "photo", FileID: "f1"}},
		{Uploader: storage.UserProfile{ID: 1, FirstName: "a"}, Submission: storage.Submission{ChatID: 1, MessageID: 2, MediaType: "photo", FileID: "f2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	meme := storage.Meme{Type: "photo", Status: storage.MemeWaitingReview, Checks: []byte("[]")}
	if err := s.CreateMeme(ctx, &meme); err != nil {
		t.Fatal(err)
	}
	decided, plain := got[0].Submission.ID, got[1].Submission.ID
	if err := s.ChangeSubmission(ctx, decided, storage.SubmissionChange{Status: storage.SubmissionApproved}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{decided, plain} {
		if err := s.MarkInReview(ctx, id, meme.ID); err != nil {
			t.Fatal(err)
		}
	}
	for id, want := range map[int64]string{decided: storage.SubmissionApproved, plain: storage.SubmissionInReview} {
		sub, err := s.Submission(ctx, id)
		if err != nil || sub.Status != want {
			t.Errorf("submission %d: %q (%v), want %q", id, sub.Status, err, want)
		}
	}
}
