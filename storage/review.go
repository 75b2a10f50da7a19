package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Decisions a moderator can make.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
)

// Coins paid for reviewed uploads.
const (
	CoinsUploadApproved = 5
	CoinsReview         = 1
)

// ErrAlreadyDecided is returned when a meme already has a decision: the
// first decision wins.
var ErrAlreadyDecided = errors.New("storage: meme already decided")

// ErrNotInReview is returned for a decision on a meme that is not waiting for one.
var ErrNotInReview = errors.New("storage: meme is not waiting for review")

// Decision is a moderator's verdict to record.
type Decision struct {
	MemeID      int64
	ModeratorID int64
	Decision    string // DecisionApprove or DecisionReject
	Reason      string
}

// Decide records a review decision atomically: the unique decision row makes
// the first one win; the meme and submission change status; on approval the
// uploader and the moderator get a like recorded (so neither is served the
// meme) and the uploader +5 coins; the reviewer gets +1 coin either way.
// Coins are paid at most once per (user, kind, meme), enforced by a unique key.
// It returns the decision that stands (the earlier one with ErrAlreadyDecided).
func (s *Store) Decide(ctx context.Context, d Decision) (ReviewDecision, error) {
	var stands ReviewDecision
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var meme Meme
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&meme, d.MemeID).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Where("meme_id = ?", d.MemeID).First(&stands).Error; err == nil {
			return ErrAlreadyDecided
		}
		if meme.Status != MemeWaitingReview {
			return ErrNotInReview
		}
		var subID *int64
		var sub Submission
		if err := tx.Where("meme_id = ?", d.MemeID).First(&sub).Error; err == nil {
			subID = &sub.ID
		}
		stands = ReviewDecision{MemeID: d.MemeID, SubmissionID: subID, ModeratorID: d.ModeratorID, Decision: d.Decision, Reason: d.Reason}
		if err := tx.Create(&stands).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ErrAlreadyDecided
			}
			return err
		}
		return applyDecision(tx, meme, subID, d)
	})
	if errors.Is(err, ErrAlreadyDecided) {
		return stands, ErrAlreadyDecided
	}
	if err != nil {
		return ReviewDecision{}, fmt.Errorf("storage: decide meme %d: %w", d.MemeID, err)
	}
	return stands, nil
}

func applyDecision(tx *gorm.DB, meme Meme, subID *int64, d Decision) error {
	memeStatus, subStatus := MemeRejected, SubmissionRejected
	if d.Decision == DecisionApprove {
		memeStatus, subStatus = MemeOK, SubmissionApproved
	}
	actor := d.ModeratorID
	if err := changeMeme(tx, meme.ID, memeStatus, d.Reason, &actor); err != nil {
		return err
	}
	if subID != nil {
		if err := changeSubmission(tx, *subID, SubmissionChange{Status: subStatus, Reason: d.Reason, ActorID: &actor}); err != nil {
			return err
		}
	}
	coins := []CoinEntry{{UserID: d.ModeratorID, Amount: CoinsReview, Kind: "review", MemeID: &meme.ID}}
	if d.Decision == DecisionApprove {
		likers := []int64{d.ModeratorID}
		if meme.UploaderID != nil {
			likers = append(likers, *meme.UploaderID)
			coins = append(coins, CoinEntry{UserID: *meme.UploaderID, Amount: CoinsUploadApproved, Kind: "upload_approved", MemeID: &meme.ID})
		}
		if err := recordLikes(tx, meme.ID, likers); err != nil {
			return err
		}
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&coins).Error
}

// recordLikes marks the meme as liked (and so never served) by each user.
func recordLikes(tx *gorm.DB, memeID int64, users []int64) error {
	now := time.Now().UTC()
	like := int16(Like)
	for _, uid := range users {
		r := Reaction{UserID: uid, MemeID: memeID, Engine: EngineApprovalLike, SentAt: now, Reaction: &like, ReactedAt: &now}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "user_id"}, {Name: "meme_id"}},
			DoUpdates: clause.Assignments(map[string]any{"reaction": gorm.Expr("COALESCE(reactions.reaction, 1)"), "reacted_at": gorm.Expr("COALESCE(reactions.reacted_at, excluded.reacted_at)")}),
		}).Create(&r).Error
		if err != nil {
			return fmt.Errorf("record like of %d: %w", uid, err)
		}
	}
	return nil
}

// Coins is a user's coin balance.
func (s *Store) Coins(ctx context.Context, userID int64) (int, error) {
	var sum int
	err := s.db.WithContext(ctx).Model(&CoinEntry{}).Where("user_id = ?", userID).Select("COALESCE(SUM(amount), 0)").Scan(&sum).Error
	if err != nil {
		return 0, fmt.Errorf("storage: coins of %d: %w", userID, err)
	}
	return sum, nil
}

// AutoApprove puts a meme the automatic checks found nothing in straight into
// the feed: status ok, the uploader's like and coins, as a moderator's
// approval would (but no reviewer and no decision row: the checks' report on
// the meme explains it).
func (s *Store) AutoApprove(ctx context.Context, memeID int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var meme Meme
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&meme, memeID).Error; err != nil {
			return notFound(err)
		}
		if meme.Status == MemeOK {
			return nil
		}
		if err := changeMeme(tx, memeID, MemeOK, ReasonAutoApproved, nil); err != nil {
			return err
		}
		var sub Submission
		if err := tx.Where("meme_id = ?", memeID).First(&sub).Error; err == nil {
			if err := changeSubmission(tx, sub.ID, SubmissionChange{Status: SubmissionApproved, Reason: ReasonAutoApproved}); err != nil {
				return err
			}
		}
		if meme.UploaderID == nil {
			return nil
		}
		if err := recordLikes(tx, memeID, []int64{*meme.UploaderID}); err != nil {
			return err
		}
		coin := CoinEntry{UserID: *meme.UploaderID, Amount: CoinsUploadApproved, Kind: "upload_approved", MemeID: &memeID}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&coin).Error
	})
	if err != nil {
		return fmt.Errorf("storage: auto-approve meme %d: %w", memeID, err)
	}
	return nil
}
