package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"memebot/moderation"
	"memebot/review"
	"memebot/storage"
)

// review posts an upload to the moderators' chat, once: the meme becomes
// waiting_review first (so a press right after the post finds it), and the
// post's id is stored right after it is sent, without letting a shutdown
// cancel the pair in between.
func (p *Pipeline) review(ctx context.Context, sub storage.Submission, c *candidate) error {
	meme := c.meme
	if err := p.store.ChangeMemeStatus(ctx, meme.ID, storage.MemeWaitingReview, "", nil); err != nil {
		return err
	}
	if sub.ReviewMessageID != nil {
		return p.store.MarkInReview(ctx, sub.ID, meme.ID)
	}
	uploader, err := p.store.User(ctx, sub.UploaderID)
	if err != nil {
		return err
	}
	keep := context.WithoutCancel(ctx)
	if of, ok := resembled(c.report); ok {
		// A failure here only costs the comparison: the review post says
		// which meme it is anyway.
		if err := p.reviews.ShowResembled(keep, of, sub.ID); err != nil {
			c.log.Warn("showing the meme a suspected duplicate resembles", slog.Int64("resembles", of), slog.Any("error", err))
		}
	}
	msgID, err := p.postReview(keep, c, review.Who(uploader.Username, uploader.FirstName, uploader.ID))
	if err != nil {
		return err
	}
	if err := p.store.SetReviewMessage(keep, sub.ID, msgID); err != nil {
		return err
	}
	c.log.Info("posted for review", slog.Int64("review_message_id", msgID))
	return p.store.MarkInReview(keep, sub.ID, meme.ID)
}

// postReview sends the review post of a candidate's meme, from whom it
// says, and returns its message id.
func (p *Pipeline) postReview(ctx context.Context, c *candidate, from string) (int64, error) {
	meme, report := c.meme, c.report
	post := review.Post{
		MemeID: meme.ID, Type: meme.Type, Language: meme.Language, UserCaption: meme.Caption, Uploader: from,
		Checks: fmt.Sprintf("File: %s\n%s\n%s", c.media.info, duplicatesLine(report), moderation.Summary(withoutCheck(report.Results, CheckDuplicate))),
	}
	if flags := report.Decision.Flags; len(flags) > 0 {
		post.Flagged, post.FlagReason = true, strings.Join(flags, ", ")
	}
	return p.reviews.Post(ctx, meme, post)
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
