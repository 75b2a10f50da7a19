package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"memebot/jobs"
	"memebot/jobs/jobstore"
	"memebot/kv/kvtest"
	"memebot/moderation/vision"
	"memebot/storage"
	"memebot/storage/storagetest"
)

type bytesDownloader []byte

func (b bytesDownloader) Download(context.Context, string, int64) ([]byte, error) { return b, nil }

func jpegBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 200, 200))
	for i := range 200 {
		img.Set(i, i, color.White)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDescribeBackfillsAndTheBreakerPausesTheJob(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	rdb := kvtest.NewRedis(t)
	for i := range 4 {
		m := storage.Meme{Type: "photo", Status: storage.MemeOK, Language: "en", StorageFileID: "file" + string(rune('a'+i)), Checks: []byte("[]")}
		if err := st.CreateMeme(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	var failing atomic.Bool
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if failing.Load() {
			http.Error(w, "boom", 500)
			return
		}
		content := "```json\n{\"text\":\"hello\",\"description\":\"A line.\",\"language\":\"en\",\"tags\":[\"test\"]}\n```"
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"content": content}}}})
	}))
	defer srv.Close()
	var tripped atomic.Int32
	d, err := vision.NewDescriber(vision.Config{
		URL: srv.URL, Models: []string{"a/model:free"}, Redis: rdb, KeyPrefix: rdb.Prefix() + ":",
		OnTrip: func(ctx context.Context, reason string) {
			tripped.Add(1)
			st.SetJobPaused(ctx, jobs.DescribeJob, true, nil, reason)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	job := jobs.Describe(jobstore.New(st), bytesDownloader(jpegBytes(t)), d, 2, storagetest.Logger())

	if err := job(ctx); err != nil {
		t.Fatal(err)
	}
	var described int64
	storagetest.DB(st).Model(&storage.Meme{}).Where("description IS NOT NULL").Count(&described)
	if described != 2 {
		t.Fatalf("%d memes described by a batch of 2", described)
	}
	var m storage.Meme
	storagetest.DB(st).Where("description IS NOT NULL").First(&m)
	var desc storage.Description
	json.Unmarshal(m.Description, &desc)
	if desc.Description != "A line." || desc.CalculatedAt.IsZero() || m.OCRText != "hello" {
		t.Fatalf("stored description %+v, ocr %q", desc, m.OCRText)
	}

	failing.Store(true)
	for range 3 {
		job(ctx)
	}
	if tripped.Load() != 1 {
		t.Fatalf("breaker tripped %d times after repeated failures, want once", tripped.Load())
	}
	if paused, _ := st.JobPaused(ctx, jobs.DescribeJob); !paused {
		t.Fatal("the describe job is not paused after the breaker opened")
	}
	before := calls.Load()
	job(ctx)
	if calls.Load() != before {
		t.Fatal("the vision service was called while the breaker was open")
	}
}
