package review

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"memebot/media"
	"memebot/storage"
)

// fakeStore is the storage the review service needs, in memory: one meme
// waiting for review, its submission and its uploader. Decide lets the
// first decision stand, as storage.Store.Decide does.
type fakeStore struct {
	meme     storage.Meme
	sub      storage.Submission
	uploader storage.User

	decisions []storage.Decision // every Decide call
	stands    *storage.ReviewDecision
	notified  bool
	blocked   []int64
}

func newFakeStore(uploaderLang string) *fakeStore {
	uploader := int64(31)
	return &fakeStore{
		meme:     storage.Meme{ID: 9, UploaderID: &uploader, Status: storage.MemeWaitingReview},
		sub:      storage.Submission{ID: 5, UploaderID: uploader, ChatID: uploader, MessageID: 400},
		uploader: storage.User{ID: uploader, LanguageCode: uploaderLang},
	}
}

func (f *fakeStore) Meme(_ context.Context, id int64) (storage.Meme, error) {
	if id != f.meme.ID {
		return storage.Meme{}, storage.ErrNotFound
	}
	return f.meme, nil
}

func (f *fakeStore) Decide(_ context.Context, d storage.Decision) (storage.ReviewDecision, error) {
	f.decisions = append(f.decisions, d)
	if f.stands != nil {
		return *f.stands, storage.ErrAlreadyDecided
	}
	f.stands = &storage.ReviewDecision{MemeID: d.MemeID, ModeratorID: d.ModeratorID, Decision: d.Decision, Reason: d.Reason,
		CreatedAt: time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)}
	return *f.stands, nil
}

func (f *fakeStore) SubmissionOfMeme(_ context.Context, memeID int64) (storage.Submission, error) {
	if memeID != f.meme.ID {
		return storage.Submission{}, storage.ErrNotFound
	}
	return f.sub, nil
}

func (f *fakeStore) MarkUploaderNotified(context.Context, int64) (bool, error) {
	first := !f.notified
	f.notified = true
	return first, nil
}

func (f *fakeStore) User(_ context.Context, id int64) (storage.User, error) {
	if id != f.uploader.ID {
		return storage.User{}, storage.ErrNotFound
	}
	return f.uploader, nil
}

func (f *fakeStore) MarkBlocked(_ context.Context, id int64) error {
	f.blocked = append(f.blocked, id)
	return nil
}

// The automatic decisions' methods, which these tests do not reach.
func (f *fakeStore) AutoApprove(context.Context, int64) error { panic("not used") }
func (f *fakeStore) ChangeMemeStatus(context.Context, int64, string, string, *int64) error {
	panic("not used")
}
func (f *fakeStore) ChangeSubmission(context.Context, int64, storage.SubmissionChange) error {
	panic("not used")
}
func (f *fakeStore) Submission(context.Context, int64) (storage.Submission, error) { panic("not used") }

// message is one text the service sent.
type message struct {
	chatID, replyTo int64
	text            string
}

// fakeTelegram is the review service's Telegram port: what it sent and
// what it edited; sendErr, when set, fails every send.
type fakeTelegram struct {
	mu       sync.Mutex
	sent     []message
	captions map[int64]string // edited media captions, by message id
	texts    map[int64]string // edited texts, by message id
	sendErr  error
	editErr  error
}

func newFakeTelegram() *fakeTelegram {
	return &fakeTelegram{captions: map[int64]string{}, texts: map[int64]string{}}
}

func (f *fakeTelegram) SendMedia(context.Context, int64, media.Kind, string, string, Buttons) (int64, error) {
	panic("not used")
}

func (f *fakeTelegram) SendText(_ context.Context, chatID int64, text string, replyTo int64, _ Buttons) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return f.sendErr
	}
	f.sent = append(f.sent, message{chatID: chatID, replyTo: replyTo, text: text})
	return nil
}

func (f *fakeTelegram) EditCaption(_ context.Context, _, messageID int64, caption string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.editErr != nil {
		return f.editErr
	}
	f.captions[messageID] = caption
	return nil
}

func (f *fakeTelegram) EditText(_ context.Context, _, messageID int64, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.texts[messageID] = text
	return nil
}

const reviewChat, postID = int64(-100), int64(77)

func verdict(data string, moderatorID int64, media bool) Verdict {
	press, err := ParsePress(data)
	if err != nil {
		panic(err)
	}
	return Verdict{Press: press, Moderator: Moderator{ID: moderatorID, Username: "mod"},
		Post: &PostRef{ChatID: reviewChat, MessageID: postID, Caption: "🆕 Meme #9", Media: media}}
}

// decideAndAnnounce is a press handled to the end, as the handler does.
func decideAndAnnounce(t *testing.T, s *Service, v Verdict) (Decision, error) {
	t.Helper()
	d, err := s.Decide(context.Background(), v)
	if err != nil {
		return d, err
	}
	return d, s.Announce(context.Background(), d)
}

