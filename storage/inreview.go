package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// MarkInReview records that a submission's review post is out, unless it was
// decided meanwhile: a moderator may press Approve the moment the post
// appears, before the worker gets here, and that decision must stand.
func (s *Store) MarkInReview(ctx context.Context, id, memeID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Submission{}).
			Where("id = ? AND status IN ?", id, []string{SubmissionQueued, SubmissionProcessing}).
			Updates(map[string]any{"status": SubmissionInReview, "status_reason": "", "meme_id": memeID, "updated_at": time.Now().UTC()})
		if res.Error != nil {
			return fmt.Errorf("storage: submission %d in review: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // decided already, or in review since an earlier attempt
		}
		ev := StatusEvent{SubmissionID: &id, MemeID: &memeID, FromStatus: SubmissionProcessing, ToStatus: SubmissionInReview}
		return tx.Create(&ev).Error
	})
}
