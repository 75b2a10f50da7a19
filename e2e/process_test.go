package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// memebotBinary builds the real binary once per test run.
func memebotBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "memebot-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "memebot")
		out, err := exec.Command("go", "build", "-o", binPath, "..").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("build memebot: %v", buildErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (b *buildError) Error() string { return b.err.Error() + "\n" + b.out }

// proc is a memebot process started by a test.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process exited
	err  error         // its exit error, once done
	out  *lockedBuffer
}

// spawn starts `memebot <role>` as a separate process with the env's
// configuration (plus extra), its output going to the test log on failure.
func (e *env) spawn(role string, extra ...string) *proc {
	e.t.Helper()
	cmd := exec.Command(memebotBinary(e.t), role)
	cmd.Env = append(append(append(os.Environ()[:0:0], "PATH="+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"), "OMP_THREAD_LIMIT=1"), e.vars...), extra...)
	cmd.Env = append(cmd.Env, "HTTP_ADDR=127.0.0.1:0", "LOG_LEVEL=debug")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{}), out: out}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	e.t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if e.t.Failed() {
			e.t.Logf("output of memebot %s:\n%s", role, out.String())
		}
	})
	return p
}

// kill stops the process the hard way: no shutdown, nothing handed back.
func (p *proc) kill(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		t.Fatal("process did not die")
	}
}

// terminate asks the process to stop and returns its exit error and how long it took.
func (p *proc) terminate(t testing.TB) (error, time.Duration) {
	t.Helper()
	began := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
		return p.err, time.Since(began)
	case <-time.After(15 * time.Second):
		t.Fatal("process ignored SIGTERM for 15 s")
		return nil, 0
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
