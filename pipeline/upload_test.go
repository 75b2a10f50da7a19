package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"memebot/kv/kvtest"
	"memebot/moderation"
	"memebot/pipeline"
	"memebot/queue"
	"memebot/review"
	"memebot/storage"
	"memebot/storage/storagetest"
)

// checksSaying is an Analyzer whose checks all decide action (for reason).
type checksSaying struct {
	action moderation.Action
	reason string
}

func (c checksSaying) Analyze(_ context.Context, in moderation.Input) (moderation.Report, error) {
	return moderation.Report{
		Results:      []moderation.Result{{Check: "test", Verdict: moderation.VerdictPass}},
		CleanCaption: in.Caption,
		Decision:     moderation.Decision{Action: c.action, Reason: c.reason},
	}, nil
}

// uploads is a worker's pipeline over a fake Telegram, and a user who sends
// it memes.
type uploads struct {
	st       *storage.Store
	tg       *fakeTelegram
	p        *pipeline.Pipeline
	uploader storage.User
	admins   *recordedAlerts
}

type recordedAlerts struct{ texts []string }

func (a *recordedAlerts) Alert(_ context.Context, text string) { a.texts = append(a.texts, text) }

const uploaderChat = int64(501)

func newUploads(t *testing.T, checks pipeline.Analyzer) *uploads {
	t.Helper()
	st := storagetest.NewStore(t)
	rdb := kvtest.NewRedis(t)
	u, _, err := st.UpsertUser(context.Background(), storage.UserProfile{ID: uploaderChat, Username: "alice", LanguageCode: "en"})
	if err != nil {
		t.Fatal(err)
	}
	tg, log, admins := newFakeTelegram(), storagetest.Logger(), &recordedAlerts{}
	p := pipeline.New(pipeline.Config{StorageChatID: storageChat, WatermarkText: "@test", MaxBytes: 1 << 20}, pipeline.Deps{
		Telegram: tg, Store: st, Locks: rdb, Dedup: pipeline.NewDeduplicator(st), Analyzer: checks,
		Reviews: review.NewService(st, tg.review(), reviewChat, log), Alerts: admins,
	}, log)
	return &uploads{st: st, tg: tg, p: p, uploader: u, admins: admins}
}

// send is the uploader sending a picture as message messageID; it returns
// the submission's upload job.
func (u *uploads) send(t *testing.T, messageID int64, picture []byte) queue.Job {
	t.Helper()
	fileID := fmt.Sprintf("upload-%d", messageID)
	u.tg.mu.Lock()
	u.tg.files[fileID] = picture
	u.tg.mu.Unlock()
	sub, _, err := u.st.CreateSubmission(context.Background(), storage.Submission{
		UploaderID: u.uploader.ID, ChatID: uploaderChat, MessageID: messageID, MediaType: "photo",
		FileID: fileID, FileUniqueID: fileID, Language: "en",
	})
	if err != nil {
		t.Fatal(err)
	}
	return queue.Job{Kind: pipeline.JobUpload, Ref: sub.ID}
}

// process runs job as many times as the queue might deliver it.
func (u *uploads) process(t *testing.T, job queue.Job, deliveries int) {
	t.Helper()
	for range deliveries {
		if err := u.p.Handle(context.Background(), job); err != nil {
			t.Fatalf("processing %+v: %v", job, err)
		}
	}
}

// An upload that passes the checks reaches the moderators once, however
// often its job is delivered: one watermarked copy in the storage chat, one
// review post with the meme, who sent it and the decision buttons; its
// uploader hears nothing until they decide.
func TestUploadIsPostedForReviewOnce(t *testing.T) {
	u := newUploads(t, checksSaying{action: moderation.ActionReview, reason: moderation.ReasonLowRisk})
	job := u.send(t, 11, picture(t, 21))
	u.process(t, job, 2)

	if got := u.tg.chat(storageChat); len(got) != 1 || got[0].kind != "photo" {
		t.Fatalf("storage chat got %+v, want one photo", got)
	}
	posts := u.tg.chat(reviewChat)
	if len(posts) != 1 {
		t.Fatalf("review chat got %d posts, want 1", len(posts))
	}
	post := posts[0]
	if post.kind != "photo" || !strings.Contains(post.text, "Meme #") || !strings.Contains(post.text, "@alice") {
		t.Errorf("review post %q (%s) does not show the meme and its uploader", post.text, post.kind)
	}
	if len(post.buttons) == 0 || len(post.buttons[0]) < 2 ||
		post.buttons[0][0].Label != review.ApproveLabel || post.buttons[0][1].Label != review.RejectLabel {
		t.Errorf("review post buttons %+v, want %q and %q first", post.buttons, review.ApproveLabel, review.RejectLabel)
	}
	if got := u.tg.chat(uploaderChat); len(got) != 0 {
		t.Errorf("the uploader was told %+v before any decision", got)
	}
}

