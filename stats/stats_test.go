package stats

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
)

type fixture struct {
	t   *testing.T
	ctx context.Context
	st  *storage.Store
	job *Job
}

func newFixture(t *testing.T, opts Options) *fixture {
	st := storagetest.NewStore(t)
	return &fixture{t: t, ctx: context.Background(), st: st, job: New(st, opts, storagetest.Logger())}
}

func zeroThresholds() Options { return Options{} }

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := storagetest.SQL(f.st).ExecContext(f.ctx, q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) users(ids ...int64) {
	for _, id := range ids {
		f.exec(`INSERT INTO users (id) VALUES ($1)`, id)
	}
}

func (f *fixture) memes(n int) []int64 {
	f.t.Helper()
	src := int64(0)
	storagetest.SQL(f.st).QueryRowContext(f.ctx, `INSERT INTO sources (platform, handle) VALUES ('telegram', 'src') ON CONFLICT (platform, handle) DO UPDATE SET url = '' RETURNING id`).Scan(&src)
	ids := make([]int64, n)
	for i := range ids {
		err := storagetest.SQL(f.st).QueryRowContext(f.ctx, `INSERT INTO memes (type, status, source_id) VALUES ('photo', 'ok', $1) RETURNING id`, src).Scan(&ids[i])
		if err != nil {
			f.t.Fatal(err)
		}
	}
	return ids
}

// react writes a meme sent at `at` and reacted to `after` later (reaction 0: unreacted).
func (f *fixture) react(user, meme int64, reaction int, at time.Time, after time.Duration) {
	f.t.Helper()
	var r, reactedAt any
	if reaction != 0 {
		r, reactedAt = reaction, at.Add(after)
	}
	f.exec(`INSERT INTO reactions (user_id, meme_id, sent_at, reaction, reacted_at) VALUES ($1, $2, $3, $4, $5)`,
		user, meme, at, r, reactedAt)
}

