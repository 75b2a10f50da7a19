package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"memebot/storage"
	"memebot/tgfake"
)

// An upload whose processing keeps failing is given up on after
// JOB_MAX_ATTEMPTS: the submission is recorded as failed, the uploader is
// asked to send it again, the admins are told, and nothing reaches the
// review chat.
func TestUploadThatKeepsFailingIsGivenUpOnAndAdminsAreTold(t *testing.T) {
	e := start(t, "JOB_MAX_ATTEMPTS=2")
	e.tg.Fail("getFile", 100, tgfake.Fault{Code: 400, Description: "Bad Request: wrong file_id or the file is temporarily unavailable"})
	e.say(user(adminID, "en"), "/start") // a bot can write only to users who started it
	ann := user(2301, "en")
	sent, err := e.tg.SendPhoto(ann, ann.PrivateChat(), encodeJPEG(t, memeImage(7, 640, 480), 90), "")
	if err != nil {
		t.Fatal(err)
	}
	ack := e.waitText(ann.ID, "Got it")
	if ack.ReplyToMessage == nil || ack.ReplyToMessage.MessageID != sent.MessageID {
		t.Errorf("the acknowledgement does not quote the upload: %+v", ack.ReplyToMessage)
	}
	var id int64
	if _, err := fmt.Sscanf(ack.Text[strings.Index(ack.Text, "#")+1:], "%d", &id); err != nil {
		t.Fatalf("no submission number in %q", ack.Text)
	}

	alert := e.waitText(adminID, "was given up on")
	if !strings.Contains(alert.Text, "Upload #") || !strings.Contains(alert.Text, "2 attempts") {
		t.Errorf("admin alert = %q, want the upload and its attempts", alert.Text)
	}
	e.waitText(ann.ID, "Please send it again")
	sub, err := e.store.Submission(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Status != storage.SubmissionFailed {
		t.Errorf("submission %d is %q, want failed", id, sub.Status)
	}
	if calls := len(e.tg.Calls("getFile")); calls != 2 {
		t.Errorf("getFile called %d times, want one per attempt (2)", calls)
	}
	for _, m := range e.tg.Transcript(reviewChatID) {
		if m.FromBot() {
			t.Fatalf("a given-up upload reached the review chat: %+v", m)
		}
	}
}
