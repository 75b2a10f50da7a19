package main

// Checks of the deployment files at the root (Dockerfile, .dockerignore,
// docker-compose.yml) that need no Docker engine: what the build context
// holds, decided by Docker's own pattern matcher, and the image's health
// check run exactly as the container runs it.

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"gopkg.in/yaml.v3"

	"memebot/app"
	"memebot/config"
	"memebot/kv/kvtest"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

// inBuildContext reports whether `COPY . .` would copy path (slash-separated,
// relative to the repository), as .dockerignore decides it.
func inBuildContext(t *testing.T) func(path string) bool {
	t.Helper()
	f, err := os.Open(".dockerignore")
	if err != nil {
		t.Fatalf("no .dockerignore: COPY . . sends everything, .env included: %v", err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return func(path string) bool {
		excluded, err := pm.MatchesOrParentMatches(path)
		if err != nil {
			t.Fatal(err)
		}
		return !excluded
	}
}

func TestBuildContextHasNoSecretsOrLocalState(t *testing.T) {
	copied := inBuildContext(t)
	for _, p := range []string{
		".env", ".env.production", ".git", ".git/HEAD", ".git/objects/ab/cdef",
		".tmp/services/pgdata/base/1/112", ".tmp/services/redis.port", ".tmp/sandbox/state.json",
		"bin/memebot", "app/app.test",
	} {
		if copied(p) {
			t.Errorf("%s would be in the build context (and in an image layer)", p)
		}
	}
}

func TestBuildContextHasWhatTheBuildNeeds(t *testing.T) {
	copied := inBuildContext(t)
	needed := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == ".git" || path == ".tmp") {
			return filepath.SkipDir
		}
		p := filepath.ToSlash(path)
		isSource := strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".sql") ||
			strings.HasPrefix(p, "sandbox/web/") || p == "go.mod" || p == "go.sum"
		if d.IsDir() || !isSource {
			return nil
		}
		needed++
		if !copied(p) {
			t.Errorf("%s is left out of the build context; the build needs it", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if needed < 100 {
		t.Fatalf("found only %d source files: not run from the repository root?", needed)
	}
}

// healthcheckCommand is the exec-form command of the Dockerfile's HEALTHCHECK.
func healthcheckCommand(t *testing.T) []string {
	t.Helper()
	dockerfile, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(dockerfile), "\n") {
		if !strings.HasPrefix(line, "HEALTHCHECK ") {
			continue
		}
		_, cmd, ok := strings.Cut(line, " CMD ")
		var argv []string
		if !ok || json.Unmarshal([]byte(cmd), &argv) != nil || len(argv) == 0 {
			t.Fatalf("HEALTHCHECK is not in exec form (a JSON array after CMD): %q", line)
		}
		return argv
	}
	t.Fatal("the Dockerfile has no HEALTHCHECK")
	return nil
}

// runHealthcheck runs the image's health check command the way the container
// does (its environment, HTTP_ADDR as the image sets it) and returns its exit
// code and output. The command is this binary, so it runs in-process.
func runHealthcheck(t *testing.T, httpAddr string) (int, string) {
	t.Helper()
	argv := healthcheckCommand(t)
	if argv[0] != "memebot" {
		t.Fatalf("HEALTHCHECK runs %q, not the memebot binary the image ships", argv[0])
	}
	t.Setenv("HTTP_ADDR", httpAddr)
	var out bytes.Buffer
	code := app.Main(argv[1:], &out, &out)
	return code, out.String()
}

// TestHealthcheckPassesOnlyWhileReady: the health check passes against a
// running memebot listening as in the image (0.0.0.0), and fails with one
// line once it has stopped or while /readyz refuses.
func TestHealthcheckPassesOnlyWhileReady(t *testing.T) {
	tg := tgfake.New(tgfake.Options{Token: "1:T", BotUsername: "memebot_test_bot", BotName: "Memebot"})
	api := httptest.NewServer(tg)
	tg.SetBaseURL(api.URL)
	defer func() { tg.Close(); api.Close() }()
	cfg, err := config.Parse([]string{
		"BOT_TOKEN=1:T", "TELEGRAM_API_URL=" + api.URL, "STORAGE_CHAT_ID=-1", "REVIEW_CHAT_ID=-2",
		"DATABASE_URL=" + storagetest.NewDatabase(t), "REDIS_URL=" + kvtest.RedisURL(),
		"REDIS_KEY_PREFIX=" + kvtest.NewRedis(t).Prefix(), "HTTP_ADDR=0.0.0.0:0",
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	inst, err := app.Start(ctx, cfg, storagetest.Logger(), app.Roles{Bot: true, Worker: true, Scheduler: true})
	if err != nil {
		t.Fatal(err)
	}
	_, port, err := net.SplitHostPort(inst.Addr)
	if err != nil {
		t.Fatal(err)
	}
	addr := "0.0.0.0:" + port // HTTP_ADDR as the image sets it

	if code, out := runHealthcheck(t, addr); code != 0 {
		t.Fatalf("against a running memebot: exit %d, %q; want 0", code, out)
	}
	stop()
	if err := inst.Wait(); err != nil {
		t.Fatal(err)
	}
	if code, out := runHealthcheck(t, addr); code == 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("against a stopped memebot: exit %d, %q; want non-zero and one line", code, out)
	}

	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			http.Error(w, "redis: unavailable", http.StatusServiceUnavailable)
		}
	}))
	defer notReady.Close()
	code, out := runHealthcheck(t, strings.TrimPrefix(notReady.URL, "http://"))
	if code == 0 || !strings.Contains(out, "503") {
		t.Errorf("while /readyz answers 503: exit %d, %q; want non-zero naming the status", code, out)
	}
}

