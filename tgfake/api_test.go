package tgfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRoutingAndEncodings(t *testing.T) {
	srv, ts := newTestServer(t)
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "hi"))

	resp, err := http.Get(ts.URL + "/botWRONG/getMe")
	if err != nil {
		t.Fatal(err)
	}
	mustFail(t, decodeAnswer(t, resp), 401, "Unauthorized")
	mustFail(t, callAPI(t, ts, "sendTelepathy", nil), 404, "Not Found")

	var me User
	mustOK(t, callAPI(t, ts, "GETME", nil), &me)
	if !me.IsBot || me.Username != "memebot_test_bot" || me.ID != 123456 {
		t.Errorf("getMe = %+v", me)
	}

	// GET query parameters.
	resp, err = http.Get(ts.URL + "/bot" + testToken + "/sendMessage?chat_id=1001&text=via+query")
	if err != nil {
		t.Fatal(err)
	}
	var m Message
	mustOK(t, decodeAnswer(t, resp), &m)
	// urlencoded body with reply_markup as a JSON string inside a field.
	form := url.Values{"chat_id": {"1001"}, "text": {"via form"},
		"reply_markup": {`{"inline_keyboard":[[{"text":"Go","callback_data":"go"}]]}`}}
	resp, err = http.PostForm(ts.URL+"/bot"+testToken+"/sendMessage", form)
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, decodeAnswer(t, resp), &m)
	if m.Text != "via form" || m.ReplyMarkup == nil || m.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "go" {
		t.Errorf("form message = %+v", m)
	}
	if m.Chat.Type != ChatPrivate || m.From == nil || !m.From.IsBot || m.MessageID != 3 {
		t.Errorf("message envelope = %+v", m)
	}
	if d := time.Now().Unix() - m.Date; d < 0 || d > 5 {
		t.Errorf("date %d is not now in Unix seconds", m.Date)
	}
	// JSON with typed (non-string) values.
	mustOK(t, callAPI(t, ts, "sendMessage", map[string]any{"chat_id": 1001, "text": "typed", "reply_to_message_id": 1}), &m)
	if m.ReplyToMessage == nil || m.ReplyToMessage.Text != "hi" {
		t.Errorf("reply_to_message = %+v", m.ReplyToMessage)
	}
	if n := len(srv.Calls("sendMessage")); n != 3 {
		t.Errorf("recorded %d sendMessage calls, want 3", n)
	}
}

func TestSendErrors(t *testing.T) {
	srv, ts := newTestServer(t)
	mustFail(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "4242", "text": "x"}), 400, "Bad Request: chat not found")
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "/start"))
	mustFail(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1001", "text": " "}), 400, "Bad Request: message text is empty")
	srv.BlockBot(ann.ID)
	mustFail(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1001", "text": "x"}), 403, "Forbidden: bot was blocked by the user")
	srv.UnblockBot(ann.ID)
	mustOK(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1001", "text": "x"}), nil)
	mustFail(t, callAPI(t, ts, "sendPhoto", map[string]string{"chat_id": "1001", "photo": "https://example.com/a.jpg"}),
		400, "Bad Request: failed to get HTTP URL content")
	mustFail(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1001", "text": "x",
		"reply_markup": `{"inline_keyboard":[[{"text":"no action"}]]}`}),
		400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
}

func TestGetUpdatesOffsets(t *testing.T) {
	srv, ts := newTestServer(t)
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "one"))
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "two"))

	var ups []struct {
		ID      int      `json:"update_id"`
		Message *Message `json:"message"`
	}
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"limit": 1}), &ups)
	if len(ups) != 1 || ups[0].Message.Text != "one" {
		t.Fatalf("limit 1 = %+v", ups)
	}
	first := ups[0].ID
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"offset": 0}), &ups)
	if len(ups) != 2 || ups[0].ID != first {
		t.Fatalf("unconfirmed updates must be delivered again, got %+v", ups)
	}
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"offset": first + 1}), &ups)
	if len(ups) != 1 || ups[0].Message.Text != "two" {
		t.Fatalf("offset confirms earlier updates, got %+v", ups)
	}
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"offset": ups[0].ID + 1}), &ups)
	if len(ups) != 0 || srv.PendingUpdates() != 0 {
		t.Fatalf("all confirmed, got %+v pending %d", ups, srv.PendingUpdates())
	}

	start := time.Now()
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"timeout": 1}), &ups)
	if el := time.Since(start); len(ups) != 0 || el < 900*time.Millisecond {
		t.Fatalf("empty long poll returned %v after %v", ups, el)
	}

	go func() {
		time.Sleep(100 * time.Millisecond)
		_, _ = srv.SendText(ann, ann.PrivateChat(), "three")
	}()
	start = time.Now()
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"timeout": 10}), &ups)
	if el := time.Since(start); len(ups) != 1 || ups[0].Message.Text != "three" || el > 5*time.Second {
		t.Fatalf("long poll woke with %+v after %v", ups, el)
	}
}

