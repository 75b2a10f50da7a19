package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"memebot/media"
	"memebot/moderation"
	"memebot/storage"
	"memebot/tgfake"
)

// photo reads a meme of the committed evaluation subset: real photographs
// with captions (dedupeval/testdata).
func photo(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../dedupeval/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// approvedMeme uploads data as u, approves it and returns the meme id.
func (e *env) approvedMeme(u tgfake.User, data []byte) int64 {
	e.t.Helper()
	e.upload(u, data, "")
	post := e.reviewPost(u)
	if _, err := e.tg.PressButtonLabeled(user(moderatorID, "en"), reviewChatID, post.MessageID, "✅ Approve"); err != nil {
		e.t.Fatal(err)
	}
	e.waitText(u.ID, "approved")
	return memeIDOf(e.t.(*testing.T), post)
}

func TestSamePictureWithOtherTextIsANewMeme(t *testing.T) {
	e := start(t)
	orig := e.approvedMeme(user(2101, "en"), photo(t, "mate-Blinds.jpg"))

	// The same photograph, the same top line, another bottom line: a new joke
	// (the pictures alone match: dedupeval -rules picture calls it a duplicate).
	eve := user(2102, "en")
	e.upload(eve, photo(t, "mate-Blinds~template1.jpg"), "")
	e.reviewPost(eve)

	// A cropped, brightened repost of the original is refused, naming it.
	fay := user(2103, "en")
	e.upload(fay, photo(t, "mate-Blinds~crop4_bright_12.jpg"), "")
	msg := e.waitText(fay.ID, "repeats")
	if !strings.Contains(msg.Text, fmt.Sprintf("#%d", orig)) {
		t.Fatalf("duplicate notice %q does not name meme #%d", msg.Text, orig)
	}
}

func TestRepostOfAMemeInReviewOrRefused(t *testing.T) {
	e := start(t)
	dan := user(2111, "ru")
	e.upload(dan, photo(t, "mate-Blinds.jpg"), "")
	post := e.reviewPost(dan)

	eve := user(2112, "ru")
	e.upload(eve, photo(t, "mate-Blinds~crop5_one_side.jpg"), "")
	if msg := e.waitText(eve.ID, "ждёт модераторов"); !strings.Contains(msg.Text, fmt.Sprintf("#%d", memeIDOf(t, post))) {
		t.Fatalf("notice %q should name meme #%d, in review", msg.Text, memeIDOf(t, post))
	}

	if _, err := e.tg.PressButtonLabeled(user(moderatorID, "en"), reviewChatID, post.MessageID, "🗑"); err != nil {
		t.Fatal(err)
	}
	e.waitText(dan.ID, "не принят")
	fay := user(2113, "en")
	e.upload(fay, photo(t, "mate-Blinds~watermark_jpeg_q35_crop3.jpg"), "")
	msg := e.waitText(fay.ID, "refused earlier")
	if !strings.Contains(msg.Text, "low quality") || !strings.Contains(msg.Text, fmt.Sprintf("#%d", memeIDOf(t, post))) {
		t.Fatalf("refusal %q should name meme #%d and its reason", msg.Text, memeIDOf(t, post))
	}
}

func TestSecondLookSendsASuspectedDuplicateToReviewOnce(t *testing.T) {
	e := start(t)
	orig := e.approvedMeme(user(2121, "en"), photo(t, "mate-Aqua.jpg"))

	eve := user(2122, "en")
	e.upload(eve, photo(t, "mate-Aqua~caption_bar_resize60_q75.jpg"), "")
	notice := e.waitText(eve.ID, "repeats")
	if len(notice.Buttons()) != 1 {
		t.Fatalf("duplicate notice has buttons %v, want one for a second look", notice.Buttons())
	}
	// Only the uploader may ask (the button's data is the upload's id).
	subID := notice.Buttons()[0].CallbackData
	var id int64
	fmt.Sscanf(subID[strings.LastIndex(subID, "|")+1:], "%d", &id)
	if _, err := e.store.RequestSecondLook(context.Background(), id, 2123); !errors.Is(err, storage.ErrNoSecondLook) {
		t.Fatalf("a second look asked by another user: %v", err)
	}
	cb, err := e.tg.PressButtonLabeled(eve, eve.ID, notice.MessageID, "🔍")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "second look acknowledged", func() bool { a, ok := e.tg.CallbackAnswer(cb); return ok && strings.Contains(a.Text, "moderators") })
	resembled := e.waitText(reviewChatID, fmt.Sprintf("Meme #%d", orig))
	if resembled.MediaFileID() == "" {
		t.Fatalf("the resembled meme was not shown: %+v", resembled)
	}
	post := e.reviewPost(eve)
	if !strings.Contains(post.Caption, fmt.Sprintf("suspected duplicate of meme #%d", orig)) {
		t.Fatalf("review post does not say what it may repeat:\n%s", post.Caption)
	}
	if _, err := e.tg.PressButtonLabeled(user(moderatorID, "en"), reviewChatID, post.MessageID, "✅ Approve"); err != nil {
		t.Fatal(err)
	}
	e.waitText(eve.ID, "approved")

	// The figures that led to the suspicion are stored with the decided meme.
	meme, err := e.store.Meme(context.Background(), memeIDOf(t, post))
	if err != nil {
		t.Fatal(err)
	}
	var report moderation.Report
	_ = json.Unmarshal(meme.Checks, &report)
	suspicion := -1
	for i, r := range report.Results {
		if r.Check == "duplicate" && r.Details["resembles"] == float64(orig) {
			suspicion = i
		}
	}
	if meme.Status != storage.MemeOK || suspicion < 0 {
		t.Fatalf("meme %d: status %s, checks %s", meme.ID, meme.Status, meme.Checks)
	}
	sub, err := e.store.SubmissionOfMeme(context.Background(), meme.ID)
	if err != nil {
		t.Fatal(err)
	}
	var v media.Verdict
	if err := json.Unmarshal(sub.DuplicateVerdict, &v); err != nil || v.PHashDistance > media.CandidateDistance || sub.SecondLookAt == nil {
		t.Fatalf("submission verdict %s (%v), second look at %v", sub.DuplicateVerdict, err, sub.SecondLookAt)
	}
	// Asking again changes nothing.
	if _, err := e.tg.PressButtonLabeled(eve, eve.ID, notice.MessageID, "🔍"); err == nil {
		t.Fatal("the second-look button is still there after use")
	}
	if _, err := e.store.RequestSecondLook(context.Background(), id, eve.ID); !errors.Is(err, storage.ErrNoSecondLook) {
		t.Fatalf("a second second look by the uploader: %v", err)
	}
}

