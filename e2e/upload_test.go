package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

// upload sends a photo as u and waits for the acknowledgement.
func (e *env) upload(u tgfake.User, data []byte, caption string) tgfake.Message {
	e.t.Helper()
	sent := time.Now()
	m, err := e.tg.SendPhoto(u, u.PrivateChat(), data, caption)
	if err != nil {
		e.t.Fatalf("send photo: %v", err)
	}
	ack := e.waitBot(u.ID, "upload acknowledgement", func(x tgfake.Message) bool {
		return x.MessageID > m.MessageID && strings.Contains(x.Text, "#")
	})
	// The speed is measured by BenchmarkUploadAck; this only checks that the
	// answer does not wait for the processing (seconds), with room for a
	// loaded machine running the suite with -race.
	if took := time.Since(sent); took > 5*time.Second {
		e.t.Errorf("acknowledgement took %v: it waited for the processing", took)
	}
	return ack
}

// reviewPost waits for the review post of meme n-th upload (caption containing marker).
func (e *env) reviewPost(uploader tgfake.User) tgfake.Message {
	e.t.Helper()
	return e.waitBot(reviewChatID, "review post", func(m tgfake.Message) bool {
		return m.MediaFileID() != "" && strings.Contains(m.Caption, fmt.Sprintf("id %d", uploader.ID)) && len(m.Buttons()) > 0
	})
}

func memeIDOf(t *testing.T, post tgfake.Message) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(post.Caption[strings.Index(post.Caption, "Meme #"):], "Meme #%d", &id); err != nil {
		t.Fatalf("no meme id in review caption %q", post.Caption)
	}
	return id
}

func TestUploadApprovedEndToEnd(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	ann := user(2001, "en")
	mod := user(moderatorID, "en")
	e.say(ann, "/start")
	e.upload(ann, encodeJPEG(t, memeImage(1, 800, 600), 90), "when the tests pass")

	post := e.reviewPost(ann)
	for _, want := range []string{"Meme #", "@user2001", "Language: en", "when the tests pass", "File: jpeg 800×600"} {
		if !strings.Contains(post.Caption, want) {
			t.Errorf("review caption lacks %q:\n%s", want, post.Caption)
		}
	}
	if !hasButton(post, "✅ Approve") || !hasButton(post, "❌ Reject") {
		t.Fatalf("review buttons: %+v", post.Buttons())
	}
	memeID := memeIDOf(t, post)
	meme, _ := e.store.Meme(ctx, memeID)
	if meme.Status != storage.MemeWaitingReview || meme.StorageFileID == "" {
		t.Fatalf("meme before review: status %s storage file %q", meme.Status, meme.StorageFileID)
	}
	if post.MediaFileID() != meme.StorageFileID {
		t.Errorf("review post shows file %s, want the storage copy %s", post.MediaFileID(), meme.StorageFileID)
	}
	stored := e.tg.Transcript(storageChatID)
	if len(stored) != 1 || stored[0].MediaFileID() != meme.StorageFileID {
		t.Fatalf("storage chat holds %d messages; want the one watermarked copy", len(stored))
	}
	original, _ := e.tg.FileBytes(e.tg.Transcript(ann.ID)[2].MediaFileID())
	storedBytes, _ := e.tg.FileBytes(meme.StorageFileID)
	if len(storedBytes) == 0 || string(storedBytes) == string(original) {
		t.Fatal("the storage copy is not a new (watermarked) image")
	}

	cb, err := e.tg.PressButtonLabeled(mod, reviewChatID, post.MessageID, "✅ Approve")
	if err != nil {
		t.Fatal(err)
	}
	e.waitBot(reviewChatID, "post marked approved", func(m tgfake.Message) bool {
		return m.MessageID == post.MessageID && strings.Contains(m.Caption, "✅ Approved by @user800") && len(m.Buttons()) == 0
	})
	e.waitText(ann.ID, "approved")
	if a, ok := e.tg.CallbackAnswer(cb); !ok || a.ShowAlert {
		t.Errorf("moderator's press answered %+v %v", a, ok)
	}
	meme, _ = e.store.Meme(ctx, memeID)
	if meme.Status != storage.MemeOK {
		t.Fatalf("meme status after approve = %s", meme.Status)
	}
	if c, _ := e.store.Coins(ctx, ann.ID); c != 5 {
		t.Errorf("uploader coins = %d, want 5", c)
	}
	if c, _ := e.store.Coins(ctx, mod.ID); c != 1 {
		t.Errorf("moderator coins = %d, want 1", c)
	}
	var likes int64
	storagetest.DB(e.store).Model(&storage.Reaction{}).Where("meme_id = ? AND reaction = 1", memeID).Count(&likes)
	if likes != 2 {
		t.Errorf("likes recorded on approval = %d, want 2 (uploader and moderator)", likes)
	}
}

