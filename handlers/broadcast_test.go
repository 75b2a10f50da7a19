package handlers

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	tele "gopkg.in/telebot.v3"

	"memebot/storage"
)

// fakeBroadcasts keeps broadcasts in memory; started says whether a start
// finds the broadcast still waiting.
type fakeBroadcasts struct {
	Broadcasts // any other call panics
	created    []storage.Broadcast
	started    bool
}

func (f *fakeBroadcasts) ReachableUsers(context.Context) (int64, error) { return 120, nil }

func (f *fakeBroadcasts) CreateBroadcast(_ context.Context, b *storage.Broadcast) error {
	b.ID = 7
	f.created = append(f.created, *b)
	return nil
}

func (f *fakeBroadcasts) StartBroadcast(context.Context, int64, int64) (bool, error) {
	return f.started, nil
}

const adminChat = int64(900)

func broadcastDesk() (*Handlers, *fakeBroadcasts, *fakeTelegram) {
	b, tg := &fakeBroadcasts{}, &fakeTelegram{}
	return &Handlers{Broadcasts: b, Telegram: tg, Log: slog.New(slog.DiscardHandler)}, b, tg
}

// /broadcast in reply to a photo keeps the broadcast and shows the admin
// the photo as users will get it, with the number of users and buttons to
// send or drop it.
func TestBroadcastPreview(t *testing.T) {
	h, b, tg := broadcastDesk()
	src := &tele.Message{ID: 55, Chat: &tele.Chat{ID: adminChat}, Photo: &tele.Photo{}}
	c := &fakeUpdate{sender: &tele.User{ID: 1, LanguageCode: "en"}, role: storage.RoleAdmin, chat: &tele.Chat{ID: adminChat},
		msg: &tele.Message{ID: 56, Chat: &tele.Chat{ID: adminChat}, Text: "/broadcast", ReplyTo: src}}
	if err := h.Broadcast(c); err != nil {
		t.Fatal(err)
	}
	if len(b.created) != 1 || b.created[0].AdminID != 1 || b.created[0].FromMessageID != 55 {
		t.Fatalf("broadcasts kept %+v, want one of message 55 by admin 1", b.created)
	}
	if got := tg.requests(); !slices.Equal(got, []string{"copy 55/900 to 900"}) {
		t.Fatalf("Telegram asked %q, want the photo copied to the admin", got)
	}
	sent := tg.messages()
	if len(sent) != 1 || sent[0].to != adminChat || !strings.Contains(sent[0].what.(string), "120 users") ||
		sent[0].replyTo == nil || sent[0].replyTo.ID != 1 || sent[0].markup == nil {
		t.Fatalf("sent %+v, want the preview's note to the admin, under the copy, with buttons", sent)
	}
	var data []string
	for _, row := range sent[0].markup.InlineKeyboard {
		for _, btn := range row {
			data = append(data, btn.Data)
		}
	}
	if !slices.Equal(data, []string{"send|7", "drop|7"}) {
		t.Errorf("preview buttons %q, want send and drop of broadcast 7", data)
	}
}

// Anyone but an admin is refused and nothing is kept or sent.
func TestBroadcastRefusesNonAdmins(t *testing.T) {
	h, b, tg := broadcastDesk()
	c := &fakeUpdate{sender: &tele.User{ID: 2, LanguageCode: "en"}, role: storage.RoleModerator, chat: &tele.Chat{ID: 2},
		msg: &tele.Message{ID: 56, Text: "/broadcast", ReplyTo: &tele.Message{ID: 55, Text: "hi"}}}
	if err := h.Broadcast(c); err != nil {
		t.Fatal(err)
	}
	if len(c.replies) != 1 || c.replies[0] != "Only moderators can do this." {
		t.Errorf("replied %q, want a refusal", c.replies)
	}
	if len(b.created) != 0 || len(tg.requests()) != 0 || len(tg.messages()) != 0 {
		t.Errorf("a refused broadcast kept %v, asked %q", b.created, tg.requests())
	}
}

// Pressing send on a broadcast already sent or dropped takes back the
// progress message it had begun and says so.
func TestBroadcastStartedTwiceTakesBackItsProgress(t *testing.T) {
	h, _, tg := broadcastDesk()
	c := &fakeUpdate{sender: &tele.User{ID: 1, LanguageCode: "en"}, role: storage.RoleAdmin, chat: &tele.Chat{ID: adminChat}, data: "send|7"}
	if err := h.BroadcastButton(c); err != nil {
		t.Fatal(err)
	}
	if got := tg.requests(); len(tg.messages()) != 1 || !slices.Equal(got, []string{"delete 1"}) {
		t.Fatalf("sent %d, asked %q; want the progress message sent, then deleted", len(tg.messages()), got)
	}
	if len(c.answers) != 1 || c.answers[0].Text != "This broadcast was already sent or cancelled." {
		t.Errorf("answers %+v", c.answers)
	}
}
