// Package jobstore is the storage the background jobs need, in the jobs'
// own terms: the job bodies (package jobs) declare the few small values
// they read and write, and this adapter maps storage's rows to them, so
// that jobs does not depend on the database package.
package jobstore

import (
	"context"
	"time"

	"memebot/ingest"
	"memebot/jobs"
	"memebot/media"
	"memebot/moderation/vision"
	"memebot/storage"
)

// Store adapts storage.Store to the jobs' interfaces (jobs.DescribeStore,
// jobs.FingerprintStore, jobs.StaleStore, jobs.LostCandidates,
// jobs.StateStore).
type Store struct {
	st *storage.Store
}

// New is the jobs' view of st.
func New(st *storage.Store) Store { return Store{st: st} }

// MemesToDescribe is storage.Store.MemesToDescribe, as the memes' files.
func (s Store) MemesToDescribe(ctx context.Context, limit, maxFailures int) ([]jobs.MemeFile, error) {
	memes, err := s.st.MemesToDescribe(ctx, limit, maxFailures)
	if err != nil {
		return nil, err
	}
	files := make([]jobs.MemeFile, len(memes))
	for i, m := range memes {
		files[i] = memeFile(m.ID, m.Type, m.StorageFileID)
	}
	return files, nil
}

// SetMemeDescription stores what the vision model said of a meme.
func (s Store) SetMemeDescription(ctx context.Context, memeID int64, d vision.Description) error {
	return s.st.SetMemeDescription(ctx, memeID, storage.Description{
		Text: d.Text, Description: d.Description, Language: d.Language, Tags: d.Tags,
		Model: d.Model, CalculatedAt: d.CalculatedAt,
	})
}

// CountDescribeFailure is storage.Store.CountDescribeFailure.
func (s Store) CountDescribeFailure(ctx context.Context, memeID int64) error {
	return s.st.CountDescribeFailure(ctx, memeID)
}

// StaleFingerprints is storage.Store.StaleFingerprints.
func (s Store) StaleFingerprints(ctx context.Context, version int, afterID int64, limit int) ([]jobs.StaleFingerprint, error) {
	rows, err := s.st.StaleFingerprints(ctx, version, afterID, limit)
	if err != nil {
		return nil, err
	}
	stale := make([]jobs.StaleFingerprint, len(rows))
	for i, r := range rows {
		stale[i] = jobs.StaleFingerprint{MemeFile: memeFile(r.ID, r.Type, r.StorageFileID), Fingerprint: r.Fingerprint}
	}
	return stale, nil
}

// SetFingerprint is storage.Store.SetFingerprint.
func (s Store) SetFingerprint(ctx context.Context, memeID, phash int64, fingerprint []byte) error {
	return s.st.SetFingerprint(ctx, memeID, phash, fingerprint)
}

// StaleSubmissions is storage.Store.StaleSubmissions.
func (s Store) StaleSubmissions(ctx context.Context, before time.Time, limit int) ([]jobs.LostUpload, error) {
	subs, err := s.st.StaleSubmissions(ctx, before, limit)
	if err != nil {
		return nil, err
	}
	lost := make([]jobs.LostUpload, len(subs))
	for i, sub := range subs {
		lost[i] = jobs.LostUpload{SubmissionID: sub.ID, Status: sub.Status}
	}
	return lost, nil
}

// TouchSubmission is storage.Store.TouchSubmission.
func (s Store) TouchSubmission(ctx context.Context, submissionID int64) error {
	return s.st.TouchSubmission(ctx, submissionID)
}

// RequeueLostCandidates is storage.Store.RequeueLostCandidates.
func (s Store) RequeueLostCandidates(ctx context.Context, r jobs.CandidateRequeue, handoff ingest.Handoff) (jobs.CandidatesRequeued, error) {
	res, err := s.st.RequeueLostCandidates(ctx, storage.CandidateRequeue{QueuedBefore: r.QueuedBefore, MaxRequeues: r.MaxRequeues, Limit: r.Limit}, handoff)
	if err != nil {
		return jobs.CandidatesRequeued{}, err
	}
	return jobs.CandidatesRequeued{Candidates: res.Candidates, Failed: res.Failed}, nil
}

func memeFile(id int64, kind media.Kind, fileID string) jobs.MemeFile {
	return jobs.MemeFile{MemeID: id, FileID: fileID, Video: kind != media.Photo}
}

// JobPaused is storage.Store.JobPaused.
func (s Store) JobPaused(ctx context.Context, name string) (bool, error) {
	return s.st.JobPaused(ctx, name)
}

// SetJobPaused is storage.Store.SetJobPaused.
func (s Store) SetJobPaused(ctx context.Context, name string, paused bool, by *int64, reason string) error {
	return s.st.SetJobPaused(ctx, name, paused, by, reason)
}

// JobStates is the stored pause state of every job that has one.
func (s Store) JobStates(ctx context.Context) (map[string]jobs.State, error) {
	rows, err := s.st.JobStates(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]jobs.State, len(rows))
	for name, r := range rows {
		out[name] = jobs.State{Paused: r.Paused, By: r.ChangedBy, At: r.ChangedAt, Reason: r.Reason}
	}
	return out, nil
}