func TestAllowedUpdatesRemembered(t *testing.T) {
	srv, ts := newTestServer(t)
	m := mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "meme"))
	var ups []map[string]json.RawMessage
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{}), &ups)
	if err := srv.React(ann, ann.ID, m.MessageID, "👍"); err != nil {
		t.Fatal(err)
	}
	if srv.PendingUpdates() != 1 {
		t.Fatalf("by default message_reaction is not delivered; pending %d", srv.PendingUpdates())
	}
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"offset": -1, "allowed_updates": []string{"message", "message_reaction"}}), &ups)
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"offset": 1 << 30}), &ups) // confirm all
	if err := srv.React(ann, ann.ID, m.MessageID, "🔥"); err != nil {
		t.Fatal(err)
	}
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]string{"allowed_updates": "null"}), &ups)
	if len(ups) != 1 || ups[0]["message_reaction"] == nil {
		t.Fatalf("reaction after allowed_updates was set: %v", ups)
	}
	var r MessageReactionUpdated
	if err := json.Unmarshal(ups[0]["message_reaction"], &r); err != nil {
		t.Fatal(err)
	}
	if len(r.OldReaction) != 1 || r.OldReaction[0].Emoji != "👍" || r.NewReaction[0].Emoji != "🔥" || r.User.ID != ann.ID {
		t.Errorf("reaction update = %+v", r)
	}
}

func TestSecondGetUpdatesConflicts(t *testing.T) {
	_, ts := newTestServer(t)
	done := make(chan apiAnswer)
	go func() { done <- callAPI(t, ts, "getUpdates", map[string]any{"timeout": 10}) }()
	time.Sleep(100 * time.Millisecond)
	second := make(chan apiAnswer)
	go func() { second <- callAPI(t, ts, "getUpdates", map[string]any{"timeout": 0}) }()
	select {
	case a := <-done:
		mustFail(t, a, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
	case <-time.After(5 * time.Second):
		t.Fatal("older getUpdates was not terminated")
	}
	mustOK(t, <-second, nil)
}

func TestEditsAndNotModified(t *testing.T) {
	srv, ts := newTestServer(t)
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "/start"))
	kb := `{"inline_keyboard":[[{"text":"👍 Like","callback_data":"like"}]]}`
	var m Message
	mustOK(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1001", "text": "meme", "reply_markup": kb}), &m)

	edit := map[string]string{"chat_id": "1001", "message_id": "2", "text": "meme", "reply_markup": kb}
	mustFail(t, callAPI(t, ts, "editMessageText", edit), 400, errNotModified.Description)
	edit["text"] = "meme v2"
	var edited Message
	mustOK(t, callAPI(t, ts, "editMessageText", edit), &edited)
	if edited.Text != "meme v2" || edited.EditDate == 0 || edited.ReplyMarkup == nil {
		t.Errorf("edited = %+v", edited)
	}
	// Without reply_markup Telegram removes the keyboard.
	delete(edit, "reply_markup")
	var bare Message
	mustOK(t, callAPI(t, ts, "editMessageText", edit), &bare)
	if bare.ReplyMarkup != nil {
		t.Errorf("keyboard kept after an edit without reply_markup")
	}
	mustFail(t, callAPI(t, ts, "editMessageReplyMarkup", map[string]string{"chat_id": "1001", "message_id": "2"}), 400, errNotModified.Description)
	mustFail(t, callAPI(t, ts, "editMessageText", map[string]string{"chat_id": "1001", "message_id": "99", "text": "x"}), 400, "Bad Request: message to edit not found")
	mustFail(t, callAPI(t, ts, "editMessageText", map[string]string{"chat_id": "1001", "message_id": "1", "text": "x"}), 400, "Bad Request: message can't be edited")
	mustFail(t, callAPI(t, ts, "editMessageCaption", map[string]string{"chat_id": "1001", "message_id": "2", "caption": "x"}), 400, "Bad Request: there is no caption in the message to edit")

	mustOK(t, callAPI(t, ts, "deleteMessage", map[string]string{"chat_id": "1001", "message_id": "2"}), nil)
	mustFail(t, callAPI(t, ts, "deleteMessage", map[string]string{"chat_id": "1001", "message_id": "2"}), 400, "Bad Request: message to delete not found")

	tr := srv.Transcript(ann.ID)
	if len(tr) != 2 || !tr[1].Deleted || tr[1].EditCount != 2 || tr[1].Text != "meme v2" || !tr[1].FromBot() || tr[0].FromBot() {
		t.Errorf("transcript = %+v", tr)
	}
}

