package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"memebot/bot"
	"memebot/moderation"
	"memebot/review"
	"memebot/storage"
)

// review posts an upload to the moderators' chat, once: the meme becomes
// waiting_review first (so a press right after the post finds it), and the
// post's id is stored right after it is sent, without letting a shutdown
// cancel the pair in between.
func (p *Pipeline) review(ctx context.Context, sub storage.Submission, meme storage.Meme, d decoded, report moderation.Report, log *slog.Logger) (string, error) {
	if err := p.store.ChangeMemeStatus(ctx, meme.ID, storage.MemeWaitingReview, "", nil); err != nil {
		return "", err
	}
	if sub.ReviewMessageID != nil {
		return "review", p.store.MarkInReview(ctx, sub.ID, meme.ID)
	}
	uploader, err := p.store.User(ctx, sub.UploaderID)
	if err != nil {
		return "", err
	}
	keep := context.WithoutCancel(ctx)
	msgID, err := p.postReview(keep, meme, review.Who(uploader.Username, uploader.FirstName, uploader.ID), d, report)
	if err != nil {
		return "", err
	}
	if err := p.store.SetReviewMessage(keep, sub.ID, msgID); err != nil {
		return "", err
	}
	log.Info("posted for review", slog.Int64("review_message_id", msgID))
	return "review", p.store.MarkInReview(keep, sub.ID, meme.ID)
}

// postReview sends the review post of a meme and returns its message id.
func (p *Pipeline) postReview(ctx context.Context, meme storage.Meme, from string, d decoded, report moderation.Report) (int64, error) {
	post := review.Post{
		MemeID: meme.ID, Type: meme.Type, Language: meme.Language, UserCaption: meme.Caption, Uploader: from,
		Checks: fmt.Sprintf("File: %s\nDuplicates: none found\n%s", d.info, report.Summary()),
	}
	if flags := report.Decision.Flags; len(flags) > 0 {
		post.Flagged, post.FlagReason = true, strings.Join(flags, ", ")
	}
	msg, err := p.tg.SendMedia(ctx, p.cfg.ReviewChatID, bot.Media{Kind: meme.Type, FileID: meme.StorageFileID}, post.Caption(), review.Keyboard(meme.ID))
	if err != nil {
		return 0, fmt.Errorf("post for review: %w", err)
	}
	return int64(msg.ID), nil
}
