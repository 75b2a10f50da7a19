package moderation

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMaxCaptionRunes: longer captions are usually ad copy.
const DefaultMaxCaptionRunes = 200

// DefaultAdWords are words and phrases typical of ads and channel promotion
// in English and Russian memes. "erid" is the Russian ad-registry marker.
var DefaultAdWords = []string{
	"t.me/", "telegram.me/", "erid", "реклама", "рекламу", "рекламы", "на правах рекламы",
	"промокод*", "promo code", "promocode", "скидк*", "discount", "cashback", "кэшбэк",
	"crypto", "крипт*", "bitcoin", "биткоин*", "usdt", "airdrop", "nft", "forex", "форекс",
	"трейдинг*", "trading signals", "инвестиц*", "investment", "заработ*", "пассивный доход",
	"earn money", "free money", "казино", "casino", "ставк*", "betting", "букмекер*",
	"подпишись", "подписывайся", "подписывайтесь", "subscribe", "вступай", "переходи",
	"join our channel", "наш канал", "link in bio", "ссылка в описании", "розыгрыш*",
	"giveaway", "sponsored", "спонсор*", "партнерск*", "партнёрск*", "referral", "реферал*",
	"buy now", "купить", "закажи", "limited offer", "onlyfans",
}

var (
	linkPattern = regexp.MustCompile(`(?i)(?:https?://|www\.)\S+` +
		`|\b(?:t|telegram)\.me/\S+` +
		`|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|ru|net|org|io|me|xyz|info|biz|club|shop|online|site|store|pro|top|su|app|gg|ly|link|cc|co|tv|bet|vip|win|casino)\b(?:/\S*)?`)
	// Telegram usernames are 5-32 characters; "@" glued to a word is an e-mail.
	mentionPattern = regexp.MustCompile(`(?:^|[^\w@])(@[A-Za-z][A-Za-z0-9_]{4,31})\b`)
)

// AdCheck flags captions and image text that look like ads or channel
// promotion: links, @mentions, ad words, long captions. It never rejects;
// a moderator decides.
type AdCheck struct {
	list            *wordList
	maxCaptionRunes int
}

// AdConfig tunes NewAdCheck. Zero values take the defaults.
type AdConfig struct {
	Words           []string // default DefaultAdWords
	MaxCaptionRunes int      // longer captions are flagged; default 200
}

var defaultAdList = newWordList(DefaultAdWords)

// NewAdCheck builds an AdCheck. The zero AdCheck also works, with defaults.
func NewAdCheck(cfg AdConfig) *AdCheck {
	c := &AdCheck{list: defaultAdList, maxCaptionRunes: cfg.MaxCaptionRunes}
	if len(cfg.Words) > 0 {
		c.list = newWordList(cfg.Words)
	}
	return c
}

// Check implements Checker. It reads the caption and the OCR text.
func (c *AdCheck) Check(ctx context.Context, in *Input) Result {
	start := time.Now()
	list, maxRunes := c.list, c.maxCaptionRunes
	if list == nil {
		list = defaultAdList
	}
	if maxRunes <= 0 {
		maxRunes = DefaultMaxCaptionRunes
	}
	text := in.Caption + "\n" + in.OCRText
	links := linkPattern.FindAllString(text, -1)
	mentions := findMentions(text)
	words := list.matches(text)
	long := utf8.RuneCountInString(in.Caption) > maxRunes

	signals := len(links) + len(mentions) + len(words)
	details := map[string]any{}
	if len(links) > 0 {
		details["links"] = links
	}
	if len(mentions) > 0 {
		details["mentions"] = mentions
	}
	if len(words) > 0 {
		details["words"] = words
	}
	if long {
		details["long_caption"] = true
		signals++
	}
	r := Result{Check: CheckAds, Verdict: VerdictPass, Score: min(1, float64(signals)/3), Details: details}
	if signals > 0 {
		r.Verdict, r.Reason = VerdictFlag, ReasonAd
	}
	r.Duration = time.Since(start)
	return r
}

func findMentions(text string) []string {
	var out []string
	for _, m := range mentionPattern.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// CleanCaption removes links and @mentions from a caption and keeps the
// rest, tidying the spaces and empty lines they leave behind.
func CleanCaption(s string) string {
	s = linkPattern.ReplaceAllString(s, "")
	s = mentionPattern.ReplaceAllStringFunc(s, func(m string) string {
		// Keep the character before the mention (the pattern consumes it).
		if i := strings.IndexByte(m, '@'); i > 0 {
			return m[:i]
		}
		return ""
	})
	var lines []string
	blank := false
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			if !blank && len(lines) > 0 {
				lines = append(lines, "")
			}
			blank = true
			continue
		}
		blank = false
		lines = append(lines, line)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
