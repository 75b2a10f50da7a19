package app

import (
	"bytes"
	"net"
	"net/url"
	"strings"
	"testing"

	"memebot/kv/kvtest"
	"memebot/storage/storagetest"
)

// runMain runs memebot with args and returns the exit code, stdout and stderr.
func runMain(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := Main(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// brokenConfig makes every configuration load fail, as on a machine where
// nothing is configured yet (or something is misconfigured).
func brokenConfig(t *testing.T) {
	t.Setenv("BOT_TOKEN", "")
	t.Setenv("STORAGE_CHAT_ID", "not-a-number")
}

func TestHelpListsEverySubcommandWithoutConfiguration(t *testing.T) {
	brokenConfig(t)
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errOut := runMain(args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing", args, code, errOut)
		}
		for _, c := range commands {
			if !strings.Contains(out, "\n  "+c.name+" ") {
				t.Errorf("%v: usage does not list %q:\n%s", args, c.name, out)
			}
		}
	}
}

func TestEverySubcommandAnswersHelpWithoutConfiguration(t *testing.T) {
	brokenConfig(t)
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runMain(c.name, "--help")
			if code != 0 || errOut != "" || !strings.HasPrefix(out, "usage: memebot "+c.name) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and the subcommand's usage", code, out, errOut)
			}
		})
	}
	for _, args := range [][]string{{"seed", "--help"}, {"help", "seed"}} {
		if _, out, _ := runMain(args...); !strings.Contains(out, "-reactions") {
			t.Errorf("%v does not show seed's flags:\n%s", args, out)
		}
	}
}

func TestBadFlagsAreOneLine(t *testing.T) {
	brokenConfig(t)
	for _, args := range [][]string{{"seed", "--users", "many"}, {"migrate", "now"}, {"sandbox", "--nope"}} {
		code, out, errOut := runMain(args...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--help") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line pointing at --help", args, code, out, errOut)
		}
	}
}

func TestBadConfigExitsWithOneLineNamingTheVariable(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"malformed", map[string]string{"STORAGE_CHAT_ID": "abc"}, "STORAGE_CHAT_ID"},
		{"missing token", map[string]string{"BOT_TOKEN": "", "STORAGE_CHAT_ID": "-1", "REVIEW_CHAT_ID": "-2"}, "BOT_TOKEN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, _, errOut := runMain("bot")
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if code == 0 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("exit %d, output %q; want non-zero and one line naming %s", code, errOut, tc.want)
			}
		})
	}
}

func TestUnknownSubcommandIsRefused(t *testing.T) {
	if code, _, errOut := runMain("frobnicate"); code == 0 || !strings.Contains(errOut, "usage") {
		t.Fatalf("exit %d, output %q", code, errOut)
	}
}

// closedPort is an address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// telegramConfigured sets what every role requires, so that a start gets as
// far as the servers.
func telegramConfigured(t *testing.T) {
	t.Setenv("BOT_TOKEN", "1:x")
	t.Setenv("STORAGE_CHAT_ID", "-1")
	t.Setenv("REVIEW_CHAT_ID", "-2")
	t.Setenv("HTTP_ADDR", "127.0.0.1:0")
}

// TestStartFailuresAreOneLineNamingWhatToCheck: what a newcomer meets with a
// typo in a URL or a second copy running is one line naming the setting,
// with the reason, and no credentials.
func TestStartFailuresAreOneLineNamingWhatToCheck(t *testing.T) {
	goodDB := storagetest.NewDatabase(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		wants []string
	}{
		{"database port closed", []string{"migrate"},
			map[string]string{"DATABASE_URL": "postgres://postgres:s3cret@" + closedPort(t) + "/memebot?sslmode=disable"},
			[]string{"DATABASE_URL", "PostgreSQL", "connection refused"}},
		{"database missing", []string{"migrate"},
			map[string]string{"DATABASE_URL": withDatabase(t, goodDB, "memebot_no_such_db")},
			[]string{"DATABASE_URL", "memebot_no_such_db", "does not exist"}},
		{"redis port closed", []string{"worker"},
			map[string]string{"DATABASE_URL": goodDB, "REDIS_URL": "redis://:s3cret@" + closedPort(t) + "/0"},
			[]string{"REDIS_URL", "Redis", "connection refused"}},
		{"http address in use", []string{"worker"},
			map[string]string{"DATABASE_URL": goodDB, "REDIS_URL": kvtest.RedisURL(), "HTTP_ADDR": busy.Addr().String()},
			[]string{"HTTP_ADDR", busy.Addr().String(), "in use"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			telegramConfigured(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, _, errOut := runMain(tc.args...)
			if code != 1 || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "s3cret") {
				t.Fatalf("exit %d, stderr %q; want 1 and one line without the password", code, errOut)
			}
			for _, w := range tc.wants {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not say %q", errOut, w)
				}
			}
		})
	}
}

// withDatabase is dbURL naming another database on the same server.
func withDatabase(t *testing.T, dbURL, name string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
