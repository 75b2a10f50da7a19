package storage_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"memebot/media"
	"memebot/storage"
	"memebot/storage/storagetest"
)

func TestMemesToDescribeAreUndescribedPhotosRecentUploadsFirst(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	uploader, _, err := st.UpsertUser(ctx, storage.UserProfile{ID: 77, FirstName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	meme := func(kind media.Kind, status, fileID string, uploaderID *int64) int64 {
		t.Helper()
		m := storage.Meme{Type: kind, Status: status, StorageFileID: fileID, UploaderID: uploaderID}
		if err := st.CreateMeme(ctx, &m); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	older := meme(media.Photo, storage.MemeOK, "f1", nil)
	uploaded := meme(media.Photo, storage.MemeWaitingReview, "f2", &uploader.ID)
	failing := meme(media.Photo, storage.MemeOK, "f3", nil)
	meme(media.Video, storage.MemeOK, "f4", nil)                // not a photo
	meme(media.Photo, storage.MemeOK, "", nil)                  // no storage copy to show the model
	meme(media.Photo, storage.MemeRejected, "f6", &uploader.ID) // not served

	ids := func() []int64 {
		t.Helper()
		memes, err := st.MemesToDescribe(ctx, 10, 2)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, m := range memes {
			out = append(out, m.ID)
		}
		return out
	}
	if got, want := ids(), []int64{uploaded, failing, older}; !slices.Equal(got, want) {
		t.Fatalf("to describe = %v, want %v (the recent upload, then newest first)", got, want)
	}

	if err := st.SetMemeDescription(ctx, older, storage.Description{Text: "hello there", Description: "a cat"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.CountDescribeFailure(ctx, failing); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := ids(), []int64{uploaded}; !slices.Equal(got, want) {
		t.Errorf("after describing one and failing another twice: %v, want %v", got, want)
	}
	m, err := st.Meme(ctx, older)
	if err != nil || m.OCRText != "hello there" || !bytes.Contains(m.Description, []byte(`"a cat"`)) {
		t.Errorf("described meme: OCR %q, description %s, %v", m.OCRText, m.Description, err)
	}
}

func TestSetFingerprintReplacesTheStoredOne(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	m := storage.Meme{Type: media.Photo, Status: storage.MemeOK, Fingerprint: []byte{1, 2}}
	if err := st.CreateMeme(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if err := st.SetFingerprint(ctx, m.ID, 42, []byte{3, 4, 5}); err != nil {
		t.Fatal(err)
	}
	fps, err := st.MemeFingerprints(ctx, []int64{m.ID})
	if err != nil || !bytes.Equal(fps[m.ID], []byte{3, 4, 5}) {
		t.Errorf("fingerprint = %v, %v; want [3 4 5]", fps[m.ID], err)
	}
	got, err := st.Meme(ctx, m.ID)
	if err != nil || got.PHash == nil || *got.PHash != 42 {
		t.Errorf("phash = %v, %v; want 42", got.PHash, err)
	}
}
