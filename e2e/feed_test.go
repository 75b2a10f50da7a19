package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tele "gopkg.in/telebot.v3"

	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

// seedMemes stores approved memes whose pictures the bot itself put in the
// storage chat, as the pipeline would have.
func (e *env) seedMemes(lang string, n, seedBase int) []storage.Meme {
	e.t.Helper()
	b, err := tele.NewBot(tele.Settings{URL: e.tgURL(), Token: token, Offline: true})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []storage.Meme
	for i := range n {
		data := encodeJPEG(e.t, memeImage(seedBase+i, 320, 240), 85)
		msg, err := b.Send(&tele.Chat{ID: storageChatID}, &tele.Photo{File: tele.FromReader(strings.NewReader(string(data)))})
		if err != nil {
			e.t.Fatal(err)
		}
		m := storage.Meme{Type: "photo", Status: storage.MemeOK, Language: lang, StorageFileID: msg.Photo.FileID,
			Caption: fmt.Sprintf("%s meme %d", lang, i), Checks: []byte("[]")}
		if err := e.store.CreateMeme(context.Background(), &m); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func (e *env) tgURL() string {
	for _, v := range e.vars {
		if u, ok := strings.CutPrefix(v, "TELEGRAM_API_URL="); ok {
			return u
		}
	}
	e.t.Fatal("no TELEGRAM_API_URL")
	return ""
}

// memeMessages are the feed memes the bot sent a user, in order.
func (e *env) memeMessages(userID int64) []tgfake.Message {
	var out []tgfake.Message
	for _, m := range e.tg.Transcript(userID) {
		if m.FromBot() && m.MediaFileID() != "" && hasButton(m, "👍") {
			out = append(out, m)
		}
	}
	return out
}

func TestFeedServesEachMemeOnceInTheUsersLanguages(t *testing.T) {
	e := start(t)
	en := e.seedMemes("en", 3, 100)
	e.seedMemes("de", 2, 200)
	hidden := storage.Meme{Type: "photo", Status: storage.MemeWaitingReview, Language: "en", StorageFileID: en[0].StorageFileID, Checks: []byte("[]")}
	e.store.CreateMeme(context.Background(), &hidden)

	u := user(5001, "en")
	e.say(u, "/start")
	want := map[string]bool{}
	for _, m := range en {
		want[m.StorageFileID] = true
	}
	for i := range 3 {
		eventually(t, fmt.Sprintf("meme %d", i+1), func() bool { return len(e.memeMessages(u.ID)) == i+1 })
		msg := e.memeMessages(u.ID)[i]
		if !want[msg.MediaFileID()] {
			t.Fatalf("meme %d is %s: not an approved English meme, or sent twice", i+1, msg.MediaFileID())
		}
		delete(want, msg.MediaFileID())
		label := "👍"
		if i == 1 {
			label = "👎"
		}
		if _, err := e.tg.PressButtonLabeled(u, u.ID, msg.MessageID, label); err != nil {
			t.Fatal(err)
		}
	}
	e.waitText(u.ID, "seen every meme")
	var rows []storage.Reaction
	storagetest.DB(e.store).Where("user_id = ?", u.ID).Order("sent_at").Find(&rows)
	if len(rows) != 3 || rows[0].Reaction == nil || *rows[0].Reaction != storage.Like || *rows[1].Reaction != storage.Dislike || rows[0].Engine == "" {
		t.Fatalf("reactions stored: %+v", rows)
	}
}

func TestDoublePressSendsOneNextMeme(t *testing.T) {
	e := start(t)
	e.seedMemes("en", 4, 300)
	u := user(5002, "en")
	e.say(u, "/start")
	eventually(t, "first meme", func() bool { return len(e.memeMessages(u.ID)) == 1 })
	first := e.memeMessages(u.ID)[0]
	presses := make(chan string, 3)
	for range 3 {
		go func() { cb, _ := e.tg.PressButtonLabeled(u, u.ID, first.MessageID, "👍"); presses <- cb }()
	}
	var callbacks []string
	for range 3 {
		callbacks = append(callbacks, <-presses)
	}
	eventually(t, "second meme", func() bool { return len(e.memeMessages(u.ID)) >= 2 })
	e.botIdle() // every press handled: whatever they send is sent
	if n := len(e.memeMessages(u.ID)); n != 2 {
		t.Fatalf("three presses on one meme sent %d memes, want 1 more", n-1)
	}
	// A later press on the same meme sends nothing either.
	late, _ := e.tg.PressButtonLabeled(u, u.ID, first.MessageID, "👎")
	// The answer goes out beside the handler's work, not in it: wait for it,
	// then for the handler.
	eventually(t, "every press answered", func() bool {
		_, ok := e.tg.CallbackAnswer(late)
		return ok
	})
	e.botIdle()
	for _, cb := range append(callbacks, late) { // every spinner stops, also where nothing changed
		if _, ok := e.tg.CallbackAnswer(cb); !ok {
			t.Fatalf("press %s was never answered", cb)
		}
	}
	var r storage.Reaction
	storagetest.DB(e.store).Where("user_id = ? AND meme_id IN (SELECT id FROM memes WHERE storage_file_id = ?)", u.ID, first.MediaFileID()).First(&r)
	if n := len(e.memeMessages(u.ID)); n != 2 || r.Reaction == nil || *r.Reaction != storage.Like {
		t.Fatalf("after a late 👎: %d memes sent, reaction %v (the first 👍 must stand)", n, r.Reaction)
	}
}

func TestApprovedUploadReachesAnotherUsersFeedAndNativeReactionsCount(t *testing.T) {
	e := start(t)
	up, viewer := user(5003, "en"), user(5004, "en")
	e.upload(up, encodeJPEG(t, memeImage(80, 800, 600), 90), "fresh")
	post := e.reviewPost(up)
	e.tg.PressButtonLabeled(user(moderatorID, "en"), reviewChatID, post.MessageID, "✅ Approve")
	e.waitText(up.ID, "approved")
	e.seedMemes("en", 1, 400)

	e.say(viewer, "/start")
	eventually(t, "first meme", func() bool { return len(e.memeMessages(viewer.ID)) == 1 })
	first := e.memeMessages(viewer.ID)[0]
	if err := e.tg.React(viewer, viewer.ID, first.MessageID, "🔥"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "next meme after a native reaction", func() bool { return len(e.memeMessages(viewer.ID)) == 2 })
	served := map[string]bool{}
	for _, m := range e.memeMessages(viewer.ID) {
		served[m.MediaFileID()] = true
	}
	if !served[post.MediaFileID()] {
		t.Fatal("the approved upload never reached another user's feed")
	}
	// The uploader is never served their own meme (a like was recorded on approval).
	e.say(up, "/start")
	e.botIdle()
	for _, m := range e.memeMessages(up.ID) {
		if m.MediaFileID() == post.MediaFileID() {
			t.Fatal("the uploader was served their own meme")
		}
	}
}

func TestBlockedUserIsMarkedAndUnmarkedOnReturn(t *testing.T) {
	e := start(t)
	u := user(5005, "en")
	e.upload(u, encodeJPEG(t, memeImage(81, 800, 600), 90), "")
	post := e.reviewPost(u)
	e.tg.BlockBot(u.ID)
	e.tg.PressButtonLabeled(user(moderatorID, "en"), reviewChatID, post.MessageID, "✅ Approve")
	eventually(t, "marked blocked", func() bool {
		got, _ := e.store.User(context.Background(), u.ID)
		return got.BlockedBotAt != nil
	})
	e.tg.UnblockBot(u.ID)
	e.say(u, "/start")
	eventually(t, "unmarked", func() bool {
		got, _ := e.store.User(context.Background(), u.ID)
		return got.BlockedBotAt == nil
	})
}

func TestStatsJobCountsReactions(t *testing.T) {
	e := start(t, "SCHEDULE_STATS=@every 1s", "STATS_LAG=0s")
	memes := e.seedMemes("en", 2, 500)
	u := user(5006, "en")
	e.say(u, "/start")
	eventually(t, "meme", func() bool { return len(e.memeMessages(u.ID)) == 1 })
	e.tg.PressButtonLabeled(u, u.ID, e.memeMessages(u.ID)[0].MessageID, "👍")
	eventually(t, "meme_stats updated", func() bool {
		var likes int64
		storagetest.DB(e.store).Raw("SELECT COALESCE(SUM(likes), 0) FROM meme_stats WHERE meme_id IN ?", []int64{memes[0].ID, memes[1].ID}).Scan(&likes)
		return likes == 1
	})
}
