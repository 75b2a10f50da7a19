package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"memebot/media"
	"memebot/storage"
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

func newGenerator(ctx context.Context, bulk *storage.BulkLoad, opts Options) (*generator, error) {
	g := &generator{opts: opts, rng: rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed)), now: time.Now().UTC()}
	free, err := bulk.FreeIDs(ctx, UserIDBase)
	if err != nil {
		return nil, err
	}
	g.userBase, g.memeBase, g.srcBase = free.User, free.Meme, free.Source
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

func (g *generator) copyUsers(ctx context.Context, bulk *storage.BulkLoad) error {
	users := make([]storage.LoadUser, g.opts.Users)
	for i := range users {
		role := "user"
		if i%1000 == 999 {
			role = "moderator"
		}
		users[i] = storage.LoadUser{ID: g.userBase + int64(i), Username: fmt.Sprintf("seed_user_%d", i), FirstName: "Seed",
			Languages: userLangSets[g.userLangs[i]], Role: role, LastActiveAt: g.userEnd[i],
			CreatedAt: g.userEnd[i].Add(-time.Duration(g.userCount[i]+10) * time.Minute)}
	}
	return bulk.CopyUsers(ctx, users)
}

func (g *generator) copySources(ctx context.Context, bulk *storage.BulkLoad) error {
	platforms := []string{"telegram", "telegram", "vk", "instagram"}
	sources := make([]storage.LoadSource, g.nSources)
	for i := range sources {
		sources[i] = storage.LoadSource{ID: g.srcBase + int64(i), Platform: platforms[i%len(platforms)],
			Handle: fmt.Sprintf("seed_%d_%d", g.opts.Seed, i), Language: memeLanguages[g.srcLang[i]]}
	}
	return bulk.CopySources(ctx, sources)
}

// copyMemes loads the memes with their stats and search rows.
func (g *generator) copyMemes(ctx context.Context, bulk *storage.BulkLoad) error {
	photo := media.Photo
	types := []media.Kind{photo, photo, photo, photo, photo, photo, photo, photo, media.Video, media.Animation}
	span := 180 * 24 * time.Hour
	i := 0
	texts := newTextWriter(g.opts.Seed)
	return bulk.CopyMemes(ctx, g.memeBase, func() (storage.LoadMeme, bool) {
		if i == g.opts.Memes {
			return storage.LoadMeme{}, false
		}
		id := g.memeBase + int64(i)
		m := storage.LoadMeme{ID: id, SourceID: g.srcBase + int64(g.memeSrc[i]), Kind: types[i%len(types)],
			Language: memeLanguages[g.memeLang[i]], FileID: fmt.Sprintf("seed-file-%d", id),
			CreatedAt: g.now.Add(-span + time.Duration(float64(span)*float64(i)/float64(g.opts.Memes))),
			Text:      texts.text(memeLanguages[g.memeLang[i]])}
		if g.memeUp[i] > 0 {
			uploader := g.userBase + int64(g.memeUp[i]-1)
			m.UploaderID = &uploader
		}
		i++
		return m, true
	})
}