// TestTwoTextsOnOnePictureAtOnce: two uploads of one photograph with
// different bottom lines sent at the same moment are both new memes; the
// one processed second waits for the other's text instead of judging by
// the picture alone. A suspect goes to the moderators beside the meme it
// resembles: the same caption on another small drawing, which the pictures
// alone cannot tell from a crop (the busy photograph of cups, whose
// lettering OCR could not read, was the suspect here until OCR read its
// rows of letters and told its template apart by the text).
func TestTwoTextsOnOnePictureAtOnce(t *testing.T) {
	e := start(t)
	gil, hal := user(2131, "ru"), user(2132, "ru")
	e.upload(gil, photo(t, "mate-Blinds.jpg"), "")
	e.upload(hal, photo(t, "mate-Blinds~template1.jpg"), "")
	e.reviewPost(gil)
	e.reviewPost(hal)
	for _, u := range []tgfake.User{gil, hal} {
		for _, m := range e.tg.Transcript(u.ID) {
			if m.FromBot() && strings.Contains(m.Text, "repeats") {
				t.Fatalf("user %d was told %q", u.ID, m.Text)
			}
		}
	}

	bee := e.approvedMeme(user(2133, "en"), photo(t, "animals-bee3_mimooh_01.jpg"))
	ida := user(2134, "en")
	e.upload(ida, photo(t, "animals-bee3_mimooh_01~other_picture.jpg"), "")
	post := e.reviewPost(ida)
	if !strings.Contains(post.Caption, fmt.Sprintf("suspected duplicate of meme #%d", bee)) {
		t.Fatalf("review post of a suspect does not name meme #%d:\n%s", bee, post.Caption)
	}
	shown := false
	for _, m := range e.tg.Transcript(reviewChatID) {
		shown = shown || strings.Contains(m.Caption, fmt.Sprintf("Meme #%d", bee))
	}
	if !shown {
		t.Fatalf("the meme a suspect resembles was not shown to moderators:\n%s", e.dump(reviewChatID))
	}
}
