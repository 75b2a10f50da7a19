package storage

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AnalysisReport is a stored automatic-check report, kept by file hash.
type AnalysisReport struct {
	SHA256    []byte          `gorm:"column:sha256;primaryKey"`
	Report    json.RawMessage `gorm:"type:jsonb"`
	CreatedAt time.Time
}

// TableName maps AnalysisReport to analyses.
func (AnalysisReport) TableName() string { return "analyses" }

// AnalysisByHash returns the stored report for a hex SHA-256, ErrNotFound if none.
func (s *Store) AnalysisByHash(ctx context.Context, shaHex string) (json.RawMessage, error) {
	sum, err := hex.DecodeString(shaHex)
	if err != nil {
		return nil, fmt.Errorf("storage: analysis: bad hash %q: %w", shaHex, err)
	}
	var r AnalysisReport
	err = s.db.WithContext(ctx).First(&r, "sha256 = ?", sum).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("storage: analysis: %w", err)
	}
	return r.Report, nil
}

// PutAnalysis stores a report for a hex SHA-256 (the first one stays).
func (s *Store) PutAnalysis(ctx context.Context, shaHex string, report json.RawMessage) error {
	sum, err := hex.DecodeString(shaHex)
	if err != nil {
		return fmt.Errorf("storage: put analysis: bad hash %q: %w", shaHex, err)
	}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&AnalysisReport{SHA256: sum, Report: report, CreatedAt: time.Now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("storage: put analysis: %w", err)
	}
	return nil
}

// Description is a vision model's description of a meme.
type Description struct {
	Text         string    `json:"text"`
	Description  string    `json:"description"`
	Language     string    `json:"language"`
	Tags         []string  `json:"tags"`
	Model        string    `json:"model"`
	CalculatedAt time.Time `json:"calculated_at"`
}

// MemesToDescribe lists photos without a description that failed fewer than
// maxFailures times: recent uploads first, then the most liked.
func (s *Store) MemesToDescribe(ctx context.Context, limit, maxFailures int) ([]Meme, error) {
	var memes []Meme
	err := s.db.WithContext(ctx).Joins("LEFT JOIN meme_stats ms ON ms.meme_id = memes.id").
		Where(`memes.description IS NULL AND memes.type = 'photo' AND memes.status IN ('ok', 'waiting_review')
		  AND memes.describe_failures < ? AND memes.storage_file_id <> ''`, maxFailures).
		Order(`(memes.uploader_id IS NOT NULL AND memes.created_at > now() - interval '2 days') DESC,
		         ms.likes DESC NULLS LAST, memes.created_at DESC`).
		Limit(limit).Find(&memes).Error
	if err != nil {
		return nil, fmt.Errorf("storage: memes to describe: %w", err)
	}
	return memes, nil
}

// SetMemeDescription stores a vision description; the OCR text is filled
// from it when the local OCR found none.
func (s *Store) SetMemeDescription(ctx context.Context, id int64, d Description) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("storage: describe meme %d: %w", id, err)
	}
	_, err = s.pool.Exec(ctx, `UPDATE memes SET description = $1, updated_at = now(),
		ocr_text = CASE WHEN ocr_text = '' THEN $2 ELSE ocr_text END WHERE id = $3`, data, d.Text, id)
	if err != nil {
		return fmt.Errorf("storage: describe meme %d: %w", id, err)
	}
	return nil
}

// CountDescribeFailure records a failed description attempt.
func (s *Store) CountDescribeFailure(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE memes SET describe_failures = describe_failures + 1 WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("storage: describe failure of %d: %w", id, err)
	}
	return nil
}
