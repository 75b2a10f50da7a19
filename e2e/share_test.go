package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"memebot/tgfake"

	"memebot/storage/storagetest"
)

// TestSharedMemeBringsAFriendAndPaysOnce: the share button of a feed meme
// opens inline mode on that meme; the meme sent into a group carries a
// "More memes" link; a person new to the bot who follows it gets that meme
// first and the sharer is paid and told, once; someone who had started the
// bot before gets the meme but pays nobody; a forged link is a plain /start.
func TestSharedMemeBringsAFriendAndPaysOnce(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	e.seedMemes("en", 6, 9400)
	ann := user(5301, "en")
	e.say(ann, "/start")
	first := e.waitBot(ann.ID, "a feed meme", func(m tgfake.Message) bool { return m.MediaFileID() != "" })
	query, err := e.tg.SwitchInlineQuery(ann.ID, first.MessageID, "↗️")
	if err != nil {
		t.Fatalf("the feed meme has no share button: %v", err)
	}
	answer := e.inlineAnswer(ann, query, "")
	if len(answer.Results) != 1 || answer.Results[0].PhotoFileID != first.MediaFileID() {
		t.Fatalf("share query %q answered %+v, want exactly the shared meme", query, answer.Results)
	}
	group := e.tg.CreateChat(tgfake.Chat{ID: -1005301, Type: "supergroup", Title: "friends"})
	qid, _ := e.tg.SendInlineQuery(ann, query, "", "supergroup")
	eventually(t, "the share answer", func() bool { _, ok := e.tg.InlineAnswerFor(qid); return ok })
	posted, err := e.tg.ChooseInlineResult(qid, answer.Results[0].ID, group)
	if err != nil {
		t.Fatal(err)
	}
	var link string
	for _, b := range posted.Buttons() {
		if strings.HasPrefix(b.URL, "https://t.me/memebot_test_bot?start=") {
			link = b.URL
		}
	}
	if link == "" {
		t.Fatalf("the shared meme carries no link to the bot: %+v", posted.Buttons())
	}
	u, _ := url.Parse(link)
	payload := u.Query().Get("start")

	bob := user(5302, "ru") // new, and another language: the shared meme comes anyway
	e.say(bob, "/start "+payload)
	got := e.waitBot(bob.ID, "the shared meme", func(m tgfake.Message) bool { return m.MediaFileID() != "" })
	if got.MediaFileID() != first.MediaFileID() || !hasButton(got, "👍") {
		t.Fatalf("bob's first meme is %q, want the shared %q with the feed buttons", got.MediaFileID(), first.MediaFileID())
	}
	e.waitText(ann.ID, "+10")
	e.say(bob, "/start "+payload) // again: no second payment
	carol := user(5303, "en")
	e.say(carol, "/start")
	e.waitBot(carol.ID, "carol's feed", func(m tgfake.Message) bool { return m.MediaFileID() != "" })
	e.say(carol, "/start "+payload) // had started before: the meme, no payment
	e.say(carol, "/start "+payload[:len(payload)-2]+"xx")
	forged := user(5304, "en")
	e.say(forged, "/start s1-2-AAAAAAAAAAAA")
	e.waitBot(forged.ID, "a plain start for a forged link", func(m tgfake.Message) bool { return m.MediaFileID() != "" })
	eventually(t, "carol's three answers", func() bool {
		n := 0
		for _, m := range e.tg.Transcript(carol.ID) {
			if m.FromBot() {
				n++
			}
		}
		return n >= 3
	})
	var referrals, coins int
	storagetest.SQL(e.store).QueryRowContext(ctx, `SELECT count(*) FROM referrals WHERE inviter_id = $1`, ann.ID).Scan(&referrals)
	storagetest.SQL(e.store).QueryRowContext(ctx, `SELECT coalesce(sum(amount), 0) FROM coin_ledger WHERE user_id = $1 AND kind = 'referral'`, ann.ID).Scan(&coins)
	if referrals != 1 || coins != 10 {
		t.Fatalf("ann was paid for %d people, %d coins; want bob only, 10 coins", referrals, coins)
	}
}