// An approval is recorded as the moderator's, the review post shows who
// approved it, and the uploader is told once, in their language, in reply
// to their upload; announcing it again tells nobody.
func TestApprovalEditsThePostAndTellsTheUploaderOnce(t *testing.T) {
	st, tg := newFakeStore("ru"), newFakeTelegram()
	s := NewService(st, tg, reviewChat, discard())
	d, err := decideAndAnnounce(t, s, verdict("a|9", 41, true))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.decisions) != 1 || st.decisions[0] != (storage.Decision{MemeID: 9, ModeratorID: 41, Decision: storage.DecisionApprove}) {
		t.Fatalf("recorded %+v, want one approval by moderator 41", st.decisions)
	}
	if c := tg.captions[postID]; !strings.HasPrefix(c, "🆕 Meme #9") || !strings.Contains(c, "✅ Approved by @mod (id 41) at 2026-12-07 09:30 UTC") {
		t.Errorf("review post reads %q", c)
	}
	if len(tg.sent) != 1 || tg.sent[0].chatID != 31 || tg.sent[0].replyTo != 400 || !strings.Contains(tg.sent[0].text, "одобрен") {
		t.Fatalf("uploader told %+v, want one approval in Russian in reply to the upload", tg.sent)
	}
	if err := s.Announce(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if len(tg.sent) != 1 {
		t.Errorf("uploader told %d times, want once", len(tg.sent))
	}
}

// A rejection with a reason records that reason and tells it to the
// uploader; a text post (not media) has its text edited.
func TestRejectionTellsTheReason(t *testing.T) {
	st, tg := newFakeStore("en"), newFakeTelegram()
	s := NewService(st, tg, reviewChat, discard())
	if _, err := decideAndAnnounce(t, s, verdict("r|9|spam", 41, false)); err != nil {
		t.Fatal(err)
	}
	if len(st.decisions) != 1 || st.decisions[0].Decision != storage.DecisionReject || st.decisions[0].Reason != "advertising or spam" {
		t.Fatalf("recorded %+v, want a rejection for spam", st.decisions)
	}
	if txt := tg.texts[postID]; !strings.Contains(txt, "❌ Rejected (advertising or spam) by @mod") || len(tg.captions) != 0 {
		t.Errorf("text post reads %q (captions edited: %v)", txt, tg.captions)
	}
	if len(tg.sent) != 1 || !strings.Contains(tg.sent[0].text, "not accepted: advertising or spam") {
		t.Fatalf("uploader told %+v, want the reason", tg.sent)
	}
}

// A moderator may not decide on their own upload: nothing is recorded or sent.
func TestOwnUploadIsNotDecided(t *testing.T) {
	st, tg := newFakeStore("en"), newFakeTelegram()
	s := NewService(st, tg, reviewChat, discard())
	if _, err := decideAndAnnounce(t, s, verdict("a|9", 31, true)); !errors.Is(err, ErrOwnUpload) {
		t.Fatalf("own upload: %v, want ErrOwnUpload", err)
	}
	if len(st.decisions) != 0 || len(tg.sent) != 0 || len(tg.captions) != 0 {
		t.Errorf("own upload recorded %v, sent %v, edited %v", st.decisions, tg.sent, tg.captions)
	}
}

// A later decision gets the one that stands, for the moderator's answer.
func TestLaterDecisionGetsTheOneThatStands(t *testing.T) {
	st, tg := newFakeStore("en"), newFakeTelegram()
	s := NewService(st, tg, reviewChat, discard())
	if _, err := decideAndAnnounce(t, s, verdict("a|9", 41, true)); err != nil {
		t.Fatal(err)
	}
	d, err := s.Decide(context.Background(), verdict("r|9", 42, true))
	if !errors.Is(err, storage.ErrAlreadyDecided) || d.Stands.Decision != storage.DecisionApprove || d.Stands.ModeratorID != 41 {
		t.Fatalf("later decision: %+v, %v; want the approval by 41 and ErrAlreadyDecided", d.Stands, err)
	}
}

// An uploader who blocked the bot is marked so; that is not an error, and
// the post still shows the decision.
func TestBlockedUploaderIsMarked(t *testing.T) {
	st, tg := newFakeStore("en"), newFakeTelegram()
	tg.sendErr = ErrBlocked
	s := NewService(st, tg, reviewChat, discard())
	if _, err := decideAndAnnounce(t, s, verdict("a|9", 41, true)); err != nil {
		t.Fatalf("announce to a blocked uploader: %v", err)
	}
	if len(st.blocked) != 1 || st.blocked[0] != 31 {
		t.Errorf("blocked users marked %v, want [31]", st.blocked)
	}
	if tg.captions[postID] == "" {
		t.Error("the review post was not edited")
	}
}

// A post that cannot be edited still leaves the uploader told.
func TestUploaderIsToldWhenThePostCannotBeEdited(t *testing.T) {
	st, tg := newFakeStore("en"), newFakeTelegram()
	tg.editErr = errors.New("message to edit not found")
	s := NewService(st, tg, reviewChat, discard())
	if _, err := decideAndAnnounce(t, s, verdict("a|9", 41, true)); err != nil {
		t.Fatal(err)
	}
	if len(tg.sent) != 1 {
		t.Fatalf("uploader told %d times, want once", len(tg.sent))
	}
}

// An ingested meme has no uploader: the post shows the decision, nobody
// is told.
func TestIngestedMemeTellsNobody(t *testing.T) {
	st, tg := newFakeStore("en"), newFakeTelegram()
	st.meme.UploaderID = nil
	s := NewService(st, tg, reviewChat, discard())
	if _, err := decideAndAnnounce(t, s, verdict("a|9", 41, true)); err != nil {
		t.Fatal(err)
	}
	if len(tg.sent) != 0 || st.notified {
		t.Errorf("an ingested meme's decision told %+v", tg.sent)
	}
	if !strings.Contains(tg.captions[postID], "✅ Approved by @mod") {
		t.Errorf("review post reads %q", tg.captions[postID])
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
