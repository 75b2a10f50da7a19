package recommend

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"sync"
	"time"

	"memebot/storage"
)

// The collab and content engines score every servable meme for the person
// and serve the best. Both read the person's latest reactions at every
// refill, so what they pressed a minute ago already counts.
//
// collab scores by the factor model (factors.go): the person's vector is
// solved from their reactions against the memes' vectors (the job's
// vectors of people are only what memes are solved against), and it serves
// memes with reactions enough to know them (CollabMinReactions).
//
// content scores by what memes say: each word the person met gets their
// like rate on the memes that said it, as log-odds against their overall
// rate (shrunk toward it by wordShrink reactions), and a meme scores the sum
// over its words plus half its standing (the log-odds of its bias in the factor
// model: its like rate over everyone, approval likes left out, shrunk toward
// what its words predict). A new meme nobody has reacted to goes first to the people
// who like what it talks about.

// CollabMinReactions is how many reactions a meme's vector needs before
// collab serves it.
const CollabMinReactions = 5

// tasteReactions is how many of the person's latest reactions both
// engines learn from.
const tasteReactions = 300

// wordShrink is how many reactions at the person's overall like rate a
// word's like rate starts from: most words of a meme say nothing of its
// topic, and one like of a meme must not make each of them a favourite.
// standingWeight is how much a meme's standing counts against the words.
// (Both chosen on one simulated world, then checked on the others.)
const (
	wordShrink     = 10
	standingWeight = 0.5
)

// memeSnapshot is the servable memes the two engines score, as they share
// them, read from PostgreSQL at most once per memeSnapshotTTL: the newest
// scoredPool (so that a new meme reaches the people its words suit) and the
// best liked scoredPool. Scoring every servable meme took a refill to p95
// 441 ms at 1M memes, and every process held them all.
//
// scoredPool bounds it: up to twice as many memes, scored in a few ms.
type memeSnapshot struct {
	loaded     time.Time
	readFrom   time.Time // PostgreSQL's clock as the read began
	wordsFrom  time.Time // ... as the last read of every meme's text began
	ids        []int64
	index      map[int64]int32 // memes.id -> position in ids
	vecs       [][]float32     // nil: no factor vector yet
	reactions  []int32         // reactions the vector was solved from
	language   []uint16        // index in languages
	languages  []string        // the languages of the memes
	standing   []float32       // log-odds of the meme's bias in the factor model
	words      [][]int32
	dict       map[string]int32
	topics     []int16 // each meme's topic (topics.go)
	topicModel *topicModel
	topicWords []int32 // the topic model's id of each word id (nil: the same)
}

const scoredPool = 20000

// memeSnapshotTTL is how long a snapshot serves before a reload.
const memeSnapshotTTL = time.Minute

// A reload reads the text of only the memes new to the pool or updated
// since the last read (a vision description arrives after approval), and
// takes the others' words from the last snapshot: reading and splitting
// every meme's text was most of a reload, and a simulation reloads after
// every factors run. Every memeWordsFullEvery a reload reads all the text
// again, which also starts the dictionary afresh (it keeps the words of
// memes that left the pool till then). memeTextSlack covers an update
// whose transaction began before the last read and committed after it.
const (
	memeWordsFullEvery = 10 * time.Minute
	memeTextSlack      = time.Minute
)

// memeCache holds the snapshot. Past its TTL, the refill that notices
// starts a reload in the background and keeps scoring with the old one: the
// reload (a sort of the servable memes and their text) would otherwise
// land in one person's refill every minute (p99 0.4-0.5 s at 1M memes).
type memeCache struct {
	mu        sync.Mutex
	snap      *memeSnapshot
	last      *memeSnapshot // the last one loaded, whose words a reload reuses
	reloading bool
	forgotten int        // ForgetMemes calls: a reload started before one is dropped
	load      sync.Mutex // one load at a time
}

// ForgetMemes makes the next refill read the memes' vectors and words again
// (after a factors run, when a simulation's clock outruns the cache's TTL).
func (e *Engines) ForgetMemes() {
	e.memes.mu.Lock()
	e.memes.snap = nil
	e.memes.forgotten++
	e.memes.mu.Unlock()
}

