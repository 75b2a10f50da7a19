package storage_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"memebot/seed"
	"memebot/seed/seedtest"
	"memebot/storage"
)

// BenchmarkSearchMemes: inline searches of one to three words drawn the way
// the seeded memes use them (a few words on a large share of memes, a long
// tail), English and Russian, first pages of 50, on the seeded data set
// (MEMEBOT_BENCH_SEED=1: 1M memes with OCR text).
func BenchmarkSearchMemes(b *testing.B) {
	st := seedtest.BigStore(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 7))
	vocab := map[string][]string{"en": seed.Vocabulary("en"), "ru": seed.Vocabulary("ru")}
	langs := []string{"en", "en", "ru"}
	var took []time.Duration
	found := 0
	b.ResetTimer()
	for b.Loop() {
		lang := langs[rng.IntN(len(langs))]
		terms, _ := storage.ParseSearch(seed.QueryWords(rng, lang, vocab[lang]))
		start := time.Now()
		page, err := st.SearchMemes(ctx, terms, "", 50)
		if err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		found += len(page.Hits)
	}
	seedtest.ReportPercentiles(b, took)
	b.ReportMetric(float64(found)/float64(len(took)), "hits/op")
}
