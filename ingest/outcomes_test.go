package ingest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"memebot/storage"
)

// The sweep hands off again exactly the jobs the run handed off, and one
// whose hand-off fails changes nothing: the candidates stay lost, with no
// attempt spent, for the next sweep to take.
func TestRequeueLostHandsOffTheSameJobs(t *testing.T) {
	in, _ := funnymemesIngester(t)
	ctx := context.Background()
	var first []Candidate
	if _, err := in.ParseDue(ctx, PlatformTelegram, 25, func(_ context.Context, cs []Candidate) error {
		first = cs
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	lost := storage.CandidateRequeue{QueuedBefore: time.Now().Add(time.Minute), MaxRequeues: 1, Limit: 100}

	if _, err := storeOf(in).RequeueLostCandidates(ctx, lost, func(context.Context, []Candidate) error {
		return errors.New("redis down")
	}); err == nil {
		t.Fatal("a failed hand-off reported success")
	}
	var again handoffLog
	res, err := storeOf(in).RequeueLostCandidates(ctx, lost, again.take)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.sorted(); !slices.Equal(got, fixtureCandidates) || len(res.Failed) != 0 {
		t.Fatalf("handed off again %v (failed %v), want %v", got, res.Failed, fixtureCandidates)
	}
	byPost := func(a, b Candidate) int { return int(a.RawPostID - b.RawPostID) }
	slices.SortFunc(first, byPost)
	slices.SortFunc(res.Candidates, byPost)
	if !slices.Equal(first, res.Candidates) {
		t.Errorf("handed off again\n%+v\nwant the first run's jobs\n%+v", res.Candidates, first)
	}

	// Recorded outcomes end the wait; the rest, queued once again already, fail.
	for _, c := range first[:2] {
		if err := storeOf(in).RecordIngestOutcome(ctx, c.RawPostID, "ok"); err != nil {
			t.Fatal(err)
		}
	}
	lost.QueuedBefore = time.Now().Add(time.Minute)
	res, err = storeOf(in).RequeueLostCandidates(ctx, lost, accept)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Candidates) != 0 || len(res.Failed) != len(first)-2 {
		t.Errorf("third sweep: %d handed off, %d failed; want 0 and %d", len(res.Candidates), len(res.Failed), len(first)-2)
	}
}
