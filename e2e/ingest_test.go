package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
	"memebot/tgfake"
)

// channelServer plays t.me: /s/<name> is a channel preview page whose posts
// show pictures served by the same server.
func channelServer(t *testing.T, name string, pictures map[string][]byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/s/"+name, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("before") != "" {
			fmt.Fprint(w, `<html><body><section class="tgme_channel_history"></section></body></html>`)
			return
		}
		var b strings.Builder
		b.WriteString(`<html><body><main class="tgme_main"><section class="tgme_channel_history js-message_history">`)
		i := 0
		for file := range pictures {
			i++
			posted := time.Now().Add(-time.Duration(10+i) * time.Hour).UTC().Format(time.RFC3339)
			fmt.Fprintf(&b, `<div class="tgme_widget_message_wrap js-widget_message_wrap">
 <div class="tgme_widget_message js-widget_message" data-post="%[1]s/%[2]d">
  <div class="tgme_widget_message_bubble">
   <a class="tgme_widget_message_photo_wrap js-message_photo" style="width:800px;background-image:url('%[3]s/file/%[4]s')" href="https://t.me/%[1]s/%[2]d"></a>
   <div class="tgme_widget_message_text js-message_text" dir="auto">meme number %[2]d</div>
   <div class="tgme_widget_message_footer"><div class="tgme_widget_message_info">
     <span class="tgme_widget_message_views">1.2K</span>
     <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/%[1]s/%[2]d"><time datetime="%[5]s" class="time">x</time></a></span>
   </div></div>
  </div>
 </div>
</div>`, name, 100+i, srv.URL, file, posted)
		}
		b.WriteString(`</section></main></body></html>`)
		fmt.Fprint(w, b.String())
	})
	mux.HandleFunc("/file/", func(w http.ResponseWriter, r *http.Request) {
		data, ok := pictures[strings.TrimPrefix(r.URL.Path, "/file/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(data)
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestModeratorAddsAChannelAndItsMemesFlowIntoTheFeed(t *testing.T) {
	pics := map[string][]byte{}
	for i := range 3 {
		pics[fmt.Sprintf("p%d.jpg", i)] = encodeJPEG(t, memeImage(60+i, 800, 600), 90)
	}
	tme := channelServer(t, "funnymemes", pics)
	e := start(t, "TG_WEB_URL="+tme.URL, "INGEST_ALLOW_PRIVATE_HOSTS=true", "SCHEDULE_INGEST_TELEGRAM=@every 1s")
	mod := user(moderatorID, "en")

	e.say(mod, "https://t.me/funnymemes")
	card := e.waitBot(mod.ID, "source card", func(m tgfake.Message) bool { return hasButton(m, "▶️ Enable parsing") })
	for _, code := range []string{"en", "ru"} {
		if !hasButton(card, code) {
			t.Fatalf("source card lacks the language button %q: %+v", code, card.Buttons())
		}
	}
	if _, err := e.tg.PressButtonLabeled(mod, mod.ID, card.MessageID, "ru"); err != nil {
		t.Fatal(err)
	}
	e.waitBot(mod.ID, "language set", func(m tgfake.Message) bool {
		return m.MessageID == card.MessageID && strings.Contains(m.Text, "Language: ru")
	})
	if _, err := e.tg.PressButtonLabeled(mod, mod.ID, card.MessageID, "▶️ Enable parsing"); err != nil {
		t.Fatal(err)
	}

	var memes []storage.Meme
	eventually(t, "three ingested memes in the feed", func() bool {
		memes = nil
		storagetest.DB(e.store).Where("source_id IS NOT NULL AND status = ?", storage.MemeOK).Find(&memes)
		return len(memes) == 3
	})
	for _, m := range memes {
		// The source is Russian, but these pictures carry English text: OCR decides.
		if m.StorageFileID == "" || m.Language != "en" || !strings.HasPrefix(m.Caption, "meme number") {
			t.Errorf("ingested meme #%d: storage %q language %q caption %q", m.ID, m.StorageFileID, m.Language, m.Caption)
		}
	}
	var src storage.Source
	storagetest.DB(e.store).First(&src)
	if src.Language != "ru" || src.Status != "parsing_enabled" || src.StatusChangedBy == nil || *src.StatusChangedBy != moderatorID {
		t.Errorf("source after the moderator's presses: %+v", src)
	}
	if n := len(e.tg.Transcript(storageChatID)); n != 3 {
		t.Errorf("storage chat holds %d copies, want 3", n)
	}
	if n := len(e.tg.Transcript(reviewChatID)); n != 0 {
		t.Errorf("clean memes from a source that needs no review reached the moderators (%d posts)", n)
	}
	// Later runs find nothing new: no duplicates. Two more parses of the
	// source are recorded, then whatever they handed off is processed.
	for range 2 {
		since := time.Now()
		waitUntil(t, "a later parse of the source", 30*time.Second, func() bool {
			var parsed time.Time
			storagetest.DB(e.store).Raw("SELECT parsed_at FROM sources WHERE handle = 'funnymemes'").Scan(&parsed)
			return parsed.After(since)
		})
	}
	e.mediaQueueSettled()
	var total int64
	storagetest.DB(e.store).Model(&storage.Meme{}).Count(&total)
	if total != 3 {
		t.Fatalf("%d memes after repeated parses, want 3", total)
	}
	e.say(mod, "/sources")
	e.waitText(mod.ID, "telegram/funnymemes")
}

// TestEnabledChannelsBacklogIsTakenAtOnce: the source card says how long new
// posts wait; enabling parsing takes the posts the page already shows within
// a minute (here a second), not at the platform's next hourly run.
func TestEnabledChannelsBacklogIsTakenAtOnce(t *testing.T) {
	pics := map[string][]byte{"a.jpg": encodeJPEG(t, memeImage(70, 800, 600), 90), "b.jpg": encodeJPEG(t, memeImage(71, 800, 600), 90)}
	tme := channelServer(t, "oldmemes", pics)
	e := start(t, "TG_WEB_URL="+tme.URL, "INGEST_ALLOW_PRIVATE_HOSTS=true", "SCHEDULE_INGEST_NEW=@every 1s", "INGEST_TELEGRAM_HOLD=90m")
	mod := user(moderatorID, "en")
	e.say(mod, "https://t.me/oldmemes")
	card := e.waitBot(mod.ID, "source card", func(m tgfake.Message) bool { return hasButton(m, "▶️ Enable parsing") })
	if !strings.Contains(card.Text, "wait 1h30m for their views") {
		t.Fatalf("the card does not say how long new posts wait:\n%s", card.Text)
	}
	if _, err := e.tg.PressButtonLabeled(mod, mod.ID, card.MessageID, "▶️ Enable parsing"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the page's two posts in the feed", func() bool {
		var n int64
		storagetest.DB(e.store).Model(&storage.Meme{}).Where("source_id IS NOT NULL AND status = ?", storage.MemeOK).Count(&n)
		return n == 2
	})
}
