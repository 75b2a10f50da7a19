package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CreateSubmission records an upload at intake. Telegram may deliver one
// message twice (after a crash); the second call returns the first row and
// created=false.
func (s *Store) CreateSubmission(ctx context.Context, sub Submission) (Submission, bool, error) {
	sub.Status = SubmissionQueued
	var created bool
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&sub)
		if res.Error != nil {
			return res.Error
		}
		if created = res.RowsAffected == 1; !created {
			return tx.Where("chat_id = ? AND message_id = ?", sub.ChatID, sub.MessageID).First(&sub).Error
		}
		return tx.Create(&StatusEvent{SubmissionID: &sub.ID, ToStatus: SubmissionQueued, ActorID: &sub.UploaderID}).Error
	})
	if err != nil {
		return Submission{}, false, fmt.Errorf("storage: create submission: %w", err)
	}
	return sub, created, nil
}

// Submission returns one submission.
func (s *Store) Submission(ctx context.Context, id int64) (Submission, error) {
	var sub Submission
	if err := s.db.WithContext(ctx).First(&sub, id).Error; err != nil {
		return Submission{}, fmt.Errorf("storage: submission %d: %w", id, notFound(err))
	}
	return sub, nil
}

// SubmissionOfMeme returns the submission a meme came from.
func (s *Store) SubmissionOfMeme(ctx context.Context, memeID int64) (Submission, error) {
	var sub Submission
	if err := s.db.WithContext(ctx).Where("meme_id = ?", memeID).First(&sub).Error; err != nil {
		return Submission{}, fmt.Errorf("storage: submission of meme %d: %w", memeID, notFound(err))
	}
	return sub, nil
}

// SubmissionChange is a status change of a submission and what comes with it.
type SubmissionChange struct {
	Status      string
	Reason      string
	MemeID      *int64
	DuplicateOf *int64
	LastError   string
	ActorID     *int64 // nil = the system
}

// ChangeSubmission moves a submission to a new status and records the event.
func (s *Store) ChangeSubmission(ctx context.Context, id int64, ch SubmissionChange) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return changeSubmission(tx, id, ch)
	})
}

func changeSubmission(tx *gorm.DB, id int64, ch SubmissionChange) error {
	var from string
	if err := tx.Model(&Submission{}).Where("id = ?", id).Pluck("status", &from).Error; err != nil {
		return fmt.Errorf("storage: change submission %d: %w", id, err)
	}
	updates := map[string]any{"status": ch.Status, "status_reason": ch.Reason, "updated_at": time.Now().UTC()}
	if ch.MemeID != nil {
		updates["meme_id"] = *ch.MemeID
	}
	if ch.DuplicateOf != nil {
		updates["duplicate_of"] = *ch.DuplicateOf
	}
	if ch.LastError != "" {
		updates["last_error"] = ch.LastError
	}
	if err := tx.Model(&Submission{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("storage: change submission %d: %w", id, err)
	}
	if from == ch.Status {
		return nil
	}
	ev := StatusEvent{SubmissionID: &id, MemeID: ch.MemeID, FromStatus: from, ToStatus: ch.Status, ActorID: ch.ActorID, Reason: ch.Reason}
	return tx.Create(&ev).Error
}

// StartProcessing marks a submission as being processed and counts the
// attempt. It returns ErrFinished when the submission already has an outcome
// (a redelivered job must not act twice).
func (s *Store) StartProcessing(ctx context.Context, id int64) (Submission, error) {
	var sub Submission
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&sub, id).Error; err != nil {
			return notFound(err)
		}
		if sub.Finished() {
			return ErrFinished
		}
		sub.Attempts++
		if err := tx.Model(&sub).Updates(map[string]any{"attempts": sub.Attempts, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		if sub.Status == SubmissionQueued {
			sub.Status = SubmissionProcessing
			return changeSubmission(tx, id, SubmissionChange{Status: SubmissionProcessing})
		}
		return nil
	})
	if err != nil {
		return Submission{}, fmt.Errorf("storage: start processing %d: %w", id, err)
	}
	return sub, nil
}

// ErrFinished says a submission already reached review or an outcome.
var ErrFinished = errors.New("storage: submission already finished")

// Finished reports whether processing is over for this submission.
func (sub Submission) Finished() bool {
	switch sub.Status {
	case SubmissionQueued, SubmissionProcessing:
		return false
	}
	return true
}