func (e *Engines) memeSnapshot(ctx context.Context) (*memeSnapshot, error) {
	e.memes.mu.Lock()
	s, forgotten := e.memes.snap, e.memes.forgotten
	if s != nil && time.Since(s.loaded) >= memeSnapshotTTL && !e.memes.reloading {
		e.memes.reloading = true
		go e.reloadMemes(forgotten)
	}
	e.memes.mu.Unlock()
	if s != nil {
		return s, nil
	}
	e.memes.load.Lock()
	defer e.memes.load.Unlock()
	e.memes.mu.Lock()
	s, forgotten = e.memes.snap, e.memes.forgotten
	e.memes.mu.Unlock()
	if s != nil {
		return s, nil // loaded while this refill waited
	}
	s, err := e.loadMemes(ctx)
	if err != nil {
		return nil, err
	}
	e.keepMemes(s, forgotten)
	return s, nil
}

func (e *Engines) reloadMemes(forgotten int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e.memes.load.Lock()
	s, err := e.loadMemes(ctx)
	e.memes.load.Unlock()
	if err != nil {
		slog.Warn("recommend: reloading the memes to score failed; scoring with the old ones", slog.Any("error", err))
	}
	e.memes.mu.Lock()
	e.memes.reloading = false
	e.memes.mu.Unlock()
	if err == nil {
		e.keepMemes(s, forgotten)
	}
}

// keepMemes stores a loaded snapshot unless ForgetMemes was called since
// its load began.
func (e *Engines) keepMemes(s *memeSnapshot, forgotten int) {
	e.memes.mu.Lock()
	defer e.memes.mu.Unlock()
	e.memes.last = s
	if e.memes.forgotten == forgotten {
		e.memes.snap = s
	}
}

// loadMemes reads the pool of memes to score.
func (e *Engines) loadMemes(ctx context.Context) (*memeSnapshot, error) {
	e.memes.mu.Lock()
	prev := e.memes.last
	e.memes.mu.Unlock()
	return e.readMemes(ctx, prev)
}

// readMemes reads the pool of memes to score, with the words of prev (when
// not nil) for the memes whose text it read and that were not updated since.
func (e *Engines) readMemes(ctx context.Context, prev *memeSnapshot) (*memeSnapshot, error) {
	s := &memeSnapshot{loaded: time.Now(), index: map[int64]int32{}, dict: map[string]int32{}}
	var err error
	if s.readFrom, err = e.store.Now(ctx); err != nil {
		return nil, fmt.Errorf("recommend: memes to score: %w", err)
	}
	s.wordsFrom = s.readFrom
	var textSince time.Time // the zero time: every meme's text
	if prev != nil && s.readFrom.Sub(prev.wordsFrom) < memeWordsFullEvery {
		s.dict, s.wordsFrom = maps.Clone(prev.dict), prev.wordsFrom
		textSince = prev.readFrom.Add(-memeTextSlack)
	}
	memes, err := e.store.MemesToScore(ctx, scoredPool, textSince)
	if err != nil {
		return nil, fmt.Errorf("recommend: %w", err)
	}
	var unread []int64 // memes whose text is still to read
	for _, m := range memes {
		var words []int32
		if m.Says != nil {
			words = s.wordIDs(memeWords(*m.Says, m.SourceID, m.UploaderID), true)
		} else if j, ok := prev.lookup(m.ID); ok {
			words = prev.words[j]
		} else {
			unread = append(unread, m.ID)
		}
		standing := math.NaN() // a meme the model does not know yet: the mean, below
		if m.Vec != nil {
			standing = logOdds(min(0.95, max(0.05, float64(m.Vec[FactorDims]))))
		}
		s.index[m.ID] = int32(len(s.ids))
		s.ids, s.vecs, s.reactions, s.language = append(s.ids, m.ID), append(s.vecs, m.Vec), append(s.reactions, m.Reactions), append(s.language, s.languageID(m.Language))
		s.standing = append(s.standing, float32(standing))
		s.words = append(s.words, words)
	}
	if err := e.readWords(ctx, s, unread); err != nil {
		return nil, err
	}
	var sum float64
	known := 0
	for _, x := range s.standing {
		if !math.IsNaN(float64(x)) {
			sum, known = sum+float64(x), known+1
		}
	}
	for i, x := range s.standing {
		if math.IsNaN(float64(x)) {
			s.standing[i] = float32(sum / float64(max(1, known)))
		}
	}
	s.compact()
	e.topics.place(s)
	return s, nil
}

