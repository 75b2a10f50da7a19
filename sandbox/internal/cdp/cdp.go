// Package cdp drives a headless Chromium through the Chrome DevTools
// Protocol over its WebSocket: launch, open a page, evaluate JavaScript, set
// a file input, take screenshots. It is the little the sandbox's browser
// test needs, not a general client.
package cdp

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Browser is a running Chromium and the DevTools connection to it.
type Browser struct {
	cmd    *exec.Cmd
	ws     *wsConn
	mu     sync.Mutex
	nextID int64
	wait   map[int64]chan reply
	closed chan struct{}
	err    error // why the connection ended
}

type reply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

var devToolsRE = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

// Launch starts headless Chromium at path with a throw-away profile in
// userDataDir and connects to its DevTools.
func Launch(ctx context.Context, path, userDataDir string) (*Browser, error) {
	cmd := exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
		"--remote-debugging-port=0", "--user-data-dir="+userDataDir, "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("cdp: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cdp: start chromium: %w", err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := devToolsRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr) // keep the pipe drained
	}()
	var wsURL string
	select {
	case wsURL = <-found:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("cdp: waiting for the DevTools address: %w", ctx.Err())
	}
	ws, err := dialWebSocket(wsURL)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	b := &Browser{cmd: cmd, ws: ws, wait: map[int64]chan reply{}, closed: make(chan struct{})}
	go b.readLoop()
	return b, nil
}

func (b *Browser) readLoop() {
	defer close(b.closed)
	for {
		data, err := b.ws.readMessage()
		if err != nil {
			b.mu.Lock()
			b.err = err
			b.mu.Unlock()
			return
		}
		var msg struct {
			ID int64 `json:"id"`
			reply
		}
		if json.Unmarshal(data, &msg) != nil || msg.ID == 0 {
			continue // an event: nothing here listens to events
		}
		b.mu.Lock()
		ch := b.wait[msg.ID]
		delete(b.wait, msg.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- msg.reply
		}
	}
}

// call sends a command (to a page's session when sessionID is set) and
// decodes its result into out (when non-nil).
func (b *Browser) call(ctx context.Context, sessionID, method string, params, out any) error {
	if params == nil {
		params = struct{}{}
	}
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan reply, 1)
	b.wait[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if sessionID != "" {
		msg["sessionId"] = sessionID
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("cdp: %s: %w", method, err)
	}
	if err := b.ws.writeMessage(data); err != nil {
		return err
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return fmt.Errorf("cdp: %s: %s (%d)", method, r.Error.Message, r.Error.Code)
		}
		if out != nil {
			if err := json.Unmarshal(r.Result, out); err != nil {
				return fmt.Errorf("cdp: %s: decode result: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.wait, id)
		b.mu.Unlock()
		return fmt.Errorf("cdp: %s: %w", method, ctx.Err())
	case <-b.closed:
		return fmt.Errorf("cdp: %s: connection closed: %v", method, b.err)
	}
}

// Close ends the browser.
func (b *Browser) Close() error {
	_ = b.call(context.Background(), "", "Browser.close", nil, nil)
	_ = b.ws.close()
	done := make(chan error, 1)
	go func() { done <- b.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = b.cmd.Process.Kill()
		<-done
	}
	return nil
}

// Page is one tab.
type Page struct {
	b       *Browser
	session string
}

// NewPage opens a blank tab of width x height CSS pixels.
func (b *Browser) NewPage(ctx context.Context, width, height int) (*Page, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		return nil, err
	}
	p := &Page{b: b, session: attached.SessionID}
	if err := p.Call(ctx, "Page.enable", nil, nil); err != nil {
		return nil, err
	}
	err := p.Call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil)
	return p, err
}

// Call sends a DevTools command to the page.
func (p *Page) Call(ctx context.Context, method string, params, out any) error {
	return p.b.call(ctx, p.session, method, params, out)
}

// Navigate loads url (it does not wait for the load to finish; poll with Eval).
func (p *Page) Navigate(ctx context.Context, url string) error {
	var r struct {
		ErrorText string `json:"errorText"`
	}
	if err := p.Call(ctx, "Page.navigate", map[string]any{"url": url}, &r); err != nil {
		return err
	}
	if r.ErrorText != "" {
		return fmt.Errorf("cdp: navigate to %s: %s", url, r.ErrorText)
	}
	return nil
}

// Eval evaluates a JavaScript expression (promises are awaited) and
// decodes its value into out (when non-nil).
func (p *Page) Eval(ctx context.Context, expr string, out any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.Call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if err != nil {
		return err
	}
	if r.Exception != nil {
		return fmt.Errorf("cdp: script failed: %s %s", r.Exception.Text, strings.TrimSpace(r.Exception.Exception.Description))
	}
	if out != nil && len(r.Result.Value) > 0 {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			return fmt.Errorf("cdp: decode script value %s: %w", r.Result.Value, err)
		}
	}
	return nil
}

// SetFileInput puts files (absolute paths) into the <input type=file>
// matched by selector, as if chosen in the file dialog; the page gets
// input and change events.
func (p *Page) SetFileInput(ctx context.Context, selector string, files ...string) error {
	var doc struct {
		Root struct {
			NodeID int64 `json:"nodeId"`
		} `json:"root"`
	}
	if err := p.Call(ctx, "DOM.getDocument", map[string]any{"depth": 0}, &doc); err != nil {
		return err
	}
	var node struct {
		NodeID int64 `json:"nodeId"`
	}
	if err := p.Call(ctx, "DOM.querySelector", map[string]any{"nodeId": doc.Root.NodeID, "selector": selector}, &node); err != nil {
		return err
	}
	if node.NodeID == 0 {
		return fmt.Errorf("cdp: no element matches %q", selector)
	}
	return p.Call(ctx, "DOM.setFileInputFiles", map[string]any{"nodeId": node.NodeID, "files": files}, nil)
}

// Screenshot captures the viewport as PNG.
func (p *Page) Screenshot(ctx context.Context) ([]byte, error) {
	var r struct {
		Data string `json:"data"`
	}
	if err := p.Call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"}, &r); err != nil {
		return nil, err
	}
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		return nil, fmt.Errorf("cdp: screenshot: %w", err)
	}
	return png, nil
}

// ErrTimeout is returned by WaitFor when the condition never held.
var ErrTimeout = errors.New("cdp: condition not met in time")

// WaitFor evaluates the boolean expression cond until it is true.
func (p *Page) WaitFor(ctx context.Context, cond string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		var ok bool
		lastErr = p.Eval(ctx, cond, &ok)
		if lastErr == nil && ok {
			return nil
		}
		if time.Now().After(deadline) {
			if lastErr != nil {
				return fmt.Errorf("%w: %s (last error: %v)", ErrTimeout, cond, lastErr)
			}
			return fmt.Errorf("%w: %s", ErrTimeout, cond)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
