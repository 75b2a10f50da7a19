package charts

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"

	"golang.org/x/image/vector"
)

const (
	pad         = 16  // blank border around everything
	swatch      = 18  // legend colour square
	legendGap   = 32  // between legend entries
	lineWidth   = 3.0 // stroke of the series drawn last (on top)
	widthStep   = 4.5 // how much wider each series under it is
	markerOver  = 2.0 // a day's dot is this much wider than its line, each side
	targetTicks = 4   // y-axis intervals aimed for
	dayFormat   = "Jan 2"
)

// strokeWidth is the width of series k of n. Each series is drawn wider than
// the ones drawn after it, so that where values are equal the lines lie
// inside each other as stripes and every one stays visible.
func strokeWidth(k, n int) float64 { return lineWidth + widthStep*float64(n-1-k) }

// layout is where everything goes on a w×h chart: the plot rectangle (the
// area the values map onto) and the y scale.
type layout struct {
	fs           faces
	w, h         int
	legendTop    int
	series       int     // how many series are drawn
	legendRows   [][]int // indexes of the series on each legend row
	plot         image.Rectangle
	yMax, yStep  float64
	days         int
	labelEvery   int // a date under every labelEvery-th day, counted back from the last
	yLabelDigits int
}

func newLayout(fs faces, title string, days []string, series []Series, w, h int) layout {
	l := layout{fs: fs, w: w, h: h, days: len(days), series: len(series)}
	l.yStep, l.yMax = yScale(maxValue(series))
	l.yLabelDigits = digits(l.yStep)

	labelH := lineHeight(fs.label)
	top := pad
	if title != "" {
		top += lineHeight(fs.title) + 8
	}
	l.legendTop = top
	l.legendRows = l.wrapLegend(series)
	top += len(l.legendRows)*(lineHeight(fs.legend)+6) + labelH/2 + 8

	yLabelW := textWidth(fs.label, l.yLabel(l.yMax))
	dayW := 0
	for _, d := range days {
		dayW = max(dayW, textWidth(fs.label, d))
	}
	l.plot = image.Rect(pad+yLabelW+10, top, w-pad-dayW/2, h-pad-labelH-8)
	l.labelEvery = 1
	if l.days > 1 {
		step := float64(l.plot.Dx()) / float64(l.days-1)
		l.labelEvery = max(1, int(math.Ceil(float64(dayW+10)/step)))
	}
	return l
}

// x is the column of day i.
func (l layout) x(i int) float64 {
	if l.days == 1 {
		return float64(l.plot.Min.X+l.plot.Max.X) / 2
	}
	return float64(l.plot.Min.X) + float64(i)*float64(l.plot.Dx())/float64(l.days-1)
}

// y is the row of value v.
func (l layout) y(v float64) float64 {
	return float64(l.plot.Max.Y) - v/l.yMax*float64(l.plot.Dy())
}

func (l layout) yLabel(v float64) string {
	return strconv.FormatFloat(v, 'f', l.yLabelDigits, 64)
}

// wrapLegend puts as many legend entries on a row as fit the width.
func (l layout) wrapLegend(series []Series) [][]int {
	var rows [][]int
	x := pad
	for i, s := range series {
		entry := swatch + 8 + textWidth(l.fs.legend, s.Name)
		if len(rows) == 0 || (x+entry > l.w-pad && x > pad) {
			rows = append(rows, nil)
			x = pad
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], i)
		x += entry + legendGap
	}
	return rows
}

func (l layout) drawTitle(img *image.RGBA, title string) {
	if title != "" {
		drawText(img, l.fs.title, title, pad, pad)
	}
}

func (l layout) drawLegend(img *image.RGBA, series []Series) {
	textH := lineHeight(l.fs.legend)
	for r, row := range l.legendRows {
		top, x := l.legendTop+r*(textH+6), pad
		for _, i := range row {
			sq := image.Rect(x, top+(textH-swatch)/2, x+swatch, top+(textH-swatch)/2+swatch)
			draw.Draw(img, sq, image.NewUniform(series[i].Color), image.Point{}, draw.Src)
			drawText(img, l.fs.legend, series[i].Name, x+swatch+8, top)
			x += swatch + 8 + textWidth(l.fs.legend, series[i].Name) + legendGap
		}
	}
}

