package e2e

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"memebot/tgfake"
)

func TestStartRegistersAndReplies(t *testing.T) {
	e := start(t)
	ann := user(1001, "ru-RU")
	e.say(ann, "/start")

	e.waitText(ann.ID, "Привет")
	u, err := e.store.User(context.Background(), ann.ID)
	if err != nil {
		t.Fatalf("user not registered: %v", err)
	}
	if !slices.Equal(u.Languages, []string{"ru", "en"}) {
		t.Fatalf("languages from language_code ru-RU = %v, want [ru en]", u.Languages)
	}
	e.waitText(ann.ID, "Мемов пока нет") // the feed is empty: a short "no memes yet"
}

func TestLangTogglesArePersisted(t *testing.T) {
	e := start(t)
	bob := user(1002, "en")
	e.say(bob, "/lang")
	prompt := e.waitBot(bob.ID, "language keyboard", func(m tgfake.Message) bool { return len(m.Buttons()) > 0 })

	if _, err := e.tg.PressButtonLabeled(bob, bob.ID, prompt.MessageID, "🇷🇺"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "ru added", func() bool {
		u, err := e.store.User(context.Background(), bob.ID)
		return err == nil && slices.Equal(u.Languages, []string{"en", "ru"})
	})
	edited := e.waitBot(bob.ID, "keyboard showing ru on", func(m tgfake.Message) bool {
		return m.MessageID == prompt.MessageID && hasButton(m, "✅ 🇷🇺")
	})
	if _, err := e.tg.PressButtonLabeled(bob, bob.ID, edited.MessageID, "✅ 🇬🇧"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "en removed", func() bool {
		u, _ := e.store.User(context.Background(), bob.ID)
		return slices.Equal(u.Languages, []string{"ru"})
	})
	// The last language cannot be removed.
	cb, err := e.tg.PressButtonLabeled(bob, bob.ID, prompt.MessageID, "✅ 🇷🇺")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "callback answered", func() bool { _, ok := e.tg.CallbackAnswer(cb); return ok })
	if u, _ := e.store.User(context.Background(), bob.ID); !slices.Equal(u.Languages, []string{"ru"}) {
		t.Fatalf("languages after removing the last one = %v, want [ru] kept", u.Languages)
	}
}

func hasButton(m tgfake.Message, label string) bool {
	for _, b := range m.Buttons() {
		if strings.HasPrefix(b.Text, label) {
			return true
		}
	}
	return false
}

func TestUnknownCommandAndMalformedUpdateDoNotCrash(t *testing.T) {
	e := start(t)
	carl := user(1003, "en")
	if _, err := e.tg.SendRawUpdate([]byte(`{"update_id": 424242, "message": {"message_id": "not a number", "chat": 5}}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tg.SendRawUpdate([]byte(`{"update_id": 424243, "callback_query": {"id": "x", "from": {"id": 1003}, "data": "\fr|garbage"}}`)); err != nil {
		t.Fatal(err)
	}
	e.say(carl, "/frobnicate")
	e.waitText(carl.ID, "/start")
	e.say(carl, "hello")
	e.waitText(carl.ID, "photos, videos")
	resp, err := http.Get("http://" + e.inst.Addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after bad updates: %v %v", resp, err)
	}
}

func TestReplyArrivesAfterFloodWait(t *testing.T) {
	e := start(t)
	dana := user(1004, "en")
	e.tg.Fail("sendMessage", 1, tgfake.Fault{Code: 429, RetryAfter: 1})
	began := time.Now()
	e.say(dana, "/help")
	e.waitText(dana.ID, "/lang")
	if waited := time.Since(began); waited < time.Second {
		t.Fatalf("reply came %v after the 429: retry_after=1s was not honoured", waited)
	}
	// The fake records a call once it has answered it, a moment after the
	// message became visible.
	var refused, delivered int
	count := func() bool {
		refused, delivered = 0, 0
		for _, c := range e.tg.Calls("sendMessage") {
			if c.Err != nil && c.Err.Code == 429 {
				refused++
			} else if c.Err == nil {
				delivered++
			}
		}
		return delivered >= 1
	}
	deadline := time.Now().Add(5 * time.Second)
	for !count() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if refused != 1 || delivered < 1 {
		t.Fatalf("sendMessage calls: %d refused with 429, %d delivered", refused, delivered)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	e := start(t)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "memebot_updates_total"} {
		if path == "/metrics" {
			e.say(user(1005, "en"), "/help") // so that the update counter has a sample
			e.waitText(1005, "/lang")
		}
		resp, err := http.Get("http://" + e.inst.Addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d %q, want 200 containing %q", path, resp.StatusCode, body, want)
		}
	}
}

func TestMenuIsRegisteredPerRole(t *testing.T) {
	e := start(t)
	admin := user(adminID, "en")
	e.say(admin, "/start") // an admin's chat exists once they write; their menu follows
	e.waitText(adminID, "Hi")
	var sets []tgfake.CommandSet
	var userMenu, adminMenu bool
	eventually(t, "menus", func() bool {
		sets = e.tg.AllCommands()
		return len(sets) >= 3
	})
	for _, s := range sets {
		names := commandNames(s.Commands)
		if s.Scope.Type == "all_private_chats" && slices.Contains(names, "start") && !slices.Contains(names, "pause") {
			userMenu = true
		}
		if s.Scope.Type == "chat" && s.Scope.ChatID == adminID && slices.Contains(names, "pause") {
			adminMenu = true
		}
	}
	if !userMenu || !adminMenu {
		t.Fatalf("menus: users=%v admin=%v; registered %+v", userMenu, adminMenu, sets)
	}
}

func commandNames(cmds []tgfake.BotCommand) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.Command
	}
	return out
}
