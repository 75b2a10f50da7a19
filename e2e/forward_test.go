package e2e

import (
	"strings"
	"testing"

	"memebot/tgfake"
)

// TestForwardsFromChannels: a moderator who forwards a public channel's post
// gets that channel's source card; a user who forwards a meme uploads it as
// usual and the channel becomes a suggestion, which /sources lists with its
// count and a button that opens the card; a private channel is named as such.
func TestForwardsFromChannels(t *testing.T) {
	e := start(t)
	cats := e.tg.CreateChat(tgfake.Chat{ID: -1005401, Type: tgfake.ChatChannel, Title: "Cat Memes", Username: "CatMemesDaily"})
	secret := e.tg.CreateChat(tgfake.Chat{ID: -1005402, Type: tgfake.ChatChannel, Title: "Secret Club"})
	poster := user(5400, "en")
	var posts []tgfake.Message
	for i := range 3 {
		for _, ch := range []tgfake.Chat{cats, secret} {
			if err := e.tg.SetBotMember(ch.ID, false); err != nil {
				t.Fatal(err)
			}
			m, err := e.tg.SendPhoto(poster, ch, encodeJPEG(t, memeImage(9500+i+int(ch.ID%7)*10, 320, 240), 85), "")
			if err != nil {
				t.Fatal(err)
			}
			posts = append(posts, m)
		}
	}
	ann := user(5401, "en")
	for _, p := range []tgfake.Message{posts[0], posts[2]} {
		if _, err := e.tg.ForwardMessage(ann, cats.ID, p.MessageID, ann.PrivateChat()); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "both forwarded memes acknowledged as uploads", func() bool {
		n := 0
		for _, m := range e.tg.Transcript(ann.ID) {
			if m.FromBot() && strings.Contains(m.Text, "is being checked") {
				n++
			}
		}
		return n == 2
	})

	mod := user(moderatorID, "en")
	if _, err := e.tg.ForwardMessage(mod, secret.ID, posts[1].MessageID, mod.PrivateChat()); err != nil {
		t.Fatal(err)
	}
	e.waitText(mod.ID, "Secret Club is a private channel")
	e.say(mod, "/sources")
	list := e.waitText(mod.ID, "Channels users forward memes from")
	if !strings.Contains(list.Text, "@catmemesdaily (Cat Memes): 2 forwards") || strings.Contains(list.Text, "Secret") {
		t.Fatalf("/sources suggestions:\n%s", list.Text)
	}
	if _, err := e.tg.PressButtonLabeled(mod, mod.ID, list.MessageID, "➕ @catmemesdaily"); err != nil {
		t.Fatal(err)
	}
	card := e.waitText(mod.ID, "telegram/catmemesdaily")
	if !hasButton(card, "▶️ Enable parsing") {
		t.Fatalf("the suggestion's card has no enable button: %+v", card.Buttons())
	}
	if _, err := e.tg.ForwardMessage(mod, cats.ID, posts[4].MessageID, mod.PrivateChat()); err != nil {
		t.Fatal(err)
	}
	e.waitBot(mod.ID, "the card again for a forward", func(m tgfake.Message) bool {
		return m.MessageID > card.MessageID && strings.Contains(m.Text, "telegram/catmemesdaily") && hasButton(m, "▶️ Enable parsing")
	})
	e.say(mod, "/sources")
	again := e.waitBot(mod.ID, "/sources after adding", func(m tgfake.Message) bool {
		return m.MessageID > card.MessageID+1 && strings.Contains(m.Text, "catmemesdaily")
	})
	if strings.Contains(again.Text, "Channels users forward memes from") {
		t.Fatalf("a channel that is a source now is still suggested:\n%s", again.Text)
	}
}
