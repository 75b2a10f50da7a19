package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"memebot/media"
)

// dedupLock is the one row of dedup_lock: held (FOR UPDATE) by the
// transaction that looks duplicates up and inserts the meme, it serialises
// them, so two near-identical uploads processed at once cannot both pass.
type dedupLock struct{ ID int16 }

func (dedupLock) TableName() string { return "dedup_lock" }

// Meme returns one meme.
func (s *Store) Meme(ctx context.Context, id int64) (Meme, error) {
	var m Meme
	if err := s.db.WithContext(ctx).First(&m, id).Error; err != nil {
		return Meme{}, fmt.Errorf("storage: meme %d: %w", id, notFound(err))
	}
	return m, nil
}

// HashEntry is one stored meme's perceptual hashes.
type HashEntry struct {
	ID          int64
	PHash       int64 `gorm:"column:phash"`
	Fingerprint []byte
	// Seq orders fingerprint writes (a new meme, or a recomputed fingerprint).
	Seq int64 `gorm:"column:fingerprint_seq"`
}

// MemeHashes lists the hashes of memes that can be duplicated (not
// themselves duplicates, not broken) whose fingerprint was written after
// afterSeq, in that order, with the first prefix bytes of each fingerprint
// (what the in-memory index keeps).
func (s *Store) MemeHashes(ctx context.Context, afterSeq int64, limit, prefix int) ([]HashEntry, error) {
	var out []HashEntry
	err := s.db.WithContext(ctx).Model(&Meme{}).
		Select("id, phash, substring(fingerprint from 1 for ?) AS fingerprint, fingerprint_seq", prefix).
		Where("fingerprint_seq > ? AND phash IS NOT NULL AND duplicate_of IS NULL AND status NOT IN ?", afterSeq, []string{MemeBroken, MemeDuplicate}).
		Order("fingerprint_seq").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("storage: meme hashes: %w", err)
	}
	return out, nil
}

// StaleFingerprint is a meme whose fingerprint an older rule computed.
type StaleFingerprint struct {
	ID            int64
	Type          media.Kind
	StorageFileID string
	Fingerprint   []byte
}

// StaleFingerprints lists memes with id > afterID whose stored fingerprint
// is of a version below version (its first byte), in id order.
func (s *Store) StaleFingerprints(ctx context.Context, version int, afterID int64, limit int) ([]StaleFingerprint, error) {
	var out []StaleFingerprint
	err := s.db.WithContext(ctx).Model(&Meme{}).Select("id, type, storage_file_id, fingerprint").
		Where("id > ? AND length(fingerprint) > 0 AND get_byte(fingerprint, 0) < ? AND COALESCE(storage_file_id, '') <> ''", afterID, version).
		Order("id").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("storage: stale fingerprints: %w", err)
	}
	return out, nil
}

// SetFingerprint stores a recomputed fingerprint of a meme; workers' indexes
// pick it up (fingerprint_seq).
func (s *Store) SetFingerprint(ctx context.Context, id, phash int64, fingerprint []byte) error {
	_, err := s.pool.Exec(ctx,
		"UPDATE memes SET phash = $1, fingerprint = $2, fingerprint_seq = nextval('memes_fingerprint_seq') WHERE id = $3",
		phash, fingerprint, id)
	if err != nil {
		return fmt.Errorf("storage: set fingerprint of meme %d: %w", id, err)
	}
	return nil
}

// MemeFingerprints returns the stored fingerprints of the given memes by id.
func (s *Store) MemeFingerprints(ctx context.Context, ids []int64) (map[int64][]byte, error) {
	var rows []HashEntry
	if err := s.db.WithContext(ctx).Model(&Meme{}).Select("id, fingerprint").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("storage: meme fingerprints: %w", err)
	}
	out := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Fingerprint
	}
	return out, nil
}

// DedupCandidate is what the duplicate check needs of a stored meme.
type DedupCandidate struct {
	ID           int64
	Fingerprint  []byte
	OCRText      string `gorm:"column:ocr_text"`
	Status       string
	StatusReason string
	// Analysed tells whether OCR has run on it (its OCRText means something).
	Analysed bool
}

