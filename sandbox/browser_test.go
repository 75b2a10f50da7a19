package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/image/draw"

	"memebot/sandbox"
	"memebot/tgfake"
)

var docsShot = flag.String("sandbox.docs", "", "write the final screenshot of TestBrowser to this path (e.g. ../docs/sandbox.png)")

// browser is the page under test in headless Chromium, driven by chromedp.
type browser struct {
	t    *testing.T
	ctx  context.Context // the page's chromedp context
	dir  string          // screenshots
	shot []byte          // the last screenshot
}

func openBrowser(t *testing.T, ctx context.Context, url string) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install -y chromium); the browser test needs it")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 860),
		chromedp.Flag("disable-quic", true), chromedp.Flag("hide-scrollbars", true), chromedp.Flag("mute-audio", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	pageCtx, cancelPage := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelPage(); cancelAlloc() })
	if err := chromedp.Do(pageCtx, chromedp.EmulateViewport(1440, 860), chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("SANDBOX_SCREENSHOTS") // kept after the test, e.g. for CI artifacts
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	br := &browser{t: t, ctx: pageCtx, dir: dir}
	br.waitFor("the page is live", `document.body.dataset.ready === 'true' && document.querySelector('#live').classList.contains('on')`)
	br.eval(`window.__sameDocument = true`, nil) // lost on any reload
	return br
}

// with is b reporting to t (a subtest).
func (b *browser) with(t *testing.T) *browser {
	c := *b
	c.t = t
	return &c
}

// eval evaluates a JavaScript expression (promises are awaited) and decodes
// its value into out, when out is not nil.
func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	var err error
	if out == nil {
		err = chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](expr, chromedp.EvalAwaitPromise))
	} else {
		var raw []byte
		raw, err = chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
		if err == nil {
			err = json.Unmarshal(raw, out)
		}
	}
	if err != nil {
		b.t.Fatalf("%v\nin: %s", err, expr)
	}
}

