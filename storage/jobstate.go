package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// JobPaused reports whether a background job is paused.
func (s *Store) JobPaused(ctx context.Context, name string) (bool, error) {
	var st JobState
	err := s.db.WithContext(ctx).First(&st, "name = ?", name).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("storage: job state %s: %w", name, err)
	}
	return st.Paused, nil
}

// SetJobPaused pauses or resumes a job, recording who (nil = the system) and why.
func (s *Store) SetJobPaused(ctx context.Context, name string, paused bool, by *int64, reason string) error {
	st := JobState{Name: name, Paused: paused, ChangedBy: by, Reason: reason, ChangedAt: time.Now().UTC()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&st).Error
	if err != nil {
		return fmt.Errorf("storage: set job %s paused=%v: %w", name, paused, err)
	}
	return nil
}

// JobStates returns the stored state of every job that has one.
func (s *Store) JobStates(ctx context.Context) (map[string]JobState, error) {
	var rows []JobState
	if err := s.db.WithContext(ctx).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("storage: job states: %w", err)
	}
	out := make(map[string]JobState, len(rows))
	for _, r := range rows {
		out[r.Name] = r
	}
	return out, nil
}
