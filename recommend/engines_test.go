package recommend

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestEnginesApplyTheSharedFilters puts every kind of meme an engine must
// never return next to eligible ones, and asks each engine for a few.
func TestEnginesApplyTheSharedFilters(t *testing.T) {
	f := newFixture(t)
	const user, uploader = 1, 2
	f.user(user, "en", "de")
	f.user(uploader, "en")
	src := f.source("chan", "en")

	var eligible []int64
	for i := range 6 {
		lang := "en"
		if i%3 == 2 {
			lang = "de"
		}
		id := f.meme(memeSpec{lang: lang, sourceID: src, uploaderID: uploader})
		f.popular(id, 0.5+float64(i)/100)
		eligible = append(eligible, id)
	}
	forbidden := map[string]int64{
		"rejected":       f.meme(memeSpec{status: storage.MemeRejected, sourceID: src, uploaderID: uploader}),
		"waiting review": f.meme(memeSpec{status: storage.MemeWaitingReview, sourceID: src, uploaderID: uploader}),
		"other language": f.meme(memeSpec{lang: "ru", sourceID: src, uploaderID: uploader}),
		"already sent":   f.meme(memeSpec{sourceID: src, uploaderID: uploader}),
		"sent, reacted":  f.meme(memeSpec{sourceID: src, uploaderID: uploader}),
		"excluded":       f.meme(memeSpec{sourceID: src, uploaderID: uploader}),
	}
	for _, id := range forbidden {
		f.popular(id, 0.9) // better than every eligible meme
	}
	f.sent(user, forbidden["already sent"], 0, time.Now().Add(-time.Hour))
	f.sent(user, forbidden["sent, reacted"], storage.Like, time.Now().Add(-time.Hour))

	for _, engine := range EngineNames {
		t.Run(engine, func(t *testing.T) {
			switch engine {
			case Fresh, LowSentPool: // only memes short of their first impressions
				f.exec(`UPDATE meme_stats SET sent = $1`, FreshImpressions-1)
			case Collab: // memes the factor model knows
				f.exec(`INSERT INTO meme_factors (meme_id, vec, reactions) SELECT id, $1, $2 FROM memes`,
					storagetest.EncodeVector(make([]float32, FactorDims+1)), CollabMinReactions)
				f.feed.Engines().ForgetMemes()
			case CoLiked: // memes liked with the one the user liked
				f.exec(`INSERT INTO meme_colikes (meme_id, other_id, n) SELECT $1, id, 3 FROM memes WHERE id <> $1`,
					forbidden["sent, reacted"])
			}
			q := Query{UserID: user, Languages: []string{"en", "de"}, Exclude: []int64{forbidden["excluded"]}, Limit: 4}
			items, err := f.feed.Engines().Candidates(f.ctx, engine, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 4 {
				t.Fatalf("got %d items, want the limit 4: %+v", len(items), items)
			}
			for _, it := range items {
				for why, id := range forbidden {
					if it.MemeID == id {
						t.Errorf("returned meme %d (%s)", id, why)
					}
				}
				if !slices.Contains(eligible, it.MemeID) {
					t.Errorf("returned meme %d, not an eligible one", it.MemeID)
				}
				if it.Engine != engine || it.Type != "photo" || it.FileID == "" {
					t.Errorf("item %+v: want engine %s, type photo and a file id", it, engine)
				}
			}
			if ids := ids(items); len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
				t.Errorf("duplicate ids: %v", ids)
			}
		})
	}
}

