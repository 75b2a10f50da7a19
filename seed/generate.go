package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"memebot/media"
)

// generator holds the synthetic world: who the users are, what the memes are
// and how much each is liked, decided before anything is written.
type generator struct {
	opts     Options
	rng      *rand.Rand
	now      time.Time
	userBase int64
	memeBase int64
	srcBase  int64

	userLangs []int       // index into userLangSets
	userBias  []float32   // taste: shifts every like probability
	userCount []int32     // reactions to generate
	userEnd   []time.Time // last activity

	srcLang  []int // index into memeLanguages
	memeLang []uint8
	memeSrc  []int32
	memeUp   []int32 // uploader index + 1, 0 for none
	memeQual []float32
	byLang   [][]int32 // meme indexes per language, most popular first
	nSources int
}

func newGenerator(ctx context.Context, conn *pgx.Conn, opts Options) (*generator, error) {
	g := &generator{opts: opts, rng: rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed)), now: time.Now().UTC()}
	err := conn.QueryRow(ctx, `SELECT GREATEST(COALESCE(max(id), 0) + 1, $1) FROM users`, UserIDBase).Scan(&g.userBase)
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT COALESCE(max(id), 0) + 1 FROM memes`).Scan(&g.memeBase)
	}
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT COALESCE(max(id), 0) + 1 FROM sources`).Scan(&g.srcBase)
	}
	if err != nil {
		return nil, fmt.Errorf("id bases: %w", err)
	}
	g.world()
	return g, nil
}

func (g *generator) world() {
	g.nSources = max(5, g.opts.Memes/2000)
	g.srcLang = make([]int, g.nSources)
	for i := range g.srcLang {
		g.srcLang[i] = pick(g.rng, memeLangShare)
	}
	n := g.opts.Memes
	g.memeLang, g.memeSrc, g.memeUp, g.memeQual = make([]uint8, n), make([]int32, n), make([]int32, n), make([]float32, n)
	g.byLang = make([][]int32, len(memeLanguages))
	srcQual := make([]float64, g.nSources)
	for i := range srcQual {
		srcQual[i] = g.rng.NormFloat64() * 0.5
	}
	for i := range n {
		s := g.rng.IntN(g.nSources)
		g.memeSrc[i] = int32(s)
		g.memeLang[i] = uint8(g.srcLang[s])
		g.memeQual[i] = float32(srcQual[s] + g.rng.NormFloat64())
		if g.rng.Float64() < 0.05 {
			g.memeUp[i] = int32(g.rng.IntN(g.opts.Users)) + 1
		}
		g.byLang[g.memeLang[i]] = append(g.byLang[g.memeLang[i]], int32(i))
	}
	for _, l := range g.byLang {
		g.rng.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
	}
	g.users()
}

// users decides each user's languages, taste and activity: a few heavy users
// make most of the reactions (Pareto weights), capped at a quarter of what
// their languages offer.
func (g *generator) users() {
	u := g.opts.Users
	g.userLangs, g.userBias = make([]int, u), make([]float32, u)
	g.userCount, g.userEnd = make([]int32, u), make([]time.Time, u)
	weights, caps := make([]float64, u), make([]float64, u)
	for i := range u {
		g.userLangs[i] = pick(g.rng, userLangShare)
		g.userBias[i] = float32(g.rng.NormFloat64() * 0.6)
		weights[i] = math.Pow(1-g.rng.Float64(), -1/1.2) // Pareto, alpha 1.2
		caps[i] = float64(g.poolSize(i)) / 4
		g.userEnd[i] = g.now.Add(-time.Hour - time.Duration(g.rng.ExpFloat64()*float64(72*time.Hour)))
	}
	target := float64(g.opts.Reactions)
	k := target / sum(weights)
	for range 30 { // find the scale at which the capped counts add up
		var total float64
		for i := range weights {
			total += math.Min(k*weights[i], caps[i])
		}
		if total <= 0 || math.Abs(total-target) < 0.5 {
			break
		}
		k *= target / total
	}
	for i := range weights {
		c := math.Min(k*weights[i], caps[i])
		whole := math.Floor(c)
		if g.rng.Float64() < c-whole {
			whole++
		}
		g.userCount[i] = int32(whole)
	}
}

