package handlers

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	tele "gopkg.in/telebot.v3"

	"memebot/media"
	"memebot/review"
	"memebot/storage"
	"memebot/storage/storagetest"
)

// reviewTelegram is the review service's Telegram as the moderators and
// the uploader see it: messages by chat, and the review post's captions.
type reviewTelegram struct {
	mu       sync.Mutex
	texts    map[int64][]string
	captions map[int64]string // by message id
}

func (f *reviewTelegram) SendMedia(context.Context, int64, media.Kind, string, string, review.Buttons) (int64, error) {
	return 0, nil
}

func (f *reviewTelegram) SendText(_ context.Context, chatID int64, text string, _ int64, _ review.Buttons) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.texts[chatID] = append(f.texts[chatID], text)
	return nil
}

func (f *reviewTelegram) EditCaption(_ context.Context, _, messageID int64, caption string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.captions[messageID] = caption
	return nil
}

func (f *reviewTelegram) EditText(ctx context.Context, chatID, messageID int64, text string) error {
	return f.EditCaption(ctx, chatID, messageID, text)
}

const (
	reviewChat = int64(-100)
	uploaderID = int64(31)
	postID     = 77 // the review post's message id
)

// reviewDesk is a meme waiting for review and the handlers that decide it.
type reviewDesk struct {
	h      *Handlers
	st     *storage.Store
	tg     *reviewTelegram
	memeID int64
}

func newReviewDesk(t *testing.T) *reviewDesk {
	t.Helper()
	ctx := context.Background()
	st := storagetest.NewStore(t)
	if _, _, err := st.UpsertUser(ctx, storage.UserProfile{ID: uploaderID, Username: "alice", LanguageCode: "en"}); err != nil {
		t.Fatal(err)
	}
	sub, _, err := st.CreateSubmission(ctx, storage.Submission{UploaderID: uploaderID, ChatID: uploaderID, MessageID: 5,
		MediaType: "photo", FileID: "f", FileUniqueID: "f", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	meme := storage.Meme{UploaderID: ptr(uploaderID), Type: "photo", Status: storage.MemeWaitingReview, Language: "en"}
	if err := st.CreateMeme(ctx, &meme); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkInReview(ctx, sub.ID, meme.ID); err != nil {
		t.Fatal(err)
	}
	tg := &reviewTelegram{texts: map[int64][]string{}, captions: map[int64]string{}}
	log := storagetest.Logger()
	h := &Handlers{Reviews: review.NewService(st, tg, reviewChat, log), Log: log}
	return &reviewDesk{h: h, st: st, tg: tg, memeID: meme.ID}
}

func ptr[T any](v T) *T { return &v }

// press is user id (with role) pressing the button whose data is data under
// the review post; it returns how the press was answered.
func (d *reviewDesk) press(t *testing.T, id int64, role, data string) *tele.CallbackResponse {
	t.Helper()
	c := &fakeUpdate{
		sender: &tele.User{ID: id, Username: "mod", LanguageCode: "en"}, role: role, data: data,
		msg: &tele.Message{ID: postID, Chat: &tele.Chat{ID: reviewChat}, Caption: "🆕 Meme", Photo: &tele.Photo{}},
	}
	if err := d.h.Review(c); err != nil {
		t.Fatalf("press %q: %v", data, err)
	}
	if len(c.answers) != 1 {
		t.Fatalf("press %q answered %d times, want once", data, len(c.answers))
	}
	return c.answers[0]
}

func (d *reviewDesk) memeStatus(t *testing.T) string {
	t.Helper()
	m, err := d.st.Meme(context.Background(), d.memeID)
	if err != nil {
		t.Fatal(err)
	}
	return m.Status
}

func approve(memeID int64) string { return "a|" + itoa(memeID) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The first moderator's approval stands: the press is answered, the post
// shows who approved it, the meme enters the feed and its uploader is told
// once; a later press changes nothing and tells no one again.
func TestReviewFirstDecisionWinsAndUploaderIsToldOnce(t *testing.T) {
	d := newReviewDesk(t)
	if a := d.press(t, 41, storage.RoleModerator, approve(d.memeID)); a.Text != "Approved ✅" {
		t.Errorf("approval answered %q", a.Text)
	}
	if s := d.memeStatus(t); s != storage.MemeOK {
		t.Errorf("meme %s after approval, want ok", s)
	}
	if c := d.tg.captions[postID]; !strings.Contains(c, "✅ Approved by @mod") {
		t.Errorf("review post reads %q, want who approved it", c)
	}
	if told := d.tg.texts[uploaderID]; len(told) != 1 || !strings.Contains(told[0], "approved") {
		t.Fatalf("uploader told %q, want one approval", told)
	}

	a := d.press(t, 42, storage.RoleAdmin, "r|"+itoa(d.memeID)+"|spam")
	if !strings.Contains(a.Text, "Already decided (approve)") {
		t.Errorf("a later press answered %q, want already decided", a.Text)
	}
	if s := d.memeStatus(t); s != storage.MemeOK {
		t.Errorf("meme %s after a later reject, want ok still", s)
	}
	if told := d.tg.texts[uploaderID]; len(told) != 1 {
		t.Errorf("uploader told %d times, want once", len(told))
	}
}

// A rejection with a reason tells the uploader that reason.
func TestReviewRejectionTellsTheReason(t *testing.T) {
	d := newReviewDesk(t)
	if a := d.press(t, 41, storage.RoleModerator, "r|"+itoa(d.memeID)+"|spam"); a.Text != "Rejected ❌" {
		t.Errorf("rejection answered %q", a.Text)
	}
	if told := d.tg.texts[uploaderID]; len(told) != 1 || !strings.Contains(told[0], "advertising or spam") {
		t.Fatalf("uploader told %q, want the reason", told)
	}
	if c := d.tg.captions[postID]; !strings.Contains(c, "❌ Rejected (advertising or spam) by") {
		t.Errorf("review post reads %q", c)
	}
}

// Anyone but a moderator is refused with an alert, and so is a moderator
// on their own upload; nothing changes and no one is told.
func TestReviewRefusesOthersAndOwnUploads(t *testing.T) {
	d := newReviewDesk(t)
	if a := d.press(t, 43, storage.RoleUser, approve(d.memeID)); !a.ShowAlert || a.Text != "Only moderators can do this." {
		t.Errorf("a user's press answered %+v, want a refusal alert", a)
	}
	if a := d.press(t, uploaderID, storage.RoleModerator, approve(d.memeID)); !a.ShowAlert || !strings.Contains(a.Text, "own meme") {
		t.Errorf("a press on one's own upload answered %+v, want a refusal alert", a)
	}
	if s := d.memeStatus(t); s != storage.MemeWaitingReview {
		t.Errorf("meme %s after refused presses, want waiting_review", s)
	}
	if len(d.tg.texts) != 0 || len(d.tg.captions) != 0 {
		t.Errorf("refused presses told %v and edited %v", d.tg.texts, d.tg.captions)
	}
}