func TestRankedEnginesOrderByTheirScore(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	low, high := f.meme(memeSpec{}), f.meme(memeSpec{})
	f.popular(low, 0.1)
	f.popular(high, 0.8)
	f.exec(`UPDATE meme_stats SET sent = 500 WHERE meme_id = $1`, high)
	q := Query{UserID: 1, Languages: []string{"en"}, Limit: 2}
	cases := map[string]int64{LRSmoothed: high, LastResort: high, LikeSpread: low}
	for engine, want := range cases {
		items, err := f.feed.Engines().Candidates(f.ctx, engine, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 || items[0].MemeID != want {
			t.Errorf("%s: first = %+v, want meme %d first", engine, items, want)
		}
	}
	// low_sent_pool: only memes short of FreshImpressions, least sent first.
	f.exec(`UPDATE meme_stats SET sent = CASE WHEN meme_id = $1 THEN 12 ELSE 3 END`, high)
	items, err := f.feed.Engines().Candidates(f.ctx, LowSentPool, q)
	if err != nil || len(items) != 2 || items[0].MemeID != low {
		t.Errorf("low_sent_pool: %+v, %v; want meme %d (3 sent) before %d (12 sent)", items, err, low, high)
	}
	f.exec(`UPDATE meme_stats SET sent = $2 WHERE meme_id = $1`, high, FreshImpressions)
	if items, _ := f.feed.Engines().Candidates(f.ctx, LowSentPool, q); len(items) != 1 {
		t.Errorf("low_sent_pool: %+v; a meme with %d impressions is no longer low", items, FreshImpressions)
	}
}

func TestExploreServesOnlyWellTestedMemes(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	tested, untested, disliked := f.meme(memeSpec{}), f.meme(memeSpec{}), f.meme(memeSpec{})
	f.popular(tested, 0.5)
	f.popular(disliked, 0.1)
	f.exec(`UPDATE meme_stats SET likes = 10, dislikes = 0, lr_smoothed = 0.9 WHERE meme_id = $1`, untested)
	items, err := f.feed.Engines().Candidates(f.ctx, ColdStartExplore, Query{UserID: 1, Languages: []string{"en"}, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(items); !slices.Equal(got, []int64{tested}) {
		t.Fatalf("explore = %v, want only the well-tested, well-liked meme %d", got, tested)
	}
}

func TestAdaptPrefersSourcesTheUserLiked(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	liked, disliked := f.source("liked", "en"), f.source("disliked", "en")
	at := time.Now().Add(-time.Hour)
	for i := range 3 {
		f.sent(1, f.meme(memeSpec{sourceID: liked}), storage.Like, at.Add(time.Duration(i)*time.Minute))
		f.sent(1, f.meme(memeSpec{sourceID: disliked}), storage.Dislike, at.Add(time.Duration(i)*time.Minute))
	}
	fromDisliked := f.meme(memeSpec{sourceID: disliked})
	fromLiked := f.meme(memeSpec{sourceID: liked})
	f.popular(fromDisliked, 0.6) // better rated, but from a source the user dislikes
	f.popular(fromLiked, 0.3)
	items, err := f.feed.Engines().Candidates(f.ctx, ColdStartAdapt, Query{UserID: 1, Languages: []string{"en"}, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(items); !slices.Equal(got, []int64{fromLiked, fromDisliked}) {
		t.Fatalf("adapt = %v, want the liked source's meme %d before %d", got, fromLiked, fromDisliked)
	}
}

// TestFreshServesTheNewestMemesFirst: past their first hour, the meme that
// went live later gets its impressions before an older one still short of
// them, whatever each has had so far; a meme that had its FreshImpressions
// leaves the pool, and an approval's likes are no impressions.
func TestFreshServesTheNewestMemesFirst(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	now := time.Now()
	older := f.meme(memeSpec{published: now.Add(-3 * time.Hour)})
	upload := f.meme(memeSpec{published: now.Add(-150 * time.Minute)})
	newer := f.meme(memeSpec{published: now.Add(-2 * time.Hour)})
	done := f.meme(memeSpec{published: now.Add(-90 * time.Minute)})
	at := now.Add(-time.Hour)
	for u := int64(2); u < 2+FreshImpressions; u++ {
		f.user(u, "en")
		f.sent(u, done, storage.Like, at)
		if u < 9 {
			f.sent(u, newer, storage.Dislike, at) // 7 impressions; older has none
		}
		if u < FreshImpressions {
			f.sent(u, upload, storage.Like, at) // 18 impressions
		}
	}
	for _, u := range []int64{FreshImpressions, FreshImpressions + 1} { // its uploader and moderator
		f.exec(`INSERT INTO reactions (user_id, meme_id, engine, reaction, reacted_at) VALUES ($1, $2, $3, 1, $4)`,
			u, upload, storage.EngineApprovalLike, at)
	}
	items, err := f.feed.Engines().Candidates(f.ctx, Fresh, Query{UserID: 1, Languages: []string{"en"}, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(items); !slices.Equal(got, []int64{newer, upload, older}) {
		t.Fatalf("fresh = %v, want the newer meme %d (7 impressions), the upload %d (18 and two approval likes), the older %d (none), and not %d (%d impressions)",
			got, newer, upload, older, done, FreshImpressions)
	}
}

// TestFreshGivesANewMemeItsFirstHour: memes in their first hour come before
// older ones, the furthest behind a pace of FreshImpressions within the hour
// first, and an upload a moderator approved late counts from its approval,
// not from when it arrived.
func TestFreshGivesANewMemeItsFirstHour(t *testing.T) {
	f := newFixture(t)
	f.user(1, "en")
	now := time.Now()
	late := f.meme(memeSpec{status: storage.MemeWaitingReview}) // uploaded first, approved last
	old := f.meme(memeSpec{published: now.Add(-2 * time.Hour)})
	behind := f.meme(memeSpec{published: now.Add(-50 * time.Minute)})
	recent := f.meme(memeSpec{published: now.Add(-10 * time.Minute)})
	for u := int64(2); u < 7; u++ {
		f.user(u, "en")
		f.sent(u, behind, storage.Like, now.Add(-40*time.Minute)) // 5 of the 16 due by now
	}
	if err := f.st.ChangeMemeStatus(f.ctx, late, storage.MemeOK, "", nil); err != nil {
		t.Fatal(err)
	}
	items, err := f.feed.Engines().Candidates(f.ctx, Fresh, Query{UserID: 1, Languages: []string{"en"}, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(items), []int64{behind, recent, late, old}; !slices.Equal(got, want) {
		t.Fatalf("fresh = %v, want %v: behind pace (50 min, 5 impressions), then 10 min old, then just approved, then past its hour", got, want)
	}
}

// TestFreshShareRisesWhileNewMemesFallBehind: the fresh engine keeps to its
// floor while the memes in their first hour keep pace (or there are none),
// and takes up to its largest share as they fall behind; the share is worked
// out at most once a minute.
func TestFreshShareRisesWhileNewMemesFallBehind(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	clock := now
	f.feed.Engines().Now = func() time.Time { return clock }
	l := Learner{}.withDefaults()
	share := func() float64 {
		t.Helper()
		s, err := f.feed.freshShare(f.ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := share(); got != l.FreshShare {
		t.Fatalf("no new memes: share %v, want the floor %v", got, l.FreshShare)
	}
	onPace := f.meme(memeSpec{published: now.Add(-30 * time.Minute)})
	for u := int64(1); u <= 16; u++ { // 14.2 due by 32 of 45 minutes
		f.user(u, "en")
		f.sent(u, onPace, storage.Like, now.Add(-10*time.Minute))
	}
	f.meme(memeSpec{published: now.Add(-2 * time.Hour)}) // past its hour: not counted
	clock = now.Add(2 * time.Minute)
	if got := share(); got != l.FreshShare {
		t.Fatalf("new memes on pace: share %v, want the floor %v", got, l.FreshShare)
	}
	f.meme(memeSpec{published: now.Add(-40 * time.Minute), lang: "ru"}) // none of its 18 due (every language counts)
	if got := share(); got != l.FreshShare {
		t.Fatalf("within the minute: share %v, want the one worked out before (%v)", got, l.FreshShare)
	}
	clock = now.Add(4 * time.Minute)
	if got := share(); got != l.FreshShareMax {
		t.Fatalf("a new meme 20 impressions behind: share %v, want the most, %v", got, l.FreshShareMax)
	}
}
