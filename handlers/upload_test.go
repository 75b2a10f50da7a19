package handlers

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/intake"
	"memebot/media"
	"memebot/storage"
	"memebot/storage/storagetest"
)

// fakeIntake accepts uploads with the result the test set.
type fakeIntake struct {
	result   intake.Result
	err      error
	accepted []intake.Request
}

func (f *fakeIntake) Accept(_ context.Context, r intake.Request) (intake.Result, error) {
	f.accepted = append(f.accepted, r)
	return f.result, f.err
}

// ack is a text sent through the TextSender port.
type ack struct {
	chatID, replyTo int64
	text            string
}

type fakeTexts struct{ sent []ack }

func (f *fakeTexts) SendText(_ context.Context, chatID int64, text string, replyTo int64) error {
	f.sent = append(f.sent, ack{chatID: chatID, replyTo: replyTo, text: text})
	return nil
}

const uploaderChat = int64(51)

// uploadDesk is the Upload handler on fakes of the intake and the texts port.
type uploadDesk struct {
	h      *Handlers
	intake *fakeIntake
	texts  *fakeTexts
}

func newUploadDesk(res intake.Result, err error) *uploadDesk {
	d := &uploadDesk{intake: &fakeIntake{result: res, err: err}, texts: &fakeTexts{}}
	d.h = &Handlers{Intake: d.intake, Texts: d.texts, Log: storagetest.Logger(), Settings: Settings{
		UploadMaxBytes: 1 << 20, UploadLimitPerHour: 15,
	}}
	return d
}

// send is the uploader sending msg in their private chat.
func (d *uploadDesk) send(t *testing.T, msg *tele.Message) (*fakeUpdate, error) {
	t.Helper()
	chat := &tele.Chat{ID: uploaderChat, Type: tele.ChatPrivate}
	msg.Chat = chat
	u := &fakeUpdate{sender: &tele.User{ID: uploaderChat, LanguageCode: "en"}, chat: chat, role: bot.RoleUser, msg: msg}
	return u, d.h.Upload(u)
}

func photo(size int64) *tele.Message {
	return &tele.Message{ID: 9, Photo: &tele.Photo{File: tele.File{FileID: "file-9", UniqueID: "u9", FileSize: size}}}
}

func TestUploadIsStoredThenAcknowledgedWithItsNumber(t *testing.T) {
	d := newUploadDesk(intake.Result{Submission: storage.Submission{ID: 314}}, nil)
	u, err := d.send(t, photo(5000))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.intake.accepted) != 1 {
		t.Fatalf("intake took %d uploads, want 1", len(d.intake.accepted))
	}
	sub := d.intake.accepted[0].Upload.Submission
	if sub.MediaType != media.Photo || sub.FileID != "file-9" || sub.MessageID != 9 || sub.ChatID != uploaderChat {
		t.Errorf("intake was given %+v", sub)
	}
	if len(d.texts.sent) != 1 || d.texts.sent[0].chatID != uploaderChat || d.texts.sent[0].replyTo != 9 ||
		!strings.Contains(d.texts.sent[0].text, "#314") {
		t.Errorf("acknowledgements %+v, want one reply to message 9 naming #314", d.texts.sent)
	}
	if len(u.replies) != 0 {
		t.Errorf("also replied %q", u.replies)
	}
}

// Refused uploads get a clear reply and nothing is stored or acknowledged.
func TestRefusedUploadsAreAnsweredAndNotAcknowledged(t *testing.T) {
	cases := []struct {
		name     string
		msg      *tele.Message
		result   intake.Result
		stored   bool
		wantText string
	}{
		{"too large", photo(2 << 20), intake.Result{}, false, "too large"},
		{"not media", &tele.Message{ID: 9, Sticker: &tele.Sticker{}}, intake.Result{}, false, "only take photos"},
		{"over the hourly limit", photo(5000), intake.Result{Limited: true, RetryIn: 20 * time.Minute}, true, "limit of 15 uploads"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newUploadDesk(tc.result, nil)
			u, err := d.send(t, tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			if (len(d.intake.accepted) == 1) != tc.stored {
				t.Errorf("intake called %d times", len(d.intake.accepted))
			}
			if len(d.texts.sent) != 0 {
				t.Errorf("acknowledged a refused upload: %+v", d.texts.sent)
			}
			if len(u.replies) != 1 || !strings.Contains(u.replies[0], tc.wantText) {
				t.Errorf("replies %q, want one saying %q", u.replies, tc.wantText)
			}
		})
	}
}

// An upload delivered again after a crash was acknowledged before it: it is
// not acknowledged twice. One held through an outage is not answered at all
// (the update is kept and tried again once the database is back).
func TestRedeliveredOrHeldUploadsAreNotAcknowledged(t *testing.T) {
	d := newUploadDesk(intake.Result{Redelivered: true, Submission: storage.Submission{ID: 5}}, nil)
	if _, err := d.send(t, photo(5000)); err != nil || len(d.texts.sent) != 0 {
		t.Errorf("redelivered: err %v, acknowledgements %+v; want none", err, d.texts.sent)
	}
	d = newUploadDesk(intake.Result{}, fmt.Errorf("storage: create submission: %w", syscall.ECONNREFUSED))
	u, err := d.send(t, photo(5000))
	if err == nil || len(d.texts.sent) != 0 || len(u.replies) != 0 {
		t.Errorf("during an outage: err %v, sent %+v, replies %q; want the error and silence", err, d.texts.sent, u.replies)
	}
}
