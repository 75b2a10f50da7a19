package recommend

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

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
	err := f.store.PgxTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		var from, until, rebuiltAt time.Time
		var rebuiltFrom, folded int64
		var meanLike float32
		err := tx.QueryRow(ctx, `
SELECT w.processed_until, clock_timestamp() - make_interval(secs => $1), m.rebuilt_at, m.rebuilt_from, m.folded_since, m.mean_like
FROM stats_watermarks w, factor_model m WHERE w.name = 'factors' FOR UPDATE OF w`, f.Lag.Seconds()).
			Scan(&from, &until, &rebuiltAt, &rebuiltFrom, &folded, &meanLike)
		if err != nil {
			return fmt.Errorf("watermark: %w", err)
		}
		if !until.After(from) {
			return nil
		}
		m := &factorRun{tx: tx, until: until, meanLike: meanLike}
		if !full {
			var fresh int64
			err := tx.QueryRow(ctx, `SELECT count(*) FROM reactions WHERE reacted_at > $1 AND reacted_at <= $2`, from, until).Scan(&fresh)
			if err != nil {
				return fmt.Errorf("count new reactions: %w", err)
			}
			full = folded+fresh > max(rebuiltFrom, f.MinRebuild) || until.Sub(rebuiltAt) > f.FullEvery
		}
		if !full {
			if res, err = m.fold(ctx, from); err != nil {
				return err
			}
			folded += int64(res.Reactions)
		} else {
			if res, err = m.rebuild(ctx, f.Iterations); err != nil {
				return err
			}
			rebuiltAt, rebuiltFrom, folded = until, int64(res.Reactions), 0
		}
		_, err = tx.Exec(ctx, `UPDATE factor_model SET rebuilt_at = $1, rebuilt_from = $2, folded_since = $3, mean_like = $4`,
			rebuiltAt, rebuiltFrom, folded, m.meanLike)
		if err != nil {
			return fmt.Errorf("model state: %w", err)
		}
		_, err = tx.Exec(ctx, `UPDATE stats_watermarks SET processed_until = $1, updated_at = now() WHERE name = 'factors'`, until)
		if err != nil {
			return fmt.Errorf("advance watermark: %w", err)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("factors: run: %w", err)
	}
	return res, nil
}

// factorRun is one run's working set.
type factorRun struct {
	tx       pgx.Tx
	until    time.Time
	meanLike float32 // the bias of a meme nothing is known of
}

// reaction is one like or dislike as the job reads it.
type reaction struct {
	user, meme int64
	like       bool
}

// reactionsSQL reads likes and dislikes up to the run's end; approval likes
// (an uploader's and a moderator's) say nothing of taste.
const reactionsSQL = `
SELECT r.user_id, r.meme_id, r.reaction = 1 FROM reactions r JOIN memes m ON m.id = r.meme_id AND m.status = 'ok'
WHERE r.reaction IS NOT NULL AND r.reacted_at <= $1 AND r.engine <> '` + storage.EngineApprovalLike + `' `

