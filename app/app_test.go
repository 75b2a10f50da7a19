package app

import (
	"bytes"
	"strings"
	"testing"
)

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
			var out bytes.Buffer
			code := Main([]string{"bot"}, &out)
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if code == 0 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("exit %d, output %q; want non-zero and one line naming %s", code, out.String(), tc.want)
			}
		})
	}
}

func TestUnknownSubcommandIsRefused(t *testing.T) {
	var out bytes.Buffer
	if code := Main([]string{"frobnicate"}, &out); code == 0 || !strings.Contains(out.String(), "usage") {
		t.Fatalf("exit %d, output %q", code, out.String())
	}
}
