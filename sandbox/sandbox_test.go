package sandbox_test

import (
	"context"
	"testing"
	"time"

	"memebot/app"
	"memebot/config"
	"memebot/kv/kvtest"
	"memebot/sandbox"
	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

// world is what a test's sandbox runs on: its database, Redis namespace and data dir.
type world struct {
	vars []string
	dir  string
}

func newWorld(t *testing.T) world {
	t.Helper()
	return world{dir: t.TempDir(), vars: []string{
		"DATABASE_URL=" + storagetest.NewDatabase(t),
		"REDIS_URL=" + kvtest.RedisURL(),
		"REDIS_KEY_PREFIX=" + kvtest.NewRedis(t).Prefix(),
		"HTTP_ADDR=127.0.0.1:0",
		"JOB_CLAIM_IDLE=2s",
	}}
}

// start runs the sandbox with the real bot, every role; it stops when the test ends
// or when stop is called.
func (w world) start(t *testing.T, opts sandbox.Options) (sb *sandbox.Sandbox, stop func()) {
	t.Helper()
	cfg, err := config.Parse(w.vars)
	if err != nil {
		t.Fatal(err)
	}
	log := storagetest.Logger()
	ctx, cancel := context.WithCancel(context.Background())
	opts.Dir = w.dir
	opts.StartBot = func(ctx context.Context, cfg *config.Config) (string, func() error, error) {
		inst, err := app.Start(ctx, cfg, log, app.Roles{Bot: true, Worker: true, Scheduler: true})
		if err != nil {
			return "", nil, err
		}
		return inst.Addr, inst.Wait, nil
	}
	sb, err = sandbox.Start(ctx, cfg, log, opts)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := sb.Wait(); err != nil {
			t.Errorf("sandbox stopped with: %v", err)
		}
	}
	t.Cleanup(stop)
	return sb, stop
}

func startSandbox(t *testing.T, demo bool) (*sandbox.Sandbox, *tgfake.Server) {
	t.Helper()
	sb, _ := newWorld(t).start(t, sandbox.Options{Demo: demo})
	return sb, sb.Fake()
}

// TestDemoPersistsAndResets: --demo fills the feed with approved memes
// whose pictures are in the storage chat; the fake's chats survive a
// restart; --reset empties the chats and the database.
func TestDemoPersistsAndResets(t *testing.T) {
	w := newWorld(t)
	sb, stop := w.start(t, sandbox.Options{Demo: true})
	stored := sb.Fake().Transcript(sandbox.StorageChatID)
	memes := okMemes(t, w)
	if len(memes) < 4 || len(stored) != len(memes) {
		t.Fatalf("demo: %d approved memes, %d storage posts; want several, one post each", len(memes), len(stored))
	}
	for i, m := range memes {
		if m.StorageFileID != stored[i].MediaFileID() {
			t.Fatalf("meme %d serves %q, storage post has %q", m.ID, m.StorageFileID, stored[i].MediaFileID())
		}
	}
	if _, err := sb.Fake().SendText(tgfake.User{ID: 3001, FirstName: "Kim"}, tgfake.Chat{ID: 3001}, "/start"); err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// message 1 is the /start, then the greeting, then a meme or "no memes yet"
	if _, err := sb.Fake().WaitMessage(waitCtx, 3001, func(m tgfake.Message) bool { return m.MessageID >= 3 }); err != nil {
		t.Fatal(err)
	}
	before := sb.Fake().Transcript(3001)
	stop()

	// Restarted with --demo again: the chats are back and nothing is added twice.
	sb, stop = w.start(t, sandbox.Options{Demo: true})
	if got := sb.Fake().Transcript(3001); len(got) != len(before) || got[len(got)-1].Content() != before[len(before)-1].Content() {
		t.Fatalf("private chat after restart has %d messages, want the %d from before", len(got), len(before))
	}
	if got := sb.Fake().Transcript(sandbox.StorageChatID); len(got) != len(stored) {
		t.Fatalf("storage chat after restart has %d posts, want %d", len(got), len(stored))
	}
	if n := len(okMemes(t, w)); n != len(memes) {
		t.Fatalf("%d memes after a second --demo, want %d", n, len(memes))
	}
	stop()

	sb, _ = w.start(t, sandbox.Options{Reset: true})
	if got := sb.Fake().Transcript(3001); len(got) != 0 {
		t.Fatalf("private chat after reset has %d messages", len(got))
	}
	if n := len(okMemes(t, w)); n != 0 {
		t.Fatalf("%d memes after reset", n)
	}
}

func okMemes(t *testing.T, w world) []storage.Meme {
	t.Helper()
	cfg, err := config.Parse(w.vars)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(context.Background(), cfg.DatabaseURL, storagetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var memes []storage.Meme
	if err := storagetest.DB(st).Where("status = ?", storage.MemeOK).Order("id").Find(&memes).Error; err != nil {
		t.Fatal(err)
	}
	return memes
}
