package e2e

import (
	"regexp"
	"testing"
	"time"

	"memebot/app"
)

// Two workers and two schedulers as separate processes on one PostgreSQL and
// Redis: every upload is processed once, every scheduled run executes once.
func TestSeparateRolesScaleOut(t *testing.T) {
	e := startRoles(t, app.Roles{Bot: true})
	extra := []string{"SCHEDULE_QUEUE_METRICS=@every 1s", "WORKER_CONCURRENCY=2"}
	workers := []*proc{e.spawn("worker", extra...), e.spawn("worker", extra...)}
	schedulers := []*proc{e.spawn("scheduler", extra...), e.spawn("scheduler", extra...)}

	users := make(map[int64]bool)
	for i := range 6 {
		u := user(int64(7001+i), "en")
		users[u.ID] = true
		if _, err := e.tg.SendPhoto(u, u.PrivateChat(), encodeJPEG(t, memeImage(90+i, 640, 480), 90), ""); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "six review posts", func() bool { return len(e.tg.Transcript(reviewChatID)) >= 6 })
	e.mediaQueueSettled() // no job left that could post again
	slotsSeen := func() int {
		seen := map[string]bool{}
		for _, s := range schedulers {
			for _, m := range regexp.MustCompile(`msg="job done" .*job=queue-metrics slot=(\S+)`).FindAllStringSubmatch(s.out.String(), -1) {
				seen[m[1]] = true
			}
		}
		return len(seen)
	}
	waitUntil(t, "queue-metrics runs in a few slots", 30*time.Second, func() bool { return slotsSeen() >= 3 })

	perUploader := map[string]int{}
	for _, m := range e.tg.Transcript(reviewChatID) {
		perUploader[regexp.MustCompile(`id \d+`).FindString(m.Caption)]++
	}
	for who, n := range perUploader {
		if n != 1 {
			t.Errorf("%s has %d review posts, want 1", who, n)
		}
	}
	processed := map[string]int{}
	for _, w := range workers {
		for _, id := range regexp.MustCompile(`msg="upload processed".*submission_id=(\d+)`).FindAllStringSubmatch(w.out.String(), -1) {
			processed[id[1]]++
		}
	}
	if len(processed) != 6 {
		t.Errorf("%d submissions processed across the workers, want 6: %v", len(processed), processed)
	}
	for id, n := range processed {
		if n != 1 {
			t.Errorf("submission %s processed %d times", id, n)
		}
	}

	slots := map[string]int{}
	for _, s := range schedulers {
		for _, m := range regexp.MustCompile(`msg="job done" .*job=queue-metrics slot=(\S+)`).FindAllStringSubmatch(s.out.String(), -1) {
			slots[m[1]]++
		}
	}
	if len(slots) < 3 {
		t.Fatalf("queue-metrics ran in %d slots over several seconds, want one a second", len(slots))
	}
	for slot, n := range slots {
		if n != 1 {
			t.Errorf("slot %s ran %d times across two schedulers", slot, n)
		}
	}
	for _, p := range append(workers, schedulers...) {
		if err, took := p.terminate(t); err != nil || took > 10*time.Second {
			t.Errorf("stop: %v after %v", err, took)
		}
	}
}
