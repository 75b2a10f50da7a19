package media

import (
	"context"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// testVideo makes a small MP4 with ffmpeg's test pattern (which has a
// moving part, so frames at different times differ).
func testVideo(t *testing.T, size string, seconds int) []byte {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed: video helpers cannot be tested")
	}
	out := filepath.Join(t.TempDir(), "test.mp4")
	cmd := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi",
		"-i", "testsrc=size="+size+":rate=10:duration="+strconv.Itoa(seconds),
		"-c:v", "mpeg4", "-pix_fmt", "yuv420p", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate video: %v: %s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestProbeVideo(t *testing.T) {
	data := testVideo(t, "320x240", 2)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	info, err := ProbeVideo(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if info.Width != 320 || info.Height != 240 || info.Codec != "mpeg4" {
		t.Fatalf("ProbeVideo = %+v, want 320x240 mpeg4", info)
	}
	if info.Duration < 1900*time.Millisecond || info.Duration > 2100*time.Millisecond {
		t.Fatalf("duration %v, want about 2s", info.Duration)
	}
}

func TestProbeVideoRejectsGarbage(t *testing.T) {
	testVideo(t, "32x32", 1) // skips without ffmpeg
	_, err := ProbeVideo(context.Background(), []byte("definitely not a video"))
	if err == nil {
		t.Fatal("ProbeVideo accepted garbage")
	}
}

func TestKeyframesSpreadAndScaled(t *testing.T) {
	data := testVideo(t, "1280x720", 3)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	frames, err := Keyframes(ctx, data, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 3 {
		t.Fatalf("got %d frames, want 3", len(frames))
	}
	for i, f := range frames {
		if b := f.Bounds(); b.Dx() != 720 || b.Dy() != 405 && b.Dy() != 406 {
			t.Fatalf("frame %d is %v, want 720 wide keeping 16:9", i, b)
		}
	}
	if sameImage(frames[0], frames[2]) {
		t.Fatal("first and last keyframes are identical: frames are not spread over time")
	}
}

func TestKeyframesHonoursContext(t *testing.T) {
	data := testVideo(t, "320x240", 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Keyframes(ctx, data, 2); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 3 {
		for x := r.Min.X; x < r.Max.X; x += 3 {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}
