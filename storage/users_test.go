package storage_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"memebot/storage"
	"memebot/storage/storagetest"
)

func TestUpsertUserRegistersOnceAndKeepsLanguages(t *testing.T) {
	st := storagetest.NewStore(t)
	ctx := context.Background()

	u, created, err := st.UpsertUser(ctx, storage.UserProfile{ID: 7, FirstName: "Ivan", LanguageCode: "ru-RU"})
	if err != nil || !created {
		t.Fatalf("first upsert: created=%v err=%v", created, err)
	}
	if !slices.Equal(u.Languages, storage.StringArray{"ru", "en"}) {
		t.Fatalf("languages of a Russian speaker = %v, want [ru en]", u.Languages)
	}
	if err := st.SetUserLanguages(ctx, 7, []string{"ru"}); err != nil {
		t.Fatal(err)
	}
	u, created, err = st.UpsertUser(ctx, storage.UserProfile{ID: 7, FirstName: "Ivan2", LanguageCode: "ru"})
	if err != nil || created {
		t.Fatalf("second upsert: created=%v err=%v", created, err)
	}
	if u.FirstName != "Ivan2" || !slices.Equal(u.Languages, storage.StringArray{"ru"}) {
		t.Fatalf("after re-upsert got name %q languages %v; the profile should refresh and the chosen languages stay", u.FirstName, u.Languages)
	}
	if _, err := st.User(ctx, 8); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("unknown user: err = %v, want ErrNotFound", err)
	}
}

func TestSetUserRoleCreatesAndPromotes(t *testing.T) {
	st := storagetest.NewStore(t)
	ctx := context.Background()
	if err := st.SetUserRole(ctx, 42, storage.RoleModerator); err != nil {
		t.Fatal(err)
	}
	ids, err := st.ModeratorIDs(ctx)
	if err != nil || !slices.Equal(ids, []int64{42}) {
		t.Fatalf("moderators = %v, %v", ids, err)
	}
	if err := st.SetUserRole(ctx, 42, storage.RoleUser); err != nil {
		t.Fatal(err)
	}
	if ids, _ := st.ModeratorIDs(ctx); len(ids) != 0 {
		t.Fatalf("after demote moderators = %v", ids)
	}
}
