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
	mu    sync.Mutex // guards lastSeq; the lock in DedupTx already serialises lookups
	index *media.Index
	// lastSeq is the last fingerprint write loaded into the index (new
	// memes, and fingerprints the backfill recomputed).
	lastSeq int64
}

// NewDeduplicator returns a deduplicator that loads hashes on first use.
func NewDeduplicator(store DedupStore) *Deduplicator {
	return &Deduplicator{store: store, index: media.NewIndex(1 << 16)}
}

// claim describes the meme a job would create.
type claim struct {
	existing *int64       // the meme an earlier attempt created, if any
	meme     storage.Meme // the new meme's fields (hashes are filled in)
	// text is what OCR read on the upload; nil until it was read. A picture
	// that matches a stored meme needs it (errNeedText).
	text *string
	// secondLook skips the lookup: moderators decide (the uploader asked).
	secondLook bool
	// pendingAsSuspect: a stored meme whose picture matches and whose text
	// is still being read (errTextPending) makes a suspect, not a wait.
	pendingAsSuspect bool
	// created runs in the same transaction right after the meme is inserted.
	created func(ctx context.Context, tx *storage.Store, meme storage.Meme) error
}

// duplicate is the stored meme an upload repeats and why; or, when
// Verdict.Suspect, the one it may repeat (moderators decide).
type duplicate struct {
	Of      storage.DedupCandidate
	Verdict media.Verdict
}

// errNeedText says the picture matches a stored meme and only the upload's
// text can tell a repost from a new joke on the same picture: read it (out
// of the dedup lock) and claim again.
var errNeedText = errors.New("dedup: the upload's text is needed")

// errTextPending says the picture matches a stored meme that is being
// processed right now, its text not read yet: two uploads of one picture
// with different texts sent at the same moment. Wait for its text and
// claim again.
var errTextPending = errors.New("dedup: a matching meme's text is still being read")

// Claim returns the meme the job becomes, creating it, or the meme it
// duplicates. A retried job gets back the meme its earlier attempt created.
// A suspect (the returned duplicate's Verdict.Suspect) comes with the
// created meme: moderators decide.
func (d *Deduplicator) Claim(ctx context.Context, c claim, fp media.Fingerprint) (storage.Meme, *duplicate, error) {
	var meme storage.Meme
	var dup *duplicate
	err := d.store.DedupTx(ctx, func(tx *storage.Store) error {
		if c.existing != nil {
			m, err := tx.Meme(ctx, *c.existing)
			meme = m
			return err
		}
		if !c.secondLook {
			var err error
			dup, err = d.lookup(ctx, tx, fp, c)
			if err != nil || (dup != nil && !dup.Verdict.Suspect) {
				return err
			}
		}
		var err error
		meme, err = createMeme(ctx, tx, c, fp)
		return err
	})
	if errors.Is(err, errNeedText) || errors.Is(err, errTextPending) {
		return storage.Meme{}, nil, err
	}
	if err != nil {
		return storage.Meme{}, nil, fmt.Errorf("dedup: %w", err)
	}
	return meme, dup, nil
}

// lookup finds the stored meme fp repeats: the same bytes, or a picture
// and text media.CompareMemes calls the same meme.
func (d *Deduplicator) lookup(ctx context.Context, tx *storage.Store, fp media.Fingerprint, c claim) (*duplicate, error) {
	if m, err := tx.MemeBySHA256(ctx, fp.SHA256[:]); err == nil {
		return &duplicate{
			Of:      storage.DedupCandidate{ID: m.ID, Status: m.Status, StatusReason: m.StatusReason},
			Verdict: media.Compare(fp, fp),
		}, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if err := d.catchUp(ctx, tx); err != nil {
		return nil, err
	}
	return d.confirm(ctx, tx, fp, c)
}

// catchUp loads the hashes of memes stored, or recomputed, since the last look.
func (d *Deduplicator) catchUp(ctx context.Context, tx *storage.Store) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		batch, err := tx.MemeHashes(ctx, d.lastSeq, 10000, media.IndexedPrefix)
		if err != nil {
			return err
		}
		for _, h := range batch {
			var fp media.Fingerprint
			if err := fp.UnmarshalIndexed(h.Fingerprint); err == nil {
				d.index.Add(h.ID, fp)
			}
			d.lastSeq = h.Seq
		}
		if len(batch) < 10000 {
			return nil
		}
	}
}

// maxCandidates bounds how many near candidates are confirmed per lookup.
const maxCandidates = 32

// confirm loads the index's candidates and returns the first true
// duplicate (nearest first), else the first suspect, or nil. A candidate
// whose picture matches asks for the upload's text (errNeedText) when it
// has not been read yet, and waits for the candidate's own text when that
// is being read right now (errTextPending); a candidate never analysed
// (seeded, or from before texts were read) is judged by the picture.
func (d *Deduplicator) confirm(ctx context.Context, tx *storage.Store, fp media.Fingerprint, c claim) (*duplicate, error) {
	cands := d.index.Candidates(fp, maxCandidates)
	if len(cands) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	stored, err := tx.DedupCandidates(ctx, ids)
	if err != nil {
		return nil, err
	}
	var suspect *duplicate
	for _, cand := range cands {
		s, ok := stored[cand.ID]
		var other media.Fingerprint
		if !ok || other.UnmarshalBinary(s.Fingerprint) != nil {
			continue
		}
		v := media.Compare(fp, other)
		pending := !s.Analysed && s.Status == storage.MemeProcessing
		if c.text == nil && (v.Duplicate || (s.Analysed && media.PicturesMayMatch(fp, other))) && (s.Analysed || pending) {
			// The texts decide, and for a picture another watermark
			// changed in one corner they may make it a duplicate.
			return nil, errNeedText
		}
		switch {
		case s.Analysed && c.text == nil:
			continue // the pictures differ whatever the texts say: no text needed
		case s.Analysed:
			v = media.CompareMemes(fp, other, *c.text, s.OCRText)
		case pending && v.Duplicate && !c.pendingAsSuspect:
			return nil, errTextPending
		case pending && v.Duplicate:
			v.Duplicate, v.Suspect, v.Reason = false, true, "same picture, its text not read yet"
		}
		if v.Duplicate {
			return &duplicate{Of: s, Verdict: v}, nil
		}
		if v.Suspect && suspect == nil {
			suspect = &duplicate{Of: s, Verdict: v}
		}
	}
	return suspect, nil
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
