// Package sandbox lets anyone try the whole bot in a browser, with no
// Telegram token and no network: it runs a fake Telegram (package tgfake) in
// the process, points the real bot (every role) at it, and serves a page that
// shows a user's private chat, the moderators' review chat and the storage
// chat side by side, live, and lets one type, upload and press buttons as
// any user, a moderator or an admin.
//
// The fake's chats, messages and files are kept in a state file in the data
// directory, saved periodically and on shutdown, so that they stay in step
// with the bot's database and Redis between runs.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"memebot/config"
	"memebot/tgfake"
)

// The fixed world of the sandbox. Ids look like Telegram's so the bot's code
// paths (supergroup, channel, private chats) are the real ones.
const (
	Token         = "100000001:SANDBOX-not-a-real-token"
	BotUsername   = "memebot_sandbox_bot"
	ReviewChatID  = int64(-1001000000001)
	StorageChatID = int64(-1001000000002)
	AdminID       = int64(100)
	ModeratorID   = int64(200)
	// RedisPrefix keeps the sandbox's Redis keys apart from a real bot's.
	RedisPrefix = "memebot-sandbox"
	// apiPath is where the fake Telegram is mounted on the sandbox's server.
	apiPath = "/tg"
)

// StartBot starts the real bot, every role, with cfg (app.Start in
// production). It returns the address of the bot's own HTTP server and a
// function that waits until the bot has stopped after ctx ends.
type StartBot func(ctx context.Context, cfg *config.Config) (addr string, wait func() error, err error)

// Options say how to run the sandbox.
type Options struct {
	// Dir holds the fake Telegram's state file; created if missing.
	Dir string
	// Reset starts clean: an empty fake Telegram, the database recreated and
	// the Redis keys under cfg.RedisPrefix deleted.
	Reset bool
	// Demo adds demo users, sources and approved memes when they are absent.
	Demo bool
	// StartBot runs the bot; required.
	StartBot StartBot
	// SaveEvery is how often a changed fake state is saved; default 15 s.
	SaveEvery time.Duration
}

// Sandbox is a running sandbox.
type Sandbox struct {
	// URL is the page's address, e.g. http://127.0.0.1:8080/.
	URL  string
	fake *tgfake.Server
	done chan error
}

// Fake is the fake Telegram the bot talks to (tests look at its chats).
func (s *Sandbox) Fake() *tgfake.Server { return s.fake }

// Wait blocks until the sandbox has stopped (after the context given to
// Start ends, or a part failed) and its state was saved.
func (s *Sandbox) Wait() error { return <-s.done }

// Start prepares the data, serves the page and the fake Telegram on
// cfg.HTTPAddr, and starts the bot against the fake. cfg names the database
// and Redis to use (as given: Reset recreates that database, so callers
// point it at a sandbox database); its Telegram settings are replaced.
func Start(ctx context.Context, cfg *config.Config, log *slog.Logger, opts Options) (*Sandbox, error) {
	if opts.StartBot == nil {
		return nil, errors.New("sandbox: no StartBot given")
	}
	if opts.SaveEvery <= 0 {
		opts.SaveEvery = 15 * time.Second
	}
	if err := prepareData(ctx, cfg, opts); err != nil {
		return nil, err
	}
	fake := tgfake.New(tgfake.Options{Token: Token, BotUsername: BotUsername, BotName: "Memebot (sandbox)"})
	state := &stateFile{path: filepath.Join(opts.Dir, stateFileName), fake: fake, log: log}
	if err := state.load(); err != nil {
		fake.Close()
		return nil, err
	}
	fake.CreateChat(tgfake.Chat{ID: ReviewChatID, Type: tgfake.ChatSupergroup, Title: "Moderators"})
	fake.CreateChat(tgfake.Chat{ID: StorageChatID, Type: tgfake.ChatChannel, Title: "Meme storage"})
	for _, u := range []tgfake.User{pageInfo(fake).Admin, pageInfo(fake).Moderator} {
		fake.CreateChat(u.PrivateChat()) // so the bot can set their command menus at start
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		fake.Close()
		return nil, fmt.Errorf("sandbox: listen on %s: %w", cfg.HTTPAddr, err)
	}
	base := baseURL(ln.Addr())
	fake.SetBaseURL(base + apiPath)
	ops := &opsProxy{}
	srv := &http.Server{Handler: newMux(fake, ops), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("sandbox http server stopped", slog.Any("error", err))
		}
	}()
	stopServing := func() {
		fake.Close() // ends SSE streams and long polls, so Shutdown does not wait on them
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}

	botCfg := botConfig(cfg, base)
	if opts.Demo {
		if err := addDemo(ctx, botCfg, base+apiPath, log); err != nil {
			stopServing()
			return nil, err
		}
	}
	botAddr, waitBot, err := opts.StartBot(ctx, botCfg)
	if err != nil {
		stopServing()
		return nil, err
	}
	ops.setTarget(botAddr)

	sb := &Sandbox{URL: base + "/", fake: fake, done: make(chan error, 1)}
	saverDone := make(chan struct{})
	go func() { state.saveWhileChanging(ctx, opts.SaveEvery); close(saverDone) }()
	go func() {
		botErr := waitBot() // the bot still talks to the fake while it stops
		<-saverDone
		saveErr := state.save()
		stopServing()
		sb.done <- errors.Join(botErr, saveErr)
	}()
	log.Info("sandbox ready", slog.String("url", sb.URL), slog.String("state", state.path))
	return sb, nil
}

// botConfig is cfg with the Telegram settings of the sandbox's fake world.
// The bot's own HTTP server moves to a free port; the sandbox's server
// answers /healthz, /readyz and /metrics for it.
func botConfig(cfg *config.Config, base string) *config.Config {
	c := *cfg
	c.BotToken = Token
	c.TelegramAPIURL = base + apiPath
	c.StorageChatID, c.ReviewChatID = StorageChatID, ReviewChatID
	c.AdminIDs, c.ModeratorIDs = []int64{AdminID}, []int64{ModeratorID}
	c.WebhookURL, c.WebhookSecret = "", ""
	c.HTTPAddr = "127.0.0.1:0"
	c.Schedules = cloneMap(cfg.Schedules)
	return &c
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// baseURL is how a browser on this machine reaches addr: a wildcard
// listener is shown as loopback.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// DefaultDir is the data directory when SANDBOX_DIR is not set.
const DefaultDir = ".tmp/sandbox"

// DirFromEnv is SANDBOX_DIR or DefaultDir.
func DirFromEnv() string {
	if d := strings.TrimSpace(os.Getenv("SANDBOX_DIR")); d != "" {
		return d
	}
	return DefaultDir
}
