package tgfake

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"testing"
)

func TestSaveAndLoadState(t *testing.T) {
	srv, ts := newTestServer(t)
	group := srv.CreateChat(Chat{ID: -1001234, Type: ChatSupergroup, Title: "Review"})
	photo := testJPEG(t, 640, 480)
	mustSend(t)(srv.SendPhoto(ann, ann.PrivateChat(), photo, "look"))
	var sent Message
	mustOK(t, callAPI(t, ts, "sendMessage", map[string]any{"chat_id": group.ID, "text": "vote",
		"reply_markup": `{"inline_keyboard":[[{"text":"✅ Approve","callback_data":"a"}]]}`}), &sent)
	mustOK(t, callAPI(t, ts, "editMessageText", map[string]any{"chat_id": group.ID, "message_id": sent.MessageID, "text": "decided"}), nil)
	mustOK(t, callAPI(t, ts, "sendMessage", map[string]any{"chat_id": ann.ID, "text": "gone"}), &sent)
	mustOK(t, callAPI(t, ts, "deleteMessage", map[string]any{"chat_id": ann.ID, "message_id": sent.MessageID}), nil)
	mustOK(t, callAPI(t, ts, "setMyCommands", map[string]any{"commands": `[{"command":"start","description":"Start"}]`}), nil)
	srv.BlockBot(bob.ID)

	var saved bytes.Buffer
	if err := srv.SaveState(&saved); err != nil {
		t.Fatal(err)
	}
	again, ts2 := newTestServer(t)
	if err := again.LoadState(&saved); err != nil {
		t.Fatal(err)
	}

	if !reflect.DeepEqual(again.Chats(), srv.Chats()) {
		t.Fatalf("chats after load %+v, want %+v", again.Chats(), srv.Chats())
	}
	for _, c := range srv.Chats() {
		if got, want := again.Transcript(c.ID), srv.Transcript(c.ID); !reflect.DeepEqual(got, want) {
			t.Errorf("transcript of %d after load:\n%+v\nwant\n%+v", c.ID, got, want)
		}
	}
	if !reflect.DeepEqual(again.AllCommands(), srv.AllCommands()) {
		t.Errorf("commands after load %+v, want %+v", again.AllCommands(), srv.AllCommands())
	}
	userPhoto := srv.Transcript(ann.ID)[0]
	if again.Transcript(ann.ID)[0].FromBot() || !again.Transcript(group.ID)[0].FromBot() {
		t.Error("who sent a message was not kept")
	}

	// The stored photo downloads byte for byte through getFile, and new ids continue.
	var f File
	mustOK(t, callAPI(t, ts2, "getFile", map[string]any{"file_id": userPhoto.MediaFileID()}), &f)
	resp, err := http.Get(ts2.URL + "/file/bot" + testToken + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, photo) {
		t.Fatalf("downloaded %d bytes after load, want the %d uploaded", len(body), len(photo))
	}
	var next Message
	mustOK(t, callAPI(t, ts2, "sendMessage", map[string]any{"chat_id": ann.ID, "text": "hello again"}), &next)
	if next.MessageID != sent.MessageID+1 {
		t.Errorf("message id after load = %d, want %d", next.MessageID, sent.MessageID+1)
	}
	mustOK(t, callAPI(t, ts2, "sendPhoto", map[string]any{"chat_id": ann.ID, "photo": userPhoto.MediaFileID()}), &next)
	up := mustSend(t)(again.SendPhoto(ann, ann.PrivateChat(), testJPEG(t, 100, 100), ""))
	for _, old := range srv.Transcript(ann.ID) {
		if old.MediaFileID() != "" && old.MediaFileID() == up.MediaFileID() {
			t.Fatalf("a new upload reused file id %s", up.MediaFileID())
		}
	}
	// Bob's block holds: sending to him is refused.
	mustFail(t, callAPI(t, ts2, "sendMessage", map[string]any{"chat_id": bob.ID, "text": "hi"}), 403, "Forbidden: bot was blocked by the user")
}

func TestLoadStateRefusesGarbage(t *testing.T) {
	srv, _ := newTestServer(t)
	if err := srv.LoadState(bytes.NewReader([]byte("not gob"))); err == nil {
		t.Fatal("loading garbage succeeded")
	}
}