func (f *fixture) run() Result {
	f.t.Helper()
	res, err := f.job.Run(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *fixture) runUntil(until time.Time) Result {
	f.t.Helper()
	res, err := f.job.RunUntil(f.ctx, until)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *fixture) float(q string, args ...any) float64 {
	f.t.Helper()
	var v float64
	if err := storagetest.SQL(f.st).QueryRowContext(f.ctx, q, args...).Scan(&v); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return v
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

var base = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)

// lrScenario: users 1 and 2 react to six filler memes (5 likes/1 dislike and
// 1 like/5 dislikes), then both like X; then user 1 dislikes Y and user 2
// likes it. With zero thresholds and mu = the user's mean before a reaction:
//
//	X: user 1 mu = 4/6, d = 1-2/3 = 1/3; user 2 mu = -4/6, d = 1+2/3 = 5/3 -> lr_smoothed 1
//	Y: user 1 mu = 5/7, d = -12/7;       user 2 mu = -3/7, d = 10/7      -> lr_smoothed -1/7
//	filler 1: both first reactions are likes, mu = 0, d = 1              -> lr_smoothed 1
func lrScenario(f *fixture, runBetween bool) (x, y, filler int64) {
	f.users(1, 2)
	ids := f.memes(8)
	at := base
	step := func() time.Time { at = at.Add(time.Minute); return at }
	for i, m := range ids[:6] {
		u1, u2 := storage.Like, storage.Dislike
		if i == 5 {
			u1 = storage.Dislike
		}
		if i == 0 {
			u2 = storage.Like
		}
		f.react(1, m, u1, step(), 5*time.Second)
		f.react(2, m, u2, step(), 5*time.Second)
	}
	if runBetween {
		f.runUntil(at.Add(time.Minute))
	}
	f.react(1, ids[6], storage.Like, step(), 5*time.Second)
	f.react(2, ids[6], storage.Like, step(), 5*time.Second)
	f.react(1, ids[7], storage.Dislike, step(), 5*time.Second)
	f.react(2, ids[7], storage.Like, step(), 5*time.Second)
	f.run()
	return ids[6], ids[7], ids[0]
}

func TestLRSmoothedKnownValues(t *testing.T) {
	for _, split := range []bool{false, true} {
		f := newFixture(t, zeroThresholds())
		x, y, filler := lrScenario(f, split)
		lr := func(id int64) float64 { return f.float(`SELECT lr_smoothed FROM meme_stats WHERE meme_id = $1`, id) }
		if got := lr(x); !near(got, 1) {
			t.Errorf("split=%v: lr_smoothed(X) = %v, want 1", split, got)
		}
		if got := lr(y); !near(got, -1.0/7) {
			t.Errorf("split=%v: lr_smoothed(Y) = %v, want -1/7", split, got)
		}
		if got := lr(filler); !near(got, 1) {
			t.Errorf("split=%v: lr_smoothed(filler 1) = %v, want 1", split, got)
		}
	}
}

func TestLRSmoothedHonoursThresholds(t *testing.T) {
	// With MinUserReactions 6 only X's and Y's reactions count (each user
	// has 6 before them), two values each.
	for _, c := range []struct {
		minValues     int
		wantX, wantF1 float64
	}{{minValues: 2, wantX: 1, wantF1: 0}, {minValues: 3, wantX: 0, wantF1: 0}} {
		opts := zeroThresholds()
		opts.MinUserReactions, opts.MinMemeValues = 6, c.minValues
		f := newFixture(t, opts)
		x, _, filler := lrScenario(f, false)
		if got := f.float(`SELECT lr_smoothed FROM meme_stats WHERE meme_id = $1`, x); !near(got, c.wantX) {
			t.Errorf("min values %d: lr_smoothed(X) = %v, want %v", c.minValues, got, c.wantX)
		}
		if got := f.float(`SELECT lr_dev_n FROM meme_stats WHERE meme_id = $1`, filler); got != 0 {
			t.Errorf("filler reactions by users with < 6 reactions counted: %v values", got)
		}
	}
}

func TestCounts(t *testing.T) {
	f := newFixture(t, zeroThresholds())
	f.users(1, 2, 3, 4)
	m := f.memes(1)[0]
	f.react(1, m, storage.Like, base, 2*time.Second)
	f.react(2, m, storage.Dislike, base, 4*time.Second)
	f.react(3, m, storage.Like, base, 90*time.Second)
	f.react(4, m, 0, base, 0) // sent, never reacted
	f.run()
	var likes, dislikes, sent int
	var spread float64
	err := storagetest.SQL(f.st).QueryRowContext(f.ctx, `SELECT likes, dislikes, sent, like_spread FROM meme_stats WHERE meme_id = $1`, m).
		Scan(&likes, &dislikes, &sent, &spread)
	if err != nil {
		t.Fatal(err)
	}
	if likes != 2 || dislikes != 1 || sent != 4 || !near(spread, 1.0/5) {
		t.Errorf("likes/dislikes/sent/spread = %d/%d/%d/%v, want 2/1/4/0.2", likes, dislikes, sent, spread)
	}
	if got := f.float(`SELECT likes + dislikes * 100 + sent * 10000 FROM source_stats`); got != 2+100+40000 {
		t.Errorf("source likes+dislikes*100+sent*10000 = %v", got)
	}
	if got := f.float(`SELECT sent FROM user_stats WHERE user_id = 4`); got != 1 {
		t.Errorf("sent to the user who never reacted = %v, want 1", got)
	}
}

// TestAnApprovalLikeIsNoImpression: the likes an approval records for the
// uploader and the moderator were sent to nobody, so they count neither as
// the meme's impressions (the fresh engine's 20) nor as memes the two were
// served (their maturity).
func TestAnApprovalLikeIsNoImpression(t *testing.T) {
	f := newFixture(t, zeroThresholds())
	f.users(1, 5)
	m := f.memes(1)[0]
	f.exec(`INSERT INTO reactions (user_id, meme_id, engine, sent_at, reaction, reacted_at) VALUES (5, $1, $2, $3, 1, $3)`,
		m, storage.EngineApprovalLike, base)
	f.react(1, m, storage.Like, base.Add(time.Minute), 2*time.Second)
	f.run()
	if got := f.float(`SELECT sent FROM meme_stats WHERE meme_id = $1`, m); got != 1 {
		t.Errorf("meme sent = %v, want 1 (the feed's one impression)", got)
	}
	if got := f.float(`SELECT coalesce((SELECT sent FROM user_stats WHERE user_id = 5), 0)`); got != 0 {
		t.Errorf("sent to the uploader = %v, want 0", got)
	}
}

func snapshot(f *fixture) map[string]string {
	f.t.Helper()
	out := map[string]string{}
	for _, table := range []string{"meme_stats", "user_stats", "source_stats"} {
		rows, err := storagetest.SQL(f.st).QueryContext(f.ctx, `SELECT t::text FROM `+table+` t`)
		if err != nil {
			f.t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out[table+":"+s] = s
		}
		rows.Close()
	}
	return out
}

func TestIncrementalRunTouchesOnlyNewActivity(t *testing.T) {
	f := newFixture(t, DefaultOptions())
	f.users(1, 2)
	ids := f.memes(3)
	f.react(1, ids[0], storage.Like, base, 3*time.Second)
	f.react(2, ids[1], storage.Dislike, base, 3*time.Second)
	f.react(2, ids[2], storage.Like, base.Add(time.Minute), 3*time.Second)
	f.runUntil(base.Add(time.Hour))
	before := snapshot(f)

	res := f.runUntil(base.Add(90 * time.Minute))
	if res.Reactions != 0 || res.Sent != 0 || res.Memes != 0 {
		t.Fatalf("second run with no new activity processed %+v", res)
	}
	after := snapshot(f)
	if len(after) != len(before) {
		t.Fatalf("rows changed: %d before, %d after", len(before), len(after))
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			t.Fatalf("row changed by an idle run: %s", k)
		}
	}

	// New activity on meme 0 only: memes 1 and 2 keep their rows exactly.
	f.users(3)
	f.react(3, ids[0], storage.Like, base.Add(100*time.Minute), 3*time.Second)
	res = f.runUntil(base.Add(2 * time.Hour))
	if res.Reactions != 1 || res.Memes != 1 || res.Users != 1 {
		t.Fatalf("run after one reaction processed %+v", res)
	}
	after = snapshot(f)
	changed := 0
	for k := range before {
		if _, ok := after[k]; !ok {
			changed++
		}
	}
	// meme 0 and source 1 rows change, plus the new user's rows appear.
	for _, id := range ids[1:] {
		var s string
		storagetest.SQL(f.st).QueryRowContext(f.ctx, `SELECT t::text FROM meme_stats t WHERE meme_id = $1`, id).Scan(&s)
		if _, ok := before["meme_stats:"+s]; !ok {
			t.Errorf("meme %d without new activity was rewritten: %s", id, s)
		}
	}
	if got := f.float(`SELECT likes FROM meme_stats WHERE meme_id = $1`, ids[0]); got != 2 {
		t.Errorf("likes of meme 0 = %v, want 2", got)
	}
	if changed == 0 {
		t.Error("nothing changed after new activity")
	}
}

