package seed

import (
	"math/rand/v2"
	"strings"
)

// What the synthetic memes say, as OCR would read it: a few words of the
// meme's language drawn from a Zipf law over a fixed vocabulary, so a text
// search meets what it meets on real memes: a handful of words on a large
// share of memes, a long tail of rare ones.
const (
	vocabSize   = 20000
	zipfS       = 1.1
	minMemeText = 4
	maxMemeText = 14
)

// syllables per language; words are two to four of them.
var syllables = map[string][]string{
	"en": strings.Fields("ba be bi bo ca co da de di do fa fe fi go ha he hi ho ja ka ke ki la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi wa we wi ya yo za"),
	"ru": strings.Fields("ба бе би бо ва ве ви во га го да де ди до жа жи за зе зи ка ке ки ко ла ле ли ло ма ме ми мо на не ни но па пе пи по ра ре ри ро са се си со та те ти то фа фи ха хо ча че ши ща"),
	"es": strings.Fields("ba be bi bo ca ce ci co da de di do fa fe ga ge la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to"),
	"de": strings.Fields("ba be bi bo da de di do fa fe ga ge ha he hi ka ke ki la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta te ti to wa we wi"),
}

// Vocabulary is the ordered word list of a language, most frequent first;
// the same for every seed, so benchmarks can draw queries from it.
func Vocabulary(lang string) []string {
	syl := syllables[lang]
	if syl == nil {
		syl = syllables["en"]
	}
	rng := rand.New(rand.NewPCG(uint64(len(lang)), 0x70ca))
	seen := make(map[string]bool, vocabSize)
	words := make([]string, 0, vocabSize)
	for len(words) < vocabSize {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

// textWriter makes each meme's text; it has its own random stream so the
// rest of the data set is the same with or without it.
type textWriter struct {
	rng   *rand.Rand
	vocab map[string][]string
	zipf  *rand.Zipf
}

func newTextWriter(seed int64) *textWriter {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x0c12))
	w := &textWriter{rng: rng, vocab: map[string][]string{}, zipf: rand.NewZipf(rng, zipfS, 1, vocabSize-1)}
	for _, l := range memeLanguages {
		w.vocab[l] = Vocabulary(l)
	}
	return w
}

// text is one meme's words.
func (w *textWriter) text(lang string) string {
	vocab := w.vocab[lang]
	n := minMemeText + w.rng.IntN(maxMemeText-minMemeText+1)
	words := make([]string, n)
	for i := range words {
		words[i] = vocab[w.zipf.Uint64()]
	}
	return strings.Join(words, " ")
}

// QueryWords draws a search of one to three words the way the memes use them.
func QueryWords(rng *rand.Rand, lang string, vocab []string) string {
	z := rand.NewZipf(rng, zipfS, 1, uint64(len(vocab)-1))
	words := make([]string, 1+rng.IntN(3))
	for i := range words {
		words[i] = vocab[z.Uint64()]
	}
	return strings.Join(words, " ")
}
