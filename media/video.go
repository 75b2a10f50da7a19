package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// MaxKeyframeWidth bounds the width of frames returned by Keyframes.
const MaxKeyframeWidth = 720

var (
	// ErrNoFFmpeg means ffmpeg or ffprobe is not installed.
	ErrNoFFmpeg = errors.New("media: ffmpeg/ffprobe not found")
	// ErrNoVideoStream means the file has no video stream ffprobe understands.
	ErrNoVideoStream = errors.New("media: no video stream")
)

// VideoInfo describes the first video stream of a file.
type VideoInfo struct {
	Width    int
	Height   int
	Duration time.Duration
	Codec    string // ffprobe codec name, e.g. "h264"
}

// ProbeVideo runs ffprobe on data (an MP4, WebM, GIF...). Telegram
// "GIFs" are MP4 files too.
func ProbeVideo(ctx context.Context, data []byte) (VideoInfo, error) {
	path, cleanup, err := tempFile(data)
	if err != nil {
		return VideoInfo{}, err
	}
	defer cleanup()
	return probeFile(ctx, path)
}

// Keyframes returns n frames spread evenly over the video (at the middles
// of n equal slices), scaled down to at most MaxKeyframeWidth pixels wide.
func Keyframes(ctx context.Context, data []byte, n int) ([]image.Image, error) {
	if n < 1 {
		return nil, fmt.Errorf("media: keyframes: n = %d", n)
	}
	path, cleanup, err := tempFile(data)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	info, err := probeFile(ctx, path)
	if err != nil {
		return nil, err
	}
	frames := make([]image.Image, 0, n)
	for i := range n {
		at := time.Duration((float64(i) + 0.5) / float64(n) * float64(info.Duration))
		img, err := frameAt(ctx, path, at)
		if err != nil {
			return nil, fmt.Errorf("media: keyframe %d at %v: %w", i, at, err)
		}
		frames = append(frames, img)
	}
	return frames, nil
}

// tempFile writes data to a file ffmpeg can seek in (MP4 indexes are often
// at the end, which a pipe cannot reach).
func tempFile(data []byte) (string, func(), error) {
	f, err := os.CreateTemp("", "memebot-video-*")
	if err != nil {
		return "", nil, fmt.Errorf("media: temp file: %w", err)
	}
	cleanup := func() { _ = os.Remove(f.Name()) }
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		cleanup()
		return "", nil, fmt.Errorf("media: write temp file: %w", err)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("media: close temp file: %w", err)
	}
	return f.Name(), cleanup, nil
}

type probeOutput struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
		Duration  string `json:"duration"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

func probeFile(ctx context.Context, path string) (VideoInfo, error) {
	out, err := run(ctx, "ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", path)
	if err != nil {
		return VideoInfo{}, fmt.Errorf("media: ffprobe: %w", err)
	}
	var p probeOutput
	if err := json.Unmarshal(out, &p); err != nil {
		return VideoInfo{}, fmt.Errorf("media: ffprobe output: %w", err)
	}
	for _, s := range p.Streams {
		if s.CodecType != "video" || s.Width == 0 || s.Height == 0 {
			continue
		}
		d := parseSeconds(s.Duration)
		if d == 0 {
			d = parseSeconds(p.Format.Duration)
		}
		return VideoInfo{Width: s.Width, Height: s.Height, Duration: d, Codec: s.CodecName}, nil
	}
	return VideoInfo{}, ErrNoVideoStream
}

func parseSeconds(s string) time.Duration {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// frameAt decodes one frame at the given time as PNG through a pipe.
func frameAt(ctx context.Context, path string, at time.Duration) (image.Image, error) {
	out, err := run(ctx, "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
		"-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64), "-i", path,
		"-frames:v", "1", "-vf", fmt.Sprintf("scale=w='min(%d,iw)':h=-2", MaxKeyframeWidth),
		"-f", "image2pipe", "-c:v", "png", "pipe:1")
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ffmpeg returned no frame")
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	return img, nil
}

// run executes a tool and returns its stdout; stderr goes into the error.
func run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("%w: %v", ErrNoFFmpeg, err)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: %w: %s", name, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}
