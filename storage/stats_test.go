package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
)

// statsNow is the moment the figures are taken at in these tests.
var statsNow = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) time.Time { return statsNow.Add(-d) }

const day = 24 * time.Hour

// seedActivity writes a small, known history around statsNow.
func seedActivity(t *testing.T, st *storage.Store) {
	t.Helper()
	exec := storagetest.Exec(t, st)
	users := []struct {
		id      int64
		active  time.Time
		blocked *time.Time
	}{
		{1, ago(time.Hour), nil},
		{2, ago(3 * day), nil}, // active through a reaction 2 h ago
		{3, ago(3 * day), nil},
		{4, ago(10 * day), ptr(ago(9 * day))},
		{5, ago(10 * day), nil}, // active this week through a reaction 5 days ago
		{6, ago(20 * day), nil}, // only the approval like: not active
	}
	for _, u := range users {
		exec(`INSERT INTO users (id, last_active_at, blocked_bot_at) VALUES ($1, $2, $3)`, u.id, u.active, u.blocked)
	}
	memes := []struct {
		id       int64
		status   string
		uploader *int64
		created  time.Time
	}{
		{101, storage.MemeOK, nil, ago(30 * day)},
		{102, storage.MemeOK, nil, ago(30 * day)},
		{103, storage.MemeOK, ptr(int64(6)), ago(20 * time.Hour)},
		{104, storage.MemeWaitingReview, ptr(int64(1)), ago(5 * time.Hour)},
		{105, storage.MemeWaitingReview, nil, ago(2 * time.Hour)},
		{106, storage.MemeRejected, ptr(int64(6)), ago(30 * time.Hour)},
		{107, storage.MemeProcessing, nil, ago(time.Hour)},
		{108, storage.MemeRejected, nil, ago(6 * time.Hour)},
	}
	for _, m := range memes {
		exec(`INSERT INTO memes (id, type, status, uploader_id, created_at) VALUES ($1, 'photo', $2, $3, $4)`, m.id, m.status, m.uploader, m.created)
	}
	subs := []struct {
		id, uploader int64
		status       string
		meme         *int64
		created      time.Time
	}{
		{201, 6, storage.SubmissionApproved, ptr(int64(103)), ago(20 * time.Hour)},
		{202, 1, storage.SubmissionInReview, ptr(int64(104)), ago(5 * time.Hour)},
		{203, 6, storage.SubmissionRejected, ptr(int64(106)), ago(30 * time.Hour)},
		{204, 6, storage.SubmissionFailed, nil, ago(3 * day)},
	}
	for _, s := range subs {
		exec(`INSERT INTO submissions (id, uploader_id, chat_id, message_id, media_type, file_id, status, meme_id, created_at)
			VALUES ($1, $2, $2, $1, 'photo', 'f', $3, $4, $5)`, s.id, s.uploader, s.status, s.meme, s.created)
	}
	exec(`INSERT INTO review_decisions (meme_id, submission_id, moderator_id, decision, created_at) VALUES
		(103, 201, 77, 'approve', $1), (106, 203, 77, 'reject', $2), (108, NULL, 77, 'reject', $3)`,
		ago(19*time.Hour), ago(29*time.Hour), ago(4*time.Hour))
	exec(`INSERT INTO status_events (meme_id, submission_id, from_status, to_status, actor_id, reason, created_at) VALUES
		(103, NULL, 'waiting_review', 'ok', 77, '', $1),              -- approval, Jun 14
		(NULL, 201, 'in_review', 'approved', 77, '', $1),             -- a submission's event
		(101, NULL, 'waiting_review', 'ok', NULL, 'auto_approved', $2), -- approval, Jun 15
		(102, NULL, 'processing', 'ok', NULL, 'ingested', $3),        -- a trusted source: no approval
		(104, NULL, 'processing', 'waiting_review', NULL, '', $4),
		(108, NULL, 'waiting_review', 'rejected', 77, '', $5),
		(101, NULL, 'waiting_review', 'ok', NULL, 'auto_approved', $6)  -- before the chart`,
		ago(19*time.Hour), ago(3*time.Hour), ago(day), ago(5*time.Hour), ago(4*time.Hour), ago(40*day))
	like, dislike := ptr(int16(storage.Like)), ptr(int16(storage.Dislike))
	reactions := []struct {
		user, meme int64
		engine     string
		sent       time.Time
		reaction   *int16
		reacted    *time.Time
	}{
		{1, 101, "lr_smoothed", ago(2 * time.Hour), like, ptr(ago(time.Hour))},
		{2, 101, "lr_smoothed", ago(3 * time.Hour), dislike, ptr(ago(2 * time.Hour))},
		{2, 102, "like_spread", ago(3 * time.Hour), like, ptr(ago(150 * time.Minute))},
		{1, 102, "like_spread", ago(30 * time.Minute), nil, nil}, // sent, not reacted yet
		{5, 101, "lr_smoothed", ago(5*day + time.Minute), like, ptr(ago(5 * day))},
		{6, 103, storage.EngineApprovalLike, ago(19 * time.Hour), like, ptr(ago(19 * time.Hour))},
		{77, 103, storage.EngineApprovalLike, ago(19 * time.Hour), like, ptr(ago(19 * time.Hour))},
		{3, 102, "lr_smoothed", ago(9 * day), like, ptr(ago(9 * day))},
		{3, 101, "lr_smoothed", ago(20 * day), dislike, ptr(ago(20 * day))},
		{4, 104, "lr_smoothed", ago(14 * day), like, ptr(time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))},    // first chart day
		{4, 105, "lr_smoothed", ago(14 * day), like, ptr(time.Date(2025, 6, 1, 23, 59, 59, 0, time.UTC))}, // the day before
	}
	for _, r := range reactions {
		exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			r.user, r.meme, r.engine, r.sent, r.reaction, r.reacted)
	}
	exec(`INSERT INTO coin_ledger (user_id, amount, kind, meme_id) VALUES (6, 5, 'upload_approved', 103), (6, 1, 'review', 106)`)
}

