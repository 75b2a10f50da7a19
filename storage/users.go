package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// UserProfile is what Telegram tells us about a user on every update.
type UserProfile struct {
	ID           int64
	Username     string
	FirstName    string
	LanguageCode string
}

// UpsertUser registers a user or refreshes their profile and activity time.
// A new user's meme languages start from their Telegram language (plus
// English). It reports whether the user was created.
func (s *Store) UpsertUser(ctx context.Context, p UserProfile) (User, bool, error) {
	now := time.Now().UTC()
	u := User{
		ID: p.ID, Username: p.Username, FirstName: p.FirstName, LanguageCode: p.LanguageCode,
		Languages: DefaultLanguages(p.LanguageCode), Role: RoleUser, LastActiveAt: now, CreatedAt: now, UpdatedAt: now,
	}
	var created bool
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&u)
		if res.Error != nil {
			return res.Error
		}
		created = res.RowsAffected == 1
		if created {
			return nil
		}
		return tx.Model(&User{}).Where("id = ?", p.ID).Clauses(clause.Returning{}).Updates(map[string]any{
			"username": p.Username, "first_name": p.FirstName, "language_code": p.LanguageCode,
			"last_active_at": now, "updated_at": now, "blocked_bot_at": nil,
		}).Scan(&u).Error
	})
	if err != nil {
		return User{}, false, fmt.Errorf("storage: upsert user %d: %w", p.ID, err)
	}
	return u, created, nil
}

// DefaultLanguages is the meme languages a new user starts with.
func DefaultLanguages(telegramLanguage string) StringArray {
	switch lang := NormalizeLanguage(telegramLanguage); lang {
	case "", "en":
		return StringArray{"en"}
	default:
		return StringArray{lang, "en"}
	}
}

// NormalizeLanguage reduces an IETF tag such as "ru-RU" to "ru".
func NormalizeLanguage(tag string) string {
	if len(tag) >= 2 {
		return tag[:2]
	}
	return tag
}

// User returns one user by Telegram id.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	var u User
	if err := s.db.WithContext(ctx).First(&u, "id = ?", id).Error; err != nil {
		return User{}, fmt.Errorf("storage: user %d: %w", id, notFound(err))
	}
	return u, nil
}

// SetUserLanguages replaces the languages of memes served to a user.
func (s *Store) SetUserLanguages(ctx context.Context, id int64, langs []string) error {
	res := s.db.WithContext(ctx).Model(&User{}).Where("id = ?", id).
		Updates(map[string]any{"languages": StringArray(langs), "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("storage: set languages of %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("storage: set languages of %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetUserRole promotes or demotes a user (RoleUser or RoleModerator). The user
// row is created if the moderator has never written to the bot.
func (s *Store) SetUserRole(ctx context.Context, id int64, role string) error {
	now := time.Now().UTC()
	u := User{ID: id, Role: role, Languages: StringArray{"en"}, LastActiveAt: now, CreatedAt: now, UpdatedAt: now}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.Assignments(map[string]any{"role": role, "updated_at": now}),
	}).Create(&u).Error
	if err != nil {
		return fmt.Errorf("storage: set role of %d: %w", id, err)
	}
	return nil
}

// ModeratorIDs lists the users promoted to moderator in the database.
func (s *Store) ModeratorIDs(ctx context.Context) ([]int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Model(&User{}).Where("role = ?", RoleModerator).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("storage: moderators: %w", err)
	}
	return ids, nil
}

// MarkBlocked records that a user blocked the bot; nothing is sent to them
// until they write again (UpsertUser clears the mark).
func (s *Store) MarkBlocked(ctx context.Context, id int64) error {
	err := s.db.WithContext(ctx).Model(&User{}).Where("id = ? AND blocked_bot_at IS NULL", id).
		Update("blocked_bot_at", time.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("storage: mark %d blocked: %w", id, err)
	}
	return nil
}
