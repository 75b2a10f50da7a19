package e2e

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"testing"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestWebhookModeServesUpdatesAndRefusesAWrongSecret(t *testing.T) {
	addr := freeAddr(t)
	hook := "http://" + addr + "/telegram/hook"
	e := start(t, "HTTP_ADDR="+addr, "WEBHOOK_URL="+hook, "WEBHOOK_SECRET=s3cret-value")

	var registered bool
	for _, c := range e.tg.Calls("setWebhook") {
		registered = registered || (c.Params["url"] == hook && c.Params["secret_token"] == "s3cret-value")
	}
	if !registered {
		t.Fatalf("setWebhook calls: %+v", e.tg.Calls("setWebhook"))
	}
	u := user(6001, "en")
	e.say(u, "/start")
	e.waitText(u.ID, "Hi")
	if n := len(e.tg.Calls("getUpdates")); n != 0 {
		t.Fatalf("webhook mode still polled getUpdates %d times", n)
	}

	update := []byte(`{"update_id": 9, "message": {"message_id": 1, "date": 1, "chat": {"id": 6002, "type": "private"}, "from": {"id": 6002, "first_name": "Eve"}, "text": "/start"}}`)
	for _, secret := range []string{"", "wrong", "s3cret-valu", "s3cret-value-and-more"} {
		req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(update))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, want 401", secret, resp.StatusCode)
		}
	}
	for _, m := range e.tg.Transcript(6002) {
		if m.FromBot() {
			t.Fatalf("an update with a wrong secret was handled: %q", m.Content())
		}
	}
	req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(`{"update_id": "garbage"`))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret-value")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("malformed update: %v %v (want 200, dropped)", resp, err)
	}
	e.say(u, "/help")
	e.waitText(u.ID, "/lang")
}
