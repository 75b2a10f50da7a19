package ingest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"memebot/media"
	"memebot/storage"
	"memebot/storage/storagetest"
)

func newTestIngester(t *testing.T, parsers map[string]Parser, now time.Time) (*Ingester, *storage.Store) {
	t.Helper()
	st := storagetest.NewStore(t)
	in := New(st, parsers, Rules{MinPostAge: 3 * time.Hour}, storagetest.Logger())
	in.now = func() time.Time { return now }
	return in, st
}

// enabledSource adds a source and enables parsing, as a moderator would.
func enabledSource(t *testing.T, s *storage.Store, link, lang string) storage.Source {
	t.Helper()
	l, err := ParseSourceLink(link)
	if err != nil {
		t.Fatal(err)
	}
	src, _, err := s.AddSource(context.Background(), l.Platform, l.Handle, l.URL, 1)
	if err != nil {
		t.Fatal(err)
	}
	mod := int64(1)
	if err := s.SetSourceLanguage(context.Background(), src.ID, lang); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSourceStatus(context.Background(), src.ID, storage.SourceParsingEnabled, "", &mod); err != nil {
		t.Fatal(err)
	}
	src.Language = lang
	return src
}

// storeOf is the database under a test's ingester.
func storeOf(in *Ingester) *storage.Store { return in.store.(*storage.Store) }

func candidateIDs(cs []Candidate) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.PostID)
	}
	sort.Strings(ids)
	return ids
}

func TestParseDueTelegram(t *testing.T) {
	ctx := context.Background()
	srv := newTGServer(t, map[string][]byte{
		"/s/funnymemes":            fixture(t, "tg_page1.html"),
		"/s/funnymemes?before=101": fixture(t, "tg_page2.html"),
	})
	now := time.Date(2024, 5, 10, 14, 0, 0, 0, time.UTC)
	in, st := newTestIngester(t, map[string]Parser{
		PlatformTelegram: &TelegramParser{BaseURL: srv.URL, HTTP: testClient(), Pages: 2},
	}, now)
	src := enabledSource(t, storeOf(in), "https://t.me/funnymemes", "en")

	res, err := in.ParseDue(ctx, PlatformTelegram, 25, accept)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sources != 1 || res.Posts != 12 || res.NewPosts != 12 || len(res.Errors) != 0 {
		t.Errorf("result = %+v", res)
	}
	// Median of the mature posts' views is 2000: 101 (450, out link) and 99 (300) are
	// under 0.3 x; 102 is an ad; 105 an album; 97 a sticker; 98 too big; 107 too young.
	if got, want := candidateIDs(res.Candidates), []string{"100", "103", "104", "95", "96"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("candidates %v, want %v", got, want)
	}
	for _, c := range res.Candidates {
		switch c.PostID {
		case "100":
			if c.Language != "ru" || c.MediaType != media.Photo || c.MediaURL != "https://cdn4.example.org/file/p100.jpg" {
				t.Errorf("100 = %+v: a Russian caption on an en source is ru", c)
			}
		case "103":
			if c.MediaType != media.Animation || c.SourceID != src.ID || c.RawPostID == 0 {
				t.Errorf("103 = %+v", c)
			}
		case "104":
			if c.MediaType != media.Video || c.DurationSec != 65 || c.Caption != "cat vs cucumber" || c.Language != "en" {
				t.Errorf("104 = %+v", c)
			}
		}
	}
	verdicts := map[string]string{}
	rows, _ := storagetest.SQL(st).Query("SELECT post_id, verdict, processed_at IS NOT NULL FROM raw_posts WHERE source_id = $1", src.ID)
	for rows.Next() {
		var id, v string
		var processed bool
		rows.Scan(&id, &v, &processed)
		if processed != (v != "") {
			t.Errorf("post %s: processed %v with verdict %q", id, processed, v)
		}
		verdicts[id] = v
	}
	rows.Close()
	for id, prefix := range map[string]string{"101": VerdictLowViews, "99": VerdictLowViews, "102": "ad: words", "105": VerdictAlbum,
		"97": VerdictUnsupported, "98": VerdictUnsupported, "107": "", "95": VerdictCandidate} {
		if v := verdicts[id]; !strings.HasPrefix(v, prefix) || (prefix == "" && v != "") {
			t.Errorf("post %s verdict %q, want %q", id, v, prefix)
		}
	}
	got, _ := storeOf(in).Source(ctx, src.ID)
	if got.ParsedAt == nil || got.EmptyParses != 0 {
		t.Errorf("source after a parse: %+v", got)
	}

	// Three hours later: nothing new, and only the post that was too young is judged now.
	in.now = func() time.Time { return now.Add(3 * time.Hour) }
	res, err = in.ParseDue(ctx, PlatformTelegram, 25, accept)
	if err != nil || res.NewPosts != 0 || len(res.Candidates) != 1 || res.Candidates[0].PostID != "107" {
		t.Fatalf("second run: %+v, %v", res, err)
	}
	if c := res.Candidates[0]; c.Caption != "When the code works on the first try 😂\n\n#programming" {
		t.Errorf("107 caption %q: the @mention should be cleaned off", c.Caption)
	}
}

