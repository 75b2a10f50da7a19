// Package ocr reads meme text with Tesseract (through gosseract) in English
// and Russian. It is the only cgo part of moderation: the moderation package
// sees it through the moderation.TextReader interface.
//
// Tesseract is built with OpenMP on Debian and spawns a thread team per
// recognition unless OMP_THREAD_LIMIT=1 is in the environment when the
// process starts (libgomp reads it while loading, so setting it from Go is
// too late). Run the bot with OMP_THREAD_LIMIT=1; NewPool logs a warning
// otherwise.
package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/otiai10/gosseract/v2"

	"memebot/moderation"
)

// Config tunes the pool. Zero values take the defaults.
type Config struct {
	// Workers is the number of Tesseract clients, i.e. how many images can
	// be read at once. Default 1.
	Workers int
	// Languages are Tesseract language packs. Default eng+rus.
	Languages []string
	// Width is the width images are scaled to before OCR. Default 720.
	Width int
	// GoodConfidence: a variant that reads text (three letters or more)
	// with at least this mean confidence ends the search; the variants not
	// read yet are skipped. Default 80.
	GoodConfidence float64
	// MinWordConfidence drops words read with less confidence (noise from
	// busy backgrounds). Default 45.
	MinWordConfidence float64
	Logger            *slog.Logger
}

// Defaults for Config.
const (
	DefaultWidth             = 720
	DefaultGoodConfidence    = 80
	DefaultMinWordConfidence = 45
)

// ErrClosed is returned by ReadText after Close.
var ErrClosed = errors.New("ocr: pool closed")

// Pool hands out reusable Tesseract clients. A gosseract.Client is not safe
// for concurrent use and costs ~150 ms to create, so each is created once
// and used by one goroutine at a time. Pool implements moderation.TextReader.
type Pool struct {
	cfg     Config
	clients chan *gosseract.Client
	all     []*gosseract.Client
	once    sync.Once
	done    chan struct{}
}

var _ moderation.TextReader = (*Pool)(nil)

// NewPool creates and warms up cfg.Workers clients, so a missing language
// pack fails here rather than on the first upload.
func NewPool(cfg Config) (*Pool, error) {
	cfg = withDefaults(cfg)
	if os.Getenv("OMP_THREAD_LIMIT") != "1" {
		cfg.Logger.Warn("ocr: OMP_THREAD_LIMIT is not 1; tesseract may start a thread team per image",
			slog.String("OMP_THREAD_LIMIT", os.Getenv("OMP_THREAD_LIMIT")))
	}
	p := &Pool{cfg: cfg, clients: make(chan *gosseract.Client, cfg.Workers), done: make(chan struct{})}
	for range cfg.Workers {
		c, err := newClient(cfg.Languages)
		if err != nil {
			p.closeAll()
			return nil, err
		}
		p.all = append(p.all, c)
		p.clients <- c
	}
	return p, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if len(cfg.Languages) == 0 {
		cfg.Languages = []string{"eng", "rus"}
	}
	if cfg.Width <= 0 {
		cfg.Width = DefaultWidth
	}
	if cfg.GoodConfidence <= 0 {
		cfg.GoodConfidence = DefaultGoodConfidence
	}
	if cfg.MinWordConfidence <= 0 {
		cfg.MinWordConfidence = DefaultMinWordConfidence
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

func newClient(langs []string) (*gosseract.Client, error) {
	c := gosseract.NewClient()
	if err := c.SetLanguage(langs...); err != nil {
		c.Close()
		return nil, fmt.Errorf("ocr: set languages: %w", err)
	}
	// We try inverted variants ourselves; Tesseract's own retry of every
	// low-confidence line inverted doubles the time.
	_ = c.SetVariable("tessedit_do_invert", "0")
	_ = c.SetVariable(gosseract.DEBUG_FILE, os.DevNull)
	blank := image.NewGray(image.Rect(0, 0, 32, 32))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	if err := c.SetImageFromBytes(bmp(blank)); err != nil {
		c.Close()
		return nil, fmt.Errorf("ocr: warm up: %w", err)
	}
	if _, err := c.GetBoundingBoxes(gosseract.RIL_WORD); err != nil {
		c.Close()
		return nil, fmt.Errorf("ocr: init tesseract %s: %w", strings.Join(langs, "+"), err)
	}
	return c, nil
}

// Close frees the clients. Reads in progress finish first.
func (p *Pool) Close() error {
	p.once.Do(func() {
		close(p.done)
		for range p.all {
			c := <-p.clients
			c.Close()
		}
	})
	return nil
}

func (p *Pool) closeAll() {
	for _, c := range p.all {
		c.Close()
	}
}

// ReadText reads the text on img and returns the best reading of its
// preprocessing variants (most confident, most alphabetic text). The
// variants are read most likely first, and a confident reading ends the
// search: a pass costs tens of milliseconds. Empty Text means no text was
// found. It waits for a free client or ctx.
func (p *Pool) ReadText(ctx context.Context, img image.Image) (moderation.OCRText, error) {
	variants := prepare(img, p.cfg.Width)
	var c *gosseract.Client
	select {
	case <-p.done:
		return moderation.OCRText{}, ErrClosed
	case <-ctx.Done():
		return moderation.OCRText{}, fmt.Errorf("ocr: wait for a client: %w", ctx.Err())
	case c = <-p.clients:
	}
	defer func() { p.clients <- c }()

	var best reading
	for _, v := range variants {
		if err := ctx.Err(); err != nil {
			return moderation.OCRText{}, fmt.Errorf("ocr: %w", err)
		}
		r, err := p.recognize(c, v)
		if err != nil {
			return moderation.OCRText{}, err
		}
		if r.score > best.score {
			best = r
		}
		if best.confidence >= p.cfg.GoodConfidence && best.letters >= 3 {
			break
		}
	}
	return moderation.OCRText{Text: best.text, Confidence: best.confidence, Variant: best.variant}, nil
}

func (p *Pool) recognize(c *gosseract.Client, v variant) (reading, error) {
	// The client was initialised when warmed up, so the mode holds (before
	// that, gosseract's initialisation would reset it).
	_ = c.SetPageSegMode(v.layout)
	if err := c.SetImageFromBytes(bmp(v.img)); err != nil {
		return reading{}, fmt.Errorf("ocr: set image: %w", err)
	}
	boxes, err := c.GetBoundingBoxes(gosseract.RIL_WORD)
	if err != nil {
		return reading{}, fmt.Errorf("ocr: recognize: %w", err)
	}
	words := make([]word, 0, len(boxes))
	for _, b := range boxes {
		words = append(words, word{text: b.Word, conf: b.Confidence, box: b.Box})
	}
	r := assemble(words, p.cfg.MinWordConfidence)
	r.text = fixHomoglyphs(r.text)
	r.variant = v.name
	return r, nil
}
