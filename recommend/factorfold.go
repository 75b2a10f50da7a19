package recommend

import (
	"context"
	"maps"
	"slices"
	"time"
)

// fold folds the reactions after `from` into the model: the people who
// reacted are solved against the memes' vectors, then the memes they
// reacted to against the people's; the words of those memes move with them.
// Memes with no reactions get their content vector from the words' current
// vectors.
func (m *factorRun) fold(ctx context.Context, from time.Time) (FactorsResult, error) {
	fresh, err := m.run.RatingsSince(ctx, from)
	if err != nil {
		return FactorsResult{}, err
	}
	users, memes := map[int64]bool{}, map[int64]bool{}
	for _, r := range fresh {
		users[r.UserID], memes[r.MemeID] = true, true
	}
	sums, err := m.readWordSums(ctx)
	if err != nil {
		return FactorsResult{}, err
	}
	// The people, against the memes' vectors.
	history, err := m.run.RatingsBy(ctx, slices.Collect(maps.Keys(users)))
	if err != nil {
		return FactorsResult{}, err
	}
	seen := map[int64]bool{}
	for _, r := range history {
		seen[r.MemeID] = true
	}
	memeVecs, counts, err := m.memeVectors(ctx, slices.Collect(maps.Keys(seen)), sums)
	if err != nil {
		return FactorsResult{}, err
	}
	userIDs, userVecs := solveUsers(history, memeVecs)
	// The memes, against the people's vectors.
	onMemes, err := m.run.RatingsOf(ctx, slices.Collect(maps.Keys(memes)))
	if err != nil {
		return FactorsResult{}, err
	}
	people := map[int64][]float32{}
	for i, id := range userIDs {
		people[id] = userVecs[i]
	}
	if err := m.loadUsers(ctx, onMemes, people); err != nil {
		return FactorsResult{}, err
	}
	words, err := wordsOf(m.run.MemeTextsOf(ctx, slices.Collect(maps.Keys(memes))))
	if err != nil {
		return FactorsResult{}, err
	}
	memeIDs, newVecs, newCounts, touched := m.solveMemes(onMemes, people, words, memeVecs, counts, sums)
	// The people once more, against the memes they moved.
	for i, id := range memeIDs {
		memeVecs[id] = newVecs[i]
	}
	userIDs, userVecs = solveUsers(history, memeVecs)
	// Memes nothing is known of yet: their words' vectors, which just moved.
	unknown, err := wordsOf(m.run.UnknownMemeTexts(ctx, append([]int64{}, memeIDs...)))
	if err != nil {
		return FactorsResult{}, err
	}
	for id, ws := range unknown {
		memeIDs = append(memeIDs, id)
		newVecs = append(newVecs, contentVector(ws, sums, m.meanLike))
		newCounts = append(newCounts, 0)
	}
	if err := m.run.SaveMemeVectors(ctx, memeIDs, newVecs, newCounts); err != nil {
		return FactorsResult{}, err
	}
	if err := m.run.SaveUserVectors(ctx, userIDs, userVecs); err != nil {
		return FactorsResult{}, err
	}
	changed := map[string]*wordSum{}
	for w := range touched {
		changed[w] = sums[w]
	}
	if err := m.writeWords(ctx, changed); err != nil {
		return FactorsResult{}, err
	}
	return FactorsResult{Reactions: len(fresh), Users: len(userIDs), Memes: len(memeIDs)}, nil
}

// solveUsers solves every person of the reactions against the memes' vectors.
func solveUsers(history []reaction, memeVecs map[int64][]float32) ([]int64, [][]float32) {
	byUser, vecs := groupReactions(history, func(r reaction) (int64, int64) { return r.UserID, r.MemeID }, memeVecs)
	index := slices.Sorted(maps.Keys(byUser))
	out := make([][]float32, len(index))
	for k, u := range index {
		out[k] = solveUser(byUser[u], vecs)
	}
	return index, out
}

