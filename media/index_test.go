package media

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/disintegration/imaging"

	"memebot/internal/cputime"
)

// memeStore plays the database: it keeps the full fingerprints the index
// leaves out, and confirms candidates the way the caller does.
type memeStore struct {
	idx *Index
	fps map[int64]Fingerprint
}

func newMemeStore() *memeStore {
	return &memeStore{idx: NewIndex(0), fps: map[int64]Fingerprint{}}
}

func (s *memeStore) add(id int64, fp Fingerprint) {
	s.fps[id] = fp
	s.idx.Add(id, fp)
}

func (s *memeStore) remove(id int64) {
	delete(s.fps, id)
	s.idx.Remove(id)
}

// duplicateOf returns the first candidate Compare confirms.
func (s *memeStore) duplicateOf(fp Fingerprint) (int64, Verdict, bool) {
	for _, c := range s.idx.Candidates(fp, 8) {
		if v := Compare(s.fps[c.ID], fp); v.Duplicate {
			return c.ID, v, true
		}
	}
	return 0, Verdict{}, false
}

func candidateIDs(cs []Candidate) []int64 {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func TestIndexFindsRepostsAndForgets(t *testing.T) {
	s := newMemeStore()
	tplA, tplB := template(11, 640, 480), template(12, 640, 480)
	memeA := meme(t, tplA, "WHEN THE CODE", "FINALLY COMPILES")
	s.add(1, fingerprintBytes(t, encodeJPEGBytes(t, memeA, 90)))
	s.add(2, fingerprintBytes(t, encodeJPEGBytes(t, meme(t, tplB, "NOBODY", "ABSOLUTELY NOBODY"), 90)))
	s.add(3, fingerprintBytes(t, encodeJPEGBytes(t, meme(t, tplA, "ME AT 3 AM", "DEBUGGING PROD"), 90)))
	if s.idx.Len() != 3 {
		t.Fatalf("Len = %d, want 3", s.idx.Len())
	}

	repost := fingerprintBytes(t, encodeJPEGBytes(t, imaging.Resize(memeA, 320, 0, imaging.Box), 60))
	if ids := candidateIDs(s.idx.Candidates(repost, 0)); !slices.Contains(ids, 1) || slices.Contains(ids, 2) {
		t.Fatalf("Candidates(repost) = %v; want meme 1 and not the other template's meme 2", ids)
	}
	if id, v, ok := s.duplicateOf(repost); !ok || id != 1 {
		t.Fatalf("repost confirmed as %d (%t, %v); want meme 1", id, ok, v)
	}
	fresh := fingerprintBytes(t, encodeJPEGBytes(t, meme(t, tplA, "NEW CAPTION", "NEW PUNCHLINE"), 90))
	t.Logf("candidates for a new caption on template A: %v", s.idx.Candidates(fresh, 0))
	if id, v, ok := s.duplicateOf(fresh); ok {
		t.Fatalf("a new caption on a known template matched meme %d: %v", id, v)
	}

	s.remove(1)
	s.remove(42) // unknown ids are ignored
	if ids := candidateIDs(s.idx.Candidates(repost, 0)); slices.Contains(ids, 1) {
		t.Fatalf("removed meme 1 still a candidate: %v", ids)
	}
	if s.idx.Len() != 2 {
		t.Fatalf("Len after Remove = %d, want 2", s.idx.Len())
	}
	// Re-adding an id replaces its record.
	s.add(2, repost)
	if id, _, ok := s.duplicateOf(repost); !ok || id != 2 || s.idx.Len() != 2 {
		t.Fatalf("after replacing meme 2: id %d ok %t len %d", id, ok, s.idx.Len())
	}
}

func TestIndexCandidatesNearestFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	query := randomFingerprint(rng)
	idx := NewIndex(0)
	// The same picture under ids whose hashes differ from the query in
	// 12, 0, CandidateDistance, 5 and one more bits; the last is beyond it.
	flips := map[int64]int{10: 12, 11: 0, 12: CandidateDistance, 13: 5, 14: CandidateDistance + 1}
	for id, n := range flips {
		fp := query
		fp.PHash ^= 1<<n - 1
		idx.Add(id, fp)
	}
	for range 1000 {
		idx.Add(rng.Int64N(1e9)+100, randomFingerprint(rng))
	}
	got := idx.Candidates(query, 0)
	want := []Candidate{{11, 0}, {13, 5}, {10, 12}, {12, CandidateDistance}}
	if !slices.Equal(got, want) {
		t.Fatalf("Candidates = %v, want %v", got, want)
	}
	if got := idx.Candidates(query, 2); !slices.Equal(got, want[:2]) {
		t.Fatalf("Candidates(limit 2) = %v, want %v", got, want[:2])
	}
}

