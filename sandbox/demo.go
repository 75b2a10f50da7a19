package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"log/slog"
	"mime/multipart"
	"net/http"
	"slices"
	"time"

	"memebot/config"
	"memebot/media"
	"memebot/storage"
)

// demoUser is a person the demo registers; the page offers them by name.
type demoUser struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name"`
	Username  string `json:"username"`
	Language  string `json:"language_code"`
}

var demoUsers = []demoUser{
	{1001, "Alice", "alice", "en"},
	{1002, "Борис", "boris", "ru"},
	{1003, "Chen", "chen", "en"},
}

type demoSource struct {
	platform, handle, url, lang string
}

var demoSources = []demoSource{
	{"telegram", "sandbox_demo_en", "https://t.me/sandbox_demo_en", "en"},
	{"vk", "sandbox_demo_ru", "https://vk.com/sandbox_demo_ru", "ru"},
}

type demoMeme struct {
	source      int // index into demoSources
	top, bottom string
}

var demoMemes = []demoMeme{
	{0, "When the tests pass", "on the first try"},
	{0, "Me: I'll just fix one bug", "Also me: rewrites everything"},
	{0, "It works on my machine", "Then we'll ship your machine"},
	{0, "Nobody:", "The cat at 3 am: zoomies"},
	{1, "Когда дедлайн завтра", "а ты только начал"},
	{1, "Пятница, вечер", "прод упал"},
}

// addDemo registers demo users and sources and adds approved memes whose
// pictures are uploaded to the storage chat through the fake's Bot API, as
// the pipeline would have done. It does nothing when the demo is present.
func addDemo(ctx context.Context, cfg *config.Config, apiURL string, log *slog.Logger) error {
	st, err := storage.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return fmt.Errorf("sandbox: demo: %w", err)
	}
	defer st.Close()
	present, err := demoPresent(ctx, st)
	if err != nil {
		return fmt.Errorf("sandbox: demo: %w", err)
	}
	if present {
		log.Info("sandbox demo already present")
		return nil
	}
	for _, u := range demoUsers {
		p := storage.UserProfile{ID: u.ID, Username: u.Username, FirstName: u.FirstName, LanguageCode: u.Language}
		if _, _, err := st.UpsertUser(ctx, p); err != nil {
			return fmt.Errorf("sandbox: demo: %w", err)
		}
	}
	sourceIDs, err := addDemoSources(ctx, st)
	if err != nil {
		return err
	}
	up := &botUploader{apiURL: apiURL, token: cfg.BotToken, chatID: cfg.StorageChatID}
	for i, dm := range demoMemes {
		if err := addDemoMeme(ctx, st, up, i+1, dm, sourceIDs[dm.source], demoSources[dm.source].lang); err != nil {
			return err
		}
	}
	log.Info("sandbox demo added", slog.Int("users", len(demoUsers)), slog.Int("memes", len(demoMemes)))
	return nil
}

// demoPresent reports whether the first demo source is there.
func demoPresent(ctx context.Context, st *storage.Store) (bool, error) {
	sources, err := st.Sources(ctx, demoSources[0].platform)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(sources, func(s storage.SourceSummary) bool { return s.Handle == demoSources[0].handle }), nil
}

func addDemoSources(ctx context.Context, st *storage.Store) ([]int64, error) {
	var ids []int64
	now := time.Now().UTC()
	for _, s := range demoSources {
		// Parsing stays off: the sandbox has no network to parse from.
		src := storage.Source{Platform: s.platform, Handle: s.handle, URL: s.url, Language: s.lang,
			Status: "parsing_disabled", StatusReason: "sandbox demo", StatusChangedAt: now, CreatedAt: now}
		if err := st.CreateSource(ctx, &src); err != nil {
			return nil, fmt.Errorf("sandbox: demo source %s: %w", s.handle, err)
		}
		ids = append(ids, src.ID)
	}
	return ids, nil
}

func addDemoMeme(ctx context.Context, st *storage.Store, up *botUploader, seed int, dm demoMeme, sourceID int64, lang string) error {
	data, err := demoPicture(seed, dm.top, dm.bottom)
	if err != nil {
		return err
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("sandbox: demo meme: %w", err)
	}
	fp := media.NewFingerprint(data, img)
	blob, err := fp.MarshalBinary()
	if err != nil {
		return fmt.Errorf("sandbox: demo meme: %w", err)
	}
	fileID, messageID, err := up.sendPhoto(ctx, data)
	if err != nil {
		return err
	}
	phash := fp.PHashColumn()
	now := time.Now().UTC()
	m := storage.Meme{
		SourceID: &sourceID, Type: media.Photo, Status: storage.MemeOK, Language: lang,
		Caption: dm.top + " / " + dm.bottom, StorageFileID: fileID, StorageMessageID: &messageID,
		SHA256: fp.SHA256[:], PHash: &phash, Fingerprint: blob, Width: demoWidth, Height: demoHeight,
		OCRText: dm.top + " " + dm.bottom, Checks: json.RawMessage("[]"), PublishedAt: &now,
	}
	if err := st.CreateMeme(ctx, &m); err != nil {
		return fmt.Errorf("sandbox: demo meme: %w", err)
	}
	return nil
}

// botUploader sends photos to a chat through the Bot API, as the bot.
type botUploader struct {
	apiURL, token string
	chatID        int64
}

// sendPhoto uploads data and returns the largest size's file_id and the message id.
func (u *botUploader) sendPhoto(ctx context.Context, data []byte) (string, int64, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("chat_id", fmt.Sprint(u.chatID))
	part, err := mw.CreateFormFile("photo", "meme.jpg")
	if err != nil {
		return "", 0, fmt.Errorf("sandbox: upload demo meme: %w", err)
	}
	_, _ = part.Write(data)
	if err := mw.Close(); err != nil {
		return "", 0, fmt.Errorf("sandbox: upload demo meme: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.apiURL+"/bot"+u.token+"/sendPhoto", &body)
	if err != nil {
		return "", 0, fmt.Errorf("sandbox: upload demo meme: %w", err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("sandbox: upload demo meme: %w", err)
	}
	defer resp.Body.Close()
	var answer struct {
		OK          bool   `json:"ok"`
		Description string `json:"description"`
		Result      struct {
			MessageID int64 `json:"message_id"`
			Photo     []struct {
				FileID string `json:"file_id"`
			} `json:"photo"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return "", 0, fmt.Errorf("sandbox: upload demo meme: %w", err)
	}
	if !answer.OK || len(answer.Result.Photo) == 0 {
		return "", 0, fmt.Errorf("sandbox: upload demo meme: %w", errors.New(answer.Description))
	}
	return answer.Result.Photo[len(answer.Result.Photo)-1].FileID, answer.Result.MessageID, nil
}