// groupReactions groups the reactions by one side (sides returns it, then
// the other) and lists the vectors of the other side that they point to;
// a reaction whose other side has no vector is left out.
func groupReactions(reacts []reaction, sides func(reaction) (int64, int64), others map[int64][]float32) (map[int64][]rated, [][]float32) {
	index := map[int64]int32{}
	var vecs [][]float32
	groups := map[int64][]rated{}
	for _, r := range reacts {
		key, other := sides(r)
		v, ok := others[other]
		if !ok {
			continue
		}
		i, ok := index[other]
		if !ok {
			i = int32(len(vecs))
			index[other] = i
			vecs = append(vecs, v)
		}
		groups[key] = append(groups[key], rated{i, r.Like})
	}
	return groups, vecs
}

// solveMemes solves every meme of the reactions against the people's
// vectors, moving its words' sums from its old vector to its new one. It
// returns the memes, their vectors and reaction counts, and the words moved.
func (m *factorRun) solveMemes(onMemes []reaction, people map[int64][]float32, words map[int64][]string,
	oldVecs map[int64][]float32, oldCounts map[int64]int, sums map[string]*wordSum) ([]int64, [][]float32, []int, map[string]bool) {
	byMeme, vecs := groupReactions(onMemes, func(r reaction) (int64, int64) { return r.MemeID, r.UserID }, people)
	ids := slices.Sorted(maps.Keys(byMeme))
	out := make([][]float32, len(ids))
	counts := make([]int, len(ids))
	touched := map[string]bool{}
	for k, id := range ids {
		out[k] = solveMeme(byMeme[id], vecs, contentVector(words[id], sums, m.meanLike))
		counts[k] = len(byMeme[id])
		for _, w := range words[id] {
			s := sums[w]
			if s == nil {
				s = &wordSum{}
				sums[w] = s
			}
			if old, ok := oldVecs[id]; ok && oldCounts[id] >= wordMinReacts {
				s.add(old, -1)
				touched[w] = true
			}
			if counts[k] >= wordMinReacts {
				s.add(out[k], 1)
				touched[w] = true
			}
		}
	}
	return ids, out, counts, touched
}

// readWordSums reads every word's sum of meme vectors.
func (m *factorRun) readWordSums(ctx context.Context) (map[string]*wordSum, error) {
	stored, err := m.run.WordSums(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*wordSum, len(stored))
	for w, s := range stored {
		out[w] = &wordSum{sum: s.Sum, n: s.N}
	}
	return out, nil
}

// memeVectors reads the memes' vectors and reaction counts; a meme that has
// none yet gets its content vector.
func (m *factorRun) memeVectors(ctx context.Context, ids []int64, sums map[string]*wordSum) (map[int64][]float32, map[int64]int, error) {
	stored, err := m.run.MemeVectors(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	vecs, counts := make(map[int64][]float32, len(stored)), make(map[int64]int, len(stored))
	for id, v := range stored {
		vecs[id], counts[id] = v.Vec, v.Reactions
	}
	var missing []int64
	for _, id := range ids {
		if _, ok := vecs[id]; !ok {
			missing = append(missing, id)
		}
	}
	words, err := wordsOf(m.run.MemeTextsOf(ctx, missing))
	if err != nil {
		return nil, nil, err
	}
	for id, ws := range words {
		vecs[id] = contentVector(ws, sums, m.meanLike)
	}
	return vecs, counts, nil
}

// loadUsers adds to people the stored vectors of the reactions' people it
// lacks (those who reacted before this run only).
func (m *factorRun) loadUsers(ctx context.Context, reacts []reaction, people map[int64][]float32) error {
	need := map[int64]bool{}
	for _, r := range reacts {
		if _, ok := people[r.UserID]; !ok {
			need[r.UserID] = true
		}
	}
	stored, err := m.run.UserVectors(ctx, slices.Collect(maps.Keys(need)))
	if err != nil {
		return err
	}
	maps.Copy(people, stored)
	return nil
}
