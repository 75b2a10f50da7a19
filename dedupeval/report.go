package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"memebot/media"
)

// entry is an item with what dedup sees of it.
type entry struct {
	Item
	fp   media.Fingerprint
	text string // OCR text
}

// readFunc reads the text on a picture (OCR).
type readFunc func(ctx context.Context, img image.Image) (string, error)

// load decodes and fingerprints every item of the set in dir and reads its
// text with read. With keep, the texts are kept in ocr.json next to the set,
// so a second run with other thresholds costs no OCR.
func load(ctx context.Context, dir string, read readFunc, keep bool) ([]entry, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("manifest (run `go run ./dedupeval build` first): %w", err)
	}
	var man Manifest
	if err := json.Unmarshal(data, &man); err != nil {
		return nil, err
	}
	cachePath := filepath.Join(dir, "ocr.json")
	cache := map[string]string{}
	if b, err := os.ReadFile(cachePath); err == nil && keep {
		_ = json.Unmarshal(b, &cache)
	}
	out := make([]entry, 0, len(man.Items))
	for _, it := range man.Items {
		file, err := os.ReadFile(filepath.Join(dir, it.File))
		if err != nil {
			return nil, err
		}
		img, _, err := media.DecodeImage(file, media.DefaultLimits())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", it.File, err)
		}
		e := entry{Item: it, fp: media.NewFingerprint(file, img)}
		text, ok := cache[it.File]
		if !ok && read != nil {
			if text, err = read(ctx, img); err != nil {
				return nil, fmt.Errorf("ocr %s: %w", it.File, err)
			}
			cache[it.File] = text
		}
		e.text = text
		out = append(out, e)
	}
	if read != nil && keep {
		b, _ := json.MarshalIndent(cache, "", " ")
		if err := os.WriteFile(cachePath, b, 0o644); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rule decides whether query repeats stored (duplicate), or may (suspect:
// the pipeline sends it to moderators beside stored).
type rule func(query, stored *entry) (duplicate, suspect bool)

var rules = map[string]rule{
	// picture: the fingerprint comparison alone (the rule before texts were compared).
	"picture": func(q, s *entry) (bool, bool) { return media.Compare(q.fp, s.fp).Duplicate, false },
	// text: the picture, then the texts or the lettering (media.CompareMemes, as the pipeline decides).
	"text": func(q, s *entry) (bool, bool) {
		v := media.CompareMemes(q.fp, s.fp, q.text, s.text)
		return v.Duplicate, v.Suspect
	},
	// phash10: a plain pHash threshold, for comparison.
	"phash10": func(q, s *entry) (bool, bool) { return q.fp.PHashDistance(s.fp) <= 10, false },
}

// outcome is what the evaluation found for one query.
type outcome struct {
	query   *entry
	match   *entry // the original it was called a duplicate of, or nil
	suspect *entry // with no match: the original it was sent to moderators beside, or nil
	took    time.Duration
}

// evaluate indexes the originals and looks every other item up the way the
// pipeline does (index candidates, nearest first, first duplicate wins).
// Each original is also looked up among the others (unrelated pairs).
func evaluate(entries []entry, decide rule) []outcome {
	index := media.NewIndex(len(entries))
	byID := map[int64]*entry{}
	for i := range entries {
		if entries[i].Kind == KindOriginal {
			index.Add(int64(i), entries[i].fp)
			byID[int64(i)] = &entries[i]
		}
	}
	var out []outcome
	for i := range entries {
		q := &entries[i]
		if q.Kind == KindOriginal {
			index.Remove(int64(i))
		}
		start := time.Now()
		var match, suspect *entry
		for _, c := range index.Candidates(q.fp, 32) {
			s := byID[c.ID]
			dup, sus := decide(q, s)
			if dup {
				match = s
				break
			}
			if sus && suspect == nil {
				suspect = s
			}
		}
		if match != nil {
			suspect = nil
		}
		out = append(out, outcome{query: q, match: match, suspect: suspect, took: time.Since(start)})
		if q.Kind == KindOriginal {
			index.Add(int64(i), q.fp)
		}
	}
	return out
}

// tally counts the queries of one kind: hit were called duplicates,
// suspect sent to moderators as suspected duplicates.
type tally struct{ hit, suspect, total int }

// group names the row a query is counted in: its transformation or kind,
// prefixed by its source when it is not a photograph.
func group(q *entry) string {
	var k string
	switch q.Kind {
	case KindRepost:
		k = q.Transform
	case KindTemplate:
		k = "template:" + q.Transform
	case KindOtherPicture:
		k = "other picture, same text"
	default:
		k = "unrelated"
	}
	if q.Source != "" {
		k = q.Source + " " + k
	}
	return k
}

func (m tallies) of(k string) *tally {
	t := m[k]
	if t == nil {
		t = &tally{}
		m[k] = t
	}
	return t
}

type tallies map[string]*tally

// printReport writes recall per transformation, false duplicates per kind
// and the lookup time.
func printReport(w io.Writer, name string, outs []outcome, verbose bool) (recall float64, falseDups int) {
	reposts, falses := tallies{}, tallies{}
	var times []time.Duration
	var allHit, all int
	byFile := map[string]*entry{}
	for _, o := range outs {
		byFile[o.query.File] = o.query
	}
	for _, o := range outs {
		times = append(times, o.took)
		q := o.query
		switch q.Kind {
		case KindRepost:
			t := reposts.of(group(q))
			t.total++
			all++
			switch {
			case o.match != nil && o.match.File == q.Of:
				t.hit++
				allHit++
			case o.match == nil:
				if o.suspect != nil && o.suspect.File == q.Of {
					t.suspect++
				}
				if verbose {
					s := byFile[q.Of]
					fmt.Fprintf(w, "  missed %s: %v\n", q.File, media.CompareMemes(q.fp, s.fp, q.text, s.text))
				}
			default:
				falseDups++
				fmt.Fprintf(w, "  WRONG %s -> %s\n", q.File, o.match.File)
			}
		default:
			t := falses.of(group(q))
			t.total++
			if o.suspect != nil {
				t.suspect++
			}
			if o.match != nil {
				t.hit++
				falseDups++
				s := o.match
				fmt.Fprintf(w, "  FALSE %s -> %s (texts %q / %q): %v\n", q.File, s.File, oneLine(q.text), oneLine(s.text), media.CompareMemes(q.fp, s.fp, q.text, s.text))
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "rule %s\ttransformation\tcaught\tto moderators\n", name)
	for _, k := range sortedKeys(reposts) {
		t := reposts[k]
		fmt.Fprintf(tw, "\t%s\t%d/%d\t%d\n", k, t.hit, t.total, t.suspect)
	}
	recall = float64(allHit) / float64(max(all, 1))
	fmt.Fprintf(tw, "\trecall\t%d/%d (%.1f%%)\t\n", allHit, all, 100*recall)
	for _, k := range sortedKeys(falses) {
		t := falses[k]
		fmt.Fprintf(tw, "\tfalse duplicates, %s\t%d/%d\t%d\n", k, t.hit, t.total, t.suspect)
	}
	slices.Sort(times)
	fmt.Fprintf(tw, "\tlookup+compare per upload (%d originals indexed)\tp50 %s, p95 %s\n",
		len(outs)-all-count(outs, KindTemplate), times[len(times)/2].Round(time.Microsecond), times[len(times)*95/100].Round(time.Microsecond))
	tw.Flush()
	return recall, falseDups
}

func count(outs []outcome, kind string) int {
	n := 0
	for _, o := range outs {
		if o.query.Kind == kind {
			n++
		}
	}
	return n
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
