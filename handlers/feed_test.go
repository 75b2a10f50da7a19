package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
	"memebot/recommend"
	"memebot/storage/storagetest"
)

// fakeFeed answers a press with the press the test set, and records the
// calls the handler made.
type fakeFeed struct {
	Feed  // any other call panics
	press recommend.Press
	err   error

	mu      sync.Mutex
	reacted []string // "meme/reaction" of each press stored
	unsent  []int64
}

func (f *fakeFeed) ReactNext(_ context.Context, _, memeID int64, reaction int, _ bool) (recommend.Press, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reacted = append(f.reacted, fmt.Sprintf("%d/%d", memeID, reaction))
	return f.press, f.err
}

func (f *fakeFeed) Unsend(_ context.Context, _, memeID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unsent = append(f.unsent, memeID)
	return nil
}

// fakeSentLog remembers which meme each sent message shows.
type fakeSentLog struct {
	SentMessages
	mu    sync.Mutex
	memes map[int]int64 // by message id
}

func (f *fakeSentLog) Remember(_ context.Context, _ int64, messageID int, memeID int64, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.memes[messageID] = memeID
	return nil
}

// fakeUsers records who was marked as having blocked the bot.
type fakeUsers struct {
	Users
	blocked []int64
}

func (f *fakeUsers) MarkBlocked(_ context.Context, id int64) error {
	f.blocked = append(f.blocked, id)
	return nil
}

// feedDesk is the React handler on fakes: the feed, the sent-message log,
// the users and the Telegram port.
type feedDesk struct {
	h     *Handlers
	feed  *fakeFeed
	sent  *fakeSentLog
	users *fakeUsers
	tg    *fakeTelegram
}

func newFeedDesk(press recommend.Press, err error) *feedDesk {
	d := &feedDesk{feed: &fakeFeed{press: press, err: err}, sent: &fakeSentLog{memes: map[int]int64{}},
		users: &fakeUsers{}, tg: &fakeTelegram{}}
	d.h = &Handlers{Feed: d.feed, Sent: d.sent, Users: d.users, Telegram: d.tg, Log: storagetest.Logger()}
	return d
}

const viewerID = int64(42)

// press is the viewer pressing the button with data under a feed meme; it
// waits for the press to be answered (the handler answers alongside the next
// meme, not before it).
func (d *feedDesk) press(t *testing.T, data string) (*fakeUpdate, error) {
	t.Helper()
	u := &fakeUpdate{
		sender: &tele.User{ID: viewerID, LanguageCode: "en"}, chat: &tele.Chat{ID: viewerID, Type: tele.ChatPrivate},
		role: bot.RoleUser, data: data, answered: make(chan struct{}),
	}
	err := d.h.React(u)
	select {
	case <-u.answered:
	case <-time.After(5 * time.Second):
		t.Fatalf("press %q was never answered", data)
	}
	return u, err
}

func TestLikeStoresTheReactionAndSendsTheNextMemeWithItsButtons(t *testing.T) {
	next := recommend.Item{MemeID: 8, Type: "video", FileID: "vid-8", Caption: "next", Engine: "fresh"}
	d := newFeedDesk(recommend.Press{Changed: true, Engine: "top", Next: next}, nil)
	u, err := d.press(t, "7|1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.feed.reacted, []string{"7/1"}) {
		t.Errorf("stored %v, want a like of meme 7", d.feed.reacted)
	}
	msgs := d.tg.messages()
	if len(msgs) != 1 {
		t.Fatalf("sent %d messages, want the next meme", len(msgs))
	}
	video, ok := msgs[0].what.(*tele.Video)
	if msgs[0].to != viewerID || !ok || video.FileID != "vid-8" || video.Caption != "next" {
		t.Errorf("sent %+v to %d, want meme 8's video by its file id", msgs[0].what, msgs[0].to)
	}
	if row := msgs[0].markup.InlineKeyboard; len(row) != 1 || len(row[0]) < 2 ||
		!strings.HasPrefix(row[0][0].Text, "👍") || !strings.HasPrefix(row[0][1].Text, "👎") {
		t.Errorf("the next meme's keyboard is %+v, want 👍 then 👎", msgs[0].markup)
	}
	if d.sent.memes[1] != 8 {
		t.Errorf("sent messages remembered as %v, want message 1 showing meme 8", d.sent.memes)
	}
	if len(u.answers) != 1 || u.answers[0].ShowAlert {
		t.Errorf("answers %+v, want one quiet answer", u.answers)
	}
}

func TestPressOnAnAnsweredMemeSendsNothing(t *testing.T) {
	d := newFeedDesk(recommend.Press{Changed: false}, nil)
	u, err := d.press(t, "7|2")
	if err != nil {
		t.Fatal(err)
	}
	if msgs := d.tg.messages(); len(msgs) != 0 {
		t.Errorf("a press on an answered meme sent %+v", msgs)
	}
	if len(u.answers) != 1 {
		t.Errorf("answered %d times, want once (the spinner stops)", len(u.answers))
	}
}

func TestLastLikeSaysNoMoreMemes(t *testing.T) {
	d := newFeedDesk(recommend.Press{Changed: true}, recommend.ErrNoMemes)
	if _, err := d.press(t, "7|1"); err != nil {
		t.Fatal(err)
	}
	msgs := d.tg.messages()
	if text, _ := msgs[0].what.(string); len(msgs) != 1 || text == "" || msgs[0].markup != nil {
		t.Fatalf("sent %+v, want one plain text", msgs)
	}
}

// A meme that could not be sent is handed back to the feed; a user who
// blocked the bot is marked, so nothing more is sent until they return.
func TestFailedDeliveryUnclaimsTheMemeAndMarksABlocker(t *testing.T) {
	d := newFeedDesk(recommend.Press{Changed: true, Next: recommend.Item{MemeID: 8, Type: "photo", FileID: "p"}}, nil)
	d.tg.err = tele.ErrBlockedByUser
	if _, err := d.press(t, "7|1"); err != nil {
		t.Fatalf("a blocked user's press failed: %v", err)
	}
	if !slices.Equal(d.feed.unsent, []int64{8}) || !slices.Equal(d.users.blocked, []int64{viewerID}) {
		t.Errorf("unsent %v, blocked %v; want meme 8 handed back and the viewer marked", d.feed.unsent, d.users.blocked)
	}

	d = newFeedDesk(recommend.Press{Changed: true, Next: recommend.Item{MemeID: 9, Type: "photo", FileID: "p"}}, nil)
	d.tg.err = errors.New("telegram: 502")
	if _, err := d.press(t, "7|1"); err == nil {
		t.Error("a failed send was not reported")
	}
	if !slices.Equal(d.feed.unsent, []int64{9}) || len(d.users.blocked) != 0 {
		t.Errorf("unsent %v, blocked %v; want meme 9 handed back and nobody marked", d.feed.unsent, d.users.blocked)
	}
}

func TestMalformedPressIsAnsweredAndStoresNothing(t *testing.T) {
	d := newFeedDesk(recommend.Press{Changed: true}, nil)
	for _, data := range []string{"", "7", "7|3", "x|1"} {
		if _, err := d.press(t, data); err != nil {
			t.Fatal(err)
		}
	}
	if len(d.feed.reacted) != 0 || len(d.tg.messages()) != 0 {
		t.Errorf("malformed presses stored %v and sent %d messages", d.feed.reacted, len(d.tg.messages()))
	}
}