// compact moves every meme's words into one array, and every vector into
// another, in the memes' order: scoring walks all of them at every refill,
// and 20,000 small arrays strewn over the heap made it wait on memory.
func (s *memeSnapshot) compact() {
	words, dims := 0, 0
	for i := range s.ids {
		words, dims = words+len(s.words[i]), dims+len(s.vecs[i])
	}
	wordsAll, vecsAll := make([]int32, 0, words), make([]float32, 0, dims)
	for i := range s.ids {
		at := len(wordsAll)
		wordsAll = append(wordsAll, s.words[i]...)
		s.words[i] = wordsAll[at:len(wordsAll):len(wordsAll)]
		if s.vecs[i] != nil {
			at = len(vecsAll)
			vecsAll = append(vecsAll, s.vecs[i]...)
			s.vecs[i] = vecsAll[at:len(vecsAll):len(vecsAll)]
		}
	}
}

// lookup is the meme's position in the snapshot (none in no snapshot).
func (s *memeSnapshot) lookup(id int64) (int32, bool) {
	if s == nil {
		return 0, false
	}
	i, ok := s.index[id]
	return i, ok
}

// readWords reads the words of the snapshot's memes given (new to the pool
// of memes to score, not updated since the last read).
func (e *Engines) readWords(ctx context.Context, s *memeSnapshot, ids []int64) error {
	return e.memeWordsOf(ctx, ids, func(id int64, words []string) { s.words[s.index[id]] = s.wordIDs(words, true) })
}

// memeWordsOf reads what each of the memes says (memeWords) and hands it to fn.
func (e *Engines) memeWordsOf(ctx context.Context, ids []int64, fn func(id int64, words []string)) error {
	if len(ids) == 0 {
		return nil
	}
	texts, err := e.store.MemeTextsOf(ctx, ids)
	if err != nil {
		return fmt.Errorf("recommend: words of memes: %w", err)
	}
	for id, t := range texts {
		fn(id, memeWords(t.Says, t.SourceID, t.UploaderID))
	}
	return nil
}

// languageID numbers a language (a few: the memes' languages).
func (s *memeSnapshot) languageID(lang string) uint16 {
	i := slices.Index(s.languages, lang)
	if i < 0 {
		i = len(s.languages)
		s.languages = append(s.languages, lang)
	}
	return uint16(i)
}

// wordIDs numbers the words; with add, words not met yet get a number,
// otherwise they are left out.
func (s *memeSnapshot) wordIDs(words []string, add bool) []int32 {
	out := make([]int32, 0, len(words))
	for _, w := range words {
		id, ok := s.dict[w]
		if !ok && add {
			id, ok = int32(len(s.dict)), true
			s.dict[w] = id
		}
		if ok {
			out = append(out, id)
		}
	}
	return out
}

func logOdds(p float64) float64 { return math.Log(p / (1 - p)) }

// pressed is one of the person's reactions that their taste is learnt from.
type pressed struct {
	meme  int64
	like  bool
	words []string
}

// sharedHistory is the person's history as one refill reads it: once, for
// every engine of the refill that learns from it (collab, content and
// fresh each read it before, three reads of the same rows).
type sharedHistory struct {
	once    sync.Once
	sent    map[int64]bool // read-only once read: the engines run concurrently
	history []pressed
	err     error
	// The person's word taste, as content and fresh both score by it.
	tasteMu sync.Mutex
	tasteOf *memeSnapshot // the snapshot whose word ids taste is by
	taste   []float64
}

