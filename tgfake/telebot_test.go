package tgfake

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"
)

func newTelebot(t *testing.T, ts *httptest.Server, token string) *tele.Bot {
	t.Helper()
	b, err := tele.NewBot(tele.Settings{URL: ts.URL, Token: token,
		Poller:  &tele.LongPoller{Timeout: time.Second, AllowedUpdates: []string{"message", "callback_query"}},
		OnError: func(err error, _ tele.Context) { t.Logf("bot error: %v", err) }})
	if err != nil {
		t.Fatalf("new bot: %v", err)
	}
	return b
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestTelebotGetMeAndWrongToken(t *testing.T) {
	_, ts := newTestServer(t)
	b := newTelebot(t, ts, testToken)
	if b.Me.Username != "memebot_test_bot" || !b.Me.IsBot {
		t.Errorf("getMe = %+v", b.Me)
	}
	_, err := tele.NewBot(tele.Settings{URL: ts.URL, Token: "999:nope"})
	if !errors.Is(err, tele.ErrUnauthorized) {
		t.Errorf("wrong token err = %v, want ErrUnauthorized", err)
	}
	if _, err := b.Raw("sendTelepathy", nil); !errors.Is(err, tele.ErrNotFound) {
		t.Errorf("unknown method err = %v, want ErrNotFound", err)
	}
}

// TestTelebotConversation runs a real long-polling telebot bot: a command,
// an inline keyboard, a button press answered once and an edit.
func TestTelebotConversation(t *testing.T) {
	srv, ts := newTestServer(t)
	b := newTelebot(t, ts, testToken)
	answerErrs := make(chan error, 2)
	b.Handle("/start", func(c tele.Context) error {
		mk := &tele.ReplyMarkup{}
		mk.Inline(mk.Row(mk.Data("👍 Like", "vote", "up"), mk.Data("👎", "vote", "down")))
		return c.Send("Hello, "+c.Sender().FirstName, mk)
	})
	b.Handle(&tele.InlineButton{Unique: "vote"}, func(c tele.Context) error {
		answerErrs <- c.Respond(&tele.CallbackResponse{Text: "Thanks: " + c.Data()})
		answerErrs <- c.Respond(&tele.CallbackResponse{Text: "again"})
		_, err := b.Edit(c.Message(), "Voted "+c.Data())
		return err
	})
	go b.Start()
	defer b.Stop()

	start := mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "/start"))
	hello, err := srv.WaitMessage(waitCtx(t), ann.ID, func(m Message) bool { return strings.HasPrefix(m.Text, "Hello") })
	if err != nil {
		t.Fatal(err)
	}
	if hello.Text != "Hello, Ann" || len(hello.Buttons()) != 2 || hello.MessageID != start.MessageID+1 {
		t.Fatalf("hello = %+v", hello)
	}
	cbID, err := srv.PressButtonLabeled(ann, ann.ID, hello.MessageID, "👍")
	if err != nil {
		t.Fatal(err)
	}
	if err := <-answerErrs; err != nil {
		t.Fatalf("first answer: %v", err)
	}
	if err := <-answerErrs; !errors.Is(err, tele.ErrQueryTooOld) {
		t.Fatalf("second answer err = %v, want ErrQueryTooOld", err)
	}
	if a, ok := srv.CallbackAnswer(cbID); !ok || a.Text != "Thanks: up" {
		t.Errorf("answer = %+v %v", a, ok)
	}
	voted, err := srv.WaitMessage(waitCtx(t), ann.ID, func(m Message) bool { return m.Text == "Voted up" })
	if err != nil {
		t.Fatal(err)
	}
	if voted.MessageID != hello.MessageID || voted.EditCount != 1 || voted.ReplyMarkup != nil {
		t.Errorf("edited = %+v", voted)
	}
	waitFor(t, func() bool { return srv.PendingUpdates() == 0 })
	// Each update was delivered exactly once.
	if n := len(srv.Calls("sendMessage")); n != 1 {
		t.Errorf("bot sent %d messages, want 1", n)
	}
}

