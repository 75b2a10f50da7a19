package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"memebot/handlers"
	"memebot/tgfake"
)

// statsActivity is one viewer rating three memes (👍 👎 👍) and one uploader
// with an approved upload and one waiting for review.
func statsActivity(e *env) (viewer, uploader tgfake.User) {
	e.t.Helper()
	e.seedMemes("en", 3, 600)
	viewer, uploader = user(7001, "en"), user(7002, "en")
	e.say(viewer, "/start")
	for i, label := range []string{"👍", "👎", "👍"} {
		eventually(e.t, fmt.Sprintf("meme %d", i+1), func() bool { return len(e.memeMessages(viewer.ID)) == i+1 })
		if _, err := e.tg.PressButtonLabeled(viewer, viewer.ID, e.memeMessages(viewer.ID)[i].MessageID, label); err != nil {
			e.t.Fatal(err)
		}
	}
	e.waitText(viewer.ID, "seen every meme")

	e.upload(uploader, encodeJPEG(e.t, memeImage(610, 800, 600), 90), "approved one")
	first := e.reviewPost(uploader)
	e.tg.PressButtonLabeled(user(moderatorID, "en"), reviewChatID, first.MessageID, "✅ Approve")
	e.waitText(uploader.ID, "approved")
	e.upload(uploader, encodeJPEG(e.t, memeImage(620, 800, 600), 90), "waiting one")
	e.waitBot(reviewChatID, "second review post", func(m tgfake.Message) bool {
		return m.MessageID > first.MessageID && m.MediaFileID() != "" && len(m.Buttons()) > 0
	})
	return viewer, uploader
}

// statsReply sends /stats as u and waits for the reply containing marker.
func (e *env) statsReply(u tgfake.User, marker string) (tgfake.Message, tgfake.Message) {
	e.t.Helper()
	cmd := e.say(u, "/stats")
	return cmd, e.waitBot(u.ID, "/stats reply", func(m tgfake.Message) bool {
		return m.MessageID > cmd.MessageID && strings.Contains(m.Text, marker)
	})
}

func TestAdminStatsShowGlobalFiguresAndAChart(t *testing.T) {
	e := start(t)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	statsActivity(e)

	cmd, reply := e.statsReply(user(adminID, "en"), "Users:")
	for _, want := range []string{
		"Users: 2, active 2 in 24 h and 2 in 7 days, 0 blocked", // the viewer and the uploader
		"Memes: ok 4, waiting_review 1",
		"2 uploads; reviewed 1 approved, 0 rejected; 0 approved automatically",
		"3 memes sent, 3 reactions, like rate 67% (2 👍 / 1 👎)", // the approval's likes are not reactions
		"Like rate by engine, 7 days:",
		"Went live 1-25 h ago: 0 memes, 0 of them (—) shown to 20 people within their first hour", // all went live just now
		"Review backlog: 1,",
		"Media queue: ",
		"0 dead letters",
	} {
		if !strings.Contains(reply.Text, want) {
			t.Errorf("admin /stats lacks %q:\n%s", want, reply.Text)
		}
	}

	photo := e.waitBot(adminID, "/stats chart", func(m tgfake.Message) bool { return m.MessageID > cmd.MessageID && m.MediaFileID() != "" })
	data, err := e.tg.FileBytes(photo.MediaFileID())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	// Today: 3 reactions, 2 uploads, 1 approval. Near the right edge only
	// today's points are drawn, so the higher the figure, the higher its colour.
	right := image.Rect(img.Bounds().Dx()*92/100, 0, img.Bounds().Dx(), img.Bounds().Dy())
	tops := map[string]int{}
	for name, c := range map[string]color.RGBA{"reactions": handlers.ReactionsColor, "uploads": handlers.UploadsColor, "approvals": handlers.ApprovalsColor} {
		if tops[name] = topmost(img, right, c); tops[name] < 0 {
			t.Fatalf("the chart has no %s series near today:\n%v", name, tops)
		}
	}
	if time.Now().UTC().Truncate(24*time.Hour) != today {
		t.Skip("the test crossed midnight UTC: today's figures are split over two days")
	}
	if !(tops["reactions"] < tops["uploads"] && tops["uploads"] < tops["approvals"]) {
		t.Fatalf("today's points should stand reactions (3) above uploads (2) above approvals (1); top rows %v", tops)
	}
}

func TestUserStatsShowTheirOwnFigures(t *testing.T) {
	e := start(t)
	viewer, uploader := statsActivity(e)

	cmd, own := e.statsReply(viewer, "Memes seen")
	for _, want := range []string{"Memes seen: 3", "Likes: 2", "Dislikes: 1", "Uploads: 0, approved: 0", "Coins: 0"} {
		if !strings.Contains(own.Text, want) {
			t.Errorf("viewer's /stats lacks %q:\n%s", want, own.Text)
		}
	}
	if strings.Contains(own.Text, "Users:") || strings.Contains(own.Text, "queue") {
		t.Errorf("a plain user was shown the global figures:\n%s", own.Text)
	}
	_, own = e.statsReply(uploader, "Memes seen")
	for _, want := range []string{"Memes seen: 0", "Likes: 0", "Uploads: 2, approved: 1", "Coins: 5"} {
		if !strings.Contains(own.Text, want) {
			t.Errorf("uploader's /stats lacks %q:\n%s", want, own.Text)
		}
	}
	e.botIdle()
	for _, m := range e.tg.Transcript(viewer.ID) {
		if m.FromBot() && m.MessageID > cmd.MessageID && m.MediaFileID() != "" {
			t.Fatal("a plain user was sent the global chart")
		}
	}
}

// topmost is the highest row in r painted exactly c, or -1.
func topmost(img image.Image, r image.Rectangle, c color.RGBA) int {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) == c {
				return y
			}
		}
	}
	return -1
}
