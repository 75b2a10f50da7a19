// Package charts draws the small PNG charts operators read in Telegram (the
// /stats chart). It is plain image code with the Go fonts: no Telegram types,
// no network, so it can be tested pixel by pixel.
package charts

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"time"
)

// Series is one line of a chart: a name for the legend, a colour, and one
// value per day.
type Series struct {
	Name   string
	Color  color.RGBA
	Values []float64
}

// Palette holds distinct series colours, easy to tell apart on white and
// never used for the chart's own ink (text, axes, grid).
var Palette = []color.RGBA{
	{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, // blue
	{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, // orange
	{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, // green
	{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, // red
	{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, // purple
}

// ErrBadInput is returned for a chart that cannot be drawn as asked.
var ErrBadInput = errors.New("charts: bad input")

// Minimum image size: below it the labels would overlap the plot.
const (
	MinWidth  = 240
	MinHeight = 160
)

// LineChart draws one line per series over the days (oldest first): a y axis
// from zero with a light grid, a date under each day that fits, a legend
// under the title. Every series needs one value per day, none negative.
// It returns the chart PNG-encoded, w×h pixels.
func LineChart(title string, days []time.Time, series []Series, w, h int) ([]byte, error) {
	labels := make([]string, len(days))
	for i, d := range days {
		labels[i] = d.Format(dayFormat)
	}
	return LabeledLineChart(title, labels, series, w, h)
}

// LabeledLineChart is LineChart over any points on the x axis, each named by
// its label (e.g. "11-30" for a band of memes seen).
func LabeledLineChart(title string, labels []string, series []Series, w, h int) ([]byte, error) {
	if err := validate(labels, series, w, h); err != nil {
		return nil, err
	}
	fs, err := newFaces()
	if err != nil {
		return nil, err
	}
	defer fs.close()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	l := newLayout(fs, title, labels, series, w, h)
	l.drawTitle(img, title)
	l.drawLegend(img, series)
	l.drawAxes(img, labels)
	for k, s := range series {
		l.drawSeries(img, s, k)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("charts: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

func validate(days []string, series []Series, w, h int) error {
	switch {
	case w < MinWidth || h < MinHeight:
		return fmt.Errorf("%w: size %dx%d is under %dx%d", ErrBadInput, w, h, MinWidth, MinHeight)
	case len(days) == 0:
		return fmt.Errorf("%w: no days", ErrBadInput)
	}
	for _, s := range series {
		if len(s.Values) != len(days) {
			return fmt.Errorf("%w: series %q has %d values for %d days", ErrBadInput, s.Name, len(s.Values), len(days))
		}
		for _, v := range s.Values {
			if v < 0 || v != v {
				return fmt.Errorf("%w: series %q has value %v", ErrBadInput, s.Name, v)
			}
		}
	}
	return nil
}