func TestAnswerCallbackQueryOnce(t *testing.T) {
	srv, ts := newTestServer(t)
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "/start"))
	mustOK(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1001", "text": "rate",
		"reply_markup": `{"inline_keyboard":[[{"text":"👍 12","callback_data":"\fvote|up"},{"text":"👎","callback_data":"\fvote|down"}]]}`}), nil)
	if _, err := srv.PressButton(ann, ann.ID, 2, "nope"); err == nil {
		t.Fatal("pressing a button that does not exist must fail")
	}
	id, err := srv.PressButtonLabeled(ann, ann.ID, 2, "👍")
	if err != nil {
		t.Fatal(err)
	}
	var ups []struct {
		CallbackQuery *CallbackQuery `json:"callback_query"`
	}
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"offset": -1}), &ups)
	if q := ups[0].CallbackQuery; q == nil || q.ID != id || q.Data != "\fvote|up" || q.Message.MessageID != 2 || q.From.ID != ann.ID {
		t.Fatalf("callback update = %+v", ups[0].CallbackQuery)
	}
	answer := map[string]any{"callback_query_id": id, "text": "Voted", "show_alert": true}
	mustOK(t, callAPI(t, ts, "answerCallbackQuery", answer), nil)
	mustFail(t, callAPI(t, ts, "answerCallbackQuery", answer), 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	if a, ok := srv.CallbackAnswer(id); !ok || a.Text != "Voted" || !a.ShowAlert {
		t.Errorf("CallbackAnswer = %+v, %v", a, ok)
	}
}

func TestFaults(t *testing.T) {
	srv, ts := newTestServer(t)
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "/start"))
	srv.Fail("sendMessage", 1, Fault{Code: 429, RetryAfter: 2})
	a := callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1001", "text": "x"})
	mustFail(t, a, 429, "Too Many Requests: retry after 2")
	if a.Parameters.RetryAfter != 2 {
		t.Errorf("retry_after = %d", a.Parameters.RetryAfter)
	}
	mustOK(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1001", "text": "x"}), nil)
	if n := len(srv.Transcript(ann.ID)); n != 2 {
		t.Errorf("the refused call must have no effect; %d messages", n)
	}

	srv.Fail("", 1, Fault{Code: 502})
	resp, err := http.Get(ts.URL + "/bot" + testToken + "/getMe")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || !strings.Contains(string(body), "502 Bad Gateway") {
		t.Errorf("502 fault = %d %s", resp.StatusCode, body)
	}
	srv.Fail("getMe", 1, Fault{Code: 500})
	mustFail(t, callAPI(t, ts, "getMe", nil), 500, "Internal Server Error")
	calls := srv.Calls("getMe")
	if len(calls) != 2 || calls[1].Err == nil || calls[1].Err.Code != 500 {
		t.Errorf("calls = %+v", calls)
	}
}