// TestEveryReactionIsCountedOnce: 600 reactions at random moments, folded by
// runs that end at random points (with the colikes job's watermark moving
// too, as in production), leave every meme, user and source with exactly
// the likes and dislikes the reactions table holds. (A benchmark once read
// the colikes watermark as this job's, stamped a fifth of its reactions
// before the job's window, and reported them as missed.)
func TestEveryReactionIsCountedOnce(t *testing.T) {
	f := newFixture(t, zeroThresholds())
	users := []int64{1, 2, 3, 4, 5, 6}
	f.users(users...)
	memes := f.memes(400)
	rng := rand.New(rand.NewPCG(7, 7))
	at := base
	for range 6 {
		for range 100 {
			at = at.Add(time.Duration(1+rng.IntN(20)) * time.Second)
			u, m := users[rng.IntN(len(users))], memes[rng.IntN(len(memes))]
			f.exec(`INSERT INTO reactions (user_id, meme_id, sent_at, reaction, reacted_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING`, u, m, at, 1+rng.IntN(2), at.Add(time.Duration(rng.IntN(30))*time.Second))
		}
		f.exec(`UPDATE stats_watermarks SET processed_until = $1 WHERE name = 'colikes'`, at)
		f.runUntil(at.Add(-time.Duration(rng.IntN(60)) * time.Second))
	}
	f.runUntil(at.Add(time.Hour))
	for _, c := range []struct{ table, key string }{
		{"meme_stats", "meme_id"}, {"user_stats", "user_id"}, {"source_stats", "source_id"},
	} {
		key := "r." + c.key
		if c.table == "source_stats" {
			key = "m.source_id"
		}
		wrong := f.float(`
WITH truth AS (
    SELECT ` + key + ` AS id, count(*) FILTER (WHERE r.reaction = 1) AS likes, count(*) FILTER (WHERE r.reaction = 2) AS dislikes
    FROM reactions r JOIN memes m ON m.id = r.meme_id GROUP BY 1)
SELECT count(*) FROM truth t FULL JOIN ` + c.table + ` s ON s.` + c.key + ` = t.id
WHERE coalesce(t.likes, 0) <> coalesce(s.likes, 0) OR coalesce(t.dislikes, 0) <> coalesce(s.dislikes, 0)`)
		if wrong != 0 {
			t.Errorf("%s: %v rows disagree with the reactions table", c.table, wrong)
		}
	}
	if got := f.float(`SELECT count(*) FROM reactions`); got < 450 {
		t.Fatalf("only %v reactions written", got)
	}
}
