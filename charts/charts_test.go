package charts

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"slices"
	"testing"
	"time"
)

func days(n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = time.Date(2025, 6, 2+i, 0, 0, 0, 0, time.UTC)
	}
	return out
}

func constant(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func decode(t *testing.T, data []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba
}

// rowsOf lists the rows, inside r, of the pixels painted exactly c.
func rowsOf(img *image.RGBA, r image.Rectangle, c color.RGBA) []int {
	var rows []int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y) == c {
				rows = append(rows, y)
			}
		}
	}
	return rows
}

func median(rows []int) float64 {
	s := slices.Clone(rows)
	slices.Sort(s)
	return float64(s[len(s)/2])
}

func TestLineChartIsAPNGOfTheRequestedSize(t *testing.T) {
	for _, size := range []image.Point{{960, 540}, {MinWidth, MinHeight}, {400, 900}} {
		data, err := LineChart("Last 14 days", days(14), []Series{{Name: "reactions", Color: Palette[0], Values: constant(14, 3)}}, size.X, size.Y)
		if err != nil {
			t.Fatalf("%v: %v", size, err)
		}
		if got := decode(t, data).Bounds().Size(); got != size {
			t.Fatalf("chart is %v, want %v", got, size)
		}
	}
}

// A series is drawn at the height of its values on the y axis: a series
// four times bigger paints four times higher above the x axis, and a rising
// series paints lower on the left than on the right.
func TestSeriesArePaintedAtTheHeightOfTheirValues(t *testing.T) {
	const n, w, h = 14, 960, 540
	rising := make([]float64, n)
	for i := range rising {
		rising[i] = float64(i) * 5
	}
	series := []Series{
		{Name: "big", Color: Palette[0], Values: constant(n, 80)},
		{Name: "small", Color: Palette[1], Values: constant(n, 20)},
		{Name: "rising", Color: Palette[2], Values: rising},
	}
	img, plot := renderPlot(t, series, n, w, h)
	inPlot := plot.Inset(-10) // the dots on the edges stick out by their radius

	bigRows, smallRows := rowsOf(img, inPlot, Palette[0]), rowsOf(img, inPlot, Palette[1])
	if len(bigRows) == 0 || len(smallRows) == 0 {
		t.Fatalf("series colours missing from the plot: big %d px, small %d px", len(bigRows), len(smallRows))
	}
	bigHeight := float64(plot.Max.Y) - median(bigRows)
	smallHeight := float64(plot.Max.Y) - median(smallRows)
	if ratio := bigHeight / smallHeight; math.Abs(ratio-4) > 0.15 {
		t.Fatalf("80 is painted %.0f px above the axis and 20 %.0f px: ratio %.2f, want 4", bigHeight, smallHeight, ratio)
	}
	if math.Abs(bigHeight-float64(plot.Dy())) > 2 {
		t.Fatalf("the largest value should reach the top of the axis (80 on a 0..80 axis): %.0f of %d px", bigHeight, plot.Dy())
	}

	left := image.Rect(plot.Min.X-6, plot.Min.Y-6, plot.Min.X+plot.Dx()/4, plot.Max.Y+6)
	right := image.Rect(plot.Max.X-plot.Dx()/4, plot.Min.Y-6, plot.Max.X+6, plot.Max.Y+6)
	if l, r := median(rowsOf(img, left, Palette[2])), median(rowsOf(img, right, Palette[2])); l <= r+100 {
		t.Fatalf("a rising series should be painted lower on the left (row %.0f) than on the right (row %.0f)", l, r)
	}
	for _, s := range series {
		all := rowsOf(img, img.Bounds(), s.Color)
		outside := len(all) - len(rowsOf(img, inPlot, s.Color))
		if outside < swatch*swatch/2 {
			t.Fatalf("legend swatch of %q missing: %d px of its colour outside the plot", s.Name, outside)
		}
	}
}

// Series with equal values all stay visible: none is painted over by the
// ones drawn after it (uploads and approvals are often equal day by day).
func TestEqualSeriesAreAllVisible(t *testing.T) {
	const n, w, h = 14, 960, 540
	values := []float64{0, 0, 2, 3, 1, 0, 0, 4, 2, 2, 1, 0, 3, 2}
	var series []Series
	for i, name := range []string{"reactions", "uploads", "approvals", "rejections"} {
		series = append(series, Series{Name: name, Color: Palette[i], Values: values})
	}
	img, plot := renderPlot(t, series, n, w, h)
	for _, s := range series {
		// At least a pixel-wide stripe along the whole line.
		if px := len(rowsOf(img, plot, s.Color)); px < plot.Dx() {
			t.Errorf("%s: %d px of its colour in the plot, want at least %d (a stripe along the line)", s.Name, px, plot.Dx())
		}
	}
}

func TestTicksAreRound(t *testing.T) {
	for _, c := range []struct{ top, step, max float64 }{
		{0, 1, 1}, {3, 1, 3}, {7, 2, 8}, {80, 20, 80}, {100, 50, 100}, {1234, 500, 1500}, {0.3, 0.1, 0.3},
	} {
		step, top := yScale(c.top)
		if math.Abs(step-c.step) > 1e-9 || math.Abs(top-c.max) > 1e-9 {
			t.Errorf("yScale(%v) = step %v, top %v; want %v, %v", c.top, step, top, c.step, c.max)
		}
	}
}

func TestLineChartRefusesWhatItCannotDraw(t *testing.T) {
	ok := []Series{{Name: "a", Color: Palette[0], Values: constant(3, 1)}}
	for name, call := range map[string]func() error{
		"too small":    func() error { _, err := LineChart("", days(3), ok, 100, 100); return err },
		"no days":      func() error { _, err := LineChart("", nil, nil, 800, 400); return err },
		"short series": func() error { _, err := LineChart("", days(4), ok, 800, 400); return err },
		"negative": func() error {
			_, err := LineChart("", days(1), []Series{{Values: []float64{-1}}}, 800, 400)
			return err
		},
		"not a number": func() error {
			_, err := LineChart("", days(1), []Series{{Values: []float64{math.NaN()}}}, 800, 400)
			return err
		},
	} {
		if err := call(); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: err = %v, want ErrBadInput", name, err)
		}
	}
	if _, err := LineChart("Одна точка", days(1), ok[:0], 800, 400); err != nil {
		t.Fatalf("a one-day chart without series should still draw: %v", err)
	}
}

func dayLabels(days []time.Time) []string {
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = d.Format(dayFormat)
	}
	return out
}

// renderPlot draws a 14-day chart of series and returns the picture and the
// rectangle its lines are plotted in.
func renderPlot(t *testing.T, series []Series, n, w, h int) (*image.RGBA, image.Rectangle) {
	t.Helper()
	data, err := LineChart("Last 14 days", days(n), series, w, h)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	defer fs.close()
	return decode(t, data), newLayout(fs, "Last 14 days", dayLabels(days(n)), series, w, h).plot
}
