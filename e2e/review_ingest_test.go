package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"memebot/storage"
	"memebot/tgfake"
)

// sourceReviewPosts waits for n review posts of memes from a source
// ("telegram/name") and returns them oldest first.
func (e *env) sourceReviewPosts(source string, n int) []tgfake.Message {
	e.t.Helper()
	var posts []tgfake.Message
	eventually(e.t, fmt.Sprintf("%d review posts from %s", n, source), func() bool {
		posts = nil
		for _, m := range e.tg.Transcript(reviewChatID) {
			if m.FromBot() && m.MediaFileID() != "" && strings.Contains(m.Caption, "source "+source) {
				posts = append(posts, m)
			}
		}
		return len(posts) >= n
	})
	if len(posts) != n {
		e.t.Fatalf("%d review posts from %s, want %d:\n%s", len(posts), source, n, e.dump(reviewChatID))
	}
	slices.SortFunc(posts, func(a, b tgfake.Message) int { return a.MessageID - b.MessageID })
	return posts
}

func TestIngestedMemesOfASourceThatNeedsReviewAreServedOnlyOnceApproved(t *testing.T) {
	ctx := context.Background()
	pics := map[string][]byte{}
	// English words without Cyrillic look-alikes ("TOP TEXT" can be read as
	// Russian), so that OCR makes both memes English like the viewer.
	for i, top := range []string{"WHEN THE BUILD IS GREEN", "FRIDAY DEPLOY"} {
		pics[fmt.Sprintf("r%d.jpg", i)] = encodeJPEG(t, memeImageText(90+i, 800, 600, top, "SHIP IT"), 90)
	}
	tme := channelServer(t, "reviewedmemes", pics)
	e := start(t, "TG_WEB_URL="+tme.URL, "INGEST_ALLOW_PRIVATE_HOSTS=true", "SCHEDULE_INGEST_TELEGRAM=@every 1s")
	mod, viewer := user(moderatorID, "en"), user(5101, "en")

	// The moderator adds the channel, asks to review its memes, enables it.
	e.say(mod, "https://t.me/reviewedmemes")
	card := e.waitBot(mod.ID, "source card", func(m tgfake.Message) bool { return hasButton(m, "▶️ Enable parsing") })
	if _, err := e.tg.PressButtonLabeled(mod, mod.ID, card.MessageID, "👀 Review its memes"); err != nil {
		t.Fatal(err)
	}
	e.waitBot(mod.ID, "review switched on", func(m tgfake.Message) bool {
		return m.MessageID == card.MessageID && strings.Contains(m.Text, "review its memes: yes")
	})
	if _, err := e.tg.PressButtonLabeled(mod, mod.ID, card.MessageID, "▶️ Enable parsing"); err != nil {
		t.Fatal(err)
	}

	// Both memes wait for the moderators, posted like uploads.
	posts := e.sourceReviewPosts("telegram/reviewedmemes", 2)
	memes := make([]storage.Meme, len(posts))
	for i, post := range posts {
		if !hasButton(post, "✅ Approve") || !hasButton(post, "❌ Reject") {
			t.Fatalf("review post %d buttons: %+v", post.MessageID, post.Buttons())
		}
		m, err := e.store.Meme(ctx, memeIDOf(t, post))
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != storage.MemeWaitingReview || m.SourceID == nil || m.StorageFileID == "" || post.MediaFileID() != m.StorageFileID {
			t.Fatalf("meme #%d before review: status %s, source %v, storage copy %q, post shows %q",
				m.ID, m.Status, m.SourceID, m.StorageFileID, post.MediaFileID())
		}
		memes[i] = m
	}
	approved, rejected := memes[0], memes[1]
	if approved.Language != "en" {
		t.Fatalf("the meme to approve is %q, not English like the viewer: the test proves nothing", approved.Language)
	}

	// Nothing is served while they wait.
	e.say(viewer, "/start")
	e.waitText(viewer.ID, "No memes yet")

	if _, err := e.tg.PressButtonLabeled(mod, reviewChatID, posts[0].MessageID, "✅ Approve"); err != nil {
		t.Fatal(err)
	}
	e.waitBot(reviewChatID, "post marked approved", func(m tgfake.Message) bool {
		return m.MessageID == posts[0].MessageID && strings.Contains(m.Caption, "✅ Approved by @user800") && len(m.Buttons()) == 0
	})
	if _, err := e.tg.PressButtonLabeled(mod, reviewChatID, posts[1].MessageID, "❌ Reject"); err != nil {
		t.Fatal(err)
	}
	e.waitBot(reviewChatID, "post marked rejected", func(m tgfake.Message) bool {
		return m.MessageID == posts[1].MessageID && strings.Contains(m.Caption, "❌ Rejected by @user800") && len(m.Buttons()) == 0
	})
	for id, want := range map[int64]string{approved.ID: storage.MemeOK, rejected.ID: storage.MemeRejected} {
		if m, _ := e.store.Meme(ctx, id); m.Status != want {
			t.Errorf("meme #%d after the decision: %s, want %s", id, m.Status, want)
		}
	}

	// The approved meme reaches the feed; the rejected one never does.
	e.say(viewer, "/start")
	eventually(t, "the approved meme in the feed", func() bool { return len(e.memeMessages(viewer.ID)) == 1 })
	served := e.memeMessages(viewer.ID)[0]
	if served.MediaFileID() != approved.StorageFileID {
		t.Fatalf("served %s, want the approved meme's storage copy %s", served.MediaFileID(), approved.StorageFileID)
	}
	if _, err := e.tg.PressButtonLabeled(viewer, viewer.ID, served.MessageID, "👍"); err != nil {
		t.Fatal(err)
	}
	e.waitText(viewer.ID, "seen every meme")
	for _, m := range e.memeMessages(viewer.ID) {
		if m.MediaFileID() == rejected.StorageFileID {
			t.Fatal("the rejected meme was served")
		}
	}
	if n := len(e.memeMessages(viewer.ID)); n != 1 {
		t.Errorf("%d memes served, want only the approved one", n)
	}
}
