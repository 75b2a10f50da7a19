package recommend

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"

	"gonum.org/v1/gonum/mat"
)

// The factor model behind the collab and content engines. Every person and
// every meme gets a short vector (FactorDims numbers), and a meme a bias
// too, such that a person's like (1) or dislike (0) of a meme is close to
// the dot product of their vectors plus the meme's bias: people who like
// the same memes end up pointing the same way, and so do memes liked by the
// same people. The vectors are found by alternating least squares over the
// reactions seen (likes and dislikes both say something, so unreacted pairs
// are not treated as dislikes): people's vectors solved with the memes'
// fixed, then the memes' with the people's.
//
// A meme's words pull its vector: every word has a vector, the mean of the
// vectors of the reacted memes that say it, and a meme's "content vector"
// is the mean of its words' vectors. A meme is solved as close to its
// content vector as its reactions allow, so a new meme with no reactions
// starts where memes saying the same things are, and reaches the people
// who like those.

// FactorDims is the length of a person's vector; a meme's has its bias after it.
const FactorDims = 16

// Model constants. The regularisations count as that many reactions: a
// person's vector stays near zero (no taste known) until a few reactions
// say otherwise; a meme's stays near its content vector until a few
// reactions say otherwise.
const (
	userLambda    = 1.0
	memeLambda    = 20.0
	wordMinReacts = 3 // a meme's vector says what its words mean once it has this many reactions
)

// rated is one reaction inside the model: the index of the other side
// (meme or person) and whether it was a like.
type rated struct {
	idx  int32
	like bool
}

func target(like bool) float64 {
	if like {
		return 1
	}
	return 0
}

// solveUser returns the person's vector given their reactions and the
// memes' vectors (each FactorDims+1 long, the bias last).
func solveUser(reacts []rated, memes [][]float32) []float32 {
	a := mat.NewSymDense(FactorDims, nil)
	b := make([]float64, FactorDims)
	for i := range FactorDims {
		a.SetSym(i, i, userLambda)
	}
	y := make([]float64, FactorDims)
	for _, r := range reacts {
		v := memes[r.idx]
		for i := range FactorDims {
			y[i] = float64(v[i])
		}
		a.SymRankOne(a, 1, mat.NewVecDense(FactorDims, y))
		resid := target(r.like) - float64(v[FactorDims])
		for i := range FactorDims {
			b[i] += resid * y[i]
		}
	}
	return solveSym(a, b)
}

// solveMeme returns the meme's vector and bias given its reactions, the
// people's vectors and its content vector (the prior).
func solveMeme(reacts []rated, users [][]float32, prior []float32) []float32 {
	n := FactorDims + 1
	a := mat.NewSymDense(n, nil)
	b := make([]float64, n)
	for i := range n {
		a.SetSym(i, i, memeLambda)
		b[i] = memeLambda * float64(prior[i])
	}
	z := make([]float64, n)
	z[FactorDims] = 1
	for _, r := range reacts {
		v := users[r.idx]
		for i := range FactorDims {
			z[i] = float64(v[i])
		}
		a.SymRankOne(a, 1, mat.NewVecDense(n, z))
		t := target(r.like)
		for i := range n {
			b[i] += t * z[i]
		}
	}
	return solveSym(a, b)
}

// solveSym solves a·x = b for a symmetric positive definite a (the
// regularisation keeps it so).
func solveSym(a *mat.SymDense, b []float64) []float32 {
	var chol mat.Cholesky
	out := make([]float32, len(b))
	if !chol.Factorize(a) {
		return out
	}
	var x mat.VecDense
	if err := chol.SolveVecTo(&x, mat.NewVecDense(len(b), b)); err != nil {
		return out
	}
	for i := range out {
		out[i] = float32(x.AtVec(i))
	}
	return out
}

// score is the model's like estimate of a meme for a person.
func score(user, meme []float32) float64 {
	s := float64(meme[FactorDims])
	for i := range FactorDims {
		s += float64(user[i] * meme[i])
	}
	return s
}

// wordSum is a word's running sum of meme vectors and how many.
type wordSum struct {
	sum []float32
	n   int
}

// add adds (sign 1) or removes (sign -1) a meme's vector.
func (w *wordSum) add(vec []float32, sign float32) {
	if w.sum == nil {
		w.sum = make([]float32, FactorDims+1)
	}
	for i := range w.sum {
		w.sum[i] += sign * vec[i]
	}
	w.n += int(sign)
}

// contentVector is the mean of the vectors of the meme's known words. A
// meme with no known words gets the mean meme (zero factors, the mean bias).
func contentVector(words []string, sums map[string]*wordSum, meanBias float32) []float32 {
	out := make([]float32, FactorDims+1)
	known := 0
	for _, w := range words {
		s := sums[w]
		if s == nil || s.n <= 0 {
			continue
		}
		known++
		for i := range out {
			out[i] += s.sum[i] / float32(s.n)
		}
	}
	if known == 0 {
		out[FactorDims] = meanBias
		return out
	}
	for i := range out {
		out[i] /= float32(known)
	}
	return out
}

// memeWords splits a meme's text into its distinct words (letters and
// digits, lower case, three characters or more), and adds its source as a
// word of its own ("#" and the source's id: no word of a text has a "#"):
// a channel keeps to its topics, so liking its memes says what one likes.
// An upload's uploader is a word too ("@" and their id): people upload what
// they find funny, and a meme that says nothing OCR can read still says who
// sent it.
func memeWords(text string, source, uploader *int64) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len([]rune(w)) >= 3 && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	if source != nil {
		out = append(out, "#"+strconv.FormatInt(*source, 10))
	}
	if uploader != nil {
		out = append(out, "@"+strconv.FormatInt(*uploader, 10))
	}
	return out
}

// randomVector starts a meme with no vector yet off zero, so that the
// first solves can tell memes apart.
func randomVector(rng *rand.Rand, bias float32) []float32 {
	out := make([]float32, FactorDims+1)
	for i := range FactorDims {
		out[i] = float32(rng.NormFloat64() * 0.1)
	}
	out[FactorDims] = bias
	return out
}