// drawAxes draws the grid and y labels at each step, the x axis with a tick
// and a date under the labelled days.
func (l layout) drawAxes(img *image.RGBA, days []string) {
	labelH := lineHeight(l.fs.label)
	for v := 0.0; v <= l.yMax+l.yStep/2; v += l.yStep {
		row := int(math.Round(l.y(v)))
		fill(img, image.Rect(l.plot.Min.X, row, l.plot.Max.X+1, row+1), gridInk)
		label := l.yLabel(v)
		drawText(img, l.fs.label, label, l.plot.Min.X-10-textWidth(l.fs.label, label), row-labelH/2)
	}
	fill(img, image.Rect(l.plot.Min.X-1, l.plot.Min.Y, l.plot.Min.X+1, l.plot.Max.Y+1), ink)
	fill(img, image.Rect(l.plot.Min.X-1, l.plot.Max.Y, l.plot.Max.X+1, l.plot.Max.Y+2), ink)
	for i, d := range days {
		col := int(math.Round(l.x(i)))
		if (l.days-1-i)%l.labelEvery != 0 {
			fill(img, image.Rect(col, l.plot.Max.Y+2, col+1, l.plot.Max.Y+4), ink)
			continue
		}
		fill(img, image.Rect(col, l.plot.Max.Y+2, col+1, l.plot.Max.Y+6), ink)
		label := d
		drawText(img, l.fs.label, label, col-textWidth(l.fs.label, label)/2, l.plot.Max.Y+8)
	}
}

// drawSeries strokes series k's line and puts a dot on each day's value,
// at series k's width. Shapes are anti-aliased at their edges; their inside
// is the exact colour.
func (l layout) drawSeries(img *image.RGBA, s Series, k int) {
	src := image.NewUniform(s.Color)
	half := strokeWidth(k, l.series) / 2
	for i := 1; i < len(s.Values); i++ {
		paint(img, src, segment(l.x(i-1), l.y(s.Values[i-1]), l.x(i), l.y(s.Values[i]), half))
	}
	for i, v := range s.Values {
		paint(img, src, disc(l.x(i), l.y(v), half+markerOver))
	}
}

// polygon is a closed shape in image coordinates.
type polygon [][2]float64

// paint fills p with src, rasterizing only the pixels around it.
func paint(img *image.RGBA, src image.Image, p polygon) {
	if len(p) < 3 {
		return
	}
	minX, minY, maxX, maxY := p[0][0], p[0][1], p[0][0], p[0][1]
	for _, pt := range p {
		minX, maxX = min(minX, pt[0]), max(maxX, pt[0])
		minY, maxY = min(minY, pt[1]), max(maxY, pt[1])
	}
	box := image.Rect(int(minX)-1, int(minY)-1, int(maxX)+2, int(maxY)+2).Intersect(img.Bounds())
	if box.Empty() {
		return
	}
	r := vector.NewRasterizer(box.Dx(), box.Dy())
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	r.MoveTo(float32(p[0][0]-ox), float32(p[0][1]-oy))
	for _, pt := range p[1:] {
		r.LineTo(float32(pt[0]-ox), float32(pt[1]-oy))
	}
	r.ClosePath()
	r.Draw(img, box, src, image.Point{})
}

// segment is the rectangle of a thick line from (x0, y0) to (x1, y1).
func segment(x0, y0, x1, y1, half float64) polygon {
	dx, dy := x1-x0, y1-y0
	n := math.Hypot(dx, dy)
	if n == 0 {
		return nil
	}
	nx, ny := -dy/n*half, dx/n*half
	return polygon{{x0 + nx, y0 + ny}, {x1 + nx, y1 + ny}, {x1 - nx, y1 - ny}, {x0 - nx, y0 - ny}}
}

// disc is a circle as a 24-gon.
func disc(cx, cy, radius float64) polygon {
	const sides = 24
	p := make(polygon, sides)
	for k := range p {
		a := 2 * math.Pi * float64(k) / sides
		p[k] = [2]float64{cx + radius*math.Cos(a), cy + radius*math.Sin(a)}
	}
	return p
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func maxValue(series []Series) float64 {
	m := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			m = max(m, v)
		}
	}
	return m
}

// yScale picks a round step (1, 2 or 5 times a power of ten) giving about
// targetTicks intervals, and the axis top: the first step at or above top.
func yScale(top float64) (step, axisMax float64) {
	if top <= 0 {
		top = 1
	}
	raw := top / targetTicks
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / pow; {
	case f <= 1:
		step = pow
	case f <= 2:
		step = 2 * pow
	case f <= 5:
		step = 5 * pow
	default:
		step = 10 * pow
	}
	if step < 1 && top >= 1 {
		step = 1 // counts read better without fractions
	}
	return step, step * math.Ceil(top/step-1e-9)
}

// digits is how many decimals the labels of a step need.
func digits(step float64) int {
	if step >= 1 {
		return 0
	}
	return int(math.Ceil(-math.Log10(step) - 1e-9))
}
