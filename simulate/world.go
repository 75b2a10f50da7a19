// Package simulate measures how much of each person's taste the feed
// captures. It builds a synthetic world with planted tastes (memes with
// hidden topics and quality, sources with topic profiles, users with
// favourite topics), drives the real feed through it (the engines' SQL on
// PostgreSQL, the stats job, the refill job, per-user Redis queues, the
// press path) on a virtual clock, and compares what the feed served with two
// references on the same world at the same moments: a random choice among
// the memes the user could be served, and an oracle that knows every true
// like probability.
package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Params describe one world and how people move through it. Every field is
// a flag of `memebot simulate`.
type Params struct {
	Name            string
	Seed            uint64
	Topics          int           // K hidden topics
	Users           int           // people who use the feed
	Memes           int           // approved memes at the start
	Sources         int           // channels; their memes inherit the channel's topic profile
	UploadShare     float64       // share of memes uploaded by users (random topics)
	Uploaders       int           // users who upload
	FavTopics       int           // favourite topics per user
	TasteStrength   float64       // weight of a favourite topic in the like logit
	QualityTaste    float64       // largest weight a user gives to a meme's quality
	Bias            float64       // the like logit's constant
	Noise           float64       // sd of the per user-meme part of the like logit
	TopicNoise      float64       // chance a channel's meme takes a random topic instead of the channel's
	TextSignal      float64       // share of a meme's words drawn from its topics' vocabularies (the rest are noise words)
	Skip            float64       // largest per-user chance of leaving at a meme without pressing
	MinSeen         int           // memes a user plans to see over the run, log-uniform in [MinSeen, MaxSeen]
	MaxSeen         int           //
	SessionMean     int           // memes per session (geometric)
	SessionGap      time.Duration // mean time between a user's sessions (exponential)
	JoinOver        time.Duration // users join uniformly over this much virtual time
	ArrivalsPerHour float64       // new approved memes a virtual hour
	PressEvery      time.Duration // a person's time per meme
	StatsEvery      time.Duration // stats job cadence
	ModelEvery      time.Duration // collaborative model job cadence
	RefillEvery     time.Duration // ahead-of-time refill job cadence
	QueueTTL        time.Duration // a queue untouched this long is gone
}

// DefaultParams is the quick world.
func DefaultParams() Params {
	return Params{
		Name: "default", Seed: 1, Topics: 8, Users: 2000, Memes: 20000, Sources: 40,
		UploadShare: 0.3, Uploaders: 100, FavTopics: 2, TasteStrength: 3, QualityTaste: 1,
		Bias: -2, Noise: 0.5, TopicNoise: 0.15, TextSignal: 0.4, Skip: 0.05,
		MinSeen: 10, MaxSeen: 300, SessionMean: 25, SessionGap: 2 * time.Hour, JoinOver: 12 * time.Hour,
		ArrivalsPerHour: 40, PressEvery: 5 * time.Second,
		StatsEvery: 15 * time.Minute, ModelEvery: 15 * time.Minute, RefillEvery: 2 * time.Minute,
		QueueTTL: time.Hour,
	}
}

// Validate reports a world that cannot be built.
func (p Params) Validate() error {
	switch {
	case p.Topics < 1 || p.Users < 1 || p.Memes < 1 || p.Sources < 1:
		return fmt.Errorf("simulate: topics, users, memes and sources must be positive")
	case p.FavTopics < 1 || p.FavTopics > p.Topics:
		return fmt.Errorf("simulate: favourite topics must be within 1..topics")
	case p.Uploaders < 1 || p.Uploaders > p.Users:
		return fmt.Errorf("simulate: uploaders must be within 1..users")
	case p.MinSeen < 1 || p.MaxSeen < p.MinSeen:
		return fmt.Errorf("simulate: need 1 <= min-seen <= max-seen")
	case p.UploadShare < 0 || p.UploadShare > 1 || p.Skip < 0 || p.Skip >= 1 || p.TopicNoise < 0 || p.TopicNoise > 1 ||
		p.TextSignal < 0 || p.TextSignal > 1:
		return fmt.Errorf("simulate: shares and chances must be within 0..1")
	case p.PressEvery <= 0 || p.SessionMean < 1:
		return fmt.Errorf("simulate: press-every and session must be positive")
	}
	return nil
}

// Languages of the world: memes are in one, users read one or both.
var (
	languages    = []string{"en", "ru"}
	langShare    = []float64{0.7, 0.3}
	userLangSets = [][]int{{0}, {1}, {0, 1}}
	userLangMix  = []float64{0.6, 0.2, 0.2}
)