// wordTaste is the person's word taste (memeSnapshot.wordTaste) in the
// snapshot's words: computed once per refill when h is not nil.
func (h *sharedHistory) wordTaste(s *memeSnapshot, history []pressed) []float64 {
	if h == nil {
		return s.wordTaste(history)
	}
	h.tasteMu.Lock()
	defer h.tasteMu.Unlock()
	if h.tasteOf != s {
		h.tasteOf, h.taste = s, s.wordTaste(history)
	}
	return h.taste
}

// scoringInputs is what the engines that score memes in Go start from:
// the memes to score and the person's history (the refill's shared read).
func (e *Engines) scoringInputs(ctx context.Context, q Query) (*memeSnapshot, map[int64]bool, []pressed, error) {
	s, err := e.memeSnapshot(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	sent, history, err := e.historyOf(ctx, q)
	return s, sent, history, err
}

// historyOf is the person's history: the refill's shared read when the
// query carries one, otherwise a read of its own.
func (e *Engines) historyOf(ctx context.Context, q Query) (map[int64]bool, []pressed, error) {
	h := q.history
	if h == nil {
		return e.tasteHistory(ctx, q.UserID)
	}
	h.once.Do(func() { h.sent, h.history, h.err = e.tasteHistory(ctx, q.UserID) })
	return h.sent, h.history, h.err
}

// tasteHistory reads every meme ever sent to the person, and their latest
// tasteReactions likes and dislikes with what those memes say. The
// uploader's own approval like says nothing of taste.
func (e *Engines) tasteHistory(ctx context.Context, userID int64) (map[int64]bool, []pressed, error) {
	ids, taste, err := e.store.SentMemes(ctx, userID, tasteReactions)
	if err != nil {
		return nil, nil, fmt.Errorf("recommend: history of %d: %w", userID, err)
	}
	sent := make(map[int64]bool, len(ids))
	for _, id := range ids {
		sent[id] = true
	}
	history := make([]pressed, 0, len(taste))
	for _, m := range taste {
		history = append(history, pressed{m.MemeID, m.Reaction == storage.Like, memeWords(m.Text.Says, m.Text.SourceID, m.Text.UploaderID)})
	}
	return sent, history, nil
}

// userVector solves the person's factor vector from their reactions, with
// the vectors of the memes they reacted to (read for them: most are no
// longer in the pool of memes to score).
func (e *Engines) userVector(ctx context.Context, history []pressed) ([]float32, error) {
	ids := make([]int64, len(history))
	for i, h := range history {
		ids[i] = h.meme
	}
	known, err := e.store.MemeVectorsOf(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("recommend: vectors of the reacted memes: %w", err)
	}
	var reacts []rated
	var vecs [][]float32
	for _, h := range history {
		if v := known[h.meme].Vec; v != nil {
			reacts, vecs = append(reacts, rated{int32(len(vecs)), h.like}), append(vecs, v)
		}
	}
	return solveUser(reacts, vecs), nil
}

// wordTaste is the person's log-odds per word, against their overall like
// rate, indexed by word id (0 for the words they never met): a slice, not a
// map, because scoring looks a word up for every word of every meme in the
// pool (with a map that was a third of a simulation's Go time).
func (s *memeSnapshot) wordTaste(history []pressed) []float64 {
	likes := 0
	for _, h := range history {
		if h.like {
			likes++
		}
	}
	base := (float64(likes) + 1) / (float64(len(history)) + 2)
	liked, met := map[int32]float64{}, map[int32]float64{}
	for _, h := range history {
		for _, w := range s.wordIDs(h.words, false) {
			met[w]++
			if h.like {
				liked[w]++
			}
		}
	}
	taste := make([]float64, len(s.dict))
	for w, n := range met {
		taste[w] = logOdds((liked[w]+wordShrink*base)/(n+wordShrink)) - logOdds(base)
	}
	return taste
}

// scoredCandidates serves the memes the engine scores highest for the person.
func (e *Engines) scoredCandidates(ctx context.Context, engine string, q Query) ([]Item, error) {
	s, sent, history, err := e.scoringInputs(ctx, q)
	if err != nil {
		return nil, err
	}
	var scoreOf func(i int) (float64, bool)
	if engine == Collab {
		user, err := e.userVector(ctx, history)
		if err != nil {
			return nil, err
		}
		scoreOf = func(i int) (float64, bool) {
			if s.vecs[i] == nil || s.reactions[i] < CollabMinReactions {
				return 0, false
			}
			return score(user, s.vecs[i]), true
		}
	} else {
		content := s.contentScorer(q.history.wordTaste(s, history))
		scoreOf = func(i int) (float64, bool) { return content(s.words[i], s.standing[i]), true }
	}
	skip := s.unservable(sent, q.Exclude, q.Languages)
	best := newTopScores(2 * q.Limit)
	for i, id := range s.ids {
		if skip[i] {
			continue
		}
		if x, ok := scoreOf(i); ok {
			best.offer(id, x)
		}
	}
	return asItems(engine)(e.store.ServableMemesOf(ctx, q.stored(), best.ids()))
}

// unservable marks the memes of the snapshot the person may not be served:
// sent or excluded, or in a language they do not read. The few sent and
// excluded memes are looked up in the snapshot, not every meme of the
// snapshot among them (a map lookup per meme was an eighth of scoring).
func (s *memeSnapshot) unservable(sent map[int64]bool, exclude []int64, languages []string) []bool {
	skip := make([]bool, len(s.ids))
	for id := range sent {
		if i, ok := s.index[id]; ok {
			skip[i] = true
		}
	}
	for _, id := range exclude {
		if i, ok := s.index[id]; ok {
			skip[i] = true
		}
	}
	reads := make([]bool, len(s.languages))
	for l, name := range s.languages {
		reads[l] = slices.Contains(languages, name)
	}
	for i, l := range s.language {
		if !reads[l] {
			skip[i] = true
		}
	}
	return skip
}

// topScores keeps the n highest-scoring memes offered (a min-heap: the
// lowest kept on top), so that scoring every meme costs no sort.
type topScores struct {
	n    int
	heap []scoredMeme
}

type scoredMeme struct {
	id    int64
	score float64
}

func newTopScores(n int) *topScores { return &topScores{n: n, heap: make([]scoredMeme, 0, n)} }

func (t *topScores) offer(id int64, s float64) {
	if len(t.heap) < t.n {
		t.heap = append(t.heap, scoredMeme{id, s})
		heap.Fix(t, len(t.heap)-1)
		return
	}
	if t.n > 0 && s > t.heap[0].score {
		t.heap[0] = scoredMeme{id, s}
		heap.Fix(t, 0)
	}
}

// ids are the kept memes, best first.
func (t *topScores) ids() []int64 {
	sorted := slices.SortedFunc(slices.Values(t.heap), func(a, b scoredMeme) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.id, a.id))
	})
	out := make([]int64, len(sorted))
	for i, m := range sorted {
		out[i] = m.id
	}
	return out
}

func (t *topScores) Len() int           { return len(t.heap) }
func (t *topScores) Less(i, j int) bool { return t.heap[i].score < t.heap[j].score }
func (t *topScores) Swap(i, j int)      { t.heap[i], t.heap[j] = t.heap[j], t.heap[i] }
func (t *topScores) Push(x any)         { t.heap = append(t.heap, x.(scoredMeme)) }
func (t *topScores) Pop() any {
	x := t.heap[len(t.heap)-1]
	t.heap = t.heap[:len(t.heap)-1]
	return x
}

// contentScorer scores memes for the content engine: the person's taste
// for the meme's words, plus its standing.
func (s *memeSnapshot) contentScorer(taste []float64) func(words []int32, standing float32) float64 {
	return func(words []int32, standing float32) float64 {
		x := standingWeight * float64(standing)
		for _, w := range words {
			x += taste[w]
		}
		return x
	}
}