// An upload a check refuses is told so once, with the reason, in reply to
// the upload; the moderators never see it.
func TestRejectedUploadIsToldOnceWithTheReason(t *testing.T) {
	u := newUploads(t, checksSaying{action: moderation.ActionReject, reason: "blurry"})
	job := u.send(t, 12, picture(t, 22))
	u.process(t, job, 2)

	told := u.tg.chat(uploaderChat)
	if len(told) != 1 {
		t.Fatalf("the uploader got %d messages, want 1: %+v", len(told), told)
	}
	if !strings.Contains(told[0].text, "not accepted") || !strings.Contains(told[0].text, "too blurry") || told[0].replyTo != 12 {
		t.Errorf("the uploader was told %q (in reply to %d), want the blurry refusal in reply to 12", told[0].text, told[0].replyTo)
	}
	if n := u.tg.count(reviewChat); n != 0 {
		t.Errorf("a refused upload made %d review posts", n)
	}
	sub, _ := u.st.Submission(context.Background(), job.Ref)
	if sub.Status != storage.SubmissionRejected || sub.StatusReason != "blurry" {
		t.Errorf("submission %s (%s), want rejected (blurry)", sub.Status, sub.StatusReason)
	}
}

// A file over the size limit is refused as too large, without a retry.
func TestTooLargeUploadIsRefused(t *testing.T) {
	u := newUploads(t, checksSaying{action: moderation.ActionReview})
	job := u.send(t, 13, make([]byte, 2<<20))
	u.process(t, job, 1)
	told := u.tg.chat(uploaderChat)
	if len(told) != 1 || !strings.Contains(told[0].text, "too large") {
		t.Fatalf("the uploader was told %+v, want that the file is too large", told)
	}
}

// A low-risk upload the policy approves goes into the feed at once, and its
// uploader is told, once.
func TestAutoApprovedUploadIsToldOnce(t *testing.T) {
	u := newUploads(t, checksSaying{action: moderation.ActionApprove, reason: moderation.ReasonLowRisk})
	job := u.send(t, 14, picture(t, 24))
	u.process(t, job, 2)

	told := u.tg.chat(uploaderChat)
	if len(told) != 1 || !strings.Contains(told[0].text, "approved") {
		t.Fatalf("the uploader was told %+v, want one approval", told)
	}
	sub, _ := u.st.Submission(context.Background(), job.Ref)
	meme, err := u.st.Meme(context.Background(), *sub.MemeID)
	if err != nil || meme.Status != storage.MemeOK {
		t.Errorf("meme status %q (%v), want ok", meme.Status, err)
	}
	if n := u.tg.count(reviewChat); n != 0 {
		t.Errorf("an approved upload made %d review posts", n)
	}
}

// The same picture sent again is a duplicate: its uploader is told which
// meme it repeats, that it is waiting for the moderators, and offered one
// second-look button; nothing is posted.
func TestDuplicateUploadOffersASecondLook(t *testing.T) {
	u := newUploads(t, checksSaying{action: moderation.ActionReview})
	pic := picture(t, 25)
	first := u.send(t, 15, pic)
	u.process(t, first, 1)
	again := u.send(t, 16, pic)
	u.process(t, again, 2)

	told := u.tg.chat(uploaderChat)
	if len(told) != 1 || !strings.Contains(told[0].text, "repeats") || told[0].replyTo != 16 {
		t.Fatalf("the uploader was told %+v, want one duplicate notice in reply to 16", told)
	}
	if sub, err := u.st.Submission(context.Background(), first.Ref); err != nil || sub.MemeID == nil ||
		!strings.Contains(told[0].text, fmt.Sprintf("meme #%d, which is already waiting for the moderators", *sub.MemeID)) {
		t.Errorf("duplicate notice %q does not name the meme in review (%v)", told[0].text, err)
	}
	if b := told[0].buttons; len(b) != 1 || len(b[0]) != 1 || b[0][0].Unique != pipeline.SecondLookButton || b[0][0].Data != fmt.Sprint(again.Ref) {
		t.Errorf("duplicate notice buttons %+v, want one second-look button for submission %d", b, again.Ref)
	}
	if n := u.tg.count(reviewChat); n != 1 {
		t.Errorf("%d review posts, want only the first upload's", n)
	}
}

// An uploader who blocked the bot is marked so; the job still succeeds.
func TestUploaderWhoBlockedTheBotIsMarked(t *testing.T) {
	u := newUploads(t, checksSaying{action: moderation.ActionReject, reason: "blurry"})
	u.tg.blocked[uploaderChat] = true
	u.process(t, u.send(t, 17, picture(t, 27)), 1)
	user, err := u.st.User(context.Background(), uploaderChat)
	if err != nil || user.BlockedBotAt == nil {
		t.Fatalf("uploader blocked at %v (%v), want marked blocked", user.BlockedBotAt, err)
	}
}

// An upload given up on is marked failed; its uploader is asked to send it
// again and the admins are told.
func TestGivenUpUploadTellsUploaderAndAdmins(t *testing.T) {
	u := newUploads(t, checksSaying{action: moderation.ActionReview})
	job := u.send(t, 18, picture(t, 28))
	job.Attempt = 5
	u.p.DeadLetter(context.Background(), job, errors.New("boom"))

	told := u.tg.chat(uploaderChat)
	if len(told) != 1 || !strings.Contains(told[0].text, "send it again") {
		t.Fatalf("the uploader was told %+v, want to send it again", told)
	}
	if len(u.admins.texts) != 1 || !strings.Contains(u.admins.texts[0], fmt.Sprintf("Upload #%d", job.Ref)) {
		t.Errorf("admins were told %q, want the given-up upload", u.admins.texts)
	}
	if sub, _ := u.st.Submission(context.Background(), job.Ref); sub.Status != storage.SubmissionFailed {
		t.Errorf("submission %s, want failed", sub.Status)
	}
}