// topicWeight is one topic of a meme's sparse mix.
type topicWeight struct {
	topic  int
	weight float32
}

// Meme is a meme of the world with what only the world knows.
type Meme struct {
	ID       int64 // memes.id once stored
	Topics   []topicWeight
	Quality  float32
	Lang     int
	Source   int // index into World.Sources, or -1 for an upload
	Uploader int // index into World.Users for an upload, else -1
	Arrival  time.Duration
	Text     string // what the meme says (its OCR text): words of its topics and noise words
}

// Source is a channel with a topic profile.
type Source struct {
	ID      int64
	Lang    int
	Profile []topicWeight
}

// User is a person with a planted taste.
type User struct {
	ID      int64
	Taste   []float32 // per topic
	Quality float32
	Langs   []int
	Skip    float64
	Planned int           // memes they will see at most
	Join    time.Duration // first session
}

// World is everything generated for one run.
type World struct {
	P       Params
	Sources []Source
	Memes   []Meme // initial memes first, then arrivals in arrival order
	Users   []User
	Initial int // how many memes exist at the start
}

// NewWorld generates a world; the same Params give the same world.
func NewWorld(p Params) *World {
	rng := rand.New(rand.NewPCG(p.Seed, 0x5eed))
	w := &World{P: p, Initial: p.Memes}
	for range p.Sources {
		w.Sources = append(w.Sources, Source{Lang: pick(rng, langShare), Profile: sparseMix(rng, p.Topics, 1+rng.IntN(2))})
	}
	for i := range p.Users {
		u := User{ID: int64(i + 1), Taste: make([]float32, p.Topics), Quality: float32(rng.Float64() * p.QualityTaste),
			Langs: userLangSets[pick(rng, userLangMix)], Skip: rng.Float64() * p.Skip,
			Planned: logUniform(rng, p.MinSeen, p.MaxSeen), Join: time.Duration(rng.Float64() * float64(p.JoinOver))}
		for t := range u.Taste {
			u.Taste[t] = float32(rng.NormFloat64() * 0.3)
		}
		for _, t := range rng.Perm(p.Topics)[:p.FavTopics] {
			u.Taste[t] = float32(p.TasteStrength)
		}
		w.Users = append(w.Users, u)
	}
	for range p.Memes {
		w.Memes = append(w.Memes, w.newMeme(rng, 0))
	}
	// Arrivals over the whole run: users join over JoinOver and keep coming
	// back for a while after; arrivals continue as long as anyone may press.
	horizon := w.Horizon()
	for t := time.Duration(0); p.ArrivalsPerHour > 0; {
		t += time.Duration(rng.ExpFloat64() / p.ArrivalsPerHour * float64(time.Hour))
		if t >= horizon {
			break
		}
		w.Memes = append(w.Memes, w.newMeme(rng, t))
	}
	// The text comes from a stream of its own, so that a world's tastes,
	// topics and arrivals do not depend on it.
	textRng := rand.New(rand.NewPCG(p.Seed, 0x7e47))
	for i := range w.Memes {
		w.Memes[i].Text = w.text(textRng, &w.Memes[i])
	}
	return w
}

// Horizon is how long the run lasts at most in virtual time.
func (w *World) Horizon() time.Duration {
	p := w.P
	sessions := float64(p.MaxSeen)/float64(p.SessionMean) + 1
	return p.JoinOver + time.Duration(sessions*float64(p.SessionGap)) + time.Duration(p.MaxSeen)*p.PressEvery
}

func (w *World) newMeme(rng *rand.Rand, at time.Duration) Meme {
	p := w.P
	m := Meme{Quality: float32(rng.NormFloat64()), Source: -1, Uploader: -1, Arrival: at}
	if rng.Float64() < p.UploadShare {
		m.Uploader = rng.IntN(p.Uploaders)
		u := w.Users[m.Uploader]
		m.Lang = u.Langs[rng.IntN(len(u.Langs))]
		m.Topics = sparseMix(rng, p.Topics, 1+rng.IntN(2))
		return m
	}
	m.Source = rng.IntN(len(w.Sources))
	s := w.Sources[m.Source]
	m.Lang = s.Lang
	// The channel's profile, one topic drawn from it by weight (a meme is
	// mostly about one thing), sometimes a stray topic instead, sometimes a
	// second topic of the channel mixed in.
	main := s.Profile[pickWeighted(rng, s.Profile)].topic
	if rng.Float64() < p.TopicNoise {
		main = rng.IntN(p.Topics)
	}
	m.Topics = []topicWeight{{main, 1}}
	if len(s.Profile) > 1 && rng.Float64() < 0.3 {
		other := s.Profile[rng.IntN(len(s.Profile))].topic
		if other != main {
			m.Topics = []topicWeight{{main, 0.7}, {other, 0.3}}
		}
	}
	return m
}

