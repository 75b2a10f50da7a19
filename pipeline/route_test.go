package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"memebot/ingest"
	"memebot/kv/kvtest"
	"memebot/moderation"
	"memebot/pipeline"
	"memebot/review"
	"memebot/storage"
	"memebot/storage/storagetest"
)

// ingestNow parses the source once and runs each candidate's job at once,
// twice (a redelivery); it returns the raw posts' recorded outcomes.
func ingestNow(t *testing.T, st *storage.Store, w channelSource, p *pipeline.Pipeline) []string {
	t.Helper()
	ctx := context.Background()
	var cands []ingest.Candidate
	_, err := w.ing.ParseDue(ctx, ingest.PlatformTelegram, 10, func(_ context.Context, cs []ingest.Candidate) error {
		cands = append(cands, cs...) // run once the parse has committed its raw posts
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cands {
		job, err := pipeline.IngestJob(c)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := p.Handle(ctx, job); err != nil {
				t.Fatalf("ingest job of raw post %d: %v", c.RawPostID, err)
			}
		}
	}
	var outcomes []string
	storagetest.DB(st).Raw(`SELECT ingest_outcome FROM raw_posts WHERE source_id = ? ORDER BY id`, w.src.ID).Scan(&outcomes)
	return outcomes
}

// A clean post from a trusted source goes straight into the feed; the
// moderators see nothing of it.
func TestCleanPostFromTrustedSourceIsPublished(t *testing.T) {
	st, rdb := storagetest.NewStore(t), kvtest.NewRedis(t)
	w := newChannelSource(t, st, "trusted", [][]byte{picture(t, 31)})
	tg := newFakeTelegram()
	outcomes := ingestNow(t, st, w, ingestPipeline(st, rdb, w.client, tg))

	if len(outcomes) != 1 || outcomes[0] != "ok" {
		t.Fatalf("outcomes %q, want [ok]", outcomes)
	}
	oneMemePerPost(t, st, w.src.ID, 1, func(m storage.Meme) bool { return m.Status == storage.MemeOK })
	if n := tg.count(reviewChat); n != 0 {
		t.Errorf("%d review posts for a clean post from a trusted source", n)
	}
}

// A post from a source marked as needing review reaches the moderators once,
// saying which source it came from, with the decision buttons.
func TestPostFromReviewedSourceIsPostedWithItsSource(t *testing.T) {
	st, rdb := storagetest.NewStore(t), kvtest.NewRedis(t)
	w := newChannelSource(t, st, "watched", [][]byte{picture(t, 32)})
	if err := w.sources.SetSourceNeedsReview(context.Background(), w.src.ID, true); err != nil {
		t.Fatal(err)
	}
	tg := newFakeTelegram()
	outcomes := ingestNow(t, st, w, ingestPipeline(st, rdb, w.client, tg))

	if len(outcomes) != 1 || outcomes[0] != "review" {
		t.Fatalf("outcomes %q, want [review]", outcomes)
	}
	posts := tg.chat(reviewChat)
	if len(posts) != 1 {
		t.Fatalf("%d review posts, want 1", len(posts))
	}
	if !strings.Contains(posts[0].text, "source telegram/watched") || len(posts[0].buttons) == 0 ||
		posts[0].buttons[0][0].Label != review.ApproveLabel {
		t.Errorf("review post %q with buttons %+v, want its source and the decision buttons", posts[0].text, posts[0].buttons)
	}
}

// A post the checks refuse is kept out of the feed and recorded with the
// reason; nobody is posted anything.
func TestRefusedPostIsRecordedWithItsReason(t *testing.T) {
	st, rdb := storagetest.NewStore(t), kvtest.NewRedis(t)
	w := newChannelSource(t, st, "refused", [][]byte{picture(t, 33)})
	tg := newFakeTelegram()
	p := newPipeline(st, rdb, tg, checksSaying{action: moderation.ActionReject, reason: "ad"}).
		WithIngestion(w.client, st)
	outcomes := ingestNow(t, st, w, p)

	if len(outcomes) != 1 || outcomes[0] != "rejected:ad" {
		t.Fatalf("outcomes %q, want [rejected:ad]", outcomes)
	}
	oneMemePerPost(t, st, w.src.ID, 1, func(m storage.Meme) bool { return m.Status == storage.MemeRejected })
	if n := tg.count(reviewChat) + tg.count(storageChat); n != 0 {
		t.Errorf("a refused post made %d messages", n)
	}
}
