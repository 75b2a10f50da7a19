package ingest

import (
	"strings"
	"testing"
	"time"

	"memebot/media"
)

var etlNow = time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)

func photoPost(text string, v int64, links ...string) RawPost {
	return RawPost{ID: 1, SourceID: 7, Post: Post{
		PostID: "42", PostedAt: etlNow.Add(-6 * time.Hour), Text: text, Views: &v, OutLinks: links,
		Media: []Media{{Type: media.Photo, URL: "https://cdn.example.org/42.jpg"}},
	}}
}

func TestJudge(t *testing.T) {
	tg := Judgement{Platform: PlatformTelegram, Language: "en", MedianViews: 1000, Now: etlNow, MinAge: 3 * time.Hour}
	album := photoPost("", 5000)
	album.Media = append(album.Media, Media{Type: media.Photo, URL: "https://cdn.example.org/43.jpg"})
	noMedia := photoPost("just text", 5000)
	noMedia.Media = nil
	tooBig := photoPost("", 5000)
	tooBig.Media = []Media{{Type: MediaOther}}
	young := photoPost("", 10)
	young.PostedAt = etlNow.Add(-time.Hour)
	noViews := photoPost("", 0)
	noViews.Views = nil

	cases := []struct {
		name    string
		post    RawPost
		j       Judgement
		verdict string // prefix
		wait    bool
	}{
		{"single photo", photoPost("funny", 1000), tg, VerdictCandidate, false},
		{"album", album, tg, VerdictAlbum, false},
		{"no media", noMedia, tg, VerdictNoMedia, false},
		{"unplayable media", tooBig, tg, VerdictUnsupported, false},
		{"ad words", photoPost("Реклама. erid: 2Vtzq", 5000), tg, "ad: words", false},
		{"promo code", photoPost("use promo code MEME for 10% off", 5000), tg, "ad: words", false},
		{"long caption", photoPost(strings.Repeat("word ", 41), 5000), tg, "ad: caption of 205", false},
		{"ad hashtag", photoPost("nice one #ad", 5000), tg, "ad: marker #ad", false},
		{"ad words in a young post", func() RawPost { p := photoPost("crypto airdrop", 0); p.PostedAt = etlNow; return p }(), tg, "ad:", false},
		{"views under 0.3 x median", photoPost("", 299), tg, VerdictLowViews, false},
		{"views at 0.3 x median", photoPost("", 300), tg, VerdictCandidate, false},
		{"out link and views under 0.5 x median", photoPost("see", 499, "https://shop.example.com"), tg, VerdictLinkViews, false},
		{"out link and views at 0.5 x median", photoPost("see", 500, "https://shop.example.com"), tg, VerdictCandidate, false},
		{"low views without a median", photoPost("", 1), Judgement{Platform: PlatformTelegram, Now: etlNow}, VerdictCandidate, false},
		{"low views on VK", photoPost("", 1), Judgement{Platform: PlatformVK, MedianViews: 1000, Now: etlNow}, VerdictCandidate, false},
		{"unknown views", noViews, tg, VerdictCandidate, false},
		{"too young to judge", young, tg, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, verdict, wait := Judge(tc.post, tc.j)
			if wait != tc.wait || !strings.HasPrefix(verdict, tc.verdict) {
				t.Fatalf("verdict %q wait %v, want %q wait %v", verdict, wait, tc.verdict, tc.wait)
			}
			if (verdict == VerdictCandidate) != (c.MediaURL != "") {
				t.Errorf("candidate %+v with verdict %q", c, verdict)
			}
		})
	}
}

func TestJudgeCandidateFields(t *testing.T) {
	p := photoPost("When the code works 😂\n\n@funnymemes https://t.me/funnymemes", 900)
	p.Media[0] = Media{Type: media.Video, URL: "https://cdn.example.org/v.mp4", DurationSec: 15}
	// "t.me/" is an ad word: a caption linking to a channel is promotion.
	if _, verdict, _ := Judge(p, Judgement{Platform: PlatformTelegram, Language: "en", Now: etlNow}); !strings.HasPrefix(verdict, "ad:") {
		t.Errorf("caption with a t.me link: %q", verdict)
	}
	p.Text = "When the code works 😂\n\n@funnymemes https://example.com/x"
	c, verdict, _ := Judge(p, Judgement{Platform: PlatformTelegram, Language: "en", Now: etlNow})
	want := Candidate{SourceID: 7, RawPostID: 1, PostID: "42", MediaURL: "https://cdn.example.org/v.mp4", MediaType: media.Video,
		DurationSec: 15, Caption: "When the code works 😂", Language: "en"}
	if verdict != VerdictCandidate || c != want {
		t.Errorf("got %+v (%s), want %+v", c, verdict, want)
	}
}

func TestCaptionLanguage(t *testing.T) {
	cases := []struct{ source, caption, want string }{
		{"en", "when it's friday", "en"},
		{"en", "Когда пятница и код снова сломался", "ru"},
		{"en", "lol да", "en"}, // two Cyrillic letters are not clearly Russian
		{"en", "", "en"},
		{"ru", "when it's friday", "ru"},
		{"uk", "Коли п'ятниця", "uk"},
		{"", "anything", "en"},
	}
	for _, tc := range cases {
		if got := captionLanguage(tc.source, tc.caption); got != tc.want {
			t.Errorf("captionLanguage(%q, %q) = %q, want %q", tc.source, tc.caption, got, tc.want)
		}
	}
}

func TestSelectAndMedian(t *testing.T) {
	posts := []RawPost{photoPost("a", 1000), photoPost("b", 10), photoPost("crypto", 5000)}
	for i := range posts {
		posts[i].ID = int64(i + 1)
	}
	young := photoPost("young", 5)
	young.ID, young.PostedAt = 4, etlNow
	posts = append(posts, young)
	s := Select(posts, Judgement{Platform: PlatformTelegram, Language: "en", MedianViews: 1000, Now: etlNow, MinAge: time.Hour})
	if len(s.Candidates) != 1 || s.Candidates[0].RawPostID != 1 {
		t.Errorf("candidates = %+v", s.Candidates)
	}
	if len(s.Verdicts) != 3 || s.Verdicts[1] != VerdictCandidate || !strings.HasPrefix(s.Verdicts[2], VerdictLowViews) {
		t.Errorf("verdicts = %v (the young post must have none)", s.Verdicts)
	}
}
