package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"testing"

	"memebot/jobs"
	"memebot/jobs/jobstore"
	"memebot/media"
	"memebot/storage"
	"memebot/storage/storagetest"
)

type files map[string][]byte

func (f files) Download(_ context.Context, id string, _ int64) ([]byte, error) {
	if b, ok := f[id]; ok {
		return b, nil
	}
	return nil, errors.New("no such file")
}

// TestFingerprintsRecomputesStaleOnes: a meme fingerprinted by the older
// rule (version 1) gets the current fingerprint from its storage-chat copy,
// keeps its original SHA-256, and is written after everything the workers'
// indexes loaded (they pick it up); an unreadable copy is skipped, and a
// second run has nothing left to do.
func TestFingerprintsRecomputesStaleOnes(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	photo, err := os.ReadFile("../dedupeval/testdata/mate-Aqua.jpg")
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := media.DecodeImage(photo, media.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	current := media.NewFingerprint([]byte("the original upload"), img)
	blob, _ := current.MarshalBinary()
	v1 := append([]byte{1}, blob[1:len(blob)-media.LetterSize*media.LetterSize]...)

	ids := map[string]int64{}
	for _, file := range []string{"good", "gone"} {
		m := storage.Meme{Type: "photo", Status: storage.MemeOK, SHA256: current.SHA256[:], Fingerprint: v1, StorageFileID: file}
		phash := current.PHashColumn()
		m.PHash = &phash
		if err := st.CreateMeme(ctx, &m); err != nil {
			t.Fatal(err)
		}
		ids[file] = m.ID
	}
	before, err := st.MemeHashes(ctx, 0, 10, media.IndexedPrefix)
	if err != nil || len(before) != 2 {
		t.Fatalf("hashes before: %v, %v", before, err)
	}
	run := jobs.Fingerprints(jobstore.New(st), files{"good": photo}, 10, 1<<20, slog.New(slog.DiscardHandler))
	if err := run(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := st.Meme(ctx, ids["good"])
	if err != nil {
		t.Fatal(err)
	}
	var fp media.Fingerprint
	if err := fp.UnmarshalBinary(got.Fingerprint); err != nil || fp.Version != media.FingerprintVersion || fp.SHA256 != current.SHA256 {
		t.Fatalf("recomputed fingerprint: version %d, sha kept %t, %v", fp.Version, fp.SHA256 == current.SHA256, err)
	}
	if !media.Compare(fp, current).Duplicate {
		t.Fatal("the storage copy's fingerprint does not match the original's")
	}
	after, err := st.MemeHashes(ctx, max(before[0].Seq, before[1].Seq), 10, media.IndexedPrefix)
	if err != nil || len(after) != 1 || after[0].ID != ids["good"] {
		t.Fatalf("written after the indexes loaded: %+v, %v", after, err)
	}
	stale, err := st.StaleFingerprints(ctx, media.FingerprintVersion, 0, 10)
	if err != nil || len(stale) != 1 || stale[0].ID != ids["gone"] {
		t.Fatalf("still stale: %+v, %v", stale, err)
	}
	if err := run(ctx); err != nil {
		t.Fatalf("second run: %v", err)
	}
}
