package e2e

import (
	"context"
	"strings"
	"testing"

	"memebot/app"
	"memebot/config"
	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

func TestPauseAndResumeSurviveARestartAndRefuseNonAdmins(t *testing.T) {
	e := start(t)
	admin, nobody := user(adminID, "en"), user(4001, "en")

	e.say(nobody, "/pause all")
	e.waitText(nobody.ID, "Only admins")
	if paused, _ := e.store.JobPaused(context.Background(), "ingest-telegram"); paused {
		t.Fatal("a non-admin paused a job")
	}

	e.say(admin, "/pause")
	list := e.waitText(adminID, "Background jobs")
	for _, job := range []string{"ingest-telegram", "ingest-vk", "ingest-instagram", "requeue-stale", "media-worker"} {
		if !strings.Contains(list.Text, job) {
			t.Errorf("/pause does not list %s:\n%s", job, list.Text)
		}
	}
	m := e.say(admin, "/pause ingest-telegram the channel is down")
	e.waitBot(adminID, "pause reply", func(x tgfake.Message) bool {
		return x.MessageID > m.MessageID && strings.Contains(x.Text, "Paused: ingest-telegram")
	})

	// Restart the bot on the same database: the state holds.
	e.stop()
	if err := e.inst.Wait(); err != nil {
		t.Fatal(err)
	}
	cfg, _ := config.Parse(e.vars)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inst, err := app.Start(ctx, cfg, storagetest.Logger(), allRoles)
	if err != nil {
		t.Fatal(err)
	}
	e.inst = inst
	defer func() { cancel(); inst.Wait() }()

	m = e.say(admin, "/pause")
	after := e.waitBot(adminID, "list after restart", func(x tgfake.Message) bool { return x.MessageID > m.MessageID })
	if !strings.Contains(after.Text, "ingest-telegram [@hourly]: ⏸ paused by id 900") || !strings.Contains(after.Text, "the channel is down") {
		t.Fatalf("after a restart the pause is not shown:\n%s", after.Text)
	}
	m = e.say(admin, "/resume all")
	e.waitBot(adminID, "resume reply", func(x tgfake.Message) bool { return x.MessageID > m.MessageID && strings.Contains(x.Text, "Resumed") })
	if paused, _ := e.store.JobPaused(context.Background(), "ingest-telegram"); paused {
		t.Fatal("/resume all left ingest-telegram paused")
	}
}

func TestPausedWorkersHoldUploadsUntilResumed(t *testing.T) {
	e := start(t)
	admin := user(adminID, "en")
	m := e.say(admin, "/pause media-worker")
	e.waitBot(adminID, "paused", func(x tgfake.Message) bool { return x.MessageID > m.MessageID && strings.Contains(x.Text, "Paused") })
	e.mediaWorkersHoldOff(1) // they noticed

	u := user(4002, "en")
	e.upload(u, encodeJPEG(t, memeImage(70, 700, 500), 90), "") // acknowledged: its job is queued
	e.mediaWorkersHoldOff(2)
	if n := len(e.tg.Transcript(reviewChatID)); n != 0 {
		t.Fatalf("a paused worker processed an upload (%d review posts)", n)
	}
	e.say(admin, "/resume media-worker")
	e.reviewPost(u)
}

func TestPromotedUserCanReview(t *testing.T) {
	e := start(t)
	admin, kim, up := user(adminID, "en"), user(4003, "en"), user(4004, "en")
	e.upload(up, encodeJPEG(t, memeImage(71, 700, 500), 90), "")
	post := e.reviewPost(up)

	cb, _ := e.tg.PressButtonLabeled(kim, reviewChatID, post.MessageID, "✅ Approve")
	eventually(t, "refusal", func() bool { a, ok := e.tg.CallbackAnswer(cb); return ok && a.ShowAlert })

	m := e.say(admin, "/promote 4003")
	e.waitBot(adminID, "promoted", func(x tgfake.Message) bool {
		return x.MessageID > m.MessageID && strings.Contains(x.Text, "now a moderator")
	})
	if _, err := e.tg.PressButtonLabeled(kim, reviewChatID, post.MessageID, "✅ Approve"); err != nil {
		t.Fatal(err)
	}
	e.waitText(up.ID, "approved")

	m = e.say(admin, "/demote 4003")
	e.waitBot(adminID, "demoted", func(x tgfake.Message) bool { return x.MessageID > m.MessageID && strings.Contains(x.Text, "no longer") })
	var u storage.User
	storagetest.DB(e.store).First(&u, 4003)
	if u.Role != storage.RoleUser {
		t.Fatalf("role after demote = %s", u.Role)
	}
}
