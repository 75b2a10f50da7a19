package main

import (
	"bytes"
	"context"
	"image"
	"strings"
	"testing"

	"memebot/moderation/ocr"
)

// TestCommittedSubset runs the evaluation on the small set in testdata (two
// photographs, an English and a Russian caption in two fonts, reposts made
// by combined transformations, and the same pictures with other text) the
// way the pipeline decides, OCR included: every repost must be found and no
// template called a duplicate.
func TestCommittedSubset(t *testing.T) {
	pool, err := ocr.NewPool(ocr.Config{})
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	defer pool.Close()
	read := func(ctx context.Context, img image.Image) (string, error) {
		got, err := pool.ReadText(ctx, img)
		return got.Text, err
	}
	entries, err := load(context.Background(), "testdata", read, false)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, o := range evaluate(entries, rules["text"]) {
		q := o.query
		kinds[q.Kind]++
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
