package storage_test

import (
	"context"
	"errors"
	"testing"

	"memebot/storage"
	"memebot/storage/storagetest"
)

// enabledSource adds a source and enables parsing, as a moderator would.
func enabledSource(t *testing.T, s *storage.Store, platform, handle, lang string) storage.Source {
	t.Helper()
	ctx := context.Background()
	src, _, err := s.AddSource(ctx, platform, handle, "https://example.org/"+handle, 1)
	if err != nil {
		t.Fatal(err)
	}
	mod := int64(1)
	if err := s.SetSourceLanguage(ctx, src.ID, lang); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSourceStatus(ctx, src.ID, storage.SourceParsingEnabled, "", &mod); err != nil {
		t.Fatal(err)
	}
	src.Language = lang
	return src
}

func TestSourcesAreAddedEnabledListedAndDue(t *testing.T) {
	ctx := context.Background()
	st := storagetest.NewStore(t)
	s := st
	src, created, err := s.AddSource(ctx, "telegram", "funnymemes", "https://t.me/funnymemes", 42)
	if err != nil || !created || src.Status != storage.SourceInModeration || src.AddedBy == nil || *src.AddedBy != 42 || src.Handle != "funnymemes" {
		t.Fatalf("AddSource = %+v, %v, %v", src, created, err)
	}
	again, created, err := s.AddSource(ctx, "telegram", "funnymemes", "https://t.me/funnymemes", 43)
	if err != nil || created || again.ID != src.ID || *again.AddedBy != 42 {
		t.Errorf("adding again = %+v, created %v, %v; want the first row", again, created, err)
	}
	if err := s.SetSourceLanguage(ctx, src.ID, "english"); !errors.Is(err, storage.ErrBadValue) {
		t.Errorf("bad language: %v", err)
	}
	if err := s.SetSourceStatus(ctx, src.ID, "deleted", "", nil); !errors.Is(err, storage.ErrBadValue) {
		t.Errorf("bad status: %v", err)
	}
	if err := s.SetSourceStatus(ctx, 9999, storage.SourceParsingEnabled, "", nil); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown source: %v", err)
	}
	mod := int64(7)
	if err := s.SetSourceStatus(ctx, src.ID, storage.SourceParsingOff, "too many reposts", &mod); err != nil {
		t.Fatal(err)
	}
	got, err := s.Source(ctx, src.ID)
	if err != nil || got.Status != storage.SourceParsingOff || got.StatusReason != "too many reposts" || *got.StatusChangedBy != 7 ||
		!got.StatusChangedAt.After(src.StatusChangedAt) {
		t.Errorf("after SetSourceStatus: %+v, %v", got, err)
	}

	// Due: enabled only, never parsed first, then the longest unparsed.
	a := enabledSource(t, s, "telegram", "chan_aaaa", "en")
	b := enabledSource(t, s, "telegram", "chan_bbbb", "en")
	c := enabledSource(t, s, "telegram", "chan_cccc", "ru")
	enabledSource(t, s, "vk", "mdk", "ru")
	storagetest.DB(st).Exec("UPDATE sources SET parsed_at = now() - interval '1 hour' WHERE id = ?", b.ID)
	storagetest.DB(st).Exec("UPDATE sources SET parsed_at = now() - interval '2 hours' WHERE id = ?", c.ID)
	due, err := s.DueSources(ctx, "telegram", 10)
	if err != nil || len(due) != 3 || due[0].ID != a.ID || due[1].ID != c.ID || due[2].ID != b.ID {
		t.Errorf("due = %+v, %v; want a, c, b", due, err)
	}
	if due, _ := s.DueSources(ctx, "telegram", 2); len(due) != 2 {
		t.Errorf("batch of 2 gave %d", len(due))
	}

	// The list shows recent yield.
	storagetest.DB(st).Exec("INSERT INTO memes (source_id, type, status) VALUES (?, 'photo', 'ok'), (?, 'photo', 'ok')", a.ID, a.ID)
	storagetest.DB(st).Exec("INSERT INTO memes (source_id, type, status, created_at) VALUES (?, 'photo', 'ok', now() - interval '8 days')", a.ID)
	list, err := s.Sources(ctx, "telegram")
	if err != nil || len(list) != 4 {
		t.Fatalf("Sources = %d, %v", len(list), err)
	}
	for _, l := range list {
		if l.ID == a.ID && l.MemesLastWeek != 2 {
			t.Errorf("%s memes last week = %d, want 2", l.Handle, l.MemesLastWeek)
		}
	}
	if list[len(list)-1].ID != src.ID {
		t.Errorf("the disabled source is not listed last: %+v", list)
	}
}