func TestIndexConcurrentUse(t *testing.T) {
	idx := NewIndex(0)
	rng := rand.New(rand.NewPCG(3, 4))
	fps := make([]Fingerprint, 200)
	for i := range fps {
		fps[i] = randomFingerprint(rng)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i, fp := range fps {
				id := int64(w*1000 + i)
				idx.Add(id, fp)
				if !slices.Contains(candidateIDs(idx.Candidates(fp, 0)), id) {
					t.Errorf("meme %d not a candidate right after Add", id)
					return
				}
				if i%3 == 0 {
					idx.Remove(id)
				}
			}
		})
	}
	wg.Wait()
	if want := 4 * (len(fps) - (len(fps)+2)/3); idx.Len() != want {
		t.Fatalf("Len = %d, want %d", idx.Len(), want)
	}
}

func randomFingerprint(rng *rand.Rand) Fingerprint {
	fp := Fingerprint{PHash: rng.Uint64(), Aspect: 0.75 + rng.Float32()/2}
	fill := func(b []byte) {
		for i := 0; i < len(b); i += 8 {
			v := rng.Uint64()
			for k := 0; k < 8 && i+k < len(b); k++ {
				b[i+k] = byte(v >> (8 * k))
			}
		}
	}
	fill(fp.SHA256[:])
	fill(fp.Tone[:])
	fill(fp.Edges[:])
	return fp
}

func randomIndex(rng *rand.Rand, n, capacity int) *Index {
	idx := NewIndex(capacity)
	for i := range n {
		idx.Add(int64(i), randomFingerprint(rng))
	}
	return idx
}

// BenchmarkIndexCandidates1M looks up fingerprints that are not in an index
// of a million random ones: the full pHash scan plus the quick test on the
// few hundred random hashes that fall within CandidateDistance.
// "phash-near/op" counts the random entries within CandidateDistance per
// query, "survivors/op" those that also pass the quick test.
func BenchmarkIndexCandidates1M(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	idx := randomIndex(rng, 1_000_000, 1_000_000)
	queries := make([]Fingerprint, 64)
	for i := range queries {
		queries[i] = randomFingerprint(rng)
	}
	// Wall time suffers from whatever else the machine runs; the thread's
	// CPU time is the cost on one core.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	i, survivors := 0, 0
	var cpu time.Duration
	for b.Loop() {
		start := cputime.Thread()
		survivors += len(idx.Candidates(queries[i%len(queries)], 0))
		cpu += cputime.Thread() - start
		i++
	}
	b.ReportMetric(float64(survivors)/float64(i), "survivors/op")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(i), "cpu-ms/op")
	near := 0
	for _, q := range queries {
		near += len(idx.nearHash(q.PHash))
	}
	b.ReportMetric(float64(near)/float64(len(queries)), "phash-near/op")
}

// BenchmarkIndexMemory reports the heap an index of a million random
// entries holds, per entry: presized as after a start-up load that knows
// the count, and grown from the size the pipeline starts with.
func BenchmarkIndexMemory(b *testing.B) {
	for _, bc := range []struct {
		name     string
		capacity int
	}{{"presized", 1_000_000}, {"grown", 1 << 16}} {
		b.Run(bc.name, func(b *testing.B) {
			const n = 1_000_000
			var perEntry float64
			for b.Loop() {
				before := heapAlloc()
				idx := randomIndex(rand.New(rand.NewPCG(1, 1)), n, bc.capacity)
				perEntry = float64(heapAlloc()-before) / n
				runtime.KeepAlive(idx)
			}
			b.ReportMetric(perEntry, "bytes/entry")
		})
	}
}

func heapAlloc() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
