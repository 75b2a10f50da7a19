package main

import (
	"bytes"
	"context"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"memebot/internal/cputime"
	"memebot/media"
	"memebot/moderation/ocr"
)

// TestCommittedSubset runs the evaluation on the small set in testdata (four
// photographs and eight clip arts, an English and a Russian caption in three fonts, reposts
// made by combined transformations, and the same pictures with other text)
// the way the pipeline decides, OCR included: every repost must be found
// and no template called a duplicate. On the busy photograph of cups OCR
// read almost nothing of the thin lettering, whose outlines close in the
// pale rims of the cups around it: its template with another bottom line
// went to moderators beside the original (the lettering differs). Read as
// rows of letters of one fill (moderation/ocr/lines.go), its texts tell
// the template from the original, a new meme like any other. The clip art of a knot on a pale
// ground was missed brightened, cropped with its contrast lowered, and
// re-watermarked and cropped, before its plain ground was trimmed whatever
// its level (media/trim.go); its caption on another drawing is another meme.
// The caption over a bee and over a bird, both small on a plain ground,
// makes the two look alike as pictures: that pair goes to moderators
// (media.drawingChanged), it was a false duplicate. The television on a
// white ground was missed with a white caption bar glued on (resized or
// not): the bar merged with the ground (media.Fingerprint.Views). The
// bicycle cropped through both caption lines, left with two plain sides,
// was missed while a plain ground wanted three. The dead frogs cropped on
// one side had their bottom line read "ОМАЕСТЬЕ А" for "ДОМА ЕСТЬ ЕДА"
// (bigrams 0.79 alike, letters in order 1.0: media.ReadingCoverage) and
// were a new meme; their template with another bottom line stays one. The
// apple's template, whose other bottom line OCR did not read at all, read
// as a part of the original's text and was a false duplicate: a text
// under half the other's on a picture no crop explains goes to moderators;
// since the rows of letters are read, its bottom line is read too, and it
// is a new meme.
// The bee re-watermarked over its drawing's side and cropped changed 3.7%
// of the edge cells (3.5% allowed) and was missed; with the texts agreeing,
// the watermark corner with the most changed cells is left out. The girl
// on white re-watermarked beside her short bottom line had her box widened
// by the watermark: the upload is also read with each watermark corner
// painted as ground. The pale house cropped into the width of its caption
// (on two sides, and with its contrast lowered) kept two plain sides that
// are not opposite and was not trimmed at all: a side plain in its middle,
// crossing the caption lines near its ends, counts towards a plain ground.
// The dark lake darkened by 15% turned its bottom near-black, a band the
// trim took off: the upload is also read whole.
func TestCommittedSubset(t *testing.T) {
	entries := loadSubset(t)
	kinds := map[string]int{}
	for _, o := range evaluate(entries, rules["text"]) {
		q := o.query
		kinds[q.Kind]++
		switch q.File {
		case "animals-bee3_mimooh_01~other_picture.jpg":
			if o.suspect == nil || o.suspect.File != q.Of {
				t.Errorf("%s: not sent to moderators beside %s; read %q", q.File, q.Of, q.text)
			}
		case "plasma-ColorfulCups~template1.jpg", "food-apple_bitten_dan_gerhard_01~template1.jpg":
			if o.suspect != nil {
				t.Errorf("%s: sent to moderators beside %s, not told apart by its text; read %q", q.File, o.suspect.File, q.text)
			}
		}
		switch {
		case q.Kind == KindRepost && (o.match == nil || o.match.File != q.Of):
			t.Errorf("repost %s (%s) not found a duplicate of %s; read %q", q.File, q.Transform, q.Of, q.text)
		case q.Kind != KindRepost && o.match != nil:
			t.Errorf("%s %s called a duplicate of %s; read %q and %q", q.Kind, q.File, o.match.File, q.text, o.match.text)
		}
	}
	if kinds[KindRepost] < 8 || kinds[KindTemplate] < 4 || kinds[KindOriginal] < 2 {
		t.Fatalf("testdata holds too little: %v", kinds)
	}
	var report bytes.Buffer
	recall, falseDups := printReport(&report, "text", evaluate(entries, rules["text"]), false)
	if recall != 1 || falseDups != 0 || !strings.Contains(report.String(), "false duplicates, template:other_text") {
		t.Errorf("report: recall %.2f, %d false duplicates:\n%s", recall, falseDups, report.String())
	}
}

