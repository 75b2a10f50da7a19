package recommend

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"memebot/storage"
)

// Factors maintains the factor model (meme_factors, user_factors,
// word_factors) that the collab and content engines read. A run folds in
// the reactions since its watermark: the people who reacted get their
// vectors solved again against the memes' current ones, then the memes
// they reacted to against the people's, and every word those memes say
// moves with them. New memes get their content vector. The model is
// rebuilt in full (Iterations alternating passes over every reaction) when
// there is none yet, when more reactions were folded in since the last
// rebuild than it was built from, or after FullEvery.
type Factors struct {
	store      *storage.Store
	Iterations int           // alternating passes of a rebuild (8)
	FullEvery  time.Duration // rebuild at least this often (24 h)
	// MinRebuild: while the model was built from fewer reactions than this,
	// the job rebuilds once this many were folded in since (1,000).
	MinRebuild int64
	Lag        time.Duration // rows this recent wait for the next run (30 s)
	log        *slog.Logger
}

// NewFactors returns the job with its defaults.
func NewFactors(store *storage.Store, log *slog.Logger) *Factors {
	return &Factors{store: store, Iterations: 8, FullEvery: 24 * time.Hour, MinRebuild: 1000, Lag: 30 * time.Second, log: log}
}

// FactorsResult says what a run did.
type FactorsResult struct {
	Rebuilt   bool
	Reactions int // reactions read (all of them in a rebuild, the new ones otherwise)
	Users     int // people solved
	Memes     int // memes solved or given their content vector
}

// Run folds the new reactions in (or rebuilds), in one transaction.
func (f *Factors) Run(ctx context.Context) (FactorsResult, error) {
	return f.run(ctx, false)
}

// Rebuild rebuilds the model from every reaction, in one transaction.
func (f *Factors) Rebuild(ctx context.Context) (FactorsResult, error) {
	return f.run(ctx, true)
}

func (f *Factors) run(ctx context.Context, full bool) (FactorsResult, error) {
	var res FactorsResult
	err := f.store.RunFactors(ctx, func(ctx context.Context, run *storage.FactorsRun) error {
		from, until, state, err := run.Model(ctx, f.Lag)
		if err != nil {
			return err
		}
		if !until.After(from) {
			return nil
		}
		m := &factorRun{run: run, meanLike: state.MeanLike}
		if !full {
			fresh, err := run.CountReactions(ctx, from, until)
			if err != nil {
				return err
			}
			full = state.FoldedSince+fresh > max(state.RebuiltFrom, f.MinRebuild) || until.Sub(state.RebuiltAt) > f.FullEvery
		}
		if !full {
			if res, err = m.fold(ctx, from); err != nil {
				return err
			}
			state.FoldedSince += int64(res.Reactions)
		} else {
			if res, err = m.rebuild(ctx, f.Iterations); err != nil {
				return err
			}
			state.RebuiltAt, state.RebuiltFrom, state.FoldedSince = until, int64(res.Reactions), 0
		}
		state.MeanLike = m.meanLike
		return run.SaveModel(ctx, state, until)
	})
	if err != nil {
		return res, fmt.Errorf("factors: run: %w", err)
	}
	return res, nil
}

// factorRun is one run's working set.
type factorRun struct {
	run      *storage.FactorsRun
	meanLike float32 // the bias of a meme nothing is known of
}

// reaction is one like or dislike as the job reads it.
type reaction = storage.Rating

// wordsOf turns the memes' texts into their words.
func wordsOf(texts map[int64]storage.MemeText, err error) (map[int64][]string, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]string, len(texts))
	for id, t := range texts {
		out[id] = memeWords(t.Says, t.SourceID, t.UploaderID)
	}
	return out, nil
}

// rebuild solves the whole model again from every reaction.
func (m *factorRun) rebuild(ctx context.Context, iterations int) (FactorsResult, error) {
	all, err := m.run.Ratings(ctx)
	if err != nil {
		return FactorsResult{}, err
	}
	words, err := wordsOf(m.run.MemeTexts(ctx))
	if err != nil {
		return FactorsResult{}, err
	}
	// In id order: the memes' random starting vectors, and so the model,
	// are the same for the same reactions.
	memeIDs := slices.Sorted(maps.Keys(words))
	memeIdx := make(map[int64]int32, len(words))
	for i, id := range memeIDs {
		memeIdx[id] = int32(i)
	}
	var userIDs []int64
	userIdx := map[int64]int32{}
	var byUser, byMeme [][]rated
	byMeme = make([][]rated, len(memeIDs))
	likes := 0
	for _, r := range all {
		mi, ok := memeIdx[r.MemeID]
		if !ok {
			continue
		}
		ui, ok := userIdx[r.UserID]
		if !ok {
			ui = int32(len(userIDs))
			userIdx[r.UserID] = ui
			userIDs = append(userIDs, r.UserID)
			byUser = append(byUser, nil)
		}
		byUser[ui] = append(byUser[ui], rated{mi, r.Like})
		byMeme[mi] = append(byMeme[mi], rated{ui, r.Like})
		if r.Like {
			likes++
		}
	}
	meanBias := float32(likes+1) / float32(len(all)+2)
	m.meanLike = meanBias
	rng := rand.New(rand.NewPCG(1, 2))
	memeVecs := make([][]float32, len(memeIDs))
	for i := range memeVecs {
		memeVecs[i] = randomVector(rng, meanBias)
	}
	userVecs := make([][]float32, len(userIDs))
	var sums map[string]*wordSum
	for range max(1, iterations) {
		for u := range userVecs {
			userVecs[u] = solveUser(byUser[u], memeVecs)
		}
		sums = wordSums(memeIDs, memeVecs, byMeme, words)
		for i, id := range memeIDs {
			prior := contentVector(words[id], sums, meanBias)
			if len(byMeme[i]) == 0 {
				memeVecs[i] = prior
			} else {
				memeVecs[i] = solveMeme(byMeme[i], userVecs, prior)
			}
		}
	}
	sums = wordSums(memeIDs, memeVecs, byMeme, words)
	if err := m.run.ClearModel(ctx); err != nil {
		return FactorsResult{}, err
	}
	counts := make([]int, len(memeIDs))
	for i := range counts {
		counts[i] = len(byMeme[i])
	}
	if err := m.run.SaveMemeVectors(ctx, memeIDs, memeVecs, counts); err != nil {
		return FactorsResult{}, err
	}
	if err := m.run.SaveUserVectors(ctx, userIDs, userVecs); err != nil {
		return FactorsResult{}, err
	}
	if err := m.writeWords(ctx, sums); err != nil {
		return FactorsResult{}, err
	}
	return FactorsResult{Rebuilt: true, Reactions: len(all), Users: len(userIDs), Memes: len(memeIDs)}, nil
}

// wordSums sums, per word, the vectors of the memes with enough reactions.
func wordSums(ids []int64, vecs [][]float32, byMeme [][]rated, words map[int64][]string) map[string]*wordSum {
	sums := map[string]*wordSum{}
	for i, id := range ids {
		if len(byMeme[i]) < wordMinReacts {
			continue
		}
		for _, w := range words[id] {
			s := sums[w]
			if s == nil {
				s = &wordSum{}
				sums[w] = s
			}
			s.add(vecs[i], 1)
		}
	}
	return sums
}

// writeWords writes the sums of words.
func (m *factorRun) writeWords(ctx context.Context, sums map[string]*wordSum) error {
	out := make(map[string]storage.WordSum, len(sums))
	for w, s := range sums {
		out[w] = storage.WordSum{Sum: s.sum, N: s.n}
	}
	return m.run.SaveWordSums(ctx, out)
}
