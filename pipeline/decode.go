package pipeline

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"memebot/media"
)

// decoded is a candidate's bytes and what was read from them.
type decoded struct {
	data   []byte
	img    image.Image // the picture, or a video's first keyframe
	frames []image.Image
	info   string
	width  int
	height int
	secs   int
}

// decode validates an upload and reads its picture (a video's keyframes).
// What no retry can fix is a rejection; a missing tool is an error.
func (p *Pipeline) decode(ctx context.Context, kind media.Kind, data []byte) (decoded, error) {
	if kind == media.Photo {
		img, info, err := media.DecodeImage(data, media.DefaultLimits())
		switch {
		case errors.Is(err, media.ErrTooLarge):
			return decoded{}, reject("too_large", err)
		case err != nil:
			return decoded{}, reject("corrupt", err)
		}
		return decoded{data: data, img: img, width: info.Width, height: info.Height,
			info: fmt.Sprintf("%s %d×%d, %d KB", info.Format, info.Width, info.Height, len(data)>>10)}, nil
	}
	vi, err := media.ProbeVideo(ctx, data)
	switch {
	case errors.Is(err, media.ErrNoFFmpeg):
		return decoded{}, err // an operator must install ffmpeg; retry later
	case err != nil:
		return decoded{}, reject("corrupt", err)
	}
	if vi.Duration > p.cfg.MaxVideoDuration {
		return decoded{}, reject("too_long", fmt.Errorf("%s long", vi.Duration.Round(time.Second)))
	}
	frames, err := media.Keyframes(ctx, data, 3)
	if err != nil || len(frames) == 0 {
		return decoded{}, reject("corrupt", fmt.Errorf("keyframes: %w", err))
	}
	return decoded{data: data, img: frames[0], frames: frames, width: vi.Width, height: vi.Height,
		secs: int(vi.Duration.Seconds() + 0.5),
		info: fmt.Sprintf("%s %d×%d, %s, %d KB", vi.Codec, vi.Width, vi.Height, vi.Duration.Round(100*time.Millisecond), len(data)>>10)}, nil
}