func (g *generator) poolSize(user int) int {
	n := 0
	for _, l := range userLangSets[g.userLangs[user]] {
		n += len(g.byLang[slices.Index(memeLanguages, l)])
	}
	return n
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

func (g *generator) copyUsers(ctx context.Context, conn *pgx.Conn) error {
	rows := make([][]any, g.opts.Users)
	for i := range rows {
		langs := userLangSets[g.userLangs[i]]
		role := "user"
		if i%1000 == 999 {
			role = "moderator"
		}
		created := g.userEnd[i].Add(-time.Duration(g.userCount[i]+10) * time.Minute)
		rows[i] = []any{g.userBase + int64(i), fmt.Sprintf("seed_user_%d", i), "Seed", langs[0], langs,
			role, g.userEnd[i], created, created}
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"users"},
		[]string{"id", "username", "first_name", "language_code", "languages", "role", "last_active_at", "created_at", "updated_at"},
		pgx.CopyFromRows(rows))
	return err
}

func (g *generator) copySources(ctx context.Context, conn *pgx.Conn) error {
	platforms := []string{"telegram", "telegram", "vk", "instagram"}
	rows := make([][]any, g.nSources)
	for i := range rows {
		p := platforms[i%len(platforms)]
		rows[i] = []any{g.srcBase + int64(i), p, fmt.Sprintf("seed_%d_%d", g.opts.Seed, i), memeLanguages[g.srcLang[i]], "parsing_enabled"}
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"sources"}, []string{"id", "platform", "handle", "language", "status"}, pgx.CopyFromRows(rows))
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('sources', 'id'), (SELECT max(id) FROM sources))`)
	return err
}

// copyMemes loads the memes with triggers off (this session only) and then
// creates their meme_stats rows in one statement.
func (g *generator) copyMemes(ctx context.Context, conn *pgx.Conn) error {
	photo := media.Photo
	types := []media.Kind{photo, photo, photo, photo, photo, photo, photo, photo, media.Video, media.Animation}
	span := 180 * 24 * time.Hour
	i := 0
	texts := newTextWriter(g.opts.Seed)
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == g.opts.Memes {
			return nil, nil
		}
		id := g.memeBase + int64(i)
		var uploader any
		if g.memeUp[i] > 0 {
			uploader = g.userBase + int64(g.memeUp[i]-1)
		}
		created := g.now.Add(-span + time.Duration(float64(span)*float64(i)/float64(g.opts.Memes)))
		row := []any{id, g.srcBase + int64(g.memeSrc[i]), uploader, string(types[i%len(types)]), "ok",
			memeLanguages[g.memeLang[i]], "", fmt.Sprintf("seed-file-%d", id), created, created, created,
			texts.text(memeLanguages[g.memeLang[i]])}
		i++
		return row, nil
	})
	return withReplicationRole(ctx, conn, func() error {
		_, err := conn.CopyFrom(ctx, pgx.Identifier{"memes"}, []string{"id", "source_id", "uploader_id", "type", "status",
			"language", "caption", "storage_file_id", "created_at", "updated_at", "published_at", "ocr_text"}, src)
		if err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('memes', 'id'), (SELECT max(id) FROM memes))`); err != nil {
			return err
		}
		_, err = conn.Exec(ctx, `
INSERT INTO meme_stats (meme_id, serving, language, source_id, uploaded)
SELECT id, status = 'ok', language, source_id, uploader_id IS NOT NULL FROM memes WHERE id >= $1
ON CONFLICT (meme_id) DO NOTHING`, g.memeBase)
		if err != nil {
			return err
		}
		return withoutIndexes(ctx, conn, "meme_search", func() error {
			_, err := conn.Exec(ctx, `
INSERT INTO meme_search (meme_id, doc)
SELECT id, meme_search_doc(ocr_text, caption, description) FROM memes
WHERE id >= $1 AND status = 'ok' AND storage_file_id <> ''
ON CONFLICT (meme_id) DO NOTHING`, g.memeBase)
			return err
		})
	})
}

// withReplicationRole runs fn with triggers and foreign-key checks off for
// this session (superuser only); without the privilege they simply stay on.
func withReplicationRole(ctx context.Context, conn *pgx.Conn, fn func() error) error {
	if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		return fn()
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SET session_replication_role = DEFAULT`)
	return fn()
}
