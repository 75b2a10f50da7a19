package jobs

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"

	"memebot/media"
)

// FingerprintsJob names the fingerprint backfill in /pause.
const FingerprintsJob = "fingerprints"

// MemeFile is a meme's storage-chat copy, which the backfills read.
type MemeFile struct {
	MemeID int64
	FileID string // the copy's file_id
	Video  bool   // a video or an animation, whose picture is its first keyframe
}

// StaleFingerprint is a meme whose fingerprint an older rule computed.
type StaleFingerprint struct {
	MemeFile
	Fingerprint []byte // as stored, in the older rule's encoding
}

// FingerprintStore is the storage the fingerprint backfill needs (jobstore.Store).
type FingerprintStore interface {
	// StaleFingerprints lists up to limit memes past afterID whose
	// fingerprint is of a version below version, in id order.
	StaleFingerprints(ctx context.Context, version int, afterID int64, limit int) ([]StaleFingerprint, error)
	SetFingerprint(ctx context.Context, memeID, phash int64, fingerprint []byte) error
}

// FileSource downloads a meme's storage-chat copy by file_id.
type FileSource interface {
	Download(ctx context.Context, fileID string, maxBytes int64) ([]byte, error)
}

// Fingerprints recomputes, batch memes a run, the fingerprints an older
// rule computed (media.FingerprintVersion), from each meme's storage-chat
// copy, so old memes are matched by the current rule; workers' indexes
// pick the new ones up on their next lookup. The work is resumable by
// nature: a meme is stale until its new fingerprint is stored, and each
// run starts from the lowest stale one. A meme whose copy could not be
// fetched or read is skipped until this process restarts (its old
// fingerprint still works, by the older rule).
//
// The copy of a picture carries the bot's watermark and was re-encoded;
// its fingerprint keeps the original upload's SHA-256 (identical files are
// still recognised) and differs from the original's by about what another
// watermark makes, which a duplicate passes.
func Fingerprints(store FingerprintStore, files FileSource, batch int, maxBytes int64, log *slog.Logger) func(ctx context.Context) error {
	skip := map[int64]bool{}
	return func(ctx context.Context) error {
		var after int64
		done := 0
		for done < batch {
			stale, err := store.StaleFingerprints(ctx, media.FingerprintVersion, after, min(batch-done, 100))
			if err != nil {
				return err
			}
			if len(stale) == 0 {
				break
			}
			for _, m := range stale {
				after = m.MemeID
				if skip[m.MemeID] {
					continue
				}
				done++
				err := refingerprint(ctx, store, files, m, maxBytes)
				switch {
				case err == nil:
				case ctx.Err() != nil || errors.Is(err, media.ErrNoFFmpeg):
					return err
				default:
					skip[m.MemeID] = true
					log.Warn("fingerprint backfill: skipping a meme", slog.Int64("meme_id", m.MemeID), slog.Any("error", err))
				}
			}
		}
		if done > 0 {
			log.Info("fingerprint backfill", slog.Int("recomputed", done), slog.Int("skipped", len(skip)))
		}
		return nil
	}
}

// refingerprint recomputes and stores one meme's fingerprint.
func refingerprint(ctx context.Context, store FingerprintStore, files FileSource, m StaleFingerprint, maxBytes int64) error {
	var old media.Fingerprint
	if err := old.UnmarshalBinary(m.Fingerprint); err != nil {
		return fmt.Errorf("stored fingerprint: %w", err)
	}
	data, err := files.Download(ctx, m.FileID, maxBytes)
	if err != nil {
		return fmt.Errorf("download meme %d: %w", m.MemeID, err)
	}
	img, err := picture(ctx, m.Video, data)
	if err != nil {
		return err
	}
	fp := media.NewFingerprint(data, img)
	fp.SHA256 = old.SHA256
	blob, err := fp.MarshalBinary()
	if err != nil {
		return err
	}
	return store.SetFingerprint(ctx, m.MemeID, fp.PHashColumn(), blob)
}

// picture is what a meme's fingerprint is computed from: the picture, or a
// video's first keyframe (as the pipeline does).
func picture(ctx context.Context, video bool, data []byte) (image.Image, error) {
	if !video {
		img, _, err := media.DecodeImage(data, media.DefaultLimits())
		if err != nil {
			return nil, err
		}
		return img, nil
	}
	frames, err := media.Keyframes(ctx, data, 3) // the first of three, as the pipeline takes
	switch {
	case errors.Is(err, media.ErrNoFFmpeg):
		return nil, err
	case err != nil || len(frames) == 0:
		return nil, fmt.Errorf("keyframes: %w", err)
	}
	return frames[0], nil
}