func TestParseDueVK(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(fixture(t, "vk_wall.json"))
	}))
	defer srv.Close()
	in, _ := newTestIngester(t, map[string]Parser{
		PlatformVK: &VKParser{BaseURL: srv.URL, Token: "t", HTTP: testClient()},
	}, time.Now())
	enabledSource(t, storeOf(in), "https://vk.com/mdk", "ru")
	res, err := in.ParseDue(context.Background(), PlatformVK, 25, accept)
	if err != nil {
		t.Fatal(err)
	}
	// 1006 has two photos: an album. Low views (1007: 12) do not matter on VK.
	if got := candidateIDs(res.Candidates); strings.Join(got, ",") != "1001,1007" || res.Candidates[0].Language != "ru" {
		t.Errorf("candidates %v (%+v)", got, res.Candidates)
	}
}

// switchable serves the first page of "funnymemes" while full is set, an empty page otherwise.
func switchableTG(t *testing.T, full *atomic.Bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if full.Load() {
			w.Write(fixture(t, "tg_page1.html"))
			return
		}
		w.Write(fixture(t, "tg_empty.html"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestEmptyParsesSnooze(t *testing.T) {
	ctx := context.Background()
	var full atomic.Bool
	srv := switchableTG(t, &full)
	in, _ := newTestIngester(t, map[string]Parser{
		PlatformTelegram: &TelegramParser{BaseURL: srv.URL, HTTP: testClient(), Pages: 1},
	}, time.Now())
	src := enabledSource(t, storeOf(in), "t.me/funnymemes", "en")
	parse := func() Result {
		t.Helper()
		res, err := in.ParseDue(ctx, PlatformTelegram, 25, accept)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	status := func() storage.Source {
		s, _ := storeOf(in).Source(ctx, src.ID)
		return s
	}

	parse()
	parse()
	full.Store(true)
	parse() // a success resets the count
	if s := status(); s.EmptyParses != 0 || s.Status != storage.SourceParsingEnabled {
		t.Fatalf("after a success: %d empty parses, %s", s.EmptyParses, s.Status)
	}
	full.Store(false)
	parse()
	if res := parse(); len(res.Snoozed) != 0 || status().Status != storage.SourceParsingEnabled {
		t.Fatalf("snoozed after 2 empty parses: %+v", res.Snoozed)
	}
	res := parse()
	s := status()
	if len(res.Snoozed) != 1 || s.Status != storage.SourceSnoozed || s.StatusChangedBy != nil || !strings.Contains(s.StatusReason, "3 empty parses") {
		t.Errorf("third empty parse: snoozed %+v, source %+v", res.Snoozed, s)
	}
	if res := parse(); res.Sources != 0 {
		t.Errorf("a snoozed source was parsed: %+v", res)
	}
}

func TestCircuitBreaker(t *testing.T) {
	ctx := context.Background()
	var healthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write(fixture(t, "tg_page1.html"))
	}))
	defer srv.Close()
	in, _ := newTestIngester(t, map[string]Parser{
		PlatformTelegram: &TelegramParser{BaseURL: srv.URL, HTTP: testClient(), Pages: 1},
	}, time.Now())
	a := enabledSource(t, storeOf(in), "t.me/chan_aaaa", "en")
	enabledSource(t, storeOf(in), "t.me/chan_bbbb", "en")

	for run := 1; run <= 3; run++ {
		res, err := in.ParseDue(ctx, PlatformTelegram, 25, accept)
		if len(res.Errors) != 2 || res.ConsecutiveFailures != run {
			t.Fatalf("run %d: %+v", run, res)
		}
		if run < 3 && (err != nil || res.Pause) {
			t.Fatalf("run %d asked to pause: %v", run, err)
		}
		if run == 3 && (!errors.Is(err, ErrPlatformFailing) || !res.Pause) {
			t.Fatalf("run 3: pause %v, err %v; want ErrPlatformFailing", res.Pause, err)
		}
	}
	var failed int
	var lastErr string
	storagetest.DB(storeOf(in)).Raw("SELECT failed_parses, last_error FROM sources WHERE id = ?", a.ID).Row().Scan(&failed, &lastErr)
	if failed != 3 || !strings.Contains(lastErr, "503") {
		t.Errorf("source failures %d, last error %q", failed, lastErr)
	}
	if s, _ := storeOf(in).Source(ctx, a.ID); s.EmptyParses != 0 || s.Status != storage.SourceParsingEnabled {
		t.Errorf("failures counted as empty parses: %+v", s)
	}

	healthy.Store(true)
	res, err := in.ParseDue(ctx, PlatformTelegram, 25, accept)
	if err != nil || res.ConsecutiveFailures != 0 || res.Pause {
		t.Errorf("a good run: %+v, %v; want the count reset", res, err)
	}
}

func TestSnoozeUnpopular(t *testing.T) {
	ctx := context.Background()
	in, st := newTestIngester(t, nil, time.Now())
	s := storeOf(in)
	// like rate and reactions per source
	cases := []struct {
		link         string
		reactions    int
		likes        int
		wantSnoozed  bool
		beforeEnable bool
	}{
		{"t.me/unloved_200", 200, 10, true, false}, // 5% of 200
		{"t.me/unloved_40", 40, 2, false, false},   // 5% of 40: too few to judge
		{"t.me/loved_200", 200, 100, false, false}, // 50%
		{"t.me/border_100", 100, 10, false, false}, // exactly 10%
		{"t.me/reenabled", 200, 10, false, true},   // old reactions, before a moderator re-enabled it
	}
	ids := map[string]int64{}
	for i, tc := range cases {
		src := enabledSource(t, s, tc.link, "en")
		ids[tc.link] = src.ID
		var memeID int64
		storagetest.DB(st).Raw("INSERT INTO memes (source_id, type, status) VALUES (?, 'photo', 'ok') RETURNING id", src.ID).Scan(&memeID)
		reactedAt := "now()"
		if tc.beforeEnable {
			reactedAt = "now() - interval '1 day'"
		}
		err := storagetest.DB(st).Exec(`INSERT INTO reactions (user_id, meme_id, reaction, reacted_at)
			SELECT g + ?, ?, CASE WHEN g <= ? THEN 1 ELSE 2 END, `+reactedAt+` FROM generate_series(1, ?) g`,
			i*1000, memeID, tc.likes, tc.reactions).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	snoozed, err := in.SnoozeUnpopular(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snoozed) != 1 || snoozed[0].SourceID != ids["t.me/unloved_200"] || snoozed[0].Reason != "like rate 5.0% over 200 reactions" {
		t.Fatalf("snoozed %+v", snoozed)
	}
	for _, tc := range cases {
		got, _ := s.Source(ctx, ids[tc.link])
		if (got.Status == storage.SourceSnoozed) != tc.wantSnoozed {
			t.Errorf("%s: status %s", tc.link, got.Status)
		}
	}
	if again, _ := in.SnoozeUnpopular(ctx); len(again) != 0 {
		t.Errorf("second run snoozed %+v", again)
	}
}
