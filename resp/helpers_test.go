package resp

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kvnode/kvnode/engine"
)

// In-process test helpers: a real Server on an in-memory engine, listening
// on a loopback port below 32768, and a raw RESP client that returns each
// reply exactly as the server framed it.

// listenLoopback listens on a free loopback port in [20000, 32000).
func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	for i := 0; i < 200; i++ {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			return ln
		}
	}
	t.Fatal("no free loopback port below 32768")
	return nil
}

// startServer runs a Server on an in-memory store. opts are option
// name/value pairs applied on top of the defaults.
func startServer(t testing.TB, opts ...string) (*Server, string) {
	t.Helper()
	cfg := DefaultConfig()
	for i := 0; i+1 < len(opts); i += 2 {
		if err := cfg.Set(opts[i], opts[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	db, err := engine.Open(engine.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(cfg, db, nil)
	ln := listenLoopback(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
		_ = db.Close()
	})
	return srv, ln.Addr().String()
}

// testConn is a raw RESP client.
type testConn struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

func dial(t testing.TB, addr string) *testConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &testConn{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// encode frames args as a RESP multibulk request.
func encode(args ...string) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&sb, "$%d\r\n%s\r\n", len(a), a)
	}
	return []byte(sb.String())
}

// send writes raw bytes.
func (c *testConn) send(b []byte) {
	c.t.Helper()
	_ = c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// do sends one command and returns its raw reply.
func (c *testConn) do(args ...string) string {
	c.t.Helper()
	c.send(encode(args...))
	return c.read()
}

// read returns the next raw reply.
func (c *testConn) read() string {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	s, err := readReply(c.r)
	if err != nil {
		c.t.Fatalf("read reply: %v (got %q so far)", err, s)
	}
	return s
}

// readReply reads one complete RESP2/RESP3 reply and returns its bytes.
func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return line, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return line, fmt.Errorf("bad line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', ',', '#', '_', '(':
		return line, nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil {
			return line, err
		}
		if n < 0 {
			return line, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return line, err
		}
		return line + string(buf), nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return line, err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		var sb strings.Builder
		sb.WriteString(line)
		for i := 0; i < n; i++ {
			s, err := readReply(r)
			sb.WriteString(s)
			if err != nil {
				return sb.String(), err
			}
		}
		return sb.String(), nil
	}
	return line, fmt.Errorf("unknown reply type %q", line[0])
}

// bulk returns the RESP2 bulk-string frame of s.
func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// expect runs one command and checks its raw reply.
func (c *testConn) expect(want string, args ...string) {
	c.t.Helper()
	if got := c.do(args...); got != want {
		c.t.Errorf("%q: got %q, want %q", args, got, want)
	}
}
