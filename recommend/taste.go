package recommend

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"memebot/storage"
)

// The taste engine learns, per person, which sources they like, and serves
// the best memes of those. A channel is about a few things, so a person's
// likes and dislikes of its memes say how they will take its next ones; and
// sources liked by the same people are about the same things, so a like of
// one source also raises its neighbours (source_colikes, built by the
// colikes job). Each source's like rate for the person is a Beta posterior:
// their own likes and dislikes of it, half of those of its neighbours
// (weighted by how much more often the two are liked together than chance),
// and a prior of two reactions at the person's overall like rate scaled by
// the source's standing. Sources are drawn by Thompson sampling, so one not
// tried yet still gets a turn while the person's favourites take most
// positions; within a source the memes go best first (lr_smoothed).

// tasteSources is how many sources one refill takes its memes from: the
// likeliest ones and one to explore, which gets the positions tasteExplore
// (two of a refill of 15: about 13%).
const tasteSources = 4

var tasteExplore = []int{2, 8}

// tasteHistory is how many of the person's latest reactions the engine reads.
const tasteHistory = 300

// sourceModel is what every refill shares: the servable sources with their
// standing, and each source's neighbours. It is read from PostgreSQL at most
// once per sourceModelTTL.
type sourceModel struct {
	loaded     time.Time
	sources    map[int64]sourceInfo
	neighbours map[int64][]neighbour
	meanRate   float64
}

type sourceInfo struct {
	language string
	rate     float64 // smoothed like rate of its memes over everyone
}

type neighbour struct {
	id     int64
	weight float64 // 1 - 1/lift: 0 when liked together only by chance
}

const sourceModelTTL = time.Minute

// tasteCache holds the shared source model.
type tasteCache struct {
	mu    sync.Mutex
	model *sourceModel
}

// ForgetSources makes the next refill read the source model again (after a
// stats or colikes run, when a simulation's clock outruns the model's TTL).
func (e *Engines) ForgetSources() {
	e.taste.mu.Lock()
	e.taste.model = nil
	e.taste.mu.Unlock()
}

func (e *Engines) sourceModel(ctx context.Context) (*sourceModel, error) {
	e.taste.mu.Lock()
	defer e.taste.mu.Unlock()
	if m := e.taste.model; m != nil && time.Since(m.loaded) < sourceModelTTL {
		return m, nil
	}
	m, err := e.loadSourceModel(ctx)
	if err != nil {
		return nil, err
	}
	e.taste.model = m
	return m, nil
}

