package pipeline_test

import (
	"context"
	"testing"
	"time"

	"memebot/ingest"
	"memebot/jobs"
	"memebot/jobs/jobstore"
	"memebot/kv"
	"memebot/kv/kvtest"
	"memebot/pipeline"
	"memebot/queue"
	"memebot/storage"
	"memebot/storage/storagetest"
)

// handedOff is a channel of distinct pictures whose posts a scheduled run
// judged and whose candidates it queued on media.
type handedOff struct {
	st     *storage.Store
	rdb    *kv.Redis
	media  *queue.Queue
	client *ingest.Client
	src    storage.Source
	cands  []ingest.Candidate
}

func handOff(t *testing.T, name string, posts int) handedOff {
	t.Helper()
	ctx := context.Background()
	h := handedOff{st: storagetest.NewStore(t), rdb: kvtest.NewRedis(t)}
	var pictures [][]byte
	for i := range posts {
		pictures = append(pictures, picture(t, uint64(100+i)))
	}
	tme := channel(t, name, pictures)
	h.client = ingest.NewClient(ingest.ClientOptions{AllowPrivateHosts: true, HostInterval: -1})
	sources := h.st
	ing := ingest.New(sources, map[string]ingest.Parser{
		ingest.PlatformTelegram: &ingest.TelegramParser{BaseURL: tme.URL, HTTP: h.client, Pages: 1},
	}, ingest.Rules{}, storagetest.Logger())
	link, _ := ingest.ParseSourceLink("https://t.me/" + name)
	src, _, err := sources.AddSource(ctx, link.Platform, link.Handle, link.URL, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := sources.SetSourceStatus(ctx, src.ID, storage.SourceParsingEnabled, "", nil); err != nil {
		t.Fatal(err)
	}
	h.src = src
	h.media = queue.New(h.rdb, "media", queue.Options{Block: 100 * time.Millisecond, BaseBackoff: 50 * time.Millisecond,
		BusyDelay: 100 * time.Millisecond}, storagetest.Logger())
	res, err := ing.ParseDue(ctx, ingest.PlatformTelegram, 10, pipeline.QueueCandidates(h.media))
	if err != nil || len(res.Candidates) != posts {
		t.Fatalf("the run queued %d candidates (%v), want %d", len(res.Candidates), err, posts)
	}
	h.cands = res.Candidates
	return h
}

// loseQueue is Redis restarted without persistence: the media stream is gone.
func (h handedOff) loseQueue(t *testing.T) {
	t.Helper()
	if err := h.rdb.Del(context.Background(), h.rdb.Key("queue", "media")).Err(); err != nil {
		t.Fatal(err)
	}
}

func (h handedOff) queued(t *testing.T) int64 {
	t.Helper()
	s, err := h.media.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s.Length
}

// sweep is requeue-stale's candidate sweep as the clock reads at.
func (h handedOff) sweep(t *testing.T, at time.Time) {
	t.Helper()
	s := jobs.CandidateSweep{Store: jobstore.New(h.st), Jobs: h.media, Queue: h.media,
		Now: func() time.Time { return at }, Log: storagetest.Logger()}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (h handedOff) outcomes(t *testing.T) map[int64]string {
	t.Helper()
	rows, err := storagetest.SQL(h.st).Query("SELECT id, ingest_outcome FROM raw_posts WHERE source_id = $1 AND verdict = $2",
		h.src.ID, ingest.VerdictCandidate)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var outcome string
		if err := rows.Scan(&id, &outcome); err != nil {
			t.Fatal(err)
		}
		out[id] = outcome
	}
	return out
}

func (h handedOff) pipeline(tg *fakeTelegram) *pipeline.Pipeline {
	return ingestPipeline(h.st, h.rdb, h.client, tg)
}

// drain runs a worker until the media queue is empty.
func (h handedOff) drain(t *testing.T, p *pipeline.Pipeline) {
	t.Helper()
	defer work(h.media, p)()
	drain(t, h.media)
}

// Candidates whose jobs Redis lost after their posts were marked processed
// are queued again by the sweep once they are stale, and each still makes one
// meme; the candidate whose job had already done its work is not queued again.
func TestLostCandidatesAreIngestedOnce(t *testing.T) {
	const posts = 3
	h := handOff(t, "lostmemes", posts)
	tg := newFakeTelegram()
	p := h.pipeline(tg)

	// The first candidate's job ran before the loss.
	done, err := pipeline.IngestJob(h.cands[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := p.HandleIngest(context.Background(), done); err != nil {
		t.Fatal(err)
	}
	h.loseQueue(t)

	h.sweep(t, time.Now())
	if n := h.queued(t); n != 0 {
		t.Fatalf("%d jobs queued again before the candidates were stale", n)
	}
	h.sweep(t, time.Now().Add(jobs.CandidateStaleAfter+time.Minute))
	if n := h.queued(t); n != posts-1 {
		t.Fatalf("%d jobs queued again, want the %d lost ones", n, posts-1)
	}
	h.drain(t, p)

	oneMemePerPost(t, h.st, h.src.ID, posts, func(m storage.Meme) bool { return m.Status == storage.MemeOK })
	if n := tg.count(storageChat); n != posts {
		t.Errorf("%d storage copies, want %d", n, posts)
	}
	for id, outcome := range h.outcomes(t) {
		if outcome != "ok" {
			t.Errorf("raw post %d: outcome %q, want ok", id, outcome)
		}
	}

	// Every candidate has its outcome: nothing is queued again, ever.
	h.sweep(t, time.Now().Add(10*jobs.CandidateStaleAfter))
	if n := h.queued(t); n != 0 {
		t.Errorf("%d jobs queued again after every candidate had its outcome", n)
	}
}

// A candidate whose job never records an outcome is queued again a bounded
// number of times, then recorded as failed and left alone.
func TestCandidateSweepGivesUp(t *testing.T) {
	h := handOff(t, "cursedmemes", 1)
	at := time.Now()
	for i := range jobs.MaxCandidateRequeues {
		h.loseQueue(t)
		at = at.Add(jobs.CandidateStaleAfter + time.Minute)
		h.sweep(t, at)
		if n := h.queued(t); n != 1 {
			t.Fatalf("sweep %d queued %d jobs, want the lost one", i+1, n)
		}
	}
	for range 2 {
		h.loseQueue(t)
		at = at.Add(jobs.CandidateStaleAfter + time.Minute)
		h.sweep(t, at)
		if n := h.queued(t); n != 0 {
			t.Fatalf("%d jobs queued after %d requeues, want none", n, jobs.MaxCandidateRequeues)
		}
	}
	for id, outcome := range h.outcomes(t) {
		if outcome != storage.IngestOutcomeFailed {
			t.Errorf("raw post %d: outcome %q, want %q", id, outcome, storage.IngestOutcomeFailed)
		}
	}

	// Should the job turn up after all, its outcome is the one that stays.
	p := h.pipeline(newFakeTelegram())
	job, err := pipeline.IngestJob(h.cands[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := p.HandleIngest(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if got := h.outcomes(t)[h.cands[0].RawPostID]; got != "ok" {
		t.Errorf("a late job left outcome %q, want ok", got)
	}
}

// A candidate whose job still waits in the queue behind older jobs (a
// backlog, or the workers paused) is not lost, however long it waits.
func TestCandidateWaitingInTheQueueIsNotRequeued(t *testing.T) {
	h := handOff(t, "patientmemes", 2)
	h.sweep(t, time.Now().Add(3*jobs.CandidateStaleAfter))
	if n := h.queued(t); n != 2 {
		t.Errorf("%d jobs in the queue, want the 2 handed off and none again", n)
	}
	for id, outcome := range h.outcomes(t) {
		if outcome != "" {
			t.Errorf("raw post %d: outcome %q before its job ran", id, outcome)
		}
	}
}