// loadSubset loads the committed subset, its texts read by Tesseract.
func loadSubset(tb testing.TB) []entry {
	tb.Helper()
	pool, err := ocr.NewPool(ocr.Config{})
	if err != nil {
		tb.Fatalf("tesseract: %v", err)
	}
	defer pool.Close()
	read := func(ctx context.Context, img image.Image) (string, error) {
		got, err := pool.ReadText(ctx, img)
		return got.Text, err
	}
	entries, err := load(context.Background(), "testdata", read, false)
	if err != nil {
		tb.Fatal(err)
	}
	return entries
}

// BenchmarkDedupStep times the dedup step of one upload as the pipeline
// runs it, on the committed subset's reposts and templates: the fingerprint
// of the decoded picture, the candidate lookup in an index of a million
// memes (random ones plus the subset's originals) and CompareMemes on the
// candidates, texts included (OCR itself is the checks' cost: it ran before,
// and its text is reused). Run it with -cpu 1; it reports the median and
// 95th percentile per upload.
func BenchmarkDedupStep(b *testing.B) {
	entries := loadSubset(b)
	index := randomIndex(1_000_000)
	byID := map[int64]*entry{}
	var queries []query
	for i := range entries {
		e := &entries[i]
		if e.Kind == KindOriginal {
			index.Add(int64(-1-i), e.fp)
			byID[int64(-1-i)] = e
			continue
		}
		data, err := os.ReadFile(filepath.Join("testdata", e.File))
		if err != nil {
			b.Fatal(err)
		}
		img, _, err := media.DecodeImage(data, media.DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		queries = append(queries, query{e, data, img})
	}
	// Wall time suffers from whatever else the machine runs; the thread's
	// CPU time is the cost on one core.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var took, cpu []time.Duration
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		start, startCPU := time.Now(), cputime.Thread()
		fp := media.NewFingerprint(q.data, q.img)
		for _, c := range index.Candidates(fp, 32) {
			if s, ok := byID[c.ID]; ok && media.CompareMemes(fp, s.fp, q.entry.text, s.text).Duplicate {
				break
			}
		}
		took, cpu = append(took, time.Since(start)), append(cpu, cputime.Thread()-startCPU)
	}
	slices.Sort(took)
	slices.Sort(cpu)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "ms-p95")
	b.ReportMetric(float64(cpu[len(cpu)/2].Microseconds())/1000, "cpu-ms-p50")
	b.ReportMetric(float64(cpu[len(cpu)*95/100].Microseconds())/1000, "cpu-ms-p95")
}

// BenchmarkOCR times the checks' OCR (ocr.Pool.ReadText) of the committed
// subset's memes, real photographs and clip art under real caption fonts,
// one upload after the other. Run it with -cpu 1 and OMP_THREAD_LIMIT=1; it
// reports the thread's CPU time, median and 95th percentile per upload.
func BenchmarkOCR(b *testing.B) {
	pool, err := ocr.NewPool(ocr.Config{})
	if err != nil {
		b.Fatalf("tesseract: %v", err)
	}
	defer pool.Close()
	entries, err := load(context.Background(), "testdata", nil, false)
	if err != nil {
		b.Fatal(err)
	}
	imgs := make([]image.Image, len(entries))
	for i, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata", e.File))
		if err != nil {
			b.Fatal(err)
		}
		if imgs[i], _, err = media.DecodeImage(data, media.DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpu []time.Duration
	i := 0
	for b.Loop() {
		start := cputime.Thread()
		if _, err := pool.ReadText(context.Background(), imgs[i%len(imgs)]); err != nil {
			b.Fatal(err)
		}
		cpu = append(cpu, cputime.Thread()-start)
		i++
	}
	slices.Sort(cpu)
	b.ReportMetric(float64(cpu[len(cpu)/2].Microseconds())/1000, "cpu-ms-p50")
	b.ReportMetric(float64(cpu[len(cpu)*95/100].Microseconds())/1000, "cpu-ms-p95")
}

type query struct {
	entry *entry
	data  []byte
	img   image.Image
}

// randomIndex holds n memes with random fingerprints (ids 1..n).
func randomIndex(n int) *media.Index {
	rng := rand.New(rand.NewPCG(3, 4))
	idx := media.NewIndex(n + 64)
	var fp media.Fingerprint
	for id := 1; id <= n; id++ {
		fp.PHash = rng.Uint64()
		fp.Aspect = float32(0.5 + rng.Float64()*1.5)
		for k := range fp.Tone {
			fp.Tone[k] = uint8(rng.IntN(256))
		}
		idx.Add(int64(id), fp)
	}
	return idx
}
