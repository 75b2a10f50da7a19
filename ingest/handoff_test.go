package ingest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
)

// accept is a Handoff that takes everything (ParseDue's Result lists it).
func accept(context.Context, []Candidate) error { return nil }

// handoffLog records every candidate handed off, as the media queue would.
type handoffLog struct {
	mu  sync.Mutex
	ids []string
}

func (h *handoffLog) take(_ context.Context, cs []Candidate) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range cs {
		h.ids = append(h.ids, c.PostID)
	}
	return nil
}

func (h *handoffLog) sorted() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := slices.Clone(h.ids)
	slices.Sort(ids)
	return ids
}

// funnymemesIngester parses the channel of tg_page1.html and tg_page2.html
// at the time of TestParseDueTelegram: its candidates are fixtureCandidates.
func funnymemesIngester(t *testing.T) (*Ingester, *storage.Store) {
	t.Helper()
	srv := newTGServer(t, map[string][]byte{
		"/s/funnymemes":            fixture(t, "tg_page1.html"),
		"/s/funnymemes?before=101": fixture(t, "tg_page2.html"),
	})
	in, st := newTestIngester(t, map[string]Parser{
		PlatformTelegram: &TelegramParser{BaseURL: srv.URL, HTTP: testClient(), Pages: 2},
	}, time.Date(2024, 5, 10, 14, 0, 0, 0, time.UTC))
	enabledSource(t, storeOf(in), "https://t.me/funnymemes", "en")
	return in, st
}

var fixtureCandidates = []string{"100", "103", "104", "95", "96"}

func TestCrashBeforePostsAreMarkedLosesNoCandidate(t *testing.T) {
	errCrash := errors.New("process killed")
	cases := []struct {
		name string
		// crash hands cs off, then fails the way a dying process would.
		crash func(ctx context.Context, cancel context.CancelFunc, log *handoffLog, cs []Candidate) error
	}{
		{"the run fails after queueing", func(ctx context.Context, _ context.CancelFunc, log *handoffLog, cs []Candidate) error {
			log.take(ctx, cs)
			return errCrash
		}},
		{"the run is cancelled after queueing", func(ctx context.Context, cancel context.CancelFunc, log *handoffLog, cs []Candidate) error {
			log.take(ctx, cs)
			cancel() // the commit of the mark never happens
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, st := funnymemesIngester(t)

			var crashed handoffLog
			ctx, cancel := context.WithCancel(context.Background())
			_, err := in.ParseDue(ctx, PlatformTelegram, 25, func(ctx context.Context, cs []Candidate) error {
				return tc.crash(ctx, cancel, &crashed, cs)
			})
			cancel()
			if err == nil {
				t.Fatal("the crashed run reported success")
			}
			if got := crashed.sorted(); !slices.Equal(got, fixtureCandidates) {
				t.Fatalf("queued before the crash: %v, want %v", got, fixtureCandidates)
			}
			var processed int
			storagetest.SQL(st).QueryRow("SELECT count(*) FROM raw_posts WHERE processed_at IS NOT NULL").Scan(&processed)
			if processed != 0 {
				t.Fatalf("%d posts marked processed by the crashed run; its mark must not outlive it", processed)
			}

			// The next run hands every candidate off again (the ingest job
			// makes one meme of the two), and marks the posts processed.
			var next handoffLog
			res, err := in.ParseDue(context.Background(), PlatformTelegram, 25, next.take)
			if err != nil {
				t.Fatal(err)
			}
			if got := next.sorted(); !slices.Equal(got, fixtureCandidates) || len(res.Candidates) != len(got) {
				t.Fatalf("after the crash: handed off %v (result %d), want %v", got, len(res.Candidates), fixtureCandidates)
			}
			storagetest.SQL(st).QueryRow("SELECT count(*) FROM raw_posts WHERE verdict = $1 AND processed_at IS NOT NULL", VerdictCandidate).Scan(&processed)
			if processed != len(fixtureCandidates) {
				t.Errorf("%d candidate posts marked processed, want %d", processed, len(fixtureCandidates))
			}

			// Once marked, never again.
			var later handoffLog
			if _, err := in.ParseDue(context.Background(), PlatformTelegram, 25, later.take); err != nil {
				t.Fatal(err)
			}
			if got := later.sorted(); len(got) != 0 {
				t.Errorf("a run after the marks handed off %v again", got)
			}
		})
	}
}

// Two scheduler replicas running one platform's job at once (a lapsed job
// lock) hand each candidate off once between them: the first holds the posts
// until its mark commits, the second skips them and then finds them processed.
func TestConcurrentRunsHandEachCandidateOffOnce(t *testing.T) {
	in, _ := funnymemesIngester(t)

	var log handoffLog
	slow := func(ctx context.Context, cs []Candidate) error {
		time.Sleep(300 * time.Millisecond) // hold the posts while the other run arrives
		return log.take(ctx, cs)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { _, errs[i] = in.ParseDue(context.Background(), PlatformTelegram, 25, slow) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got := log.sorted(); !slices.Equal(got, fixtureCandidates) {
		t.Fatalf("two runs at once handed off %s, want each of %s once", strings.Join(got, ","), strings.Join(fixtureCandidates, ","))
	}
}
