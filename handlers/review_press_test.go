package handlers

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	tele "gopkg.in/telebot.v3"

	"memebot/review"
	"memebot/storage"
)

// fakeReviews is the review service as the Review handler uses it: it
// keeps the verdicts it is given and the decisions it is asked to
// announce, and decides as told.
type fakeReviews struct {
	verdicts  []review.Verdict
	decision  review.Decision
	err       error
	announced []review.Decision
}

func (f *fakeReviews) Decide(_ context.Context, v review.Verdict) (review.Decision, error) {
	f.verdicts = append(f.verdicts, v)
	d := f.decision
	d.Verdict = v
	return d, f.err
}

func (f *fakeReviews) Announce(_ context.Context, d review.Decision) error {
	f.announced = append(f.announced, d)
	return nil
}

// A press on a review post is parsed into a verdict, decided by the review
// service, and answered; only a decision that stands is announced.
func TestReviewPress(t *testing.T) {
	approved := review.Decision{Meme: storage.Meme{ID: 9}, Stands: storage.ReviewDecision{MemeID: 9, Decision: storage.DecisionApprove}}
	rejected := review.Decision{Meme: storage.Meme{ID: 9}, Stands: storage.ReviewDecision{MemeID: 9, Decision: storage.DecisionReject}}
	cases := []struct {
		name     string
		role     string
		data     string
		decision review.Decision
		err      error

		wantAnswer   string
		wantAlert    bool
		wantDecided  bool // the service was asked
		wantAnnounce bool
		wantErr      bool
	}{
		{name: "approve", role: storage.RoleModerator, data: "a|9", decision: approved,
			wantAnswer: "Approved ✅", wantDecided: true, wantAnnounce: true},
		{name: "reject for a reason", role: storage.RoleAdmin, data: "r|9|spam", decision: rejected,
			wantAnswer: "Rejected ❌", wantDecided: true, wantAnnounce: true},
		{name: "not a moderator", role: storage.RoleUser, data: "a|9",
			wantAnswer: "Only moderators can do this.", wantAlert: true},
		{name: "unreadable button", role: storage.RoleModerator, data: "a|nine"},
		{name: "own upload", role: storage.RoleModerator, data: "a|9", err: review.ErrOwnUpload,
			wantAnswer: "You can't review your own meme.", wantAlert: true, wantDecided: true},
		{name: "already decided", role: storage.RoleModerator, data: "r|9", decision: approved, err: storage.ErrAlreadyDecided,
			wantAnswer: "Already decided (approve); nothing changed.", wantDecided: true},
		{name: "not in review", role: storage.RoleModerator, data: "a|9", err: storage.ErrNotInReview,
			wantAnswer: "This meme is not waiting for review.", wantDecided: true},
		{name: "not recorded", role: storage.RoleModerator, data: "a|9", decision: approved, err: errors.New("connection reset"),
			wantAnswer: "Sorry, something went wrong. Please try again.", wantDecided: true, wantErr: true},
		// An error before the meme was read leaves the press unanswered: the
		// update is held and tried again once the database answers.
		{name: "meme unreadable", role: storage.RoleModerator, data: "a|9", err: errors.New("connection refused"),
			wantDecided: true, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reviews := &fakeReviews{decision: tc.decision, err: tc.err}
			h := &Handlers{Reviews: reviews, Log: slog.New(slog.DiscardHandler)}
			c := &fakeUpdate{
				sender: &tele.User{ID: 41, Username: "mod", LanguageCode: "en"}, role: tc.role, data: tc.data,
				msg: &tele.Message{ID: 77, Chat: &tele.Chat{ID: -100}, Caption: "🆕 Meme #9", Photo: &tele.Photo{}},
			}
			if err := h.Review(c); (err != nil) != tc.wantErr {
				t.Fatalf("Review: %v, want error %t", err, tc.wantErr)
			}
			switch {
			case tc.wantAnswer == "" && tc.wantErr && len(c.answers) != 0:
				t.Fatalf("answered %+v, want the press held unanswered", c.answers[0])
			case tc.wantAnswer != "" || !tc.wantErr:
				if len(c.answers) != 1 || c.answers[0].Text != tc.wantAnswer || c.answers[0].ShowAlert != tc.wantAlert {
					t.Fatalf("answers %+v, want one %q (alert %t)", c.answers, tc.wantAnswer, tc.wantAlert)
				}
			}
			if decided := len(reviews.verdicts) > 0; decided != tc.wantDecided {
				t.Fatalf("decided %t, want %t", decided, tc.wantDecided)
			}
			if announced := len(reviews.announced) == 1; announced != tc.wantAnnounce || len(reviews.announced) > 1 {
				t.Fatalf("announced %d decisions, want announced %t", len(reviews.announced), tc.wantAnnounce)
			}
			if tc.wantDecided {
				checkVerdict(t, reviews.verdicts[0], tc.data)
			}
		})
	}
}

// checkVerdict checks the verdict a press on the review post made: its
// meme, what was pressed, who pressed it and the post to edit.
func checkVerdict(t *testing.T, v review.Verdict, data string) {
	t.Helper()
	press, _ := review.ParsePress(data)
	want := review.Verdict{Press: press, Moderator: review.Moderator{ID: 41, Username: "mod"},
		Post: &review.PostRef{ChatID: -100, MessageID: 77, Caption: "🆕 Meme #9", Media: true}}
	if v.Press != want.Press || v.Moderator != want.Moderator || v.Post == nil || *v.Post != *want.Post {
		t.Fatalf("verdict %+v (post %+v), want %+v (post %+v)", v, v.Post, want, want.Post)
	}
}