func TestHTMLParseMode(t *testing.T) {
	srv, ts := newTestServer(t)
	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "/start"))
	var m Message
	mustOK(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1001", "parse_mode": "HTML",
		"text": `<b>Top</b> meme &amp; <a href="https://x.example">link</a> 😀<i>ok</i>`}), &m)
	if m.Text != "Top meme & link 😀ok" {
		t.Fatalf("text = %q", m.Text)
	}
	want := []MessageEntity{{Type: "bold", Offset: 0, Length: 3}, {Type: "text_link", Offset: 11, Length: 4, URL: "https://x.example"},
		{Type: "italic", Offset: 18, Length: 2}} // 😀 is two UTF-16 units
	if !sameEntities(m.Entities, want) {
		t.Errorf("entities = %+v", m.Entities)
	}
	mustFail(t, callAPI(t, ts, "sendMessage", map[string]string{"chat_id": "1001", "parse_mode": "HTML", "text": "<blink>x</blink>"}),
		400, `Bad Request: can't parse entities: Unsupported start tag "blink" at byte offset 0`)
}

func TestWebhookDelivery(t *testing.T) {
	srv, ts := newTestServer(t)
	got := make(chan *http.Request, 4)
	bodies := make(chan []byte, 4)
	hook := newHookServer(t, got, bodies)
	mustOK(t, callAPI(t, ts, "setWebhook", map[string]string{"url": hook.URL, "secret_token": "s3cret"}), nil)
	mustFail(t, callAPI(t, ts, "getUpdates", nil), 409, errWebhookActive.Description)

	mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "hook me"))
	select {
	case r := <-got:
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret" {
			t.Errorf("secret header = %q", r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		}
		if b := <-bodies; !strings.Contains(string(b), "hook me") {
			t.Errorf("webhook body = %s", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("update was not posted to the webhook")
	}
	var info WebhookInfo
	waitFor(t, func() bool {
		mustOK(t, callAPI(t, ts, "getWebhookInfo", nil), &info)
		return info.PendingUpdateCount == 0
	})
	if info.URL != hook.URL {
		t.Errorf("webhook info = %+v", info)
	}
	mustOK(t, callAPI(t, ts, "deleteWebhook", nil), nil)
	mustOK(t, callAPI(t, ts, "getUpdates", nil), nil)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLatencyAndUserMedia(t *testing.T) {
	srv, ts := newTestServer(t)
	srv.SetLatency(300 * time.Millisecond)
	start := time.Now()
	mustOK(t, callAPI(t, ts, "getMe", nil), nil)
	if el := time.Since(start); el < 300*time.Millisecond {
		t.Errorf("call took %v despite 300ms latency", el)
	}
	srv.SetLatency(0)

	video := mustSend(t)(srv.SendVideo(ann, ann.PrivateChat(), minimalMP4(1280, 720, 12), "clip"))
	if video.Video == nil || video.Video.Width != 1280 || video.Video.Height != 720 || video.Video.Duration != 12 || video.Video.MimeType != "video/mp4" {
		t.Errorf("video = %+v", video.Video)
	}
	doc := mustSend(t)(srv.SendDocument(ann, ann.PrivateChat(), []byte("a,b\n"), "memes.csv", "text/csv", ""))
	if doc.Document == nil || doc.Document.FileName != "memes.csv" || doc.Document.MimeType != "text/csv" {
		t.Errorf("document = %+v", doc.Document)
	}
	if _, err := srv.SendPhoto(ann, ann.PrivateChat(), []byte("not an image"), ""); err == nil {
		t.Error("a photo that does not decode must be refused")
	}
	edited := mustSend(t)(srv.EditText(ann, ann.ID, mustSend(t)(srv.SendText(ann, ann.PrivateChat(), "typo")).MessageID, "fixed"))
	var ups []struct {
		Edited *Message `json:"edited_message"`
	}
	mustOK(t, callAPI(t, ts, "getUpdates", map[string]any{"offset": -1}), &ups)
	if len(ups) != 1 || ups[0].Edited == nil || ups[0].Edited.Text != "fixed" || edited.EditDate == 0 {
		t.Errorf("edited_message update = %+v", ups)
	}
	if _, err := srv.SendRawUpdate([]byte(`[1,2]`)); err == nil {
		t.Error("a raw update that is not an object must be refused")
	}
}