func (e *Engines) loadSourceModel(ctx context.Context) (*sourceModel, error) {
	m := &sourceModel{loaded: time.Now(), sources: map[int64]sourceInfo{}, neighbours: map[int64][]neighbour{}}
	rows, err := e.db.Query(ctx, `
SELECT s.id, s.language, COALESCE(ss.likes, 0)::float8, COALESCE(ss.dislikes, 0)::float8
FROM sources s LEFT JOIN source_stats ss ON ss.source_id = s.id
WHERE EXISTS (SELECT 1 FROM meme_stats ms WHERE ms.source_id = s.id AND ms.serving)`)
	if err != nil {
		return nil, fmt.Errorf("recommend: sources: %w", err)
	}
	var likes, all float64
	for rows.Next() {
		var id int64
		var info sourceInfo
		var l, d float64
		if err := rows.Scan(&id, &info.language, &l, &d); err != nil {
			rows.Close()
			return nil, fmt.Errorf("recommend: sources: %w", err)
		}
		info.rate = (l + 1) / (l + d + 2)
		m.sources[id] = info
		likes, all = likes+l, all+l+d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recommend: sources: %w", err)
	}
	m.meanRate = (likes + 1) / (all + 2)
	// lift = how much more often two sources are liked together than if
	// each source's likes were paired at random.
	rows, err = e.db.Query(ctx, `
WITH total AS (SELECT source_id, sum(n)::float8 AS t FROM source_colikes GROUP BY source_id),
everything AS (SELECT sum(t) AS t FROM total),
lifted AS (
    SELECT c.source_id, c.other_id, c.n * e.t / (a.t * b.t) AS lift,
           row_number() OVER (PARTITION BY c.source_id ORDER BY c.n * e.t / (a.t * b.t) DESC) AS rank
    FROM source_colikes c
    JOIN total a ON a.source_id = c.source_id
    JOIN total b ON b.source_id = c.other_id
    CROSS JOIN everything e
    WHERE c.source_id <> c.other_id AND c.n >= 3
)
SELECT source_id, other_id, lift FROM lifted WHERE lift > 1 AND rank <= 20`)
	if err != nil {
		return nil, fmt.Errorf("recommend: source neighbours: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		var lift float64
		if err := rows.Scan(&a, &b, &lift); err != nil {
			return nil, fmt.Errorf("recommend: source neighbours: %w", err)
		}
		m.neighbours[b] = append(m.neighbours[b], neighbour{id: a, weight: 1 - 1/lift})
	}
	return m, rows.Err()
}

// reactionCounts are a person's likes and dislikes of one source's memes.
type reactionCounts struct{ likes, dislikes float64 }

// tasteProfile reads the person's latest reactions by source (uploads under
// source 0). The uploader's own approval like says nothing of taste.
func (e *Engines) tasteProfile(ctx context.Context, userID int64) (map[int64]reactionCounts, error) {
	rows, err := e.db.Query(ctx, `
SELECT COALESCE(m.source_id, 0), count(*) FILTER (WHERE r.reaction = 1)::float8, count(*) FILTER (WHERE r.reaction = 2)::float8
FROM (
    SELECT meme_id, reaction FROM reactions
    WHERE user_id = $1 AND reaction IS NOT NULL AND engine <> $2
    ORDER BY reacted_at DESC LIMIT $3
) r JOIN memes m ON m.id = r.meme_id
GROUP BY 1`, userID, storage.EngineApprovalLike, tasteHistory)
	if err != nil {
		return nil, fmt.Errorf("recommend: taste profile of %d: %w", userID, err)
	}
	defer rows.Close()
	out := map[int64]reactionCounts{}
	for rows.Next() {
		var id int64
		var c reactionCounts
		if err := rows.Scan(&id, &c.likes, &c.dislikes); err != nil {
			return nil, fmt.Errorf("recommend: taste profile of %d: %w", userID, err)
		}
		out[id] = c
	}
	return out, rows.Err()
}

// sourcePosterior is one source's Beta posterior for one person.
type sourcePosterior struct {
	id          int64
	alpha, beta float64
}

// tastePriorStrength is how many reactions the prior counts as, and
// neighbourShare how much a neighbour's reactions count.
const (
	tastePriorStrength = 2
	neighbourShare     = 0.5
)

// posteriors gives every source in the person's languages its Beta posterior.
func (m *sourceModel) posteriors(profile map[int64]reactionCounts, languages []string) []sourcePosterior {
	var likes, all float64
	for _, c := range profile {
		likes, all = likes+c.likes, all+c.likes+c.dislikes
	}
	personal := (likes + 1) / (all + 2)
	var out []sourcePosterior
	for id, info := range m.sources {
		if !slices.Contains(languages, info.language) {
			continue
		}
		mean := min(0.95, max(0.02, personal*info.rate/m.meanRate))
		own := profile[id]
		a := tastePriorStrength*mean + own.likes
		b := tastePriorStrength*(1-mean) + own.dislikes
		for _, n := range m.neighbours[id] {
			c := profile[n.id]
			a += neighbourShare * n.weight * c.likes
			b += neighbourShare * n.weight * c.dislikes
		}
		out = append(out, sourcePosterior{id: id, alpha: a, beta: b})
	}
	slices.SortFunc(out, func(x, y sourcePosterior) int { return int(x.id - y.id) }) // map order must not leak into the draws
	return out
}

// drawSharpness: a source's like rate is drawn as if its evidence were
// three times what it is. Plain Thompson sampling over dozens of sources
// spends most positions on untried ones (the best of many wide draws is
// high); the sharper draw still tries each in turn, less often.
const drawSharpness = 3

func (p sourcePosterior) mean() float64 { return p.alpha / (p.alpha + p.beta) }

func (p sourcePosterior) draw(rng *rand.Rand) float64 {
	return distuv.Beta{Alpha: drawSharpness * p.alpha, Beta: drawSharpness * p.beta, Src: rng}.Rand()
}

// tasteSQL is the best unseen memes of each of the drawn sources.
const tasteSQL = `
SELECT c.source_id, c.meme_id, m.type, m.storage_file_id, m.caption
FROM unnest($5::bigint[]) AS s(id)
CROSS JOIN LATERAL (
    SELECT ms.meme_id, ms.source_id, ms.lr_smoothed
    FROM meme_stats ms
    WHERE ms.serving AND ms.source_id = s.id AND ms.language = ANY($2::text[]) ` + servable + `
    ORDER BY ms.lr_smoothed DESC
    LIMIT $4
) c
JOIN memes m ON m.id = c.meme_id AND m.status = 'ok' AND m.language = ANY($2::text[])
ORDER BY c.source_id, c.lr_smoothed DESC, c.meme_id`

// tasteCandidates serves the best memes of the person's likeliest sources
// (highest posterior means), each position going to the one whose fresh
// draw wins, and gives a few positions (tasteExplore) to one more source:
// the best draw among all the others, so that untried sources and
// neighbours of liked ones get their turn without taking over the refill.
// (Drawing every source and serving the best draws spent most positions
// on untried sources: the best of dozens of wide draws is nearly always
// one of them.)
func (e *Engines) tasteCandidates(ctx context.Context, q Query, exclude []int64) ([]Item, error) {
	model, err := e.sourceModel(ctx)
	if err != nil {
		return nil, err
	}
	profile, err := e.tasteProfile(ctx, q.UserID)
	if err != nil {
		return nil, err
	}
	post := model.posteriors(profile, q.Languages)
	if len(post) == 0 {
		return nil, nil
	}
	slices.SortStableFunc(post, func(a, b sourcePosterior) int { return cmp.Compare(b.mean(), a.mean()) })
	rng := rand.New(rand.NewPCG(seedWord(), uint64(q.UserID)))
	best := post[:min(tasteSources-1, len(post))]
	chosen := slices.Clone(best)
	explore := -1
	if rest := post[len(best):]; len(rest) > 0 {
		k, top := 0, -1.0
		for i, p := range rest {
			if d := p.draw(rng); d > top {
				k, top = i, d
			}
		}
		chosen = append(chosen, rest[k])
		explore = len(chosen) - 1
	}
	ids := make([]int64, len(chosen))
	for i, p := range chosen {
		ids[i] = p.id
	}
	rows, err := e.db.Query(ctx, tasteSQL, q.UserID, q.Languages, exclude, q.Limit, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	pools := map[int64][]Item{}
	for rows.Next() {
		var src int64
		it := Item{Engine: Taste}
		if err := rows.Scan(&src, &it.MemeID, &it.Type, &it.FileID, &it.Caption); err != nil {
			return nil, err
		}
		pools[src] = append(pools[src], it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Item, 0, q.Limit)
	for len(out) < q.Limit {
		pick := -1
		if explore >= 0 && slices.Contains(tasteExplore, len(out)) && len(pools[chosen[explore].id]) > 0 {
			pick = explore
		} else {
			top := -1.0
			for i, p := range chosen[:len(best)] {
				if len(pools[p.id]) == 0 {
					continue
				}
				if d := p.draw(rng); d > top {
					pick, top = i, d
				}
			}
		}
		if pick < 0 && explore >= 0 && len(pools[chosen[explore].id]) > 0 {
			pick = explore
		}
		if pick < 0 {
			break
		}
		id := chosen[pick].id
		out = append(out, pools[id][0])
		pools[id] = pools[id][1:]
	}
	return out, nil
}