// TestComposeRunsTheTestedHealthchecks: docker-compose.yml checks each role
// with the image's own (tested) command, PostgreSQL with pg_isready and Redis
// with redis-cli; Redis keeps an append-only file on a volume, so an ordinary
// restart loses no queued job.
func TestComposeRunsTheTestedHealthchecks(t *testing.T) {
	raw, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Command     []string `yaml:"command"`
			Volumes     []string `yaml:"volumes"`
			Healthcheck *struct {
				Test    []string `yaml:"test"`
				Disable bool     `yaml:"disable"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatal(err)
	}
	image := strings.Join(append([]string{"CMD"}, healthcheckCommand(t)...), " ")
	want := map[string]string{"postgres": "pg_isready", "redis": "CMD redis-cli ping",
		"bot": image, "worker": image, "scheduler": image}
	for name, test := range want {
		svc, ok := compose.Services[name]
		if !ok || svc.Healthcheck == nil || svc.Healthcheck.Disable {
			t.Errorf("service %s has no healthcheck", name)
			continue
		}
		if got := strings.Join(svc.Healthcheck.Test, " "); !strings.Contains(got, test) {
			t.Errorf("service %s checks health with %q, want %q", name, got, test)
		}
	}
	redis := compose.Services["redis"]
	cmd := strings.Join(redis.Command, " ")
	if !strings.Contains(cmd, "--appendonly yes") || len(redis.Volumes) == 0 || !strings.HasSuffix(redis.Volumes[0], ":/data") {
		t.Errorf("redis runs %q with volumes %v; want --appendonly yes and a volume on /data", cmd, redis.Volumes)
	}
}

// TestImageLeavesTheFakeTelegramOut: the image's binary is built with
// -tags nosandbox, and a binary built so links neither the fake Bot API
// nor the sandbox (they are for tests and for trying the bot from source).
func TestImageLeavesTheFakeTelegramOut(t *testing.T) {
	dockerfile, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	built := false
	for _, line := range strings.Split(string(dockerfile), "\n") {
		if strings.Contains(line, "go build") && strings.Contains(line, "-o /out/memebot") {
			built = strings.Contains(line, "-tags nosandbox")
		}
	}
	if !built {
		t.Fatal("the Dockerfile does not build memebot with -tags nosandbox")
	}
	out, err := exec.Command("go", "list", "-tags", "nosandbox", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "memebot/tgfake" || strings.HasPrefix(pkg, "memebot/sandbox") {
			t.Errorf("a -tags nosandbox build links %s", pkg)
		}
	}
}
