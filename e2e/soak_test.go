package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"memebot/app"
	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

// TestSoakFaults is the fault-injection soak (`make soak`): uploads and
// presses at a steady rate while Redis is restarted empty, PostgreSQL is
// stopped for a few seconds, and the bot and worker processes are killed
// with SIGKILL, at random, for SOAK_DURATION (default 3m). Loopback only.
// It reports acknowledged uploads, review posts, duplicates, lost uploads
// (must be 0) and the longest recovery, and fails on a lost or doubled one.
func TestSoakFaults(t *testing.T) {
	if os.Getenv("MEMEBOT_SOAK") == "" {
		t.Skip("the soak runs with MEMEBOT_SOAK=1 (make soak)")
	}
	duration := 3 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("SOAK_DURATION")); err == nil {
		duration = d
	}
	rdb, pg := startPrivateRedis(t), startPrivatePostgres(t)
	e := startRoles(t, app.Roles{}, "REDIS_URL="+rdb.URL(), "DATABASE_URL="+pg.URL(), "JOB_CLAIM_IDLE=15s")
	e.seedMemes("en", 150, 5000)
	s := &soak{e: e, rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))}
	s.procs = map[string]*proc{"bot": e.spawn("bot"), "worker": e.spawn("worker"), "scheduler": e.spawn("scheduler")}

	ctx, stop := context.WithTimeout(context.Background(), duration)
	defer stop()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.uploads(ctx) }()
	go func() { defer wg.Done(); s.presses(ctx) }()
	s.faults(ctx, rdb, pg)
	wg.Wait()
	s.report(t, 3*time.Minute)
}

type soak struct {
	e     *env
	rng   *rand.Rand
	mu    sync.Mutex
	procs map[string]*proc
	sent  []tgfake.Message // uploads sent
	press []string         // callback query ids
	// recoveries: how long after each fault ended an upload made then was
	// acknowledged, and posted for review
	recoveries, reposts []time.Duration
	faultLog            []string
}

var ackRe = regexp.MustCompile(`#(\d+)`)

func (s *soak) uploads(ctx context.Context) {
	for i := 0; ctx.Err() == nil; i++ {
		u := user(int64(100000+i), "en")
		m, err := s.e.tg.SendPhoto(u, u.PrivateChat(), encodeJPEG(s.e.t, distinctImage(90000+i, 480, 360), 85), "")
		if err == nil {
			s.mu.Lock()
			s.sent = append(s.sent, m)
			s.mu.Unlock()
		}
		sleepOrDone(ctx, 700*time.Millisecond)
	}
}

func (s *soak) presses(ctx context.Context) {
	fans := make([]tgfake.User, 8)
	for i := range fans {
		fans[i] = user(int64(200000+i), "en")
		s.e.tg.SendText(fans[i], fans[i].PrivateChat(), "/start")
	}
	for i := 0; ctx.Err() == nil; i++ {
		u := fans[i%len(fans)]
		if memes := s.e.memeMessages(u.ID); len(memes) > 0 {
			if id, err := s.e.tg.PressButtonLabeled(u, u.ID, memes[len(memes)-1].MessageID, "👍"); err == nil {
				s.mu.Lock()
				s.press = append(s.press, id)
				s.mu.Unlock()
			}
		}
		sleepOrDone(ctx, 400*time.Millisecond)
	}
}

// faults injects one fault every 8–15 s until ctx ends.
func (s *soak) faults(ctx context.Context, rdb *privateRedis, pg *privatePostgres) {
	for ctx.Err() == nil {
		sleepOrDone(ctx, time.Duration(8000+s.rng.IntN(7000))*time.Millisecond)
		if ctx.Err() != nil {
			return
		}
		var what string
		switch s.rng.IntN(4) {
		case 0:
			what = "redis restarted empty"
			rdb.Kill()
			time.Sleep(time.Second)
			rdb.Start()
		case 1:
			out := time.Duration(3000+s.rng.IntN(7000)) * time.Millisecond
			what = fmt.Sprintf("postgres down %v", out)
			pg.Stop()
			time.Sleep(out)
			pg.Start()
		case 2:
			what = "worker killed"
			s.respawn("worker")
		case 3:
			what = "bot killed"
			s.respawn("bot")
		}
		s.faultLog = append(s.faultLog, time.Now().Format("15:04:05")+" "+what)
		go s.measureRecovery(ctx)
	}
}

func (s *soak) respawn(role string) {
	s.procs[role].cmd.Process.Kill()
	<-s.procs[role].done
	s.procs[role] = s.e.spawn(role)
}