func ptr[T any](v T) *T { return &v }

func TestGlobalStatsCountsTheLastDayAndWeek(t *testing.T) {
	st := storagetest.NewStore(t)
	seedActivity(t, st)
	got, err := st.GlobalStats(context.Background(), statsNow)
	if err != nil {
		t.Fatal(err)
	}
	want := storage.GlobalStats{
		Users: 6, Active24h: 2, Active7d: 4, Blocked: 1,
		MemesByStatus: map[string]int64{"ok": 3, "waiting_review": 2, "rejected": 2, "processing": 1},
		Uploads24h:    2, Approved24h: 1, Rejected24h: 1, AutoApproved24h: 1,
		Sent24h: 4, Likes24h: 2, Dislikes24h: 1,
		Engines: []storage.EngineFigures{
			{Engine: "like_spread", Likes: 1, Dislikes: 0},
			{Engine: "lr_smoothed", Likes: 2, Dislikes: 1},
		},
		Backlog: 2, OldestWaiting: 5 * time.Hour,
		// 101, 102 and 103 went live 3, 24 and 19 h ago; nobody saw 20
		NewMemes: []storage.NewMemesInLanguage{{Language: "en", Memes: 3}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("global stats\n got %+v\nwant %+v", got, want)
	}
}

// TestNewMemesOnTimeAreThoseShownToTwentyWithinTheirFirstHour: of the memes
// that went live 1-25 h ago, those the feed showed to FreshImpressions
// people within their first hour, in all and per language; an approval's
// likes are no showing, and showings after the hour are late.
func TestNewMemesOnTimeAreThoseShownToTwentyWithinTheirFirstHour(t *testing.T) {
	st := storagetest.NewStore(t)
	ctx := context.Background()
	exec := storagetest.Exec(t, st)
	live := ago(2 * time.Hour)
	memes := []struct {
		id        int64
		liveAt    time.Time
		inHour    int // showings within the first hour
		late      int // showings after it
		approvals int // the approval's likes
	}{
		{1, live, storage.FreshImpressions, 0, 0},                  // on time
		{2, live, storage.FreshImpressions - 2, 0, 2},              // 18 and the approval's two: not on time
		{3, live, storage.FreshImpressions - 5, 5, 0},              // 20, five of them late
		{4, ago(30 * time.Minute), storage.FreshImpressions, 0, 0}, // still in its first hour: not counted
		{5, ago(2 * day), storage.FreshImpressions, 0, 0},          // too old: not counted
		{6, live, storage.FreshImpressions, 0, 0},                  // in Russian, on time
		{7, live, 3, 0, 0}, // in Russian, not on time
	}
	for _, m := range memes {
		lang := "en"
		if m.id >= 6 {
			lang = "ru"
		}
		exec(`INSERT INTO memes (id, type, status, language) VALUES ($1, 'photo', 'ok', $2)`, m.id, lang)
		exec(`INSERT INTO status_events (meme_id, from_status, to_status, reason, created_at) VALUES ($1, 'waiting_review', 'ok', '', $2)`, m.id, m.liveAt)
		user := m.id * 100
		show := func(n int, at time.Time, engine string) {
			for range n {
				user++
				exec(`INSERT INTO users (id) VALUES ($1)`, user)
				exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at) VALUES ($1, $2, $3, $4)`, user, m.id, engine, at)
			}
		}
		show(m.inHour, m.liveAt.Add(30*time.Minute), "fresh")
		show(m.late, m.liveAt.Add(90*time.Minute), "fresh")
		show(m.approvals, m.liveAt, storage.EngineApprovalLike)
	}
	got, err := st.GlobalStats(ctx, statsNow)
	if err != nil {
		t.Fatal(err)
	}
	if total := got.NewMemesTotal(); total.Memes != 5 || total.OnTime != 2 {
		t.Fatalf("new memes = %d, on time %d; want 5, 2 (memes 1 and 6)", total.Memes, total.OnTime)
	}
	want := []storage.NewMemesInLanguage{{Language: "en", Memes: 3, OnTime: 1}, {Language: "ru", Memes: 2, OnTime: 1}}
	if !reflect.DeepEqual(got.NewMemes, want) {
		t.Fatalf("new memes by language = %+v, want %+v", got.NewMemes, want)
	}
	figures, err := st.NewMemeFigures(ctx, statsNow)
	if err != nil || !reflect.DeepEqual(figures, want) {
		t.Fatalf("NewMemeFigures = %+v, %v; want %+v", figures, err, want)
	}
}

func TestDailySeriesBucketsByUTCDay(t *testing.T) {
	st := storagetest.NewStore(t)
	seedActivity(t, st)
	got, err := st.DailySeries(context.Background(), 14, statsNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 14 || !got[0].Day.Equal(time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)) || !got[13].Day.Equal(time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("days: %d from %v to %v, want 14 from Jun 2 to Jun 15", len(got), got[0].Day, got[len(got)-1].Day)
	}
	want := map[int]storage.DayFigures{ // June day -> figures; every other day is zero
		2:  {Reactions: 1},
		6:  {Reactions: 1},
		10: {Reactions: 1},
		12: {Uploads: 1},
		14: {Uploads: 2, Approvals: 1},
		15: {Reactions: 3, Uploads: 1, Approvals: 1},
	}
	for _, d := range got {
		w := want[d.Day.Day()]
		w.Day = d.Day
		if d != w {
			t.Errorf("%s: got %+v, want %+v", d.Day.Format("Jan 2"), d, w)
		}
	}
}

func TestUserStatsAreTheirOwnFigures(t *testing.T) {
	st := storagetest.NewStore(t)
	seedActivity(t, st)
	for _, c := range []struct {
		user int64
		want storage.UserFigures
	}{
		{1, storage.UserFigures{Seen: 2, Likes: 1, Uploads: 1}},
		{2, storage.UserFigures{Seen: 2, Likes: 1, Dislikes: 1}},
		{6, storage.UserFigures{Uploads: 3, Approved: 1, Coins: 6}}, // the approval like is not a meme seen
		{999, storage.UserFigures{}},
	} {
		got, err := st.UserStats(context.Background(), c.user)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("user %d: got %+v, want %+v", c.user, got, c.want)
		}
	}
}