func TestTelebotMediaAndFiles(t *testing.T) {
	srv, ts := newTestServer(t)
	b := newTelebot(t, ts, testToken)
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "/start"))
	chat := ann.PrivateChat()
	img := testJPEG(t, 640, 480)

	mk := &tele.ReplyMarkup{}
	mk.Inline(mk.Row(mk.URL("Source", "https://example.com/meme")))
	msg, err := b.Send(chat, &tele.Photo{File: tele.FromReader(bytes.NewReader(img)), Caption: "fresh"}, mk)
	if err != nil {
		t.Fatalf("send photo: %v", err)
	}
	if msg.Photo == nil || msg.Photo.Width != 640 || msg.Photo.Height != 480 || msg.Caption != "fresh" ||
		msg.ReplyMarkup == nil || msg.ReplyMarkup.InlineKeyboard[0][0].URL != "https://example.com/meme" {
		t.Fatalf("photo message = %+v %+v", msg, msg.Photo)
	}
	tr := srv.Transcript(ann.ID)
	sizes := tr[len(tr)-1].Photo
	if len(sizes) != 2 || sizes[0].Width != 320 || sizes[0].Height != 240 || sizes[0].FileID == sizes[1].FileID {
		t.Errorf("photo sizes = %+v", sizes)
	}

	f, err := b.FileByID(msg.Photo.FileID)
	if err != nil || f.FilePath == "" {
		t.Fatalf("getFile = %+v, %v", f, err)
	}
	rc, err := b.File(&tele.File{FileID: msg.Photo.FileID})
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, img) {
		t.Errorf("downloaded %d bytes differ from the %d uploaded", len(got), len(img))
	}

	again, err := b.Send(chat, &tele.Photo{File: tele.File{FileID: msg.Photo.FileID}})
	if err != nil || again.Photo.FileID != msg.Photo.FileID || again.Photo.UniqueID != msg.Photo.UniqueID {
		t.Fatalf("send by file_id = %+v, %v", again, err)
	}
	if _, err := b.Send(chat, &tele.Photo{File: tele.File{FileID: "no-such-file"}}); err == nil {
		t.Error("unknown file_id must fail")
	}

	doc, err := b.Send(chat, &tele.Document{File: tele.FromReader(strings.NewReader("%PDF-1.4 fake")), FileName: "memes.pdf"})
	if err != nil || doc.Document == nil || doc.Document.FileName != "memes.pdf" || doc.Document.MIME != "application/pdf" {
		t.Fatalf("document = %+v, %v", doc, err)
	}
	anim, err := b.Send(chat, &tele.Animation{File: tele.FromReader(bytes.NewReader(minimalMP4(320, 240, 3))), FileName: "cat.mp4"})
	if err != nil || anim.Animation == nil || anim.Document == nil || anim.Animation.Width != 320 || anim.Animation.Duration != 3 {
		t.Fatalf("animation = %+v, %v", anim, err)
	}

	copied, err := b.Copy(chat, msg)
	if err != nil || copied.ID == 0 || copied.Photo != nil {
		t.Fatalf("copy answers a MessageId only: %+v, %v", copied, err)
	}
	cp, err := srv.Message(ann.ID, copied.ID)
	if err != nil || cp.MediaFileID() != msg.Photo.FileID || cp.Caption != "fresh" {
		t.Errorf("copied message = %+v, %v", cp, err)
	}

	if _, err := b.EditCaption(msg, "fresh", mk); !errors.Is(err, tele.ErrSameMessageContent) {
		t.Errorf("identical caption edit err = %v", err)
	}
	edited, err := b.EditCaption(msg, "stale")
	if err != nil || edited.Caption != "stale" || edited.ReplyMarkup != nil {
		t.Errorf("caption edit = %+v, %v", edited, err)
	}
	swapped, err := b.EditMedia(msg, &tele.Photo{File: tele.FromReader(bytes.NewReader(testJPEG(t, 100, 50)))})
	if err != nil || swapped.Photo.Width != 100 || swapped.Photo.FileID == msg.Photo.FileID {
		t.Errorf("edit media = %+v, %v", swapped, err)
	}
	album, err := b.SendAlbum(chat, tele.Album{&tele.Photo{File: tele.File{FileID: msg.Photo.FileID}},
		&tele.Photo{File: tele.FromReader(bytes.NewReader(img))}})
	if err != nil || len(album) != 2 || album[0].AlbumID == "" || album[0].AlbumID != album[1].AlbumID {
		t.Errorf("album = %+v, %v", album, err)
	}
}