func TestUploadRejectedWithReason(t *testing.T) {
	e := start(t)
	ben := user(2002, "ru")
	e.upload(ben, encodeJPEG(t, memeImage(2, 640, 640), 90), "")
	post := e.reviewPost(ben)
	if _, err := e.tg.PressButtonLabeled(user(adminID, "en"), reviewChatID, post.MessageID, "🗑"); err != nil {
		t.Fatal(err)
	}
	e.waitBot(reviewChatID, "post marked rejected", func(m tgfake.Message) bool {
		return m.MessageID == post.MessageID && strings.Contains(m.Caption, "❌ Rejected (low quality) by @user900")
	})
	e.waitText(ben.ID, "не принят")
	meme, _ := e.store.Meme(context.Background(), memeIDOf(t, post))
	if meme.Status != storage.MemeRejected {
		t.Fatalf("status after reject = %s", meme.Status)
	}
}

func TestOnlyModeratorsDecideAndTheFirstDecisionWins(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	cleo := user(2003, "en")
	e.upload(cleo, encodeJPEG(t, memeImage(3, 700, 500), 90), "")
	post := e.reviewPost(cleo)
	memeID := memeIDOf(t, post)

	// A user who is not a moderator, and the uploader herself, are refused.
	for _, u := range []tgfake.User{user(2999, "en"), cleo} {
		cb, err := e.tg.PressButtonLabeled(u, reviewChatID, post.MessageID, "✅ Approve")
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "refusal", func() bool { a, ok := e.tg.CallbackAnswer(cb); return ok && a.ShowAlert })
	}
	if m, _ := e.store.Meme(ctx, memeID); m.Status != storage.MemeWaitingReview {
		t.Fatalf("a refused press changed the meme to %s", m.Status)
	}

	// Two moderators press at once, opposite decisions: exactly one wins.
	mod, admin := user(moderatorID, "en"), user(adminID, "en")
	done := make(chan string, 2)
	go func() { cb, _ := e.tg.PressButtonLabeled(mod, reviewChatID, post.MessageID, "✅ Approve"); done <- cb }()
	go func() {
		cb, _ := e.tg.PressButtonLabeled(admin, reviewChatID, post.MessageID, "❌ Reject")
		done <- cb
	}()
	cbs := []string{<-done, <-done}
	for _, cb := range cbs {
		eventually(t, "both presses answered", func() bool { _, ok := e.tg.CallbackAnswer(cb); return ok })
	}
	var decisions int64
	storagetest.DB(e.store).Model(&storage.ReviewDecision{}).Where("meme_id = ?", memeID).Count(&decisions)
	if decisions != 1 {
		t.Fatalf("%d decisions recorded, want 1", decisions)
	}
	first, _ := e.store.Meme(ctx, memeID)
	// A late press from a client still showing the old buttons changes nothing either.
	late := fmt.Sprintf(`{"update_id": 777001, "callback_query": {"id": "late-press", "chat_instance": "ci",
		"from": {"id": %d, "is_bot": false, "first_name": "Mod", "username": "user800"},
		"message": {"message_id": %d, "date": %d, "chat": {"id": %d, "type": "supergroup", "title": "Review"}, "caption": "x"},
		"data": "\frv|r|%d"}}`, moderatorID, post.MessageID, time.Now().Unix(), reviewChatID, memeID)
	if _, err := e.tg.SendRawUpdate([]byte(late)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "late press handled", func() bool {
		for _, c := range e.tg.Calls("answerCallbackQuery") {
			if c.Params["callback_query_id"] == "late-press" {
				return true
			}
		}
		return false
	})
	if again, _ := e.store.Meme(ctx, memeID); again.Status != first.Status {
		t.Fatalf("a late press flipped %s to %s", first.Status, again.Status)
	}
	var coins int64
	storagetest.DB(e.store).Model(&storage.CoinEntry{}).Where("meme_id = ?", memeID).Count(&coins)
	if want := map[string]int64{storage.MemeOK: 2, storage.MemeRejected: 1}[first.Status]; coins != want {
		t.Fatalf("%d coin entries for a meme that is %s, want %d", coins, first.Status, want)
	}
	notes := 0
	for _, m := range e.tg.Transcript(cleo.ID) {
		if m.FromBot() && (strings.Contains(m.Text, "approved") || strings.Contains(m.Text, "not accepted")) {
			notes++
		}
	}
	if notes != 1 {
		t.Fatalf("uploader was told the outcome %d times", notes)
	}
}

