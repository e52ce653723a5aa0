package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The harness: TestMain builds kvnode once; startNode and startRedis start
// processes on free loopback ports with one directory each, wait until they
// answer PING and kill them when the test ends, printing the tail of their
// log when the test failed.

const (
	portLo = 20000 // lowest port handed out
	portHi = 32000 // first port not handed out (stays below 32768)

	readyTimeout = 10 * time.Second // process start until PING answers
	stopTimeout  = 15 * time.Second // SIGTERM until exit
	ioTimeout    = 10 * time.Second // one request/reply on a test connection
)

var (
	// kvnodeBin is the kvnode binary built by TestMain.
	kvnodeBin string
	// moduleRoot is the directory holding kvnode's go.mod.
	moduleRoot string
)

// TestMain builds kvnode into a temporary directory, runs the tests and
// removes the directory.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests builds kvnode and runs the tests; it returns the exit code.
func runTests(m *testing.M) int {
	root, err := findModuleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration: cannot find the module root:", err)
		return 1
	}
	moduleRoot = root
	tmp, err := os.MkdirTemp("", "kvnode-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	kvnodeBin = filepath.Join(tmp, "kvnode")
	args := []string{"build", "-o", kvnodeBin}
	if os.Getenv("KVNODE_RACE") == "1" {
		args = append(args, "-race")
	}
	args = append(args, "./cmd/kvnode")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "integration: go %s: %v\n%s", strings.Join(args, " "), err, out)
		return 1
	}
	return m.Run()
}

// findModuleRoot returns the directory of the main module's go.mod: from
// `go env GOMOD`, else by walking up from the working directory.
func findModuleRoot() (string, error) {
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		if gomod := strings.TrimSpace(string(out)); gomod != "" && gomod != os.DevNull {
			return filepath.Dir(gomod), nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// ports hands out loopback ports, never the same one twice in one run.
var ports struct {
	sync.Mutex
	used map[int]bool
}

// freePort returns a port in [portLo, portHi) that nothing listens on right
// now and that no other test of this run got.
func freePort(t testing.TB) int {
	t.Helper()
	ports.Lock()
	defer ports.Unlock()
	if ports.used == nil {
		ports.used = make(map[int]bool)
	}
	for i := 0; i < 1000; i++ {
		p := portLo + rand.IntN(portHi-portLo)
		if ports.used[p] {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		ln.Close()
		ports.used[p] = true
		return p
	}
	t.Fatalf("no free loopback port in [%d, %d)", portLo, portHi)
	return 0
}

// proc is one server process a test started: kvnode or redis-server.
type proc struct {
	t       testing.TB
	name    string // "kvnode" or "redis-server", for messages
	bin     string
	port    int
	dir     string
	logPath string
	outPath string   // the process's stdout and stderr
	extra   []string // extra command-line arguments

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{} // closed when the current process has exited
	waitErr error         // the current process's exit status, once done
	starts  int
}

// Addr returns the node's host:port.
func (p *proc) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)) }

// args returns the process's command line (without the binary).
func (p *proc) args() []string {
	port := strconv.Itoa(p.port)
	var a []string
	if p.name == "kvnode" {
		a = []string{"--port", port, "--bind", "127.0.0.1", "--dir", p.dir, "--logfile", p.logPath}
	} else {
		a = []string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", p.dir, "--logfile", p.logPath, "--daemonize", "no"}
	}
	return append(a, p.extra...)
}

// errAddrInUse says the process could not listen on its port.
var errAddrInUse = errors.New("address already in use")

// start starts the process and waits until it answers PING.
func (p *proc) start() error {
	out, err := os.OpenFile(p.outPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(p.bin, p.args()...)
	cmd.Dir = p.dir
	cmd.Stdout, cmd.Stderr = out, out
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.done, p.waitErr = cmd, done, nil
	p.starts++
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.waitErr = err
		p.mu.Unlock()
		close(done)
	}()
	return p.waitReady(done)
}

// waitReady polls PING until the process answers (PONG, or NOAUTH when it
// has a password), the process exits, or readyTimeout passes.
func (p *proc) waitReady(done chan struct{}) error {
	deadline := time.Now().Add(readyTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			if strings.Contains(strings.ToLower(p.logTail(64<<10)), "address already in use") {
				return errAddrInUse
			}
			return fmt.Errorf("%s exited during start-up: %v", p.name, p.exitErr())
		default:
		}
		if c, err := dialRaw(p.Addr(), 500*time.Millisecond); err == nil {
			r, err := c.Do("PING")
			c.Close()
			if err == nil && (string(r) == "+PONG\r\n" || strings.HasPrefix(string(r), "-NOAUTH")) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			p.kill()
			return fmt.Errorf("%s did not answer PING on %s within %v", p.name, p.Addr(), readyTimeout)
		}
		select {
		case <-done:
		case <-tick.C:
		}
	}
}

// exitErr returns the exit status of the last process (nil: exit 0).
func (p *proc) exitErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waitErr
}

// running reports whether the process is alive.
func (p *proc) running() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// waitExit waits up to d for the process to exit and reports whether it
// has.
func (p *proc) waitExit(d time.Duration) bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return true
	}
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// crashSummary returns the last panic or fatal error in the process's
// output with the first frame below it, or its exit status.
func (p *proc) crashSummary() string {
	b, _ := os.ReadFile(p.outPath)
	lines := strings.Split(string(b), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "panic: ") || strings.HasPrefix(lines[i], "fatal error: ") {
			out := lines[i]
			for j := i + 1; j < len(lines) && j < i+8; j++ {
				if strings.HasPrefix(lines[j], "goroutine ") && j+2 < len(lines) {
					fn := strings.TrimSpace(lines[j+1])
					if k := strings.LastIndex(fn, "("); k > 0 {
						fn = fn[:k] // drop the argument words
					}
					file, _, _ := strings.Cut(strings.TrimSpace(lines[j+2]), " ")
					out += " at " + fn + " " + file
					break
				}
			}
			return out
		}
	}
	return fmt.Sprintf("exit status %v", p.exitErr())
}

