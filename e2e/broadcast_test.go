package e2e

import (
	"strings"
	"testing"

	"memebot/tgfake"

	"memebot/storage/storagetest"
)

// TestBroadcastReachesEveryoneOnce: an admin replies /broadcast to a photo,
// sees the preview, confirms; every user who has not blocked the bot gets
// the photo once, one who blocked it meanwhile is marked, and the admin's
// progress message ends with the figures.
func TestBroadcastReachesEveryoneOnce(t *testing.T) {
	e := start(t, "SCHEDULE_BROADCAST=@every 1s")
	e.seedMemes("en", 2, 9600)
	var users []tgfake.User
	for i := range 6 {
		u := user(5600+int64(i), "en")
		users = append(users, u)
		e.say(u, "/start")
		e.waitBot(u.ID, "a meme", func(m tgfake.Message) bool { return m.MediaFileID() != "" })
	}
	admin := user(adminID, "en")
	e.say(admin, "/broadcast")
	e.waitText(admin.ID, "Reply /broadcast to")
	photo, err := e.tg.SendPhoto(admin, admin.PrivateChat(), encodeJPEG(t, memeImage(9700, 320, 240), 85), "Big news")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.tg.ReplyText(admin, admin.PrivateChat(), photo.MessageID, "/broadcast"); err != nil {
		t.Fatal(err)
	}
	preview := e.waitText(admin.ID, "users will get")
	e.tg.BlockBot(users[2].ID)
	if _, err := e.tg.PressButtonLabeled(admin, admin.ID, preview.MessageID, "✅ Send to"); err != nil {
		t.Fatal(err)
	}
	e.waitBot(admin.ID, "the final progress", func(m tgfake.Message) bool { return strings.Contains(m.Text, "Broadcast finished") })
	for i, u := range users {
		got := 0
		for _, m := range e.tg.Transcript(u.ID) {
			if m.FromBot() && m.Caption == "Big news" {
				got++
			}
		}
		if want := map[bool]int{true: 0, false: 1}[i == 2]; got != want {
			t.Fatalf("user %d got the broadcast %d times, want %d", u.ID, got, want)
		}
	}
	var blocked bool
	storagetest.SQL(e.store).QueryRow(`SELECT blocked_bot_at IS NOT NULL FROM users WHERE id = $1`, users[2].ID).Scan(&blocked)
	if !blocked {
		t.Fatal("the user who blocked the bot is not marked")
	}
	if _, err := e.tg.PressButtonLabeled(admin, admin.ID, preview.MessageID, "✅ Send to"); err == nil {
		t.Fatal("the send button is still there after sending")
	}
}
