package moderation

import (
	"context"
	"errors"
	"image"
	"time"

	"memebot/moderation/internal/imgutil"
)

// Blur defaults: the OpenCV rule of thumb "variance of the Laplacian below
// 100 is blurry", measured at a fixed width (larger images are shrunk to
// it) so that the score does not depend on the upload's resolution.
const (
	DefaultBlurThreshold      = 100
	DefaultBlurReferenceWidth = 1080
)

// BlurCheck rejects blurry images. Score is the variance of the Laplacian
// of the grayscale image scaled to ReferenceWidth; for several images
// (video keyframes) the sharpest one counts.
type BlurCheck struct {
	// Threshold below which an image is blurry. Default 100.
	Threshold float64
	// ReferenceWidth the image is scaled to before measuring. Default 1080.
	ReferenceWidth int
}

// Check implements Checker.
func (c *BlurCheck) Check(ctx context.Context, in *Input) Result {
	start := time.Now()
	if len(in.Images) == 0 {
		return Result{Check: CheckBlur, Verdict: VerdictSkip, Details: map[string]any{"why": "no images"}}
	}
	threshold, width := c.Threshold, c.ReferenceWidth
	if threshold <= 0 {
		threshold = DefaultBlurThreshold
	}
	if width <= 0 {
		width = DefaultBlurReferenceWidth
	}
	sharpest := -1.0
	for _, img := range in.Images {
		if err := ctx.Err(); err != nil {
			return errorResult(CheckBlur, err)
		}
		if img == nil || img.Bounds().Empty() {
			continue
		}
		sharpest = max(sharpest, Sharpness(img, width))
	}
	if sharpest < 0 {
		return errorResult(CheckBlur, errors.New("blur: no usable image"))
	}
	r := Result{Check: CheckBlur, Verdict: VerdictPass, Score: sharpest,
		Details: map[string]any{"threshold": threshold, "reference_width": width}}
	if sharpest < threshold {
		r.Verdict, r.Reason = VerdictReject, ReasonBlurry
	}
	r.Duration = time.Since(start)
	return r
}

// Sharpness is the variance of the 4-neighbour Laplacian of img's luma,
// after shrinking img to the given width. Higher is sharper. Smaller images
// are measured as they are: enlarging would invent blur, and a sharp 480 px
// meme is still sharp.
func Sharpness(img image.Image, width int) float64 {
	g := imgutil.SubsampleGray(imgutil.Gray(img), width)
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	if w < 3 || h < 3 {
		return 0
	}
	var sum, sumSq float64
	for y := 1; y < h-1; y++ {
		row := g.Pix[y*g.Stride:]
		up := g.Pix[(y-1)*g.Stride:]
		down := g.Pix[(y+1)*g.Stride:]
		var rs, rss int64
		for x := 1; x < w-1; x++ {
			l := int64(up[x]) + int64(down[x]) + int64(row[x-1]) + int64(row[x+1]) - 4*int64(row[x])
			rs += l
			rss += l * l
		}
		sum += float64(rs)
		sumSq += float64(rss)
	}
	n := float64((w - 2) * (h - 2))
	mean := sum / n
	return sumSq/n - mean*mean
}
