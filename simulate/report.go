package simulate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"memebot/charts"
)

// Bands of maturity, in memes seen (1-based position of a served meme).
var Bands = []struct {
	Name     string
	From, To int
}{{"1-10", 1, 10}, {"11-30", 11, 30}, {"31-100", 31, 100}, {"101-300", 101, 300}}

// Band is the like rate of one maturity band: the mean true like probability
// of the memes served at those positions by random, the oracle and the feed.
type Band struct {
	Band     string  `json:"band"`
	Random   float64 `json:"random"`
	Oracle   float64 `json:"oracle"`
	Feed     float64 `json:"feed"`
	Captured float64 `json:"captured"` // (feed-random)/(oracle-random)
	// Ceiling is what an oracle blind to the per-pair noise serves: it knows
	// each person's taste and each meme's topics and quality, which is the
	// most a recommender can learn. CeilingCaptured is its taste captured.
	Ceiling         float64 `json:"ceiling"`
	CeilingCaptured float64 `json:"ceiling_captured"`
	// Informed is the like rate of the informed learner (informed.go): one
	// that reads every meme's topic and quality perfectly and learns each
	// person's interests from their reactions. InformedCaptured is its taste
	// captured against this band's random and oracle.
	Informed         float64 `json:"informed"`
	InformedCaptured float64 `json:"informed_captured"`
	// Blind is the like rate of the informed learner's quality-blind twin:
	// it knows every meme's topic but not its quality. BlindCaptured is its
	// taste captured.
	Blind         float64 `json:"informed_blind"`
	BlindCaptured float64 `json:"informed_blind_captured"`
	// Observed is the share of the feed's memes in the band that were liked
	// (sampled presses: noisier than Feed, which is its expectation).
	Observed float64 `json:"observed"`
	Served   int     `json:"served"`
}

// EngineRow is what one engine served, overall and by band.
type EngineRow struct {
	Engine   string  `json:"engine"`
	Served   int     `json:"served"`
	LikeProb float64 `json:"like_prob"`
	// BandServed and BandLikeProb are per band of Bands.
	BandServed   []int     `json:"band_served"`
	BandLikeProb []float64 `json:"band_like_prob"`
}

// Outcome is what one policy did in one world.
type Outcome struct {
	Policy   string  `json:"policy"`
	Bands    []Band  `json:"bands"`
	Coverage float64 `json:"coverage"` // share of the memes that existed that were served at least once
	// MedianTo20Sec is the median virtual time from a new meme's arrival to
	// its 20th impression (memes that never got there count as never).
	MedianTo20Sec float64     `json:"median_to_20_impressions_sec"`
	Within1h      float64     `json:"new_memes_20_within_1h"` // share of new memes with 20 impressions within an hour
	UploadShare   float64     `json:"upload_share"`           // share of impressions that were uploads
	Presses       int         `json:"presses"`
	Repeats       int         `json:"repeats"` // memes served to a user twice: must be 0
	Foreign       int         `json:"foreign"` // memes served in a language the user does not read: must be 0
	Served        int         `json:"served"`
	Engines       []EngineRow `json:"engines"`
	CurveLabels   []string    `json:"-"` // first position of each point of the curves
	Curve         []float64   `json:"-"` // feed like probability by position, smoothed
	RandomCurve   []float64   `json:"-"`
	OracleCurve   []float64   `json:"-"`
	TookSec       float64     `json:"took_sec"`
	// PhasesSec is where the run's real time went: setup, arrivals, stats,
	// model, refill_job, presses (which wait for the refills they start).
	PhasesSec       map[string]float64 `json:"phases_sec"`
	StatsRuns       int                `json:"stats_runs"`
	MedianStatsMsec float64            `json:"median_stats_ms"`
}

