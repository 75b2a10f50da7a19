package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"memebot/storage"
)

// A modified client can send any callback data for any message with an
// inline keyboard. Whatever it sends, state does not change and the press is
// answered exactly once, promptly, so no button keeps spinning.
func TestForgedAndGarbageCallbacksAreAnsweredOnceAndChangeNothing(t *testing.T) {
	e := start(t)
	memes := e.seedMemes("en", 2, 300)
	eve := user(5301, "en")
	e.say(eve, "/start")
	eventually(t, "a feed meme", func() bool { return len(e.memeMessages(eve.ID)) == 1 })
	feedMsg := e.memeMessages(eve.ID)[0]
	pending := storage.Meme{Type: "photo", Status: storage.MemeWaitingReview, Language: "en", StorageFileID: memes[0].StorageFileID, Checks: []byte("[]")}
	if err := e.store.CreateMeme(context.Background(), &pending); err != nil {
		t.Fatal(err)
	}

	forged := []string{
		"", "garbage", "\f", "\fnope", "\fnope|1|2", "\fr", "\fr|", "\fr|abc|1", "\fr|99999999|1", "\fr|1|7",
		fmt.Sprintf("\fr|%d|9", memes[1].ID), "\flang|xx-not-a-language", "\flang|",
		fmt.Sprintf("\frv|%d|approve", pending.ID), fmt.Sprintf("\frv|%d|reject|spam", pending.ID), "\frv|x|approve",
		"\fsrc|s|999999|on", "\fsrc|l|abc|en", "\fsrc", string(make([]byte, 64)),
	}
	ids := make([]string, len(forged))
	for i, data := range forged {
		id, err := e.tg.PressForged(eve, eve.ID, feedMsg.MessageID, data)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	deadline := time.Now().Add(5 * time.Second)
	for i, id := range ids {
		for {
			if _, ok := e.tg.CallbackAnswer(id); ok || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if _, ok := e.tg.CallbackAnswer(id); !ok {
			t.Errorf("press with data %q was never answered", forged[i])
		}
	}
	e.botIdle() // every press handled: a wrong second answer is sent by now
	for i, id := range ids {
		if n := e.tg.CallbackAnswerCalls(id); n > 1 {
			t.Errorf("press with data %q answered %d times, want once", forged[i], n)
		}
	}
	got, err := e.store.Meme(context.Background(), pending.ID)
	if err != nil || got.Status != storage.MemeWaitingReview {
		t.Fatalf("a forged review press by a user changed meme %d: %+v, %v", pending.ID, got, err)
	}
	if n := len(e.memeMessages(eve.ID)); n != 1 {
		t.Fatalf("forged presses sent %d feed memes, want just the first", n)
	}
}