// SetReviewMessage records the review post of a submission.
func (s *Store) SetReviewMessage(ctx context.Context, id, messageID int64) error {
	err := s.db.WithContext(ctx).Model(&Submission{}).Where("id = ?", id).
		Updates(map[string]any{"review_message_id": messageID, "updated_at": time.Now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("storage: set review message of %d: %w", id, err)
	}
	return nil
}

// MarkUploaderNotified records that the uploader was told the outcome; it
// reports false when somebody already did (so they are told once).
func (s *Store) MarkUploaderNotified(ctx context.Context, id int64) (bool, error) {
	res := s.db.WithContext(ctx).Model(&Submission{}).Where("id = ? AND uploader_notified_at IS NULL", id).
		Update("uploader_notified_at", time.Now().UTC())
	if res.Error != nil {
		return false, fmt.Errorf("storage: mark notified %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// StaleSubmissions lists submissions still queued or processing that were
// last touched before the cutoff: their job was lost and must be re-queued.
func (s *Store) StaleSubmissions(ctx context.Context, before time.Time, limit int) ([]Submission, error) {
	var subs []Submission
	err := s.db.WithContext(ctx).Where("status IN ? AND updated_at < ?", []string{SubmissionQueued, SubmissionProcessing}, before).
		Order("id").Limit(limit).Find(&subs).Error
	if err != nil {
		return nil, fmt.Errorf("storage: stale submissions: %w", err)
	}
	return subs, nil
}

// TouchSubmission marks a submission as recently handled (re-queued).
func (s *Store) TouchSubmission(ctx context.Context, id int64) error {
	return s.db.WithContext(ctx).Model(&Submission{}).Where("id = ?", id).Update("updated_at", time.Now().UTC()).Error
}

// Intake records an upload in one statement (one round trip, one commit): the
// uploader is registered or refreshed, the submission inserted with the
// uploader's first meme language, and its first status event written.
// Telegram may deliver one message twice (after a crash); the second call
// returns the first row and created=false.
func (s *Store) Intake(ctx context.Context, p UserProfile, sub Submission) (Submission, bool, error) {
	var newID *int64
	err := s.db.WithContext(ctx).Raw(`
WITH u AS (
    INSERT INTO users (id, username, first_name, language_code, languages, last_active_at)
    VALUES (@uid, @username, @first_name, @code, @langs, now())
    ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, first_name = EXCLUDED.first_name,
        language_code = EXCLUDED.language_code, last_active_at = now(), blocked_bot_at = NULL, updated_at = now()
    RETURNING id, languages
), s AS (
    INSERT INTO submissions (uploader_id, chat_id, message_id, media_type, file_id, file_unique_id,
                             file_size, mime_type, caption, language, status)
    SELECT u.id, @chat, @msg, @type, @file, @unique, @size, @mime, @caption, COALESCE(u.languages[1], 'en'), 'queued'
    FROM u
    ON CONFLICT (chat_id, message_id) DO NOTHING
    RETURNING id
), e AS (
    INSERT INTO status_events (submission_id, to_status, actor_id) SELECT id, 'queued', @uid FROM s
)
SELECT id FROM s`, map[string]any{
		"uid": p.ID, "username": p.Username, "first_name": p.FirstName, "code": p.LanguageCode,
		"langs": DefaultLanguages(p.LanguageCode), "chat": sub.ChatID, "msg": sub.MessageID, "type": sub.MediaType,
		"file": sub.FileID, "unique": sub.FileUniqueID, "size": sub.FileSize, "mime": sub.MimeType, "caption": sub.Caption,
	}).Scan(&newID).Error
	if err != nil {
		return Submission{}, false, fmt.Errorf("storage: intake: %w", err)
	}
	var out Submission
	q := s.db.WithContext(ctx)
	if newID != nil {
		// Read back the few columns callers use rather than a second round trip
		// for the whole row.
		out = sub
		out.ID, out.UploaderID, out.Status = *newID, p.ID, SubmissionQueued
		return out, true, nil
	}
	if err := q.Where("chat_id = ? AND message_id = ?", sub.ChatID, sub.MessageID).First(&out).Error; err != nil {
		return Submission{}, false, fmt.Errorf("storage: intake: %w", err)
	}
	return out, false, nil
}