// WorldReport is one world: the feed's bands first (the JSON contract), then
// the baseline it is compared with.
type WorldReport struct {
	Name     string   `json:"name"`
	Params   Params   `json:"params"`
	Bands    []Band   `json:"bands"`
	Outcome  Outcome  `json:"feed"`
	Baseline *Outcome `json:"baseline,omitempty"`
}

// Report is a whole run.
type Report struct {
	Worlds []WorldReport `json:"worlds"`
}

// tally accumulates served memes.
type tally struct {
	feed, random, oracle, ceiling, liked []float64 // by position (index 0 = 1st meme)
	n, reacted                           []int
	engines                              map[string]*EngineRow
	uploads, served                      int
	repeats, foreign                     int // a meme served twice to a user; in a language they do not read
}

func newTally(maxSeen int) *tally {
	return &tally{feed: make([]float64, maxSeen), random: make([]float64, maxSeen), oracle: make([]float64, maxSeen), ceiling: make([]float64, maxSeen),
		liked: make([]float64, maxSeen), n: make([]int, maxSeen), reacted: make([]int, maxSeen), engines: map[string]*EngineRow{}}
}

func (t *tally) add(pos int, feed, random, oracle, ceiling float64, engine string, upload bool) {
	if pos < 1 || pos > len(t.n) {
		return
	}
	i := pos - 1
	t.feed[i] += feed
	t.random[i] += random
	t.oracle[i] += oracle
	t.ceiling[i] += ceiling
	t.n[i]++
	t.served++
	if upload {
		t.uploads++
	}
	e := t.engines[engine]
	if e == nil {
		e = &EngineRow{Engine: engine}
		t.engines[engine] = e
	}
	e.Served++
	e.LikeProb += feed
	if e.BandServed == nil {
		e.BandServed, e.BandLikeProb = make([]int, len(Bands)), make([]float64, len(Bands))
	}
	for b, band := range Bands {
		if pos >= band.From && pos <= band.To {
			e.BandServed[b]++
			e.BandLikeProb[b] += feed
		}
	}
}

func (t *tally) reaction(pos int, liked bool) {
	if pos < 1 || pos > len(t.n) {
		return
	}
	t.reacted[pos-1]++
	if liked {
		t.liked[pos-1]++
	}
}

func (t *tally) bands() []Band {
	var out []Band
	for _, b := range Bands {
		var band Band
		band.Band = b.Name
		var reacted int
		var liked float64
		for i := b.From - 1; i < b.To && i < len(t.n); i++ {
			band.Feed += t.feed[i]
			band.Random += t.random[i]
			band.Oracle += t.oracle[i]
			band.Ceiling += t.ceiling[i]
			band.Served += t.n[i]
			reacted += t.reacted[i]
			liked += t.liked[i]
		}
		if band.Served > 0 {
			n := float64(band.Served)
			band.Feed, band.Random, band.Oracle, band.Ceiling = band.Feed/n, band.Random/n, band.Oracle/n, band.Ceiling/n
			if band.Oracle > band.Random {
				band.Captured = (band.Feed - band.Random) / (band.Oracle - band.Random)
				band.CeilingCaptured = (band.Ceiling - band.Random) / (band.Oracle - band.Random)
			}
		}
		if reacted > 0 {
			band.Observed = liked / float64(reacted)
		}
		out = append(out, band)
	}
	return out
}

// curves are the three like-probability curves by position, averaged over
// windows that widen with the position (fewer users reach the far end).
func (t *tally) curves() (labels []string, feed, random, oracle []float64) {
	edges := []int{1, 3, 6, 10, 15, 20, 30, 40, 55, 70, 100, 130, 170, 220, 300}
	for i := 0; i+1 < len(edges); i++ {
		var f, r, o float64
		var n int
		for p := edges[i]; p < edges[i+1] && p <= len(t.n); p++ {
			f, r, o, n = f+t.feed[p-1], r+t.random[p-1], o+t.oracle[p-1], n+t.n[p-1]
		}
		if n == 0 {
			continue
		}
		labels = append(labels, fmt.Sprint(edges[i]))
		feed, random, oracle = append(feed, f/float64(n)), append(random, r/float64(n)), append(oracle, o/float64(n))
	}
	return labels, feed, random, oracle
}