func (m *factorRun) reactions(ctx context.Context, where string, args ...any) ([]reaction, error) {
	rows, err := m.tx.Query(ctx, reactionsSQL+where, append([]any{m.until}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read reactions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (reaction, error) {
		var x reaction
		return x, r.Scan(&x.user, &x.meme, &x.like)
	})
	if err != nil {
		return nil, fmt.Errorf("read reactions: %w", err)
	}
	return out, nil
}

// memeTextSQL is what a meme says (OCR text, caption, vision description),
// then its source: two columns, for memeWords.
const memeTextSQL = memeSaysSQL + `, m.source_id`

// memeSaysSQL is the text of memeTextSQL alone.
const memeSaysSQL = `m.ocr_text || ' ' || m.caption || ' ' || coalesce(m.description ->> 'text', '') || ' ' || coalesce(m.description ->> 'description', '')`

// texts reads the words of the approved memes the condition selects.
func (m *factorRun) texts(ctx context.Context, where string, args ...any) (map[int64][]string, error) {
	rows, err := m.tx.Query(ctx, `SELECT m.id, `+memeTextSQL+` FROM memes m WHERE m.status = 'ok' `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read meme texts: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var text string
		var source *int64
		if err := rows.Scan(&id, &text, &source); err != nil {
			return nil, fmt.Errorf("read meme texts: %w", err)
		}
		out[id] = memeWords(text, source)
	}
	return out, rows.Err()
}

// rebuild solves the whole model again from every reaction.
func (m *factorRun) rebuild(ctx context.Context, iterations int) (FactorsResult, error) {
	all, err := m.reactions(ctx, "")
	if err != nil {
		return FactorsResult{}, err
	}
	words, err := m.texts(ctx, "")
	if err != nil {
		return FactorsResult{}, err
	}
	memeIDs := make([]int64, 0, len(words))
	memeIdx := make(map[int64]int32, len(words))
	for id := range words {
		memeIdx[id] = int32(len(memeIDs))
		memeIDs = append(memeIDs, id)
	}
	var userIDs []int64
	userIdx := map[int64]int32{}
	var byUser, byMeme [][]rated
	byMeme = make([][]rated, len(memeIDs))
	likes := 0
	for _, r := range all {
		mi, ok := memeIdx[r.meme]
		if !ok {
			continue
		}
		ui, ok := userIdx[r.user]
		if !ok {
			ui = int32(len(userIDs))
			userIdx[r.user] = ui
			userIDs = append(userIDs, r.user)
			byUser = append(byUser, nil)
		}
		byUser[ui] = append(byUser[ui], rated{mi, r.like})
		byMeme[mi] = append(byMeme[mi], rated{ui, r.like})
		if r.like {
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
	if _, err := m.tx.Exec(ctx, `TRUNCATE meme_factors, user_factors, word_factors`); err != nil {
		return FactorsResult{}, fmt.Errorf("clear model: %w", err)
	}
	counts := make([]int, len(memeIDs))
	for i := range counts {
		counts[i] = len(byMeme[i])
	}
	if err := m.writeMemes(ctx, memeIDs, memeVecs, counts); err != nil {
		return FactorsResult{}, err
	}
	if err := m.writeUsers(ctx, userIDs, userVecs); err != nil {
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

func (m *factorRun) writeMemes(ctx context.Context, ids []int64, vecs [][]float32, reactions []int) error {
	enc := make([][]byte, len(vecs))
	for i, v := range vecs {
		enc[i] = encodeVec(v)
	}
	_, err := m.tx.Exec(ctx, `
INSERT INTO meme_factors (meme_id, vec, reactions)
SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::int[])
ON CONFLICT (meme_id) DO UPDATE SET vec = EXCLUDED.vec, reactions = EXCLUDED.reactions`, ids, enc, reactions)
	if err != nil {
		return fmt.Errorf("write meme vectors: %w", err)
	}
	return nil
}

func (m *factorRun) writeUsers(ctx context.Context, ids []int64, vecs [][]float32) error {
	enc := make([][]byte, len(vecs))
	for i, v := range vecs {
		enc[i] = encodeVec(v)
	}
	_, err := m.tx.Exec(ctx, `
INSERT INTO user_factors (user_id, vec) SELECT * FROM unnest($1::bigint[], $2::bytea[])
ON CONFLICT (user_id) DO UPDATE SET vec = EXCLUDED.vec`, ids, enc)
	if err != nil {
		return fmt.Errorf("write user vectors: %w", err)
	}
	return nil
}

func (m *factorRun) writeWords(ctx context.Context, sums map[string]*wordSum) error {
	words := make([]string, 0, len(sums))
	enc := make([][]byte, 0, len(sums))
	ns := make([]int, 0, len(sums))
	for w, s := range sums {
		words, enc, ns = append(words, w), append(enc, encodeVec(s.sum)), append(ns, s.n)
	}
	_, err := m.tx.Exec(ctx, `
INSERT INTO word_factors (word, sum, n) SELECT * FROM unnest($1::text[], $2::bytea[], $3::int[])
ON CONFLICT (word) DO UPDATE SET sum = EXCLUDED.sum, n = EXCLUDED.n`, words, enc, ns)
	if err != nil {
		return fmt.Errorf("write word vectors: %w", err)
	}
	return nil
}
