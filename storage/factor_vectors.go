package storage

import (
	"context"
	"fmt"
)

// MemeVector is a meme's vector in the factor model and how many reactions
// it was solved from.
type MemeVector struct {
	Vec       []float32
	Reactions int
}

// MemeVectors reads the vectors of the memes ids that have one, by meme.
func (r *FactorsRun) MemeVectors(ctx context.Context, ids []int64) (map[int64]MemeVector, error) {
	return readMemeVectors(ctx, r.tx, ids)
}

func readMemeVectors(ctx context.Context, q pgxQuerier, ids []int64) (map[int64]MemeVector, error) {
	rows, err := q.Query(ctx, `SELECT meme_id, vec, reactions FROM meme_factors WHERE meme_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read meme vectors: %w", err)
	}
	defer rows.Close()
	out := map[int64]MemeVector{}
	for rows.Next() {
		var id int64
		var b []byte
		var n int
		if err := rows.Scan(&id, &b, &n); err != nil {
			return nil, fmt.Errorf("read meme vectors: %w", err)
		}
		out[id] = MemeVector{Vec: decodeVector(b), Reactions: n}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read meme vectors: %w", err)
	}
	return out, nil
}

// SaveMemeVectors writes the vectors of the memes ids and the reactions
// each was solved from, in one statement.
func (r *FactorsRun) SaveMemeVectors(ctx context.Context, ids []int64, vecs [][]float32, reactions []int) error {
	_, err := r.tx.Exec(ctx, `
INSERT INTO meme_factors (meme_id, vec, reactions)
SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::int[])
ON CONFLICT (meme_id) DO UPDATE SET vec = EXCLUDED.vec, reactions = EXCLUDED.reactions`, ids, encodeVectors(vecs), reactions)
	if err != nil {
		return fmt.Errorf("write meme vectors: %w", err)
	}
	return nil
}

// UserVectors reads the vectors of the people ids that have one, by person.
func (r *FactorsRun) UserVectors(ctx context.Context, ids []int64) (map[int64][]float32, error) {
	rows, err := r.tx.Query(ctx, `SELECT user_id, vec FROM user_factors WHERE user_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read user vectors: %w", err)
	}
	defer rows.Close()
	out := map[int64][]float32{}
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, fmt.Errorf("read user vectors: %w", err)
		}
		out[id] = decodeVector(b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read user vectors: %w", err)
	}
	return out, nil
}

// SaveUserVectors writes the vectors of the people ids, in one statement.
func (r *FactorsRun) SaveUserVectors(ctx context.Context, ids []int64, vecs [][]float32) error {
	_, err := r.tx.Exec(ctx, `
INSERT INTO user_factors (user_id, vec) SELECT * FROM unnest($1::bigint[], $2::bytea[])
ON CONFLICT (user_id) DO UPDATE SET vec = EXCLUDED.vec`, ids, encodeVectors(vecs))
	if err != nil {
		return fmt.Errorf("write user vectors: %w", err)
	}
	return nil
}

// WordSum is the sum of the vectors of the memes that say a word, and how
// many they are.
type WordSum struct {
	Sum []float32
	N   int
}

// WordSums reads every word's sum, by word.
func (r *FactorsRun) WordSums(ctx context.Context) (map[string]WordSum, error) {
	rows, err := r.tx.Query(ctx, `SELECT word, sum, n FROM word_factors`)
	if err != nil {
		return nil, fmt.Errorf("read word vectors: %w", err)
	}
	defer rows.Close()
	out := map[string]WordSum{}
	for rows.Next() {
		var w string
		var b []byte
		var s WordSum
		if err := rows.Scan(&w, &b, &s.N); err != nil {
			return nil, fmt.Errorf("read word vectors: %w", err)
		}
		s.Sum = decodeVector(b)
		out[w] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read word vectors: %w", err)
	}
	return out, nil
}

// SaveWordSums writes the sums of words, in one statement.
func (r *FactorsRun) SaveWordSums(ctx context.Context, sums map[string]WordSum) error {
	words := make([]string, 0, len(sums))
	enc := make([][]byte, 0, len(sums))
	ns := make([]int, 0, len(sums))
	for w, s := range sums {
		words, enc, ns = append(words, w), append(enc, encodeVector(s.Sum)), append(ns, s.N)
	}
	_, err := r.tx.Exec(ctx, `
INSERT INTO word_factors (word, sum, n) SELECT * FROM unnest($1::text[], $2::bytea[], $3::int[])
ON CONFLICT (word) DO UPDATE SET sum = EXCLUDED.sum, n = EXCLUDED.n`, words, enc, ns)
	if err != nil {
		return fmt.Errorf("write word vectors: %w", err)
	}
	return nil
}