// LikeProb is the true probability that user u likes meme m.
func (w *World) LikeProb(u, m int) float64 {
	return 1 / (1 + math.Exp(-w.logit(u, m)-w.P.Noise*pairNoise(w.P.Seed, u, m)))
}

// logit is the part of the like logit that the person's taste and the
// meme's topics and quality explain: all but the per-pair noise, which no
// recommender can learn before the person sees the meme.
func (w *World) logit(u, m int) float64 {
	user, meme := &w.Users[u], &w.Memes[m]
	x := w.P.Bias + float64(user.Quality*meme.Quality)
	for _, tw := range meme.Topics {
		x += float64(user.Taste[tw.topic] * tw.weight)
	}
	return x
}

// Reads says whether the user reads the meme's language.
func (w *World) Reads(u, m int) bool {
	for _, l := range w.Users[u].Langs {
		if l == w.Memes[m].Lang {
			return true
		}
	}
	return false
}

// pairNoise is a standard normal value fixed for a (user, meme) pair
// (Box-Muller over two splitmix64 draws).
func pairNoise(seed uint64, u, m int) float64 {
	x := seed ^ uint64(u)<<32 ^ uint64(m)
	a, b := splitmix(&x), splitmix(&x)
	u1 := (float64(a>>11) + 0.5) / (1 << 53)
	u2 := float64(b>>11) / (1 << 53)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

func splitmix(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// sparseMix is a mix of n distinct topics with random weights summing to 1.
func sparseMix(rng *rand.Rand, k, n int) []topicWeight {
	n = min(n, k)
	out := make([]topicWeight, 0, n)
	var sum float32
	for _, t := range rng.Perm(k)[:n] {
		wgt := float32(0.2 + rng.Float64())
		out = append(out, topicWeight{t, wgt})
		sum += wgt
	}
	for i := range out {
		out[i].weight /= sum
	}
	return out
}

func pick(rng *rand.Rand, shares []float64) int {
	x := rng.Float64()
	for i, s := range shares {
		if x -= s; x < 0 {
			return i
		}
	}
	return len(shares) - 1
}

func pickWeighted(rng *rand.Rand, mix []topicWeight) int {
	x := rng.Float32()
	for i, tw := range mix {
		if x -= tw.weight; x < 0 {
			return i
		}
	}
	return len(mix) - 1
}

func logUniform(rng *rand.Rand, lo, hi int) int {
	if lo == hi {
		return lo
	}
	return int(math.Round(math.Exp(math.Log(float64(lo)) + rng.Float64()*(math.Log(float64(hi))-math.Log(float64(lo))))))
}

// Vocabularies of the world's texts, per language: each topic has its own
// words, and everything shares the noise words. Within a vocabulary a few
// words are common and most are rare (the square of a uniform draw), as in
// real captions.
const (
	topicVocabulary = 40
	noiseVocabulary = 2000
)

// text is what a meme says: 3-10 words, each from the vocabulary of one of
// its topics (drawn by weight) with chance TextSignal, else a noise word.
// Engines see only this text, never the topics.
func (w *World) text(rng *rand.Rand, m *Meme) string {
	n := 3 + rng.IntN(8)
	words := make([]string, n)
	for i := range words {
		if rng.Float64() < w.P.TextSignal {
			t := m.Topics[pickWeighted(rng, m.Topics)].topic
			words[i] = pseudoWord(m.Lang, t*topicVocabulary+int(topicVocabulary*math.Pow(rng.Float64(), 2)))
		} else {
			words[i] = pseudoWord(m.Lang, w.P.Topics*topicVocabulary+int(noiseVocabulary*math.Pow(rng.Float64(), 2)))
		}
	}
	return strings.Join(words, " ")
}

var syllables = [][]string{
	{"ba", "ko", "ri", "tu", "me", "sa", "lo", "ni", "da", "pe", "gu", "fi", "zo", "ha", "ve", "ju"},
	{"ба", "ко", "ри", "ту", "ме", "са", "ло", "ни", "да", "пе", "гу", "фи", "зо", "ха", "ве", "жу"},
}

// pseudoWord is the word number id of a language: its base-16 digits (at
// least three), each a syllable, shifted by position so that words do not
// all start alike.
func pseudoWord(lang, id int) string {
	var b strings.Builder
	syl := syllables[lang]
	for i := 0; i < 3 || id > 0; i++ {
		b.WriteString(syl[(id%len(syl)+7*i)%len(syl)])
		id /= len(syl)
	}
	return b.String()
}