// signal sends sig and waits up to timeout for the process to exit.
func (p *proc) signal(sig os.Signal, timeout time.Duration) error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	default:
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("%s (pid %d) still running %v after %v", p.name, cmd.Process.Pid, timeout, sig)
	}
}

// kill kills the process with SIGKILL and waits for it.
func (p *proc) kill() {
	if err := p.signal(syscall.SIGKILL, stopTimeout); err != nil {
		p.t.Errorf("kill: %v", err)
	}
}

// Kill9 kills the node with SIGKILL, as a crash would, and waits for it.
func (p *proc) Kill9(t testing.TB) {
	t.Helper()
	if err := p.signal(syscall.SIGKILL, stopTimeout); err != nil {
		t.Fatal(err)
	}
}

// Stop stops the node with SIGTERM and waits for it to exit; it fails the
// test when the node does not exit in time or exits with an error status.
func (p *proc) Stop(t testing.TB) {
	t.Helper()
	if err := p.signal(syscall.SIGTERM, stopTimeout); err != nil {
		p.kill()
		t.Fatal(err)
	}
	if err := p.exitErr(); err != nil {
		t.Fatalf("%s exited with %v after SIGTERM", p.name, err)
	}
}

// Restart starts the stopped node again on the same port and directory.
func (p *proc) Restart(t testing.TB) {
	t.Helper()
	if p.running() {
		t.Fatalf("Restart: %s is still running", p.name)
	}
	var err error
	for try := 0; try < 20; try++ {
		if err = p.start(); !errors.Is(err, errAddrInUse) {
			break
		}
		time.Sleep(100 * time.Millisecond) // the port is held by someone else: let it go
	}
	if err != nil {
		t.Fatalf("restart %s: %v", p.name, err)
	}
}

// logTail returns up to limit bytes from the end of the process's log and
// output files.
func (p *proc) logTail(limit int) string {
	var sb strings.Builder
	for _, f := range []string{p.logPath, p.outPath} {
		b, err := os.ReadFile(f)
		if err != nil || len(b) == 0 {
			continue
		}
		if len(b) > limit {
			b = b[len(b)-limit:]
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				b = b[i+1:]
			}
		}
		fmt.Fprintf(&sb, "==> %s <==\n%s\n", f, b)
	}
	return sb.String()
}

// checkOutput fails the test when a kvnode wrote a panic or a data race
// report (KVNODE_RACE=1) to its output, even if the test did not notice.
func (p *proc) checkOutput(t testing.TB) {
	if p.name != "kvnode" {
		return
	}
	b, _ := os.ReadFile(p.outPath)
	for _, bad := range []string{"WARNING: DATA RACE", "panic: ", "fatal error: "} {
		if n := bytes.Count(b, []byte(bad)); n > 0 {
			t.Errorf("kvnode on port %d wrote %q %d times to %s; first: %s", p.port, bad, n, p.outPath, p.crashSummary())
		}
	}
}

// startProc starts a process of the given kind for t, retrying on another
// port when the chosen one was taken meanwhile.
func startProc(t testing.TB, name, bin string, extra []string) *proc {
	t.Helper()
	base := t.TempDir()
	var lastErr error
	for try := 0; try < 5; try++ {
		dir := filepath.Join(base, fmt.Sprintf("%s-%d", name, try))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := &proc{
			t:       t,
			name:    name,
			bin:     bin,
			port:    freePort(t),
			dir:     dir,
			logPath: filepath.Join(dir, name+".log"),
			outPath: filepath.Join(dir, "output.txt"),
			extra:   extra,
		}
		watchProc(t, p)
		err := p.start()
		if err == nil {
			return p
		}
		lastErr = err
		if !errors.Is(err, errAddrInUse) {
			break
		}
	}
	t.Fatalf("cannot start %s: %v", name, lastErr)
	return nil
}

// startNode starts a kvnode with its own data directory and a free port;
// extra are more command-line options ("--requirepass", "pw").
func startNode(t testing.TB, extra ...string) *proc {
	t.Helper()
	return startProc(t, "kvnode", kvnodeBin, extra)
}

// startRedis starts a real redis-server without persistence, with its own
// directory and a free port; extra are more options.
func startRedis(t testing.TB, extra ...string) *proc {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is not installed (scripts/test installs it): ", err)
	}
	return startProc(t, "redis-server", bin, extra)
}

// dial opens a raw RESP connection to p, closed when the test ends.
func dial(t testing.TB, p *proc) *rawClient {
	t.Helper()
	c, err := dialRaw(p.Addr(), ioTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", p.name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// do sends one command on c and returns the raw reply, failing the test on
// a connection error.
func do(t testing.TB, c *rawClient, args ...string) string {
	t.Helper()
	r, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%s: %v", quoteArgs(args), err)
	}
	return string(r)
}

// expect sends one command on c and checks its raw reply.
func expect(t testing.TB, c *rawClient, want string, args ...string) {
	t.Helper()
	if got := do(t, c, args...); got != want {
		t.Errorf("%s: got %q, want %q", quoteArgs(args), got, want)
	}
}
