package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

// inlineAnswer sends an inline query and waits for the bot's answer.
func (e *env) inlineAnswer(u tgfake.User, query, offset string) tgfake.InlineAnswer {
	e.t.Helper()
	id, err := e.tg.SendInlineQuery(u, query, offset, "supergroup")
	if err != nil {
		e.t.Fatal(err)
	}
	var a tgfake.InlineAnswer
	eventually(e.t, "an answer to the inline query "+query, func() bool {
		var ok bool
		a, ok = e.tg.InlineAnswerFor(id)
		return ok
	})
	return a
}

// TestInlineSearchFindsApprovedMemesByTheirText: "@bot words" in a group
// finds approved memes by what they say, in English and Russian word forms,
// best liked first, 50 a page; what is not approved never shows; a query too
// short gets an empty answer that says why; the pick is recorded; someone
// who never started the bot is offered a button that opens it.
func TestInlineSearchFindsApprovedMemesByTheirText(t *testing.T) {
	e := start(t, "SCHEDULE_SEARCH_RANKS=@every 1s")
	ctx := context.Background()
	memes := e.seedMemes("en", 55, 9100)
	say := func(m storage.Meme, text string) {
		if _, err := storagetest.SQL(e.store).ExecContext(ctx, `UPDATE memes SET ocr_text = $2 WHERE id = $1`, m.ID, text); err != nil {
			t.Fatal(err)
		}
	}
	for i, m := range memes[:52] {
		say(m, fmt.Sprintf("when the cats find the cucumber number %d", i))
	}
	say(memes[52], "коты и огурцы")
	say(memes[53], "a dog")
	pending := e.seedMemes("en", 1, 9200)[0]
	say(pending, "cats cucumber")
	if err := e.store.ChangeMemeStatus(ctx, pending.ID, storage.MemeRejected, "spam", nil); err != nil {
		t.Fatal(err)
	}
	loved := memes[30]
	if _, err := storagetest.SQL(e.store).ExecContext(ctx, `UPDATE meme_stats SET likes = 40, dislikes = 1 WHERE meme_id = $1`, loved.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the search-ranks job to rank the loved meme first", func() bool {
		var rank float64
		storagetest.SQL(e.store).QueryRowContext(ctx, `SELECT rank FROM meme_search WHERE meme_id = $1`, loved.ID).Scan(&rank)
		return rank > 0.9
	})
	ann := user(5101, "en")
	e.say(ann, "/start")
	e.waitBot(ann.ID, "the first meme", func(m tgfake.Message) bool { return m.MediaFileID() != "" })

	first := e.inlineAnswer(ann, "Cat cucumbers", "")
	if len(first.Results) != 50 || first.NextOffset == "" || first.Button != nil {
		t.Fatalf("first page: %d results, next %q, button %+v; want 50, a next page and no button", len(first.Results), first.NextOffset, first.Button)
	}
	if first.Results[0].ID != fmt.Sprintf("m%d", loved.ID) || first.Results[0].PhotoFileID != loved.StorageFileID {
		t.Fatalf("first result %+v, want the best liked meme %d by its storage file_id", first.Results[0], loved.ID)
	}
	second := e.inlineAnswer(ann, "Cat cucumbers", first.NextOffset)
	seen := map[string]bool{}
	for _, r := range append(first.Results, second.Results...) {
		if seen[r.ID] {
			t.Fatalf("result %s on both pages", r.ID)
		}
		seen[r.ID] = true
	}
	if len(second.Results) != 2 || second.NextOffset != "" || seen[fmt.Sprintf("m%d", pending.ID)] {
		t.Fatalf("second page: %d results, next %q; want the last 2 of the 52 cat memes, never the rejected meme", len(second.Results), second.NextOffset)
	}
	if ru := e.inlineAnswer(ann, "кот", ""); len(ru.Results) != 1 || ru.Results[0].ID != fmt.Sprintf("m%d", memes[52].ID) {
		t.Fatalf("кот = %+v, want the Russian meme", ru.Results)
	}
	short := e.inlineAnswer(ann, "ca", "")
	if len(short.Results) != 0 || short.Button == nil || !strings.Contains(short.Button.Text, "3") {
		t.Fatalf("a 2-letter query: %+v, want no results and a button saying 3 letters are needed", short)
	}
	none := e.inlineAnswer(ann, "zebra", "")
	if len(none.Results) != 0 || none.Button == nil || !strings.Contains(none.Button.Text, "zebra") {
		t.Fatalf("no match: %+v, want a button naming the query", none)
	}

	group := e.tg.CreateChat(tgfake.Chat{ID: -1005101, Type: "supergroup", Title: "friends"})
	dogID, err := e.tg.SendInlineQuery(ann, "dog", "", "supergroup")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the dog answer", func() bool { _, ok := e.tg.InlineAnswerFor(dogID); return ok })
	posted, err := e.tg.ChooseInlineResult(dogID, fmt.Sprintf("m%d", memes[53].ID), group)
	if err != nil || posted.MediaFileID() != memes[53].StorageFileID {
		t.Fatalf("choosing the dog meme: %v %+v", err, posted)
	}
	eventually(t, "the pick recorded", func() bool {
		var n int
		storagetest.SQL(e.store).QueryRowContext(ctx, `SELECT count(*) FROM inline_picks WHERE user_id = $1 AND meme_id = $2 AND query = 'dog'`, ann.ID, memes[53].ID).Scan(&n)
		return n == 1
	})

	stranger := user(5102, "ru")
	a := e.inlineAnswer(stranger, "", "")
	if a.Button == nil || a.Button.StartParameter == "" || len(a.Results) == 0 {
		t.Fatalf("a stranger's empty query: %+v, want the popular memes and a button that opens the bot", a)
	}
	id, _ := e.tg.SendInlineQuery(stranger, "", "", "private")
	eventually(t, "the stranger's answer", func() bool { _, ok := e.tg.InlineAnswerFor(id); return ok })
	if _, err := e.tg.PressInlineButton(id); err != nil {
		t.Fatal(err)
	}
	e.waitBot(stranger.ID, "a welcome after the inline button", func(m tgfake.Message) bool { return m.MediaFileID() != "" || m.Text != "" })
}