func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	err := chromedp.Do(b.ctx, chromedp.Poll[chromedp.Void](cond,
		chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
	if err != nil {
		b.screenshot("failed")
		var panes string
		b.eval(`[...document.querySelectorAll('.pane')].map(p => p.id + ':\n' + [...p.querySelectorAll('.msg')].map(m => '  ' + m.dataset.from + ': ' + m.innerText.replace(/\n/g, ' | ')).join('\n')).join('\n') + '\ntoasts: ' + document.querySelector('#toasts').innerText`, &panes)
		b.t.Fatalf("waiting for %s: %v\nscreenshots in %s\n%s", what, err, b.dir, panes)
	}
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	b.shot = png
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// attach puts files into the file input that selector finds, as picking
// them in the browser's dialog would.
func (b *browser) attach(selector string, files ...string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SetUploadFiles(chromedp.CSS(selector), files)); err != nil {
		b.t.Fatal(err)
	}
}

// actAs picks who the page acts as: role "user" with an id, "moderator" or "admin".
func (b *browser) actAs(role string, id int64) {
	b.t.Helper()
	b.eval(fmt.Sprintf(`(() => {
		const r = document.querySelector('#role'); r.value = %q; r.dispatchEvent(new Event('change'));
		if (%d) { const u = document.querySelector('#uid'); u.value = '%d'; u.dispatchEvent(new Event('change')); }
	})()`, role, id, id), nil)
}

// send types text into a pane's composer and presses the send button.
func (b *browser) send(pane, text string) {
	b.t.Helper()
	b.eval(fmt.Sprintf(`(() => {
		document.querySelector('#pane-%s input.text').value = %s;
		document.querySelector('#pane-%s button.send').click();
	})()`, pane, jsString(text), pane), nil)
}

// botSaid is a condition: a bot message in pane whose text contains sub.
func botSaid(pane, sub string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#pane-%s .msg[data-from=bot]')].some(m => m.innerText.includes(%s))`, pane, jsString(sub))
}

// buttonIn finds the last button in pane whose label starts with label.
func buttonIn(pane, label string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#pane-%s .kb button')].filter(b => b.textContent.startsWith(%s)).pop()`, pane, jsString(label))
}

func (b *browser) press(pane, label string) {
	b.t.Helper()
	b.waitFor(label+" button", buttonIn(pane, label)+` !== undefined`)
	b.eval(buttonIn(pane, label)+`.click()`, nil)
}

func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// TestBrowser walks the whole flow in the page: a user uploads, the
// moderator approves, another user is served the meme and likes it.
func TestBrowser(t *testing.T) {
	sb, fake := startSandbox(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := openBrowser(t, ctx, sb.URL)

	// A user says /start and is greeted.
	b.actAs("user", 2001)
	b.send("private", "/start")
	b.waitFor("the greeting", botSaid("private", "Hi User 2001"))
	b.screenshot("01-start")

	// The user uploads a picture from disk with a caption.
	picture := filepath.Join(t.TempDir(), "my-meme.jpg")
	if err := os.WriteFile(picture, testPicture(t), 0o644); err != nil {
		t.Fatal(err)
	}
	b.attach("#file-private", picture)
	b.waitFor("the staged file", `!document.querySelector('#pane-private .staged').hidden`)
	b.send("private", "sandbox test meme")
	b.waitFor("the photo in the chat", `[...document.querySelectorAll('#pane-private .msg.out img')].length === 1`)
	b.waitFor("the acknowledgement", botSaid("private", "is being checked"))
	b.screenshot("02-uploaded")

	// It reaches the moderators' chat with the review buttons.
	b.waitFor("the review post", buttonIn("review", "✅ Approve")+` !== undefined`)
	b.waitFor("the stored copy", `document.querySelectorAll('#pane-storage .msg img').length === 1`)
	b.screenshot("03-in-review")

	// A user pressing Approve is refused; the moderator's press decides.
	b.actAs("user", 2001)
	b.press("review", "✅ Approve")
	b.waitFor("the refusal", `document.querySelector('#alert').open && document.querySelector('#alert').innerText.includes('Only moderators')`)
	b.eval(`document.querySelector('#alert').close()`, nil)
	b.actAs("moderator", 0)
	b.press("review", "✅ Approve")
	b.waitFor("the post edited in place", `[...document.querySelectorAll('#pane-review .msg')].some(m => m.innerText.includes('Approved by @sandbox_moderator') && !m.querySelector('.kb'))`)
	b.screenshot("04-approved")
	// The uploader is told after the post is edited, not with it: wait for
	// the message at the fake Bot API (the page shows it below).
	told := time.Now().Add(20 * time.Second)
	for !strings.Contains(lastBotText(fake.Transcript(2001)), "approved") && time.Now().Before(told) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(lastBotText(fake.Transcript(2001)), "approved") {
		t.Errorf("the uploader was not told of the approval; last message: %q", lastBotText(fake.Transcript(2001)))
	}

	// Back as the uploader: the bot's verdict is in the private chat.
	b.actAs("user", 2001)
	b.waitFor("the uploader told", botSaid("private", "approved"))
	b.screenshot("05-uploader-told")

	t.Run("feed", func(t *testing.T) {
		b := b.with(t)
		// Another user is served the meme and likes it.
		b.actAs("user", 2002)
		b.send("private", "/start")
		b.waitFor("a reply to /start", botSaid("private", "Hi User 2002")+` && document.querySelectorAll('#pane-private .msg[data-from=bot]').length >= 2`)
		if strings.Contains(lastBotText(fake.Transcript(2002)), "No memes yet") {
			b.screenshot("06-no-feed")
			t.Fatal("user 2002 got \"No memes yet\" after the approval: the approved meme never reached the feed")
		}
		b.waitFor("the meme with 👍", buttonIn("private", "👍")+` !== undefined`)
		b.screenshot("06-feed")
		before := len(fake.Transcript(2002))
		b.press("private", "👍")
		b.waitFor("what follows the like", fmt.Sprintf(`document.querySelectorAll('#pane-private .msg').length > %d`, before))
		b.screenshot("07-liked")
	})

	var same bool
	b.eval(`window.__sameDocument === true`, &same)
	if !same {
		t.Error("the page reloaded; every change should arrive live")
	}
}

// TestBrowserDemo is what a newcomer sees after `make sandbox`: a demo user
// is served the demo memes with 👍/👎 and likes one; another uploads a meme,
// which reaches the moderators with its text read by OCR. Its last
// screenshot is the README's (-sandbox.docs).
func TestBrowserDemo(t *testing.T) {
	sb, _ := startSandbox(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := openBrowser(t, ctx, sb.URL)

	b.actAs("user", 1001) // Alice
	b.send("private", "/start")
	b.waitFor("a demo meme with 👍", buttonIn("private", "👍")+` !== undefined`)
	b.press("private", "👍")
	b.waitFor("the next demo meme", `document.querySelectorAll('#pane-private .msg.media').length >= 2`)

	b.actAs("user", 1003) // Chen uploads a meme of their own
	picture := filepath.Join(t.TempDir(), "meme.jpg")
	data, err := sandbox.DemoPicture(42, "Me reading the README", "make sandbox just works")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(picture, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b.attach("#file-private", picture)
	b.waitFor("the staged file", `!document.querySelector('#pane-private .staged').hidden`)
	b.send("private", "")
	b.waitFor("the review post", buttonIn("review", "✅ Approve")+` !== undefined`)
	var review string
	b.eval(`[...document.querySelectorAll('#pane-review .msg')].pop().innerText`, &review)
	if !strings.Contains(strings.ToLower(review), "readme") {
		t.Errorf("the review post does not show the meme's text read by OCR:\n%s", review)
	}

	b.actAs("user", 1001)
	b.waitFor("Alice's chat again", `document.querySelectorAll('#pane-private .msg.media').length >= 2`)
	b.eval(`document.querySelector('#pane-review .messages').scrollTop = 1e6`, nil)
	b.screenshot("demo")
	var noEmoji bool
	b.eval(`document.body.classList.contains('no-emoji')`, &noEmoji)
	if noEmoji && *docsShot != "" {
		t.Fatal("this machine has no colour emoji font (apt-get install fonts-noto-color-emoji): the screenshot would not look as users see the page")
	}
	writeDocsShot(t, b.shot)

	// Where no colour emoji font draws 👍, the page shows words instead of
	// empty squares; the buttons' text stays the bot's.
	t.Run("without an emoji font", func(t *testing.T) {
		b := openBrowser(t, ctx, sb.URL+"?emoji=text") // as on a machine without one
		b.actAs("user", 1002)
		b.send("private", "/start")
		b.waitFor("a demo meme with 👍", buttonIn("private", "👍")+` !== undefined`)
		var shown string
		b.eval(`(() => {
			const span = `+buttonIn("private", "👍")+`.querySelector('.emoji');
			return span ? getComputedStyle(span, '::after').content + ' ' + getComputedStyle(span).fontSize : 'no span';
		})()`, &shown)
		if shown != `"Like" 0px` {
			t.Errorf("the like button shows %q; want the word Like in place of the emoji (\"Like\" 0px)", shown)
		}
		b.press("private", "👍") // still found, and pressed, by its label
		b.waitFor("the next demo meme", `document.querySelectorAll('#pane-private .msg.media').length >= 2`)
		b.screenshot("no-emoji")
	})
}

func lastBotText(msgs []tgfake.Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].FromBot() {
			return msgs[i].Content()
		}
	}
	return ""
}

// testPicture is a JPEG picture with detail, unlike any demo meme.
func testPicture(t *testing.T) []byte {
	t.Helper()
	const w, h = 800, 600
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			r := 128 + 120*math.Sin(float64(x)/19)
			g := 128 + 120*math.Cos(float64(y)/27)
			bl := 128 + 120*math.Sin(float64(x+y)/41)
			img.Set(x, y, color.RGBA{uint8(r), uint8(g), uint8(bl), 255})
		}
	}
	black := image.NewUniform(color.Black)
	for i := 0; i < w; i += 24 { // sharp lines: the bot rejects blurry pictures
		draw.Draw(img, image.Rect(i, 0, i+2, h), black, image.Point{}, draw.Src)
	}
	for i := 0; i < h; i += 24 {
		draw.Draw(img, image.Rect(0, i, w, i+2), black, image.Point{}, draw.Src)
	}
	for i := range 6 {
		x0, y0 := (97+i*131)%(w-80), (53+i*71)%(h-80)
		c := color.RGBA{uint8(40 * i), uint8(255 - 30*i), 90, 255}
		draw.Draw(img, image.Rect(x0, y0, x0+60, y0+60), image.NewUniform(c), image.Point{}, draw.Src)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeDocsShot saves shot at -sandbox.docs, shrunk until it is under 300 KB.
func writeDocsShot(t *testing.T, shot []byte) {
	t.Helper()
	if *docsShot == "" {
		return
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	out := shot
	// Shrink in steps, in the 256 colours of the Plan 9 palette, until it fits.
	for scale := 1.0; len(out) >= 300<<10 && scale > 0.4; scale -= 0.1 {
		b := img.Bounds()
		full := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*scale), int(float64(b.Dy())*scale)))
		draw.CatmullRom.Scale(full, full.Bounds(), img, b, draw.Src, nil)
		small := image.NewPaletted(full.Bounds(), palette.Plan9)
		draw.FloydSteinberg.Draw(small, small.Bounds(), full, image.Point{})
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, small); err != nil {
			t.Fatal(err)
		}
		out = buf.Bytes()
	}
	if err := os.MkdirAll(filepath.Dir(*docsShot), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*docsShot, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot (%d KB) written to %s", len(out)>>10, *docsShot)
}
