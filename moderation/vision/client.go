package vision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"memebot/moderation/internal/openai"
)

const prompt = `You describe memes for a search index. Look at the image and answer with JSON only, no prose:
{"text": "all text written on the image, verbatim, lines separated by \n, empty if none",
 "description": "1-3 sentences in English: what is shown and what the joke is",
 "language": "ISO 639-1 code of the text on the image (en, ru, ...), empty if none",
 "tags": ["3 to 7 short lowercase tags"]}`

// rateLimitedError is a 429, with the wait the server asked for.
type rateLimitedError struct{ retryAfter time.Duration }

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("rate limited (retry after %s)", e.retryAfter)
}

func (d *Describer) call(ctx context.Context, model, dataURL string) (Description, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	resp, err := openai.PostJSON(ctx, d.cfg.HTTPClient, d.cfg.URL+"/chat/completions", d.cfg.APIKey, map[string]any{
		"model":       model,
		"temperature": 0,
		"max_tokens":  600,
		"messages": []any{map[string]any{
			"role": "user",
			"content": []any{
				map[string]any{"type": "text", "text": prompt},
				map[string]any{"type": "image_url", "image_url": map[string]string{"url": dataURL}},
			},
		}},
	})
	if err != nil {
		return Description{}, err
	}
	raw := resp.Body
	if resp.Status == http.StatusTooManyRequests {
		return Description{}, &rateLimitedError{retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), d.cfg.Now())}
	}
	if resp.Status != http.StatusOK {
		return Description{}, fmt.Errorf("status %d: %.200s", resp.Status, raw)
	}
	desc, err := parseCompletion(raw)
	if err != nil {
		return Description{}, err
	}
	desc.Model = model
	desc.CalculatedAt = d.cfg.Now().UTC()
	return desc, nil
}

// parseRetryAfter reads seconds or an HTTP date; 0 means "not given".
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

type completion struct {
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
}

// parseCompletion reads the model's JSON answer, tolerating ```json fences
// and prose around the object.
func parseCompletion(raw []byte) (Description, error) {
	var c completion
	if err := json.Unmarshal(raw, &c); err != nil {
		return Description{}, fmt.Errorf("malformed response: %w", err)
	}
	if len(c.Choices) == 0 {
		return Description{}, errors.New("malformed response: no choices")
	}
	content := c.Choices[0].Message.Content
	start, end := strings.Index(content, "{"), strings.LastIndex(content, "}")
	if start < 0 || end < start {
		return Description{}, fmt.Errorf("malformed answer: no JSON object in %.100q", content)
	}
	var ans struct {
		Text        string   `json:"text"`
		Description string   `json:"description"`
		Language    string   `json:"language"`
		Tags        []string `json:"tags"`
	}
	if err := json.Unmarshal([]byte(content[start:end+1]), &ans); err != nil {
		return Description{}, fmt.Errorf("malformed answer: %w", err)
	}
	if strings.TrimSpace(ans.Description) == "" {
		return Description{}, errors.New("malformed answer: empty description")
	}
	return Description{
		Text:        strings.TrimSpace(ans.Text),
		Description: strings.TrimSpace(ans.Description),
		Language:    normalizeLanguage(ans.Language),
		Tags:        normalizeTags(ans.Tags),
	}, nil
}

func normalizeLanguage(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 2 && !strings.ContainsFunc(s[:2], func(r rune) bool { return !unicode.IsLetter(r) }) {
		s = s[:2]
	}
	return s
}

// normalizeTags lowercases tags, joins words with "_", keeps letters,
// digits, "_" and "-", drops duplicates and tags outside 2..24 runes.
func normalizeTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.Join(strings.Fields(strings.ToLower(t)), "_")
		t = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' {
				return r
			}
			return -1
		}, t)
		if n := len([]rune(t)); n < 2 || n > 24 || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func jpegDataURL(img image.Image, side int) (string, error) {
	url, err := openai.ImageDataURL(img, side)
	if err != nil {
		return "", fmt.Errorf("vision: %w", err)
	}
	return url, nil
}
