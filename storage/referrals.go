package storage

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CoinsReferral is paid to a person for each new person who starts the bot
// through a meme they shared.
const CoinsReferral = 10

// Referral is a new person who arrived through someone's shared meme.
type Referral struct {
	InviteeID int64 `gorm:"primaryKey;autoIncrement:false"`
	InviterID int64
	MemeID    *int64
	Coins     int
}

// RecordReferral pays the inviter for a new person, once per new person and
// never for themselves; it reports whether this call paid. The caller
// decides who is new (UpsertUser's created).
func (s *Store) RecordReferral(ctx context.Context, inviteeID, inviterID, memeID int64) (bool, error) {
	if inviteeID == inviterID {
		return false, nil
	}
	paid := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r := Referral{InviteeID: inviteeID, InviterID: inviterID, MemeID: &memeID, Coins: CoinsReferral}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		paid = true
		// No meme on the coin row: the ledger's (user, kind, meme) key would
		// pay for only one of several people who came through one meme.
		return tx.Create(&CoinEntry{UserID: inviterID, Amount: CoinsReferral, Kind: "referral"}).Error
	})
	if err != nil {
		return false, fmt.Errorf("storage: record referral of %d by %d: %w", inviteeID, inviterID, err)
	}
	return paid, nil
}
