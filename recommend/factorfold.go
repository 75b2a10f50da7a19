package recommend

import (
	"context"
	"fmt"
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
	fresh, err := m.reactions(ctx, "AND r.reacted_at > $2", from)
	if err != nil {
		return FactorsResult{}, err
	}
	users, memes := map[int64]bool{}, map[int64]bool{}
	for _, r := range fresh {
		users[r.user], memes[r.meme] = true, true
	}
	sums, err := m.wordSums(ctx)
	if err != nil {
		return FactorsResult{}, err
	}
	// The people, against the memes' vectors.
	history, err := m.reactions(ctx, "AND r.user_id = ANY($2)", slices.Collect(maps.Keys(users)))
	if err != nil {
		return FactorsResult{}, err
	}
	seen := map[int64]bool{}
	for _, r := range history {
		seen[r.meme] = true
	}
	memeVecs, counts, err := m.memeVectors(ctx, slices.Collect(maps.Keys(seen)), sums)
	if err != nil {
		return FactorsResult{}, err
	}
	userIDs, userVecs := solveUsers(history, memeVecs)
	// The memes, against the people's vectors.
	onMemes, err := m.reactions(ctx, "AND r.meme_id = ANY($2)", slices.Collect(maps.Keys(memes)))
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
	words, err := m.texts(ctx, "AND m.id = ANY($1)", slices.Collect(maps.Keys(memes)))
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
	unknown, err := m.texts(ctx, `AND NOT EXISTS (SELECT 1 FROM meme_factors f WHERE f.meme_id = m.id AND f.reactions > 0)
    AND m.id <> ALL($1)`, append([]int64{}, memeIDs...))
	if err != nil {
		return FactorsResult{}, err
	}
	for id, ws := range unknown {
		memeIDs = append(memeIDs, id)
		newVecs = append(newVecs, contentVector(ws, sums, m.meanLike))
		newCounts = append(newCounts, 0)
	}
	if err := m.writeMemes(ctx, memeIDs, newVecs, newCounts); err != nil {
		return FactorsResult{}, err
	}
	if err := m.writeUsers(ctx, userIDs, userVecs); err != nil {
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
	byUser, vecs := groupReactions(history, func(r reaction) (int64, int64) { return r.user, r.meme }, memeVecs)
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
		groups[key] = append(groups[key], rated{i, r.like})
	}
	return groups, vecs
}

// solveMemes solves every meme of the reactions against the people's
// vectors, moving its words' sums from its old vector to its new one. It
// returns the memes, their vectors and reaction counts, and the words moved.
func (m *factorRun) solveMemes(onMemes []reaction, people map[int64][]float32, words map[int64][]string,
	oldVecs map[int64][]float32, oldCounts map[int64]int, sums map[string]*wordSum) ([]int64, [][]float32, []int, map[string]bool) {
	byMeme, vecs := groupReactions(onMemes, func(r reaction) (int64, int64) { return r.meme, r.user }, people)
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

// wordSums reads every word's sum of meme vectors.
func (m *factorRun) wordSums(ctx context.Context) (map[string]*wordSum, error) {
	rows, err := m.tx.Query(ctx, `SELECT word, sum, n FROM word_factors`)
	if err != nil {
		return nil, fmt.Errorf("read word vectors: %w", err)
	}
	defer rows.Close()
	out := map[string]*wordSum{}
	for rows.Next() {
		var w string
		var b []byte
		s := &wordSum{}
		if err := rows.Scan(&w, &b, &s.n); err != nil {
			return nil, fmt.Errorf("read word vectors: %w", err)
		}
		s.sum = decodeVec(b)
		out[w] = s
	}
	return out, rows.Err()
}

// memeVectors reads the memes' vectors and reaction counts; a meme that has
// none yet gets its content vector.
func (m *factorRun) memeVectors(ctx context.Context, ids []int64, sums map[string]*wordSum) (map[int64][]float32, map[int64]int, error) {
	rows, err := m.tx.Query(ctx, `SELECT meme_id, vec, reactions FROM meme_factors WHERE meme_id = ANY($1)`, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("read meme vectors: %w", err)
	}
	vecs, counts := map[int64][]float32{}, map[int64]int{}
	for rows.Next() {
		var id int64
		var b []byte
		var n int
		if err := rows.Scan(&id, &b, &n); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("read meme vectors: %w", err)
		}
		vecs[id], counts[id] = decodeVec(b), n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read meme vectors: %w", err)
	}
	var missing []int64
	for _, id := range ids {
		if _, ok := vecs[id]; !ok {
			missing = append(missing, id)
		}
	}
	words, err := m.texts(ctx, "AND m.id = ANY($1)", missing)
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
		if _, ok := people[r.user]; !ok {
			need[r.user] = true
		}
	}
	rows, err := m.tx.Query(ctx, `SELECT user_id, vec FROM user_factors WHERE user_id = ANY($1)`, slices.Collect(maps.Keys(need)))
	if err != nil {
		return fmt.Errorf("read user vectors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return fmt.Errorf("read user vectors: %w", err)
		}
		people[id] = decodeVec(b)
	}
	return rows.Err()
}
