package review

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"memebot/i18n"
	"memebot/metrics"
	"memebot/storage"
)

// ErrOwnUpload refuses a moderator's decision on their own upload.
var ErrOwnUpload = errors.New("review: a moderator may not decide on their own upload")

// Moderator is who pressed a review button.
type Moderator struct {
	ID                  int64
	Username, FirstName string
}

// PostRef is the review post a decision was pressed under.
type PostRef struct {
	ChatID, MessageID int64
	Caption           string // as it reads now
	Media             bool   // a media message (its caption is edited) rather than text
}

// Verdict is a moderator's press on a review post.
type Verdict struct {
	Press     Press
	Moderator Moderator
	Post      *PostRef // nil when Telegram did not say
}

// Decision is a decision that stands, and what Announce needs to tell of it.
type Decision struct {
	Stands  storage.ReviewDecision
	Meme    storage.Meme
	Verdict Verdict
}

// Decide records a moderator's verdict. The first decision on a meme wins:
// a later one gets storage.ErrAlreadyDecided with the one that stands, a
// meme not waiting for review storage.ErrNotInReview, a moderator's own
// upload ErrOwnUpload. Announce then says it.
func (s *Service) Decide(ctx context.Context, v Verdict) (Decision, error) {
	meme, err := s.store.Meme(ctx, v.Press.MemeID)
	if err != nil {
		return Decision{}, fmt.Errorf("review: %w", err)
	}
	if meme.UploaderID != nil && *meme.UploaderID == v.Moderator.ID {
		return Decision{}, ErrOwnUpload
	}
	d := storage.Decision{MemeID: meme.ID, ModeratorID: v.Moderator.ID, Decision: storage.DecisionReject, Reason: ReasonText(v.Press.Reason)}
	if v.Press.Approve {
		d.Decision = storage.DecisionApprove
	}
	stands, err := s.store.Decide(ctx, d)
	if err != nil {
		return Decision{Stands: stands, Meme: meme, Verdict: v}, err
	}
	metrics.ReviewDecisions.WithLabelValues(stands.Decision).Inc()
	s.log.Info("review decided", slog.Int64("meme_id", meme.ID), slog.String("decision", stands.Decision),
		slog.Int64("moderator_id", stands.ModeratorID), slog.String("reason", stands.Reason))
	return Decision{Stands: stands, Meme: meme, Verdict: v}, nil
}

// Announce says a decision: the review post shows it, who made it and when
// (its buttons gone), and the uploader is told, once.
func (s *Service) Announce(ctx context.Context, d Decision) error {
	s.markPostDecided(ctx, d)
	return s.tellDecision(ctx, d)
}

// markPostDecided edits the review post; a failure only leaves the post as it was.
func (s *Service) markPostDecided(ctx context.Context, d Decision) {
	post := d.Verdict.Post
	if post == nil {
		return
	}
	m := d.Verdict.Moderator
	text := Decided(post.Caption, d.Stands.Decision == storage.DecisionApprove, Who(m.Username, m.FirstName, m.ID), d.Stands.Reason, d.Stands.CreatedAt)
	var err error
	if post.Media {
		err = s.tg.EditCaption(ctx, post.ChatID, post.MessageID, text)
	} else {
		err = s.tg.EditText(ctx, post.ChatID, post.MessageID, text)
	}
	if err != nil {
		s.log.Warn("edit review post", slog.Int64("meme_id", d.Stands.MemeID), slog.Any("error", err))
	}
}

// tellDecision tells the uploader what the moderators decided, once.
func (s *Service) tellDecision(ctx context.Context, d Decision) error {
	if d.Meme.UploaderID == nil {
		return nil // an ingested meme: nobody to tell
	}
	sub, err := s.store.SubmissionOfMeme(ctx, d.Meme.ID)
	if err != nil {
		return fmt.Errorf("review: notify: %w", err)
	}
	return s.TellUploader(ctx, sub, func(lang string) (string, Buttons) {
		if d.Stands.Decision != storage.DecisionReject {
			return i18n.T(lang, "upload_approved", sub.ID, storage.CoinsUploadApproved), nil
		}
		reason := d.Stands.Reason
		if reason == "" {
			reason = i18n.T(lang, "reason_none")
		}
		return i18n.T(lang, "upload_rejected", sub.ID, reason), nil
	})
}
