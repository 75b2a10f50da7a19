package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"memebot/media"
	"memebot/storage"
)

// DedupStore runs a transaction that holds the dedup lock.
type DedupStore interface {
	DedupTx(ctx context.Context, fn func(tx *storage.Store) error) error
}

// Deduplicator finds earlier copies of an upload: the same bytes (SHA-256)
// or the same picture re-encoded, resized, cropped, brightened or captioned
// (media.Index). The index lives in memory and catches up with the database
// under the dedup lock before every lookup, so every worker process sees
// every meme, and two copies processed at once cannot both pass.
type Deduplicator struct {
	store DedupStore
	mu    sync.Mutex // guards lastID; the lock in DedupTx already serialises lookups
	index *media.Index
	// lastID is the highest meme id loaded into the index.
	lastID int64
}

// NewDeduplicator returns a deduplicator that loads hashes on first use.
func NewDeduplicator(store DedupStore) *Deduplicator {
	return &Deduplicator{store: store, index: media.NewIndex(1 << 16)}
}

// claim describes the meme a job would create.
type claim struct {
	existing *int64       // the meme an earlier attempt created, if any
	meme     storage.Meme // the new meme's fields (hashes are filled in)
	// created runs in the same transaction right after the meme is inserted.
	created func(ctx context.Context, tx *storage.Store, meme storage.Meme) error
}

// Claim returns the meme the job becomes, creating it, or the id of the meme
// it duplicates. A retried job gets back the meme its earlier attempt created.
func (d *Deduplicator) Claim(ctx context.Context, c claim, fp media.Fingerprint) (storage.Meme, int64, error) {
	var meme storage.Meme
	var dupOf int64
	err := d.store.DedupTx(ctx, func(tx *storage.Store) error {
		if c.existing != nil {
			m, err := tx.Meme(ctx, *c.existing)
			meme = m
			return err
		}
		if m, err := tx.MemeBySHA256(ctx, fp.SHA256[:]); err == nil {
			dupOf = m.ID
			return nil
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if err := d.catchUp(ctx, tx); err != nil {
			return err
		}
		id, err := d.confirm(ctx, tx, fp)
		if err != nil {
			return err
		}
		if id != 0 {
			dupOf = id
			return nil
		}
		meme, err = createMeme(ctx, tx, c, fp)
		return err
	})
	if err != nil {
		return storage.Meme{}, 0, fmt.Errorf("dedup: %w", err)
	}
	return meme, dupOf, nil
}

// catchUp loads the hashes of memes stored since the last look.
func (d *Deduplicator) catchUp(ctx context.Context, tx *storage.Store) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		batch, err := tx.MemeHashes(ctx, d.lastID, 10000)
		if err != nil {
			return err
		}
		for _, h := range batch {
			var fp media.Fingerprint
			if err := fp.UnmarshalBinary(h.Fingerprint); err == nil {
				d.index.Add(h.ID, fp)
			}
			d.lastID = h.ID
		}
		if len(batch) < 10000 {
			return nil
		}
	}
}

// maxCandidates bounds how many near candidates are confirmed per lookup.
const maxCandidates = 32

// confirm loads the full fingerprints of the index's candidates and returns
// the first true duplicate (nearest first), or 0.
func (d *Deduplicator) confirm(ctx context.Context, tx *storage.Store, fp media.Fingerprint) (int64, error) {
	cands := d.index.Candidates(fp, maxCandidates)
	if len(cands) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	stored, err := tx.MemeFingerprints(ctx, ids)
	if err != nil {
		return 0, err
	}
	for _, c := range cands {
		var other media.Fingerprint
		if err := other.UnmarshalBinary(stored[c.ID]); err != nil {
			continue
		}
		if media.Compare(fp, other).Duplicate {
			return c.ID, nil
		}
	}
	return 0, nil
}

// Len is the number of memes in the index.
func (d *Deduplicator) Len() int { return d.index.Len() }

func createMeme(ctx context.Context, tx *storage.Store, c claim, fp media.Fingerprint) (storage.Meme, error) {
	blob, err := fp.MarshalBinary()
	if err != nil {
		return storage.Meme{}, err
	}
	phash := fp.PHashColumn()
	meme := c.meme
	meme.Status, meme.SHA256, meme.PHash, meme.Fingerprint = storage.MemeProcessing, fp.SHA256[:], &phash, blob
	if err := tx.CreateMeme(ctx, &meme); err != nil {
		return storage.Meme{}, err
	}
	if c.created != nil {
		err = c.created(ctx, tx, meme)
	}
	return meme, err
}
