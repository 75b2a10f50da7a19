package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// The fault tests stop and restart their own PostgreSQL and Redis, never the
// shared ones the other tests use.

func sparePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// privateRedis is a redis-server of the test's own, without persistence:
// restarting it loses everything, as a Redis without a disk does.
type privateRedis struct {
	t    testing.TB
	port int
	cmd  *exec.Cmd
}

func startPrivateRedis(t testing.TB) *privateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed (scripts/services.sh installs it)")
	}
	r := &privateRedis{t: t, port: sparePort(t)}
	r.Start()
	t.Cleanup(r.Kill)
	return r
}

func (r *privateRedis) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// Start starts it, empty.
func (r *privateRedis) Start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.t.TempDir())
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer c.Close()
	waitUntil(r.t, "private Redis answers", 10*time.Second, func() bool { return c.Ping(context.Background()).Err() == nil })
}

// Kill stops it the hard way; everything it held is gone.
func (r *privateRedis) Kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// privatePostgres is a PostgreSQL cluster of the test's own.
type privatePostgres struct {
	t     testing.TB
	port  int
	data  string
	bin   string
	runas []string
}

func startPrivatePostgres(t testing.TB) *privatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Skip("PostgreSQL server binaries are not installed (scripts/services.sh installs them)")
	}
	p := &privatePostgres{t: t, port: sparePort(t), bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "memebot-pg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p.data = filepath.Join(dir, "data")
	if os.Geteuid() == 0 { // initdb refuses to run as root
		pg, err := osuser.Lookup("postgres")
		if err != nil {
			t.Skip("running as root without a postgres user to run PostgreSQL as")
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.runas = []string{"runuser", "-u", "postgres", "--"}
	}
	p.run("initdb", "-D", p.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
	p.Start()
	t.Cleanup(func() { p.Stop() })
	return p
}

func (p *privatePostgres) run(tool string, args ...string) {
	p.t.Helper()
	argv := append(append(append([]string{}, p.runas...), filepath.Join(p.bin, tool)), args...)
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		p.t.Fatalf("%s: %v\n%s", tool, err, out)
	}
}

func (p *privatePostgres) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

func (p *privatePostgres) Start() {
	p.t.Helper()
	p.run("pg_ctl", "-D", p.data, "-l", p.data+".log", "-w", "start",
		"-o", fmt.Sprintf("-p %d -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off", p.port))
	waitUntil(p.t, "private PostgreSQL answers", 15*time.Second, func() bool {
		c, err := pgx.Connect(context.Background(), p.URL())
		if err == nil {
			c.Close(context.Background())
		}
		return err == nil
	})
}

// Stop shuts it down at once: sessions are cut, new connections refused.
func (p *privatePostgres) Stop() {
	argv := append(append(append([]string{}, p.runas...), filepath.Join(p.bin, "pg_ctl")), "-D", p.data, "-m", "immediate", "-w", "stop")
	exec.Command(argv[0], argv[1:]...).Run()
}

func waitUntil(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