func (t *tally) engineRows() []EngineRow {
	var rows []EngineRow
	for _, e := range t.engines {
		r := *e
		r.LikeProb /= float64(max(1, r.Served))
		r.BandLikeProb = slices.Clone(r.BandLikeProb)
		for b := range r.BandLikeProb {
			r.BandLikeProb[b] /= float64(max(1, r.BandServed[b]))
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b EngineRow) int { return cmp.Compare(b.Served, a.Served) })
	return rows
}

// freshness is the median time to 20 impressions of the memes that arrived
// during the run, and the share that got there within an hour.
func freshness(arrivals, to20 []time.Duration, reached []bool) (median float64, within1h float64) {
	if len(arrivals) == 0 {
		return math.NaN(), math.NaN()
	}
	times := make([]float64, len(arrivals))
	quick := 0
	for i := range arrivals {
		times[i] = math.Inf(1)
		if reached[i] {
			times[i] = (to20[i] - arrivals[i]).Seconds()
			if to20[i]-arrivals[i] <= time.Hour {
				quick++
			}
		}
	}
	sort.Float64s(times)
	return times[len(times)/2], float64(quick) / float64(len(arrivals))
}

// WriteJSON writes the report; infinite times are written as -1.
func (r Report) WriteJSON(path string) error {
	clean := r
	clean.Worlds = slices.Clone(r.Worlds)
	for i := range clean.Worlds {
		fix := func(o *Outcome) {
			if math.IsInf(o.MedianTo20Sec, 0) || math.IsNaN(o.MedianTo20Sec) {
				o.MedianTo20Sec = -1
			}
			if math.IsNaN(o.Within1h) {
				o.Within1h = -1
			}
		}
		fix(&clean.Worlds[i].Outcome)
		if b := clean.Worlds[i].Baseline; b != nil {
			c := *b
			fix(&c)
			clean.Worlds[i].Baseline = &c
		}
	}
	data, err := json.MarshalIndent(clean, "", "  ")
	if err != nil {
		return fmt.Errorf("simulate: json: %w", err)
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// WriteTable prints the per-band table and the other figures of every world.
func (r Report) WriteTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "world\tpolicy\tband\tserved\trandom\toracle\tfeed\tcaptured\tobserved\tceiling\tceiling captured\tinformed\tinformed captured\tquality-blind\tblind captured\t")
	for _, wr := range r.Worlds {
		for _, o := range wr.outcomes() {
			for _, b := range o.Bands {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.3f\t%.3f\t%.3f\t%+.2f\t%.3f\t%.3f\t%+.2f\t%.3f\t%+.2f\t%.3f\t%+.2f\t\n",
					wr.Name, o.Policy, b.Band, b.Served, b.Random, b.Oracle, b.Feed, b.Captured, b.Observed, b.Ceiling, b.CeilingCaptured,
					b.Informed, b.InformedCaptured, b.Blind, b.BlindCaptured)
			}
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "world\tpolicy\tpresses\tcoverage\tnew meme to 20 impressions (median)\t20 within 1h\tupload share\trepeats\tforeign\ttook\t")
	for _, wr := range r.Worlds {
		for _, o := range wr.outcomes() {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f%%\t%s\t%.1f%%\t%.1f%%\t%d\t%d\t%.0fs\t\n", wr.Name, o.Policy, o.Presses,
				100*o.Coverage, seconds(o.MedianTo20Sec), 100*o.Within1h, 100*o.UploadShare, o.Repeats, o.Foreign, o.TookSec)
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, wr := range r.Worlds {
		for _, o := range wr.outcomes() {
			var parts []string
			for _, e := range o.Engines {
				var bands []string
				for b, n := range e.BandServed {
					bands = append(bands, fmt.Sprintf("%d:%.2f", n, e.BandLikeProb[b]))
				}
				parts = append(parts, fmt.Sprintf("%s %d (%.2f; by band %s)", e.Engine, e.Served, e.LikeProb, strings.Join(bands, " ")))
			}
			fmt.Fprintf(w, "%s %s engines (like rate; by band: served:like rate):\n  %s\n", wr.Name, o.Policy, strings.Join(parts, "\n  "))
		}
	}
	for _, wr := range r.Worlds {
		for _, o := range wr.outcomes() {
			var parts []string
			for _, name := range slices.Sorted(maps.Keys(o.PhasesSec)) {
				parts = append(parts, fmt.Sprintf("%s %.1fs", name, o.PhasesSec[name]))
			}
			fmt.Fprintf(w, "%s %s time: %s; %d presses in %.0fs (%.0f/s)\n", wr.Name, o.Policy, strings.Join(parts, ", "),
				o.Presses, o.TookSec, float64(o.Presses)/max(o.TookSec, 1e-9))
		}
	}
}

func (wr WorldReport) outcomes() []Outcome {
	if wr.Baseline != nil {
		return []Outcome{*wr.Baseline, wr.Outcome}
	}
	return []Outcome{wr.Outcome}
}

func seconds(s float64) string {
	if math.IsInf(s, 0) || math.IsNaN(s) || s < 0 {
		return "never"
	}
	return (time.Duration(s) * time.Second).String()
}

// WritePNG draws like probability against memes seen for every world:
// random, oracle and the feed (and the baseline when it ran).
func (r Report) WritePNG(path string) error {
	var series []charts.Series
	var labels []string
	for _, wr := range r.Worlds {
		for _, o := range wr.outcomes() {
			if len(o.CurveLabels) > len(labels) {
				labels = o.CurveLabels
			}
		}
	}
	if len(labels) == 0 {
		return fmt.Errorf("simulate: nothing to chart")
	}
	pad := func(v []float64) []float64 {
		out := make([]float64, len(labels))
		copy(out, v)
		for i := len(v); i < len(out) && len(v) > 0; i++ {
			out[i] = v[len(v)-1] // a curve that stops early is held flat
		}
		return out
	}
	for wi, wr := range r.Worlds {
		color := charts.Palette[wi%len(charts.Palette)]
		o := wr.Outcome
		series = append(series,
			charts.Series{Name: wr.Name + " feed", Color: color, Values: pad(o.Curve)},
			charts.Series{Name: wr.Name + " oracle", Color: lighter(color), Values: pad(o.OracleCurve)},
			charts.Series{Name: wr.Name + " random", Color: darker(color), Values: pad(o.RandomCurve)})
		if wr.Baseline != nil {
			series = append(series, charts.Series{Name: wr.Name + " baseline", Color: gray(wi), Values: pad(wr.Baseline.Curve)})
		}
	}
	png, err := charts.LabeledLineChart("Like probability by memes seen", labels, series, 1200, 700)
	if err != nil {
		return fmt.Errorf("simulate: chart: %w", err)
	}
	return os.WriteFile(path, png, 0o644)
}

// shade mixes a colour toward white (f > 0) or black (f < 0).
func shade(c color.RGBA, f float64) color.RGBA {
	mix := func(v uint8) uint8 {
		if f > 0 {
			return uint8(float64(v) + (255-float64(v))*f)
		}
		return uint8(float64(v) * (1 + f))
	}
	return color.RGBA{R: mix(c.R), G: mix(c.G), B: mix(c.B), A: 0xff}
}

func lighter(c color.RGBA) color.RGBA { return shade(c, 0.55) }
func darker(c color.RGBA) color.RGBA  { return shade(c, -0.5) }
func gray(i int) color.RGBA {
	v := uint8(90 + 40*(i%3))
	return color.RGBA{R: v, G: v, B: v, A: 0xff}
}
