package review

import (
	"context"
	"fmt"

	"memebot/storage"
)

// Post sends a meme's review post (its storage copy, the caption of post and
// the decision buttons) to the review chat and returns its message id.
func (s *Service) Post(ctx context.Context, meme storage.Meme, post Post) (int64, error) {
	id, err := s.tg.SendMedia(ctx, s.reviewChatID, meme.Type, meme.StorageFileID, post.Caption(), Keyboard(meme.ID))
	if err != nil {
		return 0, fmt.Errorf("review: post meme %d: %w", meme.ID, err)
	}
	return id, nil
}

// ShowResembled posts, just before a suspected duplicate's review post, the
// meme it resembles, so moderators compare the two.
func (s *Service) ShowResembled(ctx context.Context, memeID, submissionID int64) error {
	m, err := s.store.Meme(ctx, memeID)
	if err != nil || m.StorageFileID == "" {
		return err
	}
	caption := fmt.Sprintf("🔁 Meme #%d (%s), which upload #%d below resembles", m.ID, m.Status, submissionID)
	_, err = s.tg.SendMedia(ctx, s.reviewChatID, m.Type, m.StorageFileID, caption, nil)
	return err
}
