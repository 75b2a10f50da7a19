package tgfake

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"
)

// TestTelebotInlineSearchAndChoice runs a real telebot bot through inline
// mode: the query reaches it, its cached-photo answer is checked and shown,
// the user's pick is posted "via" the bot and reported back, and the start
// button opens the private chat with the deep-link parameter.
func TestTelebotInlineSearchAndChoice(t *testing.T) {
	srv, ts := newTestServer(t)
	b, err := tele.NewBot(tele.Settings{URL: ts.URL, Token: testToken,
		Poller: &tele.LongPoller{Timeout: time.Second, AllowedUpdates: []string{"message", "inline_query", "chosen_inline_result"}}})
	if err != nil {
		t.Fatal(err)
	}
	meme := mustSend(t)(srv.SendPhoto(bob, bob.PrivateChat(), testJPEG(t, 64, 48), "cat"))
	fileID := meme.MediaFileID()
	chosen := make(chan *tele.InlineResult, 1)
	starts := make(chan string, 1)
	b.Handle(tele.OnQuery, func(c tele.Context) error {
		res := &tele.PhotoResult{Cache: fileID, Caption: "cat meme"}
		res.SetResultID("m1")
		return c.Answer(&tele.QueryResponse{Results: tele.Results{res}, NextOffset: "50",
			IsPersonal: true, Button: &tele.QueryResponseButton{Text: "Open the bot", Start: "inl"}})
	})
	b.Handle(tele.OnInlineResult, func(c tele.Context) error { chosen <- c.InlineResult(); return nil })
	b.Handle("/start", func(c tele.Context) error { starts <- c.Message().Payload; return nil })
	go b.Start()
	defer b.Stop()

	qid, err := srv.SendInlineQuery(ann, "cat", "", "group")
	if err != nil {
		t.Fatal(err)
	}
	var answer InlineAnswer
	waitFor(t, func() bool { var ok bool; answer, ok = srv.InlineAnswerFor(qid); return ok })
	if len(answer.Results) != 1 || answer.Results[0].PhotoFileID != fileID || answer.NextOffset != "50" || !answer.IsPersonal {
		t.Fatalf("answer = %+v", answer)
	}
	group := srv.CreateChat(Chat{ID: -100500, Type: ChatSupergroup, Title: "friends"})
	posted, err := srv.ChooseInlineResult(qid, "m1", group)
	if err != nil {
		t.Fatal(err)
	}
	if posted.ViaBot == nil || posted.ViaBot.ID != srv.Bot().ID || posted.From.ID != ann.ID ||
		posted.MediaFileID() != fileID || posted.Caption != "cat meme" {
		t.Fatalf("posted = %+v", posted)
	}
	select {
	case r := <-chosen:
		if r.ResultID != "m1" || r.Query != "cat" || r.Sender.ID != ann.ID {
			t.Fatalf("chosen = %+v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no chosen_inline_result")
	}
	if _, err := srv.PressInlineButton(qid); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-starts:
		if p != "inl" {
			t.Fatalf("/start payload = %q", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no /start from the inline button")
	}
}

// TestAnswerInlineQueryChecks: Telegram refuses bad answers before anyone sees them.
func TestAnswerInlineQueryChecks(t *testing.T) {
	srv, ts := newTestServer(t)
	photo := mustSend(t)(srv.SendPhoto(bob, bob.PrivateChat(), testJPEG(t, 32, 32), "")).MediaFileID()
	many := make([]map[string]string, 51)
	for i := range many {
		many[i] = map[string]string{"type": "photo", "id": fmt.Sprint(i), "photo_file_id": photo}
	}
	cases := []struct {
		name    string
		results any
		extra   map[string]any
		want    string
	}{
		{"too many", many, nil, "Bad Request: RESULTS_TOO_MUCH"},
		{"duplicate id", []map[string]string{{"type": "photo", "id": "a", "photo_file_id": photo}, {"type": "photo", "id": "a", "photo_file_id": photo}}, nil, "Bad Request: RESULT_ID_DUPLICATE"},
		{"unknown file", []map[string]string{{"type": "photo", "id": "a", "photo_file_id": "nope"}}, nil, "Bad Request: wrong file identifier/HTTP URL specified"},
		{"photo as video", []map[string]string{{"type": "video", "id": "a", "video_file_id": photo, "title": "x"}}, nil, "Bad Request: wrong file identifier/HTTP URL specified"},
		{"video without title", []map[string]string{{"type": "video", "id": "a", "video_file_id": photo}}, nil, "Bad Request: RESULT_TITLE_EMPTY"},
		{"long offset", []map[string]string{}, map[string]any{"next_offset": strings.Repeat("9", 65)}, "Bad Request: NEXT_OFFSET_INVALID"},
		{"bad start parameter", []map[string]string{}, map[string]any{"button": map[string]string{"text": "Open", "start_parameter": "a b"}}, "Bad Request: START_PARAM_INVALID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			qid, _ := srv.SendInlineQuery(ann, "q", "", "sender")
			params := map[string]any{"inline_query_id": qid, "results": c.results}
			for k, v := range c.extra {
				params[k] = v
			}
			mustFail(t, callAPI(t, ts, "answerInlineQuery", params), 400, c.want)
			if _, ok := srv.InlineAnswerFor(qid); ok {
				t.Fatal("a refused answer was recorded")
			}
		})
	}
	qid, _ := srv.SendInlineQuery(ann, "q", "", "sender")
	ok := map[string]any{"inline_query_id": qid, "results": []map[string]string{{"type": "photo", "id": "a", "photo_file_id": photo}}}
	mustOK(t, callAPI(t, ts, "answerInlineQuery", ok), nil)
	mustFail(t, callAPI(t, ts, "answerInlineQuery", ok), 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
}

// TestForwardFromChannel: a user forwards a public channel's post the bot is
// not in; the bot sees the content and the channel in forward_origin.
func TestForwardFromChannel(t *testing.T) {
	srv, ts := newTestServer(t)
	b, err := tele.NewBot(tele.Settings{URL: ts.URL, Token: testToken,
		Poller: &tele.LongPoller{Timeout: time.Second, AllowedUpdates: []string{"message", "channel_post"}}})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *tele.Message, 2)
	b.Handle(tele.OnPhoto, func(c tele.Context) error { got <- c.Message(); return nil })
	b.Handle(tele.OnChannelPost, func(c tele.Context) error { got <- c.Message(); return nil })
	channel := srv.CreateChat(Chat{ID: -1001234567890, Type: ChatChannel, Title: "Cats", Username: "catmemes"})
	if err := srv.SetBotMember(channel.ID, false); err != nil {
		t.Fatal(err)
	}
	post := mustSend(t)(srv.SendPhoto(bob, channel, testJPEG(t, 40, 40), "a cat"))
	go b.Start()
	defer b.Stop()
	if _, err := srv.ForwardMessage(ann, channel.ID, post.MessageID, ann.PrivateChat()); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.Origin == nil || m.Origin.Type != "channel" || m.Origin.Chat == nil || m.Origin.Chat.Username != "catmemes" ||
			m.Origin.MessageID != post.MessageID || m.Photo == nil || m.Caption != "a cat" || m.Sender.ID != ann.ID {
			t.Fatalf("forwarded = %+v origin %+v", m, m.Origin)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the forward never reached the bot")
	}
	select {
	case m := <-got:
		t.Fatalf("the bot got an update from a channel it is not in: %+v", m)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestScenarioHTTPInlineAndForward drives inline mode and a forward through
// the HTTP scenario API, the way tests in other languages would.
func TestScenarioHTTPInlineAndForward(t *testing.T) {
	srv, ts := newTestServer(t)
	photo := mustSend(t)(srv.SendPhoto(bob, bob.PrivateChat(), testJPEG(t, 32, 32), "")).MediaFileID()
	var q struct {
		ID string `json:"inline_query_id"`
	}
	if code := postJSON(t, ts.URL+"/_fake/inline_queries", map[string]any{"user": ann, "query": "dog"}, &q); code != 200 || q.ID == "" {
		t.Fatalf("inline query: %d %+v", code, q)
	}
	var unanswered struct {
		Answered bool `json:"answered"`
	}
	getJSON(t, ts.URL+"/_fake/inline_queries/"+q.ID, &unanswered)
	if unanswered.Answered {
		t.Fatal("answered before the bot said anything")
	}
	mustOK(t, callAPI(t, ts, "answerInlineQuery", map[string]any{"inline_query_id": q.ID,
		"results": []map[string]string{{"type": "photo", "id": "d1", "photo_file_id": photo}}}), nil)
	var got struct {
		Answered bool         `json:"answered"`
		Answer   InlineAnswer `json:"answer"`
	}
	getJSON(t, ts.URL+"/_fake/inline_queries/"+q.ID, &got)
	if !got.Answered || len(got.Answer.Results) != 1 || got.Answer.Results[0].ID != "d1" {
		t.Fatalf("answer = %+v", got)
	}
	var posted TranscriptEntry
	if code := postJSON(t, ts.URL+"/_fake/inline_queries/"+q.ID+"/choose", map[string]any{"result_id": "d1"}, &posted); code != 200 ||
		posted.ViaBot == nil || posted.MediaFileID() != photo || posted.Chat.ID != ann.ID {
		t.Fatalf("choose: %d %+v", code, posted)
	}
	if code := postJSON(t, ts.URL+"/_fake/inline_queries/"+q.ID+"/choose", map[string]any{"result_id": "zz"}, nil); code != 404 {
		t.Fatalf("choosing a result the bot never gave: %d, want 404", code)
	}
	channel := srv.CreateChat(Chat{ID: -1009, Type: ChatChannel, Title: "Dogs", Username: "dogs"})
	post := mustSend(t)(srv.SendText(bob, channel, "woof"))
	var fwd TranscriptEntry
	if code := postJSON(t, ts.URL+"/_fake/forward", map[string]any{"user": ann, "from_chat_id": channel.ID, "message_id": post.MessageID}, &fwd); code != 200 ||
		fwd.ForwardOrigin == nil || fwd.ForwardOrigin.Chat.Username != "dogs" || fwd.Text != "woof" || fwd.Chat.ID != ann.ID {
		t.Fatalf("forward: %d %+v", code, fwd)
	}
}
