package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	// Verdict is why it is a duplicate (JSON), with DuplicateOf.
	Verdict   json.RawMessage
	LastError string
	ActorID   *int64 // nil = the system
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
	if len(ch.Verdict) > 0 {
		updates["duplicate_verdict"] = string(ch.Verdict)
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

// Upload is one upload at intake: who sent it and what.
type Upload struct {
	Uploader   UserProfile
	Submission Submission
}

// Intaken is the stored submission of an Upload; Created is false when
// Telegram delivered the same message before (after a crash) and this is the
// first delivery's row.
type Intaken struct {
	Submission Submission
	Created    bool
}

// intakeSQL registers or refreshes the uploaders ($1-$5), inserts the
// submissions ($6-$14, in order; a message delivered before inserts nothing)
// with their first status events, and returns each upload's new row, if any.
const intakeSQL = `
WITH p AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
        AS p(id, username, first_name, code, langs)
), u AS (
    INSERT INTO users (id, username, first_name, language_code, languages, last_active_at)
    SELECT id, username, first_name, code, string_to_array(langs, ','), now() FROM p
    ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, first_name = EXCLUDED.first_name,
        language_code = EXCLUDED.language_code, last_active_at = now(), blocked_bot_at = NULL, updated_at = now()
    RETURNING id, languages
), i AS (
    SELECT * FROM unnest($6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[],
                         $12::bigint[], $13::text[], $14::text[])
        WITH ORDINALITY AS i(uid, chat, msg, type, file, uniq, size, mime, caption, ord)
), s AS (
    INSERT INTO submissions (uploader_id, chat_id, message_id, media_type, file_id, file_unique_id,
                             file_size, mime_type, caption, language, status)
    SELECT i.uid, i.chat, i.msg, i.type, i.file, i.uniq, i.size, i.mime, i.caption,
           COALESCE(u.languages[1], 'en'), 'queued'
    FROM i JOIN u ON u.id = i.uid
    ORDER BY i.ord
    ON CONFLICT (chat_id, message_id) DO NOTHING
    RETURNING id, uploader_id, chat_id, message_id, language
), e AS (
    INSERT INTO status_events (submission_id, to_status, actor_id) SELECT id, 'queued', uploader_id FROM s
)
SELECT i.ord, s.id, s.language FROM i LEFT JOIN s ON s.chat_id = i.chat AND s.message_id = i.msg ORDER BY i.ord`

// Intake records a batch of uploads in one statement (one round trip, one
// commit, however many uploads): each uploader is registered or refreshed,
// each submission inserted with its uploader's first meme language, and its
// first status event written. Results are in the order of ups.
func (s *Store) Intake(ctx context.Context, ups []Upload) ([]Intaken, error) {
	if len(ups) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, intakeSQL, intakeColumnsOf(ups).args()...)
	if err != nil {
		return nil, fmt.Errorf("storage: intake: %w", err)
	}
	defer rows.Close()
	out := make([]Intaken, len(ups))
	var again []int // delivered before: read the first delivery's row
	created := make(map[int64]bool, len(ups))
	for rows.Next() {
		var ord int
		var id *int64
		var lang *string
		if err := rows.Scan(&ord, &id, &lang); err != nil {
			return nil, fmt.Errorf("storage: intake: %w", err)
		}
		i := ord - 1
		if id == nil || created[*id] { // the same message twice in one batch: once
			again = append(again, i)
			continue
		}
		created[*id] = true
		sub := ups[i].Submission
		sub.ID, sub.UploaderID, sub.Status, sub.Language = *id, ups[i].Uploader.ID, SubmissionQueued, *lang
		out[i] = Intaken{Submission: sub, Created: true}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: intake: %w", err)
	}
	for _, i := range again {
		sub := ups[i].Submission
		if err := s.db.WithContext(ctx).Where("chat_id = ? AND message_id = ?", sub.ChatID, sub.MessageID).
			First(&out[i].Submission).Error; err != nil {
			return nil, fmt.Errorf("storage: intake: %w", err)
		}
	}
	return out, nil
}

// intakeColumns are an intake batch as arrays for unnest: uploaders (one row
// each, as ON CONFLICT DO UPDATE may touch a row once per statement, with
// the last profile of an album's sender) and uploads.
type intakeColumns struct {
	uids                                   []int64
	names, firsts, codes, langs            []string
	uploaders, chats, msgs, sizes          []int64
	types, files, uniques, mimes, captions []string
}

func intakeColumnsOf(ups []Upload) intakeColumns {
	var c intakeColumns
	seen := make(map[int64]bool, len(ups))
	for i := len(ups) - 1; i >= 0; i-- {
		if p := ups[i].Uploader; !seen[p.ID] {
			seen[p.ID] = true
			c.uids = append(c.uids, p.ID)
			c.names, c.firsts, c.codes = append(c.names, p.Username), append(c.firsts, p.FirstName), append(c.codes, p.LanguageCode)
			c.langs = append(c.langs, strings.Join(DefaultLanguages(p.LanguageCode), ","))
		}
	}
	for _, u := range ups {
		sub := u.Submission
		c.uploaders, c.chats, c.msgs, c.sizes = append(c.uploaders, u.Uploader.ID), append(c.chats, sub.ChatID), append(c.msgs, sub.MessageID), append(c.sizes, sub.FileSize)
		c.types, c.files, c.uniques = append(c.types, string(sub.MediaType)), append(c.files, sub.FileID), append(c.uniques, sub.FileUniqueID)
		c.mimes, c.captions = append(c.mimes, sub.MimeType), append(c.captions, sub.Caption)
	}
	return c
}

// args are the statement's parameters $1..$14.
func (c intakeColumns) args() []any {
	return []any{c.uids, c.names, c.firsts, c.codes, c.langs,
		c.uploaders, c.chats, c.msgs, c.types, c.files, c.uniques, c.sizes, c.mimes, c.captions}
}

// ErrNoSecondLook says an upload cannot be looked at again: it is not the
// asker's, not a duplicate, or its one second look was already asked for.
var ErrNoSecondLook = errors.New("storage: no second look for this upload")

// RequestSecondLook queues again an upload called a duplicate, at its
// uploader's request, so that moderators decide; once per upload. The
// uploader will be told the new outcome.
func (s *Store) RequestSecondLook(ctx context.Context, id, uploaderID int64) (Submission, error) {
	var sub Submission
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Submission{}).
			Where("id = ? AND uploader_id = ? AND status = ? AND second_look_at IS NULL", id, uploaderID, SubmissionDuplicate).
			Updates(map[string]any{"second_look_at": time.Now().UTC(), "uploader_notified_at": nil})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNoSecondLook
		}
		if err := changeSubmission(tx, id, SubmissionChange{Status: SubmissionQueued, Reason: "second look asked", ActorID: &uploaderID}); err != nil {
			return err
		}
		return tx.First(&sub, id).Error
	})
	if err != nil {
		return Submission{}, fmt.Errorf("storage: second look at %d: %w", id, err)
	}
	return sub, nil
}