// DedupCandidates returns the stored fingerprints, texts and statuses of
// the given memes by id.
func (s *Store) DedupCandidates(ctx context.Context, ids []int64) (map[int64]DedupCandidate, error) {
	var rows []DedupCandidate
	err := s.db.WithContext(ctx).Model(&Meme{}).
		Select("id, fingerprint, ocr_text, status, status_reason, jsonb_typeof(checks) = 'object' AS analysed").
		Where("id IN ?", ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("storage: dedup candidates: %w", err)
	}
	out := make(map[int64]DedupCandidate, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// MemeBySHA256 returns the original meme with exactly these bytes.
func (s *Store) MemeBySHA256(ctx context.Context, sum []byte) (Meme, error) {
	var m Meme
	err := s.db.WithContext(ctx).Where("sha256 = ? AND duplicate_of IS NULL AND status NOT IN ?", sum, []string{MemeBroken, MemeDuplicate}).
		Order("id").First(&m).Error
	if err != nil {
		return Meme{}, fmt.Errorf("storage: meme by sha256: %w", notFound(err))
	}
	return m, nil
}

// DedupTx runs fn in a transaction holding the duplicate-lookup lock: look
// up duplicates and insert the new meme inside fn.
func (s *Store) DedupTx(ctx context.Context, fn func(tx *Store) error) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&dedupLock{}, 1).Error; err != nil {
			return fmt.Errorf("storage: take the duplicate-lookup lock: %w", err)
		}
		return fn(&Store{db: tx})
	})
}

// CreateMeme inserts a meme and records its first status.
func (s *Store) CreateMeme(ctx context.Context, m *Meme) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(m).Error; err != nil {
			return fmt.Errorf("storage: create meme: %w", err)
		}
		return tx.Create(&StatusEvent{MemeID: &m.ID, ToStatus: m.Status}).Error
	})
}

// SetMemeStorage records the storage-chat copy whose file_id users are served.
func (s *Store) SetMemeStorage(ctx context.Context, id int64, fileID string, messageID int64) error {
	err := s.db.WithContext(ctx).Model(&Meme{}).Where("id = ?", id).Updates(map[string]any{
		"storage_file_id": fileID, "storage_message_id": messageID, "updated_at": time.Now().UTC(),
	}).Error
	if err != nil {
		return fmt.Errorf("storage: set storage of meme %d: %w", id, err)
	}
	return nil
}

// Analysis is what the automatic checks found.
type Analysis struct {
	Checks   json.RawMessage
	OCRText  string
	Language string
	Caption  *string // the caption cleaned of links and mentions
}

// SetMemeAnalysis stores the automatic checks' results with the meme.
func (s *Store) SetMemeAnalysis(ctx context.Context, id int64, a Analysis) error {
	updates := map[string]any{"checks": a.Checks, "ocr_text": a.OCRText, "updated_at": time.Now().UTC()}
	if a.Language != "" {
		updates["language"] = a.Language
	}
	if a.Caption != nil {
		updates["caption"] = *a.Caption
	}
	if err := s.db.WithContext(ctx).Model(&Meme{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("storage: set analysis of meme %d: %w", id, err)
	}
	return nil
}

// ChangeMemeStatus moves a meme to a new status and records the event.
func (s *Store) ChangeMemeStatus(ctx context.Context, id int64, status, reason string, actor *int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error { return changeMeme(tx, id, status, reason, actor) })
}

func changeMeme(tx *gorm.DB, id int64, status, reason string, actor *int64) error {
	var from string
	if err := tx.Model(&Meme{}).Where("id = ?", id).Pluck("status", &from).Error; err != nil {
		return fmt.Errorf("storage: change meme %d: %w", id, err)
	}
	updates := map[string]any{"status": status, "status_reason": reason, "updated_at": time.Now().UTC()}
	if status == MemeOK {
		updates["published_at"] = time.Now().UTC()
	}
	if err := tx.Model(&Meme{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("storage: change meme %d: %w", id, err)
	}
	if from == status {
		return nil
	}
	return tx.Create(&StatusEvent{MemeID: &id, FromStatus: from, ToStatus: status, ActorID: actor, Reason: reason}).Error
}

// MemeByRawPost returns the meme made from a source's post.
func (s *Store) MemeByRawPost(ctx context.Context, rawPostID int64) (Meme, error) {
	var m Meme
	if err := s.db.WithContext(ctx).Where("raw_post_id = ?", rawPostID).First(&m).Error; err != nil {
		return Meme{}, fmt.Errorf("storage: meme of raw post %d: %w", rawPostID, notFound(err))
	}
	return m, nil
}

// SetMemeReviewMessage records the review post of a meme without a submission.
func (s *Store) SetMemeReviewMessage(ctx context.Context, id, messageID int64) error {
	err := s.db.WithContext(ctx).Model(&Meme{}).Where("id = ?", id).Update("review_message_id", messageID).Error
	if err != nil {
		return fmt.Errorf("storage: set review message of meme %d: %w", id, err)
	}
	return nil
}
