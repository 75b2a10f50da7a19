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
	if of, ok := resembled(report); ok {
		p.showResembled(keep, of, sub.ID, log)
	}
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
		Checks: fmt.Sprintf("File: %s\n%s\n%s", d.info, duplicatesLine(report), moderation.Summary(withoutCheck(report.Results, CheckDuplicate))),
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

// showResembled posts, just before a suspected duplicate's review post, the
// meme it resembles, so moderators compare the two. A failure here only
// costs the comparison: the review post says which meme it is anyway.
func (p *Pipeline) showResembled(ctx context.Context, memeID, subID int64, log *slog.Logger) {
	m, err := p.store.Meme(ctx, memeID)
	if err == nil && m.StorageFileID != "" {
		caption := fmt.Sprintf("🔁 Meme #%d (%s), which upload #%d below resembles", m.ID, m.Status, subID)
		_, err = p.tg.SendMedia(ctx, p.cfg.ReviewChatID, bot.Media{Kind: m.Type, FileID: m.StorageFileID}, caption, nil)
	}
	if err != nil {
		log.Warn("showing the meme a suspected duplicate resembles", slog.Int64("resembles", memeID), slog.Any("error", err))
	}
}

// duplicatesLine is the review post's line about duplicates: none, or the
// suspicion a second look was asked about, with its figures.
func duplicatesLine(report moderation.Report) string {
	for _, r := range report.Results {
		if r.Check != CheckDuplicate {
			continue
		}
		d := r.Details
		line := fmt.Sprintf("Duplicates: ⚠️ suspected duplicate of meme #%v (%v; pHash distance %v, tone mismatch %.3f, edge mismatch %.3f",
			deref(d["resembles"]), d["reason"], d["phash_distance"], d["tone_mismatch"], d["edge_mismatch"])
		if sim, ok := d["text_similarity"]; ok {
			line += fmt.Sprintf(", text similarity %.2f", sim)
		}
		if change, ok := d["lettering_change"]; ok {
			line += fmt.Sprintf(", lettering change %v", change)
		}
		if asked, ok := d["asked"].(bool); ok && !asked {
			return line + "); the same picture, but whether it says the same could not be told"
		}
		return line + "); the uploader asked for a second look"
	}
	return "Duplicates: none found"
}

// resembled is the meme a suspected duplicate's report says it resembles.
func resembled(report moderation.Report) (int64, bool) {
	for _, r := range report.Results {
		if r.Check != CheckDuplicate {
			continue
		}
		switch v := deref(r.Details["resembles"]).(type) {
		case int64:
			return v, v > 0
		case float64: // a report read back from JSON
			return int64(v), v > 0
		}
	}
	return 0, false
}

func deref(v any) any {
	if p, ok := v.(*int64); ok && p != nil {
		return *p
	}
	return v
}

func withoutCheck(results []moderation.Result, check string) []moderation.Result {
	out := make([]moderation.Result, 0, len(results))
	for _, r := range results {
		if r.Check != check {
			out = append(out, r)
		}
	}
	return out
}
