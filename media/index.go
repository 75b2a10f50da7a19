package media

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"
)

// Index narrows the search for near-duplicates among stored memes down to a
// few candidates. It keeps only a compact record per meme (about 56 bytes
// plus the id lookup, see BenchmarkIndexMemory) so a million memes fit in a
// worker; the caller loads the candidates' full fingerprints from the
// database and confirms them with Compare. The worker fills the index at
// start-up and keeps it current with Add and Remove. It is safe for
// concurrent use.
type Index struct {
	mu sync.RWMutex
	// Entry i is ids[i], keys[i] and sigs[i]: parallel slices
	// keep the pHash scan on one dense array and cost no pointers.
	ids   []int64
	keys  []key
	sigs  []signature
	slots map[int64]int32 // id -> i
}

// key is what the scan reads of an entry: the pHash, and next to it (the
// same cache line) the log aspect ratio the quick test looks at first. At
// CandidateDistance thousands of a million random hashes are near a query;
// a separate aspect array cost each of them a cache miss (4 ms a lookup
// instead of 2).
type key struct {
	hash      uint64
	logAspect float32
}

func keyOf(fp Fingerprint) key { return key{fp.PHash, logAspect(fp.Aspect)} }

// Candidate is a stored meme that may duplicate a query.
type Candidate struct {
	ID int64
	// Distance is the pHash Hamming distance to the query.
	Distance int
}

// NewIndex returns an empty index with room for capacity entries.
func NewIndex(capacity int) *Index {
	return &Index{
		ids:   make([]int64, 0, capacity),
		keys:  make([]key, 0, capacity),
		sigs:  make([]signature, 0, capacity),
		slots: make(map[int64]int32, capacity),
	}
}

// Add stores the compact record of fp under id, replacing what id had before.
func (x *Index) Add(id int64, fp Fingerprint) {
	sig := newSignature(&fp)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.slots == nil {
		x.slots = map[int64]int32{}
	}
	if i, ok := x.slots[id]; ok {
		x.keys[i], x.sigs[i] = keyOf(fp), sig
		return
	}
	x.slots[id] = int32(len(x.ids))
	x.ids = append(x.ids, id)
	x.keys = append(x.keys, keyOf(fp))
	x.sigs = append(x.sigs, sig)
}

// Remove deletes id; removing an unknown id does nothing.
func (x *Index) Remove(id int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	i, ok := x.slots[id]
	if !ok {
		return
	}
	// Move the last entry into the freed slot.
	last := int32(len(x.ids) - 1)
	if i != last {
		x.ids[i], x.keys[i], x.sigs[i] = x.ids[last], x.keys[last], x.sigs[last]
		x.slots[x.ids[i]] = i
	}
	x.ids, x.keys, x.sigs = x.ids[:last], x.keys[:last], x.sigs[:last]
	delete(x.slots, id)
}

// Len returns the number of stored memes.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// Candidates returns up to limit stored memes that may duplicate fp, or
// one of its Views, nearest pHash first (ties by id); limit <= 0 means all.
// A candidate's pHash is within CandidateDistance and its aspect and coarse
// tone pass the quick test Compare would fail anyway (see quickMatch); only
// Compare on the full fingerprints decides. The same file is always a
// candidate at distance 0.
func (x *Index) Candidates(fp Fingerprint, limit int) []Candidate {
	queries := make([]query, 0, 1+len(fp.Views))
	for _, f := range append([]Fingerprint{fp}, fp.Views...) {
		queries = append(queries, query{f.PHash, logAspect(f.Aspect), newSignature(&f)})
	}
	x.mu.RLock()
	var out []Candidate
	for _, i := range x.nearHashes(queries) {
		best := -1
		for _, q := range queries {
			d := bits.OnesCount64(x.keys[i].hash ^ q.hash)
			if d <= CandidateDistance && (best < 0 || d < best) && quickMatchLog(q.logAspect, x.keys[i].logAspect, &q.sig, &x.sigs[i]) {
				best = d
			}
		}
		if best >= 0 {
			out = append(out, Candidate{ID: x.ids[i], Distance: best})
		}
	}
	x.mu.RUnlock()
	slices.SortFunc(out, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// query is what the scan compares of a fingerprint looked up.
type query struct {
	hash      uint64
	logAspect float32
	sig       signature
}

// nearHashes scans every stored pHash (a popcount each, about a
// millisecond per million) and returns the slots within CandidateDistance
// of any query's, in one pass however many views an upload has.
func (x *Index) nearHashes(queries []query) []int32 {
	if len(queries) == 1 {
		return x.nearHash(queries[0].hash)
	}
	var out []int32
	for i, k := range x.keys {
		for _, q := range queries {
			if bits.OnesCount64(k.hash^q.hash) <= CandidateDistance {
				out = append(out, int32(i))
				break
			}
		}
	}
	return out
}

// nearHash is nearHashes for one hash, four entries at a time.
func (x *Index) nearHash(h uint64) []int32 {
	var out []int32
	hs := x.keys
	i := 0
	for ; i+4 <= len(hs); i += 4 {
		d0 := bits.OnesCount64(hs[i].hash ^ h)
		d1 := bits.OnesCount64(hs[i+1].hash ^ h)
		d2 := bits.OnesCount64(hs[i+2].hash ^ h)
		d3 := bits.OnesCount64(hs[i+3].hash ^ h)
		if min(d0, d1, d2, d3) > CandidateDistance {
			continue
		}
		for k, d := range [4]int{d0, d1, d2, d3} {
			if d <= CandidateDistance {
				out = append(out, int32(i+k))
			}
		}
	}
	for ; i < len(hs); i++ {
		if bits.OnesCount64(hs[i].hash^h) <= CandidateDistance {
			out = append(out, int32(i))
		}
	}
	return out
}
