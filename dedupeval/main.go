// Command dedupeval measures the duplicate detection on real photographs
// and clip art made into memes: it builds a set (originals with top and
// bottom captions in English and Russian, in several fonts; their reposts
// made by the transformations the interface promises to catch; the same
// pictures with other text, and for clip art the same text on another clip
// art, which must never be called duplicates) and reports recall per
// transformation, false duplicates and the uploads sent to moderators as
// suspects, as the pipeline would decide them.
//
//	scripts/dedupeval-fetch.sh        # photographs, clip art and fonts from Debian packages into .tmp/dedupeval
//	go run ./dedupeval build          # renders .tmp/dedupeval/set
//	OMP_THREAD_LIMIT=1 go run ./dedupeval report
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"os"
	"strings"

	"memebot/moderation/ocr"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "dedupeval:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 || (args[0] != "build" && args[0] != "report") {
		return fmt.Errorf("usage: dedupeval build|report [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	root := fs.String("dir", ".tmp/dedupeval", "where scripts/dedupeval-fetch.sh put photos/, clipart/ and fonts/")
	set := fs.String("set", "", "the set's folder (default DIR/set)")
	width := fs.Int("width", 1080, "build: width of the originals")
	limit := fs.Int("limit", 0, "build: use at most this many photographs")
	seed := fs.Uint64("seed", 7, "build: seed of the random crops, sides and watermarks (another seed is another set to check a rule on)")
	ruleNames := fs.String("rules", "text,picture", "report: comma-separated rules to evaluate (text: as the pipeline decides; picture: the fingerprints alone; phash10)")
	noOCR := fs.Bool("no-ocr", false, "report: do not read texts (only cached ones are used)")
	verbose := fs.Bool("v", false, "report: list missed reposts")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *set == "" {
		*set = *root + "/set"
	}
	if args[0] == "build" {
		return build(*root, *set, *width, *limit, *seed)
	}
	var read readFunc
	if !*noOCR {
		pool, err := ocr.NewPool(ocr.Config{})
		if err != nil {
			return err
		}
		defer pool.Close()
		read = func(ctx context.Context, img image.Image) (string, error) {
			t, err := pool.ReadText(ctx, img)
			return t.Text, err
		}
	}
	entries, err := load(context.Background(), *set, read, true)
	if err != nil {
		return err
	}
	for _, name := range strings.Split(*ruleNames, ",") {
		decide, ok := rules[name]
		if !ok {
			return fmt.Errorf("unknown rule %q", name)
		}
		printReport(os.Stdout, name, evaluate(entries, decide), *verbose)
	}
	return nil
}
