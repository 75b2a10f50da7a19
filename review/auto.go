package review

import (
	"context"
	"fmt"

	"memebot/i18n"
	"memebot/storage"
)

// Automatic decisions: the checks' report stored with the meme explains
// each of them (there is no moderator and no decision row).

// AutoApprove puts an upload the checks found nothing in straight into the
// feed, with the uploader's like and coins as a moderator's approval would,
// and tells the uploader.
func (s *Service) AutoApprove(ctx context.Context, sub storage.Submission, memeID int64) error {
	if err := s.store.AutoApprove(ctx, memeID); err != nil {
		return err
	}
	return s.Tell(ctx, sub, "upload_approved", sub.ID, storage.CoinsUploadApproved)
}

// AutoReject closes an upload a check refused for reason (an i18n
// "reason_" key suffix; detail is kept for operators) and tells the
// uploader why.
func (s *Service) AutoReject(ctx context.Context, sub storage.Submission, reason string, detail error) error {
	// The meme an earlier step created, if any, is read afresh: sub may be
	// from before it was claimed.
	fresh, err := s.store.Submission(ctx, sub.ID)
	if err == nil && fresh.MemeID != nil {
		if err := s.store.ChangeMemeStatus(ctx, *fresh.MemeID, storage.MemeRejected, reason, nil); err != nil {
			return err
		}
	}
	err = s.store.ChangeSubmission(ctx, sub.ID, storage.SubmissionChange{
		Status: storage.SubmissionRejected, Reason: reason, LastError: detail.Error(),
	})
	if err != nil {
		return err
	}
	return s.TellUploader(ctx, sub, func(lang string) (string, Buttons) {
		return i18n.T(lang, "upload_auto_rejected", sub.ID, i18n.T(lang, "reason_"+reason)), nil
	})
}

// Publish puts an ingested meme from a trusted source, which the checks
// found nothing in, straight into the feed.
func (s *Service) Publish(ctx context.Context, memeID int64) error {
	return s.store.ChangeMemeStatus(ctx, memeID, storage.MemeOK, "ingested", nil)
}

// Refuse keeps an ingested meme a check refused out of the feed.
func (s *Service) Refuse(ctx context.Context, memeID int64, reason string) error {
	if err := s.store.ChangeMemeStatus(ctx, memeID, storage.MemeRejected, reason, nil); err != nil {
		return fmt.Errorf("review: refuse meme %d: %w", memeID, err)
	}
	return nil
}