func TestTelebotErrors(t *testing.T) {
	srv, ts := newTestServer(t)
	b := newTelebot(t, ts, testToken)
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "/start"))

	srv.Fail("sendMessage", 1, Fault{Code: 429, RetryAfter: 7})
	_, err := b.Send(ann.PrivateChat(), "x")
	var flood tele.FloodError
	if !errors.As(err, &flood) || flood.RetryAfter != 7 {
		t.Errorf("429 err = %#v, want FloodError{RetryAfter: 7}", err)
	}
	srv.BlockBot(ann.ID)
	if _, err := b.Send(ann.PrivateChat(), "x"); !errors.Is(err, tele.ErrBlockedByUser) {
		t.Errorf("blocked err = %v", err)
	}
	if _, err := b.Send(bob.PrivateChat(), "x"); !errors.Is(err, tele.ErrChatNotFound) {
		t.Errorf("unknown chat err = %v", err)
	}
	if _, err := b.Edit(&tele.Message{ID: 77, Chat: &tele.Chat{ID: ann.ID}}, "x"); err == nil {
		t.Error("edit in a blocked chat must fail")
	}
}

func TestTelebotCommandsAndGroups(t *testing.T) {
	srv, ts := newTestServer(t)
	b := newTelebot(t, ts, testToken)
	review := srv.CreateChat(Chat{ID: -1001234567890, Type: ChatSupergroup, Title: "Review"})
	cmds := []tele.Command{{Text: "start", Description: "Start"}, {Text: "top", Description: "Top memes"}}
	if err := b.SetCommands(cmds); err != nil {
		t.Fatal(err)
	}
	admin := []tele.Command{{Text: "queue", Description: "Review queue"}}
	if err := b.SetCommands(admin, tele.CommandScope{Type: tele.CommandScopeChat, ChatID: review.ID}, "en"); err != nil {
		t.Fatal(err)
	}
	got, err := b.Commands()
	if err != nil || len(got) != 2 || got[1].Text != "top" {
		t.Errorf("default commands = %+v, %v", got, err)
	}
	got, err = b.Commands(tele.CommandScope{Type: tele.CommandScopeChat, ChatID: review.ID})
	if err != nil || len(got) != 0 {
		t.Errorf("chat scope without language = %+v, %v", got, err)
	}
	if c := srv.Commands(CommandScope{Type: "chat", ChatID: review.ID}, "en"); len(c) != 1 || c[0].Command != "queue" {
		t.Errorf("scenario commands = %+v", c)
	}
	if err := b.SetCommands([]tele.Command{{Text: "Bad Command", Description: "x"}}); err == nil {
		t.Error("invalid command name must fail")
	}

	m, err := b.Send(review, "to review")
	if err != nil || m.Chat.Type != tele.ChatSuperGroup || m.Sender == nil || m.Sender.ID != b.Me.ID {
		t.Fatalf("group message = %+v, %v", m, err)
	}
	member, err := b.ChatMemberOf(review, &tele.User{ID: ann.ID})
	if err != nil || member.Role != tele.Member {
		t.Errorf("member = %+v, %v", member, err)
	}
	if err := b.Notify(review, tele.Typing); err != nil {
		t.Error(err)
	}
	if err := b.Leave(review); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Send(review, "after leaving"); err == nil {
		t.Error("sending after leaveChat must fail")
	}
}

// minimalMP4 builds the boxes probeMP4 reads: moov/mvhd and moov/trak/tkhd.
func minimalMP4(w, h, seconds int) []byte {
	box := func(typ string, payload []byte) []byte {
		out := make([]byte, 8, 8+len(payload))
		be32(out[0:], uint32(8+len(payload)))
		copy(out[4:], typ)
		return append(out, payload...)
	}
	mvhd := make([]byte, 100)
	be32(mvhd[12:], 1000)
	be32(mvhd[16:], uint32(seconds*1000))
	tkhd := make([]byte, 84)
	be32(tkhd[76:], uint32(w)<<16)
	be32(tkhd[80:], uint32(h)<<16)
	moov := box("moov", append(box("mvhd", mvhd), box("trak", box("tkhd", tkhd))...))
	return append(box("ftyp", []byte("isom\x00\x00\x02\x00isom")), moov...)
}

func be32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}