// measureRecovery times an upload made right after a fault ended until its
// acknowledgement.
func (s *soak) measureRecovery(ctx context.Context) {
	u := user(int64(300000+s.rng.IntN(1_000_000)), "en")
	began := time.Now()
	m, err := s.e.tg.SendPhoto(u, u.PrivateChat(), encodeJPEG(s.e.t, distinctImage(int(u.ID), 480, 360), 85), "")
	if err != nil {
		return
	}
	s.mu.Lock()
	s.sent = append(s.sent, m)
	s.mu.Unlock()
	wctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := s.e.tg.WaitMessage(wctx, u.ID, func(x tgfake.Message) bool { return x.FromBot() && ackRe.MatchString(x.Text) }); err != nil {
		return
	}
	s.mu.Lock()
	s.recoveries = append(s.recoveries, time.Since(began))
	s.mu.Unlock()
	if _, err := s.e.tg.WaitMessage(wctx, reviewChatID, func(x tgfake.Message) bool {
		return x.FromBot() && strings.Contains(x.Caption, fmt.Sprintf("id %d", u.ID))
	}); err == nil {
		s.mu.Lock()
		s.reposts = append(s.reposts, time.Since(began))
		s.mu.Unlock()
	}
}

// report waits up to settle for every upload to reach an outcome, then
// prints the figures and fails on a lost or doubled upload.
func (s *soak) report(t *testing.T, settle time.Duration) {
	s.mu.Lock()
	sent := append([]tgfake.Message(nil), s.sent...)
	presses := append([]string(nil), s.press...)
	s.mu.Unlock()
	var unfinished []storage.Submission
	deadline := time.Now().Add(settle)
	for {
		unfinished = nil
		var stored int64
		err := storagetest.DB(s.e.store).Where("status IN ?", []string{storage.SubmissionQueued, storage.SubmissionProcessing}).Find(&unfinished).Error
		storagetest.DB(s.e.store).Model(&storage.Submission{}).Count(&stored)
		if err == nil && len(unfinished) == 0 && int(stored) >= len(sent) && s.allAnswered(presses) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	acked := map[int64]bool{}
	for _, m := range sent {
		for _, x := range s.e.tg.Transcript(m.Chat.ID) {
			if x.FromBot() && x.ReplyToMessage != nil && x.ReplyToMessage.MessageID == m.MessageID {
				if sm := ackRe.FindStringSubmatch(x.Text); sm != nil {
					id, _ := strconv.ParseInt(sm[1], 10, 64)
					acked[id] = true
				}
			}
		}
	}
	var subs []storage.Submission
	storagetest.DB(s.e.store).Find(&subs)
	stored := len(subs)
	postsOf := map[int64]int{} // meme id -> review posts
	for _, m := range s.e.tg.Transcript(reviewChatID) {
		if i := strings.Index(m.Caption, "Meme #"); m.FromBot() && m.MediaFileID() != "" && i >= 0 {
			var id int64
			fmt.Sscanf(m.Caption[i:], "Meme #%d", &id)
			postsOf[id]++
		}
	}
	lost, doubled, reviewed, outcomes := 0, 0, 0, map[string]int{}
	for _, sub := range subs {
		outcomes[sub.Status]++
		posts := 0
		if sub.MemeID != nil {
			posts = postsOf[*sub.MemeID]
		}
		reviewed += min(posts, 1)
		if posts > 1 {
			doubled++
		}
		if acked[sub.ID] && (sub.Status == storage.SubmissionQueued || sub.Status == storage.SubmissionProcessing ||
			sub.Status == storage.SubmissionFailed || (sub.Status == storage.SubmissionInReview && posts == 0)) {
			lost++
			t.Errorf("acknowledged upload %d lost: status %s, %d review posts", sub.ID, sub.Status, posts)
		}
	}
	answered := 0
	for _, id := range presses {
		if _, ok := s.e.tg.CallbackAnswer(id); ok {
			answered++
		}
	}
	longest := func(ds []time.Duration) time.Duration {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		if len(ds) == 0 {
			return 0
		}
		return ds[len(ds)-1].Round(100 * time.Millisecond)
	}
	t.Logf("SOAK faults: %s", strings.Join(s.faultLog, "; "))
	t.Logf("SOAK: uploads sent %d, stored %d, acknowledged %d, posted for review %d, outcomes %v", len(sent), stored, len(acked), reviewed, outcomes)
	t.Logf("SOAK: duplicated review posts %d, lost %d, presses %d answered %d, faults %d", doubled, lost, len(presses), answered, len(s.faultLog))
	t.Logf("SOAK: longest recovery: an upload made as a fault ended was acknowledged within %v and posted for review within %v",
		longest(s.recoveries), longest(s.reposts))
	if doubled > 0 {
		t.Errorf("%d submissions were posted for review more than once", doubled)
	}
	if stored < len(sent) {
		t.Errorf("%d uploads sent, %d stored: %d lost before intake", len(sent), stored, len(sent)-stored)
	}
	if len(unfinished) > 0 {
		t.Errorf("%d submissions still unfinished %v after the soak", len(unfinished), settle)
	}
}

func (s *soak) allAnswered(presses []string) bool {
	for _, id := range presses {
		if _, ok := s.e.tg.CallbackAnswer(id); !ok {
			return false
		}
	}
	return true
}

func sleepOrDone(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