func TestNearDuplicateOfApprovedMemeIsNotReviewedAgain(t *testing.T) {
	e := start(t)
	dan := user(2004, "en")
	img := memeImage(4, 1000, 800)
	e.upload(dan, encodeJPEG(t, img, 92), "")
	post := e.reviewPost(dan)
	e.tg.PressButtonLabeled(user(moderatorID, "en"), reviewChatID, post.MessageID, "✅ Approve")
	e.waitText(dan.ID, "approved")

	eve := user(2005, "en")
	e.upload(eve, encodeJPEG(t, resized(img, 0.6), 60), "reposting this")
	msg := e.waitText(eve.ID, "repeats")
	if !strings.Contains(msg.Text, fmt.Sprintf("#%d", memeIDOf(t, post))) {
		t.Fatalf("duplicate notice %q does not name the original", msg.Text)
	}
	for _, m := range e.tg.Transcript(reviewChatID) {
		if strings.Contains(m.Caption, "id 2005") {
			t.Fatal("the near-duplicate was posted for review")
		}
	}
}

func TestHourlyUploadLimit(t *testing.T) {
	e := start(t, "UPLOAD_LIMIT_PER_HOUR=2")
	fay := user(2006, "en")
	for i := range 2 {
		e.upload(fay, encodeJPEG(t, memeImage(10+i, 400, 400), 90), "")
	}
	m, _ := e.tg.SendPhoto(fay, fay.PrivateChat(), encodeJPEG(t, memeImage(20, 400, 400), 90), "")
	e.waitBot(fay.ID, "limit reply", func(x tgfake.Message) bool {
		return x.MessageID > m.MessageID && strings.Contains(x.Text, "limit of 2 uploads")
	})
	var subs int64
	storagetest.DB(e.store).Model(&storage.Submission{}).Where("uploader_id = ?", fay.ID).Count(&subs)
	if subs != 2 {
		t.Fatalf("%d submissions stored, want 2 (the refused one is not stored)", subs)
	}
	// Moderators are exempt.
	mod := user(moderatorID, "en")
	for i := range 3 {
		e.upload(mod, encodeJPEG(t, memeImage(30+i, 400, 400), 90), "")
	}
}

func TestCorruptImageAndDecompressionBombAreRefused(t *testing.T) {
	e := start(t)
	gus := user(2007, "en")
	for _, tc := range []struct {
		name, mime string
		data       []byte
		reply      string
	}{
		{"corrupt.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0 this is not really a jpeg"), "could not be read"},
		{"bomb.png", "image/png", bombPNG(t), "too large"},
	} {
		m, err := e.tg.SendDocument(gus, gus.PrivateChat(), tc.data, tc.name, tc.mime, "")
		if err != nil {
			t.Fatal(err)
		}
		e.waitBot(gus.ID, tc.name+" outcome", func(x tgfake.Message) bool {
			return x.MessageID > m.MessageID && strings.Contains(x.Text, tc.reply)
		})
	}
	if posts := len(e.tg.Transcript(reviewChatID)); posts != 0 {
		t.Fatalf("%d review posts for refused files", posts)
	}
	var memes int64
	storagetest.DB(e.store).Model(&storage.Meme{}).Count(&memes)
	if memes != 0 {
		t.Fatalf("%d memes stored from refused files", memes)
	}
}

func TestNotMediaGetsAClearReply(t *testing.T) {
	e := start(t)
	hal := user(2008, "en")
	m, _ := e.tg.SendDocument(hal, hal.PrivateChat(), []byte("%PDF-1.4"), "cv.pdf", "application/pdf", "")
	e.waitBot(hal.ID, "not media reply", func(x tgfake.Message) bool {
		return x.MessageID > m.MessageID && strings.Contains(x.Text, "photos, videos")
	})
}
