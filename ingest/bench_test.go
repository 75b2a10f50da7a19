package ingest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"memebot/storage"
	"memebot/storage/storagetest"
)

// benchPages builds pages of 20 posts in the t.me/s layout: photos, videos,
// albums, ads and texts with links, as a busy channel's would be.
func benchPages(pages int) [][]byte {
	out := make([][]byte, pages)
	id := pages * 20
	for p := range out {
		var b strings.Builder
		b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><section class="tgme_channel_history">`)
		fmt.Fprintf(&b, `<a class="tme_messages_more js-messages_more" data-before="%d"></a>`, id-19)
		for range 20 {
			fmt.Fprintf(&b, `<div class="tgme_widget_message_wrap"><div class="tgme_widget_message js-widget_message" data-post="bench/%d"><div class="tgme_widget_message_bubble">`, id)
			switch id % 5 {
			case 0, 1:
				fmt.Fprintf(&b, `<a class="tgme_widget_message_photo_wrap js-message_photo" style="width:800px;background-image:url('https://cdn.example.org/%d.jpg')"></a>`, id)
			case 2:
				fmt.Fprintf(&b, `<a class="tgme_widget_message_video_player"><video src="https://cdn.example.org/%d.mp4"></video><time class="message_video_duration">0:%02d</time></a>`, id, id%60)
			case 3:
				fmt.Fprintf(&b, `<a class="tgme_widget_message_photo_wrap grouped_media_wrap" style="background-image:url('https://cdn.example.org/%da.jpg')"></a><a class="tgme_widget_message_photo_wrap grouped_media_wrap" style="background-image:url('https://cdn.example.org/%db.jpg')"></a>`, id, id)
			}
			switch id % 7 {
			case 0:
				b.WriteString(`<div class="tgme_widget_message_text js-message_text">Реклама. erid: 2Vtzq <a href="https://shop.example.com">купить</a></div>`)
			case 1:
				b.WriteString(`<div class="tgme_widget_message_text js-message_text">when the build is green on friday <i class="emoji"><b>😂</b></i><br/><a href="https://t.me/bench">@bench</a></div>`)
			case 2:
				b.WriteString(`<div class="tgme_widget_message_text js-message_text">Когда пятница и всё сломалось <a href="https://example.net/x">тут</a></div>`)
			}
			fmt.Fprintf(&b, `<div class="tgme_widget_message_info"><span class="tgme_widget_message_views">%d.%dK</span><a class="tgme_widget_message_date"><time datetime="2024-05-%02dT%02d:00:00+00:00">x</time></a></div>`,
				id%9+1, id%10, 1+id%28, id%24)
			b.WriteString(`</div></div></div>`)
			id--
		}
		b.WriteString(`</section></body></html>`)
		out[p] = []byte(b.String())
	}
	return out
}

// BenchmarkParseAndSelect1000 parses 1,000 Telegram posts (50 pages) and
// selects candidates from them; no network, no database.
func BenchmarkParseAndSelect1000(b *testing.B) {
	pages := benchPages(50)
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for b.Loop() {
		posts := make([]RawPost, 0, 1000)
		for _, page := range pages {
			for _, p := range ParseTelegramPage(page).Posts {
				posts = append(posts, RawPost{ID: int64(len(posts) + 1), SourceID: 1, Post: p})
			}
		}
		if len(posts) != 1000 {
			b.Fatalf("parsed %d posts", len(posts))
		}
		views := make([]int64, 0, len(posts))
		for _, p := range posts {
			if p.Views != nil {
				views = append(views, *p.Views)
			}
		}
		sel := Select(posts, Judgement{Platform: PlatformTelegram, Language: "en", MedianViews: medianOf(views), Now: now, MinAge: time.Hour})
		if len(sel.Candidates) == 0 || len(sel.Verdicts) != 1000 {
			b.Fatalf("%d candidates, %d verdicts", len(sel.Candidates), len(sel.Verdicts))
		}
	}
}

// BenchmarkParseDue1000 is one run over a channel of 1,000 posts, from HTTP
// (a local server) to candidates in PostgreSQL. Each iteration starts afresh.
func BenchmarkParseDue1000(b *testing.B) {
	pages := benchPages(50)
	byBefore := map[string][]byte{"": pages[0]}
	for i := 1; i < len(pages); i++ {
		byBefore[fmt.Sprint(1000-20*i+1)] = pages[i]
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(byBefore[r.URL.Query().Get("before")])
	}))
	defer srv.Close()
	st := storagetest.NewStore(b)
	in := New(st, map[string]Parser{
		PlatformTelegram: &TelegramParser{BaseURL: srv.URL, HTTP: testClient(), Pages: 50},
	}, Rules{MinPostAge: time.Hour}, storagetest.Logger())
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		storagetest.DB(st).Exec("TRUNCATE raw_posts, sources CASCADE")
		l, _ := ParseSourceLink("t.me/bench")
		src, _, _ := st.AddSource(ctx, l.Platform, l.Handle, l.URL, 1)
		st.SetSourceStatus(ctx, src.ID, storage.SourceParsingEnabled, "", nil)
		b.StartTimer()
		res, err := in.ParseDue(ctx, PlatformTelegram, 1, accept)
		if err != nil || res.NewPosts != 1000 || len(res.Candidates) == 0 {
			b.Fatalf("%+v, %v", res.NewPosts, err)
		}
	}
}

// medianOf is the median of the views (the mean of the middle two for an
// even count), what the ETL's SQL computes for a source.
func medianOf(xs []int64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return (float64(s[n/2-1]) + float64(s[n/2])) / 2
}
