package e2e

import (
	"strings"
	"testing"

	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

// TestUploadsShowHowAnUploadersMemesDo: /uploads lists the sender's memes
// newest first with views, likes, dislikes and like rate, the totals and
// the fans (people who liked three or more), ten a page with buttons; the
// likes recorded at approval do not count; someone with no uploads is told
// how to upload.
func TestUploadsShowHowAnUploadersMemesDo(t *testing.T) {
	e := start(t)
	uploader := user(5201, "en")
	e.say(uploader, "/uploads")
	e.waitText(uploader.ID, "Send me a photo")

	memes := e.seedMemes("en", 12, 9300)
	exec := storagetest.Exec(t, e.store)
	exec(`INSERT INTO users (id, first_name) VALUES ($1, 'up'), (5202, 'fan'), (5203, 'casual')`, uploader.ID)
	for i, m := range memes {
		exec(`UPDATE memes SET uploader_id = $1, created_at = now() - make_interval(hours => $2) WHERE id = $3`, uploader.ID, 100-i, m.ID)
		exec(`INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at) VALUES ($1, $2, $3, 1, now())`,
			uploader.ID, m.ID, storage.EngineApprovalLike)
	}
	newest, second := memes[11], memes[10]
	for _, m := range []storage.Meme{newest, second, memes[9]} { // a fan: three likes
		exec(`INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at) VALUES (5202, $1, 'best', 1, now())`, m.ID)
	}
	exec(`INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at) VALUES (5203, $1, 'best', 2, now()), (5203, $2, 'best', 1, now())`, newest.ID, second.ID)
	exec(`INSERT INTO reactions (user_id, meme_id, engine) VALUES (5204, $1, 'best')`, newest.ID) // sent, no press yet
	exec(`UPDATE memes SET status = 'rejected', status_reason = 'not funny' WHERE id = $1`, memes[0].ID)

	e.say(uploader, "/uploads")
	list := e.waitText(uploader.ID, "Your memes")
	for _, want := range []string{
		"12 uploaded, 11 in the feed",
		"👁 6 views · 👍 4 · 👎 1 · 80% liked · ❤️ 1 fans",
		"1. ", "👁 3 · 👍 1 · 👎 1 · 50%", // the newest: the fan, the casual's dislike, one unanswered view
		"2. ", "👁 2 · 👍 2 · 👎 0 · 100%",
		"Page 1 of 2",
	} {
		if !strings.Contains(list.Text, want) {
			t.Fatalf("/uploads lacks %q:\n%s", want, list.Text)
		}
	}
	if strings.Index(list.Text, "👁 3 ·") > strings.Index(list.Text, "👁 2 ·") || strings.Contains(list.Text, "rejected") {
		t.Fatalf("page 1 is not newest first, or shows the oldest meme:\n%s", list.Text)
	}
	if _, err := e.tg.PressButtonLabeled(uploader, uploader.ID, list.MessageID, "▶️"); err != nil {
		t.Fatal(err)
	}
	page2 := e.waitBot(uploader.ID, "page 2", func(m tgfake.Message) bool {
		return m.MessageID == list.MessageID && strings.Contains(m.Text, "Page 2 of 2")
	})
	if !strings.Contains(page2.Text, "12. ") || !strings.Contains(page2.Text, "rejected: not funny") || !hasButton(page2, "◀️") || hasButton(page2, "▶️") {
		t.Fatalf("page 2:\n%s\nbuttons %+v", page2.Text, page2.Buttons())
	}
}
