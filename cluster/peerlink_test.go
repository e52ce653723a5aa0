package cluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ---- helpers ----

// linkListen listens on 127.0.0.1 at a port in 15000–15999 (the project
// keeps ports below 32768), retrying ports that are taken.
func linkListen(t *testing.T) net.Listener {
	t.Helper()
	var lastErr error
	for range 200 {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(15000+rand.IntN(1000)))
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			return ln
		}
		lastErr = err
	}
	t.Fatalf("no free port in 15000-15999: %v", lastErr)
	return nil
}

// linkFreeAddr returns an address nothing listens on (for now).
func linkFreeAddr(t *testing.T) string {
	ln := linkListen(t)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// linkNoLeaks fails the test if, once every later cleanup has run, more
// goroutines are left than when it was called. Call it first.
func linkNoLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func linkEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newLinksForTest(t *testing.T, opts LinkOptions) *Links {
	l := NewLinks(opts)
	t.Cleanup(func() { l.Close() })
	return l
}

func linkArgs(args ...string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// linkLogRecorder is a slog.Handler keeping every record.
type linkLogRecorder struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *linkLogRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *linkLogRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.recs = append(h.recs, r.Clone())
	h.mu.Unlock()
	return nil
}
func (h *linkLogRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *linkLogRecorder) WithGroup(string) slog.Handler      { return h }

// count returns how many records have message msg at level Warn and an
// attribute key whose value contains sub.
func (h *linkLogRecorder) count(msg, key, sub string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.recs {
		if r.Message != msg || r.Level != slog.LevelWarn {
			continue
		}
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == key && strings.Contains(a.Value.String(), sub) {
				n++
				return false
			}
			return true
		})
	}
	return n
}

// ---- a small RESP server ----

type linkReceived struct {
	conn int // index of the connection it arrived on, from 0
	args []string
}

// linkServer records the commands it receives and answers each with
// reply(args); a nil reply closes the connection. With noRead it accepts
// connections but never reads them.
type linkServer struct {
	ln   net.Listener
	addr string

	mu       sync.Mutex
	cmds     []linkReceived
	conns    map[net.Conn]bool
	accepted int
	reply    func(args []string) []byte
	noRead   bool

	wg sync.WaitGroup
}

func linkOK([]string) []byte { return []byte("+OK\r\n") }

func startLinkServer(t *testing.T, ln net.Listener) *linkServer {
	s := &linkServer{ln: ln, addr: ln.Addr().String(), conns: map[net.Conn]bool{}, reply: linkOK}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func newLinkServer(t *testing.T) *linkServer { return startLinkServer(t, linkListen(t)) }

func (s *linkServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		idx := s.accepted
		s.accepted++
		s.conns[c] = true
		noRead := s.noRead
		s.mu.Unlock()
		if noRead {
			continue // held open, unread, until dropConns or close
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.serve(c, idx)
		}()
	}
}

func (s *linkServer) serve(c net.Conn, idx int) {
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	for {
		args, err := readLinkCommand(r)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.cmds = append(s.cmds, linkReceived{idx, args})
		reply := s.reply
		s.mu.Unlock()
		out := reply(args)
		if out == nil {
			return
		}
		w.Write(out)
		if r.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}

func readLinkCommand(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(line, "*") || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("bad array header %q", line)
	}
	n, err := strconv.Atoi(line[1 : len(line)-2])
	if err != nil {
		return nil, err
	}
	args := make([]string, n)
	for i := range args {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(line, "$") || !strings.HasSuffix(line, "\r\n") {
			return nil, fmt.Errorf("bad bulk header %q", line)
		}
		size, err := strconv.Atoi(line[1 : len(line)-2])
		if err != nil {
			return nil, err
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		if string(buf[size:]) != "\r\n" {
			return nil, errors.New("bulk not terminated by CRLF")
		}
		args[i] = string(buf[:size])
	}
	return args, nil
}

func (s *linkServer) setReply(f func([]string) []byte) {
	s.mu.Lock()
	s.reply = f
	s.mu.Unlock()
}

func (s *linkServer) received() []linkReceived {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]linkReceived(nil), s.cmds...)
}

func (s *linkServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cmds)
}

func (s *linkServer) acceptedConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

func (s *linkServer) openConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// dropConns closes every open connection.
func (s *linkServer) dropConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
		delete(s.conns, c)
	}
}

// setNoRead makes the server accept later connections without ever
// reading them.
func (s *linkServer) setNoRead() {
	s.mu.Lock()
	s.noRead = true
	s.mu.Unlock()
}

func (s *linkServer) close() {
	s.ln.Close()
	s.dropConns()
	s.wg.Wait()
}

// args returns the received commands' arguments joined by spaces,
// leaving out AUTH.
func (s *linkServer) args() []string {
	var out []string
	for _, r := range s.received() {
		if r.args[0] != "AUTH" {
			out = append(out, strings.Join(r.args, " "))
		}
	}
	return out
}

// ---- tests ----

func TestLinkOrderPreserved(t *testing.T) {
	linkNoLeaks(t)
	s := newLinkServer(t)
	l := newLinksForTest(t, LinkOptions{})

	const senders, each = 4, 2500
	var wg sync.WaitGroup
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := []byte("ch" + strconv.Itoa(g))
			for i := range each {
				l.Send(s.addr, []byte("CLUSTER"), []byte("DELIVER"), ch, []byte(strconv.Itoa(i)))
			}
		}()
	}
	wg.Wait()
	linkEventually(t, "10k commands", func() bool { return s.count() == senders*each })

	next := make(map[string]int)
	for _, r := range s.received() {
		if len(r.args) != 4 || r.args[0] != "CLUSTER" || r.args[1] != "DELIVER" {
			t.Fatalf("unexpected command %q", r.args)
		}
		if r.conn != 0 {
			t.Fatalf("command on connection %d, want one connection", r.conn)
		}
		ch, i := r.args[2], r.args[3]
		if want := strconv.Itoa(next[ch]); i != want {
			t.Fatalf("%s: got message %s, want %s", ch, i, want)
		}
		next[ch]++
	}
	linkEventually(t, "sent counter", func() bool { return l.Stats()[s.addr].Sent == senders*each })
	st := l.Stats()[s.addr]
	if st.Dropped != 0 || !st.Connected || st.Queued != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestLinkAuthFirstOnEveryConnection(t *testing.T) {
	linkNoLeaks(t)
	s := newLinkServer(t)
	l := newLinksForTest(t, LinkOptions{Password: "s3cret"})

	l.Send(s.addr, linkArgs("PING", "1")...)
	linkEventually(t, "first command", func() bool { return s.count() == 2 })
	s.dropConns()
	linkEventually(t, "reconnect", func() bool { return s.acceptedConns() == 2 })
	l.Send(s.addr, linkArgs("PING", "2")...)
	linkEventually(t, "second command", func() bool { return s.count() == 4 })

	got := s.received()
	want := []linkReceived{
		{0, []string{"AUTH", "s3cret"}}, {0, []string{"PING", "1"}},
		{1, []string{"AUTH", "s3cret"}}, {1, []string{"PING", "2"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestLinkReconnectsAfterDrop(t *testing.T) {
	linkNoLeaks(t)
	s := newLinkServer(t)
	l := newLinksForTest(t, LinkOptions{})

	l.Send(s.addr, linkArgs("PING", "before")...)
	linkEventually(t, "first command", func() bool { return s.count() == 1 })
	linkEventually(t, "connected", func() bool { return l.Stats()[s.addr].Connected })

	// The server closing the connection (like a peer restarting) is noticed
	// by the reader even when the link is idle.
	s.dropConns()
	linkEventually(t, "reconnect", func() bool { return s.acceptedConns() == 2 })
	for i := range 100 {
		l.Send(s.addr, linkArgs("PING", "after"+strconv.Itoa(i))...)
	}
	linkEventually(t, "commands after reconnect", func() bool { return s.count() == 101 })
	got := s.received()
	for i, r := range got[1:] {
		if r.conn != 1 || r.args[1] != "after"+strconv.Itoa(i) {
			t.Fatalf("command %d: %v", i, r)
		}
	}

	// Messages sent after the connection closes but before the writer
	// notices may be lost (at most once); later ones must arrive.
	s.setReply(func([]string) []byte { return nil })
	l.Send(s.addr, linkArgs("PING", "closes")...)
	linkEventually(t, "third connection", func() bool { return s.acceptedConns() == 3 })
	s.setReply(linkOK)
	l.Send(s.addr, linkArgs("PING", "last")...)
	linkEventually(t, "last command", func() bool {
		a := s.args()
		return len(a) > 0 && a[len(a)-1] == "PING last"
	})
}

func TestLinkQueuesWhileDownUpToLimit(t *testing.T) {
	linkNoLeaks(t)
	addr := linkFreeAddr(t)
	msg := linkArgs("PING", "xyz")
	size := commandSize(msg) // *2\r\n$4\r\nPING\r\n$3\r\nxyz\r\n
	if size != 23 || len(appendCommand(nil, msg)) != size {
		t.Fatalf("commandSize %d, encoded %q", size, appendCommand(nil, msg))
	}
	l := newLinksForTest(t, LinkOptions{MaxQueueBytes: int64(10 * size)})

	for i := range 25 {
		l.Send(addr, linkArgs("PING", fmt.Sprintf("%03d", i))...)
	}
	st := l.Stats()[addr]
	if st.Dropped != 15 || st.Queued != int64(10*size) || st.Sent != 0 || st.Connected {
		t.Fatalf("stats while down: %+v", st)
	}
	// Let a few connection attempts fail (refused); nothing is lost.
	time.Sleep(200 * time.Millisecond)
	if st2 := l.Stats()[addr]; st2 != st {
		t.Fatalf("stats changed while down: %+v, then %+v", st, st2)
	}

	// The peer comes up: the queued commands go out, in order.
	var ln net.Listener
	linkEventually(t, "listen on "+addr, func() bool {
		var err error
		ln, err = net.Listen("tcp", addr)
		return err == nil
	})
	s := startLinkServer(t, ln)
	linkEventually(t, "queued commands", func() bool { return s.count() == 10 })
	for i, a := range s.args() {
		if want := fmt.Sprintf("PING %03d", i); a != want {
			t.Fatalf("command %d: %q, want %q", i, a, want)
		}
	}
	linkEventually(t, "stats", func() bool {
		st := l.Stats()[addr]
		return st.Sent == 10 && st.Dropped == 15 && st.Queued == 0 && st.Connected
	})
}

func TestLinkRetainClosesOthers(t *testing.T) {
	linkNoLeaks(t)
	a, b := newLinkServer(t), newLinkServer(t)
	l := newLinksForTest(t, LinkOptions{})

	l.Send(a.addr, linkArgs("PING", "a")...)
	l.Send(b.addr, linkArgs("PING", "b")...)
	linkEventually(t, "both delivered", func() bool { return a.count() == 1 && b.count() == 1 })

	l.Retain([]string{a.addr, "127.0.0.1:1"})
	linkEventually(t, "b's link closed", func() bool { return b.openConns() == 0 })
	if st := l.Stats(); len(st) != 1 || !st[a.addr].Connected {
		t.Fatalf("stats after Retain: %+v", st)
	}
	if a.openConns() != 1 {
		t.Fatalf("a has %d connections", a.openConns())
	}
	l.Send(a.addr, linkArgs("PING", "a2")...)
	linkEventually(t, "a still linked", func() bool { return a.count() == 2 })
	if a.acceptedConns() != 1 || b.acceptedConns() != 1 {
		t.Fatalf("accepted: a %d, b %d", a.acceptedConns(), b.acceptedConns())
	}

	l.Retain(nil)
	linkEventually(t, "a's link closed", func() bool { return a.openConns() == 0 })
	if st := l.Stats(); len(st) != 0 {
		t.Fatalf("stats after Retain(nil): %+v", st)
	}
}

func TestLinkCloseIdempotentAndFinal(t *testing.T) {
	linkNoLeaks(t)
	s := newLinkServer(t)
	down := linkFreeAddr(t) // a link stuck reconnecting must stop too
	l := NewLinks(LinkOptions{})

	l.Send(s.addr, linkArgs("PING", "1")...)
	l.Send(down, linkArgs("PING", "1")...)
	linkEventually(t, "delivered", func() bool { return s.count() == 1 })

	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	linkEventually(t, "connection closed", func() bool { return s.openConns() == 0 })

	l.Send(s.addr, linkArgs("PING", "2")...)
	l.Retain(nil)
	if st := l.Stats(); len(st) != 0 {
		t.Fatalf("stats after Close: %+v", st)
	}
	time.Sleep(100 * time.Millisecond)
	if s.count() != 1 || s.acceptedConns() != 1 {
		t.Fatalf("after Close: %d commands, %d connections", s.count(), s.acceptedConns())
	}
}

func TestLinkCloseUnblocksStuckWrite(t *testing.T) {
	linkNoLeaks(t)
	s := newLinkServer(t)
	s.setNoRead()
	l := NewLinks(LinkOptions{WriteTimeout: time.Hour})

	big := bytes.Repeat([]byte("x"), 1<<20)
	for range 32 {
		l.Send(s.addr, []byte("PING"), big)
	}
	// The kernel buffers take a few MB; the rest waits in the queue while
	// the writer is blocked in Write.
	linkEventually(t, "writer blocked", func() bool {
		st := l.Stats()[s.addr]
		return st.Connected && st.Queued > 8<<20
	})
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	l.Close()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %v", d)
	}
}

func TestLinkWriteTimeoutReconnects(t *testing.T) {
	linkNoLeaks(t)
	s := newLinkServer(t)
	s.setNoRead()
	l := newLinksForTest(t, LinkOptions{WriteTimeout: 100 * time.Millisecond})

	big := bytes.Repeat([]byte("x"), 1<<20)
	for range 32 {
		l.Send(s.addr, []byte("PING"), big)
	}
	linkEventually(t, "reconnect after write timeout", func() bool {
		return s.acceptedConns() >= 2 && l.Stats()[s.addr].Dropped > 0
	})
}

func TestLinkErrorRepliesLoggedRateLimited(t *testing.T) {
	linkNoLeaks(t)
	s := newLinkServer(t)
	s.setReply(func([]string) []byte { return []byte("-NOAUTH Authentication required.\r\n") })
	rec := &linkLogRecorder{}
	l := newLinksForTest(t, LinkOptions{Logger: slog.New(rec)})

	for i := range 5 {
		l.Send(s.addr, linkArgs("PING", strconv.Itoa(i))...)
	}
	linkEventually(t, "commands", func() bool { return s.count() == 5 })
	linkEventually(t, "warning", func() bool { return rec.count("peer link error reply", "reply", "NOAUTH") > 0 })
	time.Sleep(100 * time.Millisecond)
	if n := rec.count("peer link error reply", "reply", "NOAUTH"); n != 1 {
		t.Fatalf("%d warnings, want 1 (rate-limited)", n)
	}
	// Error replies do not break the link.
	if s.acceptedConns() != 1 || !l.Stats()[s.addr].Connected {
		t.Fatalf("link dropped on error replies: %d connections", s.acceptedConns())
	}
}

func TestLinkSurvivesGarbageReplies(t *testing.T) {
	linkNoLeaks(t)
	s := newLinkServer(t)
	garbage := []string{
		"?what\r\n",
		"$-5\r\n",
		"$99999999999999999999999\r\n",
		"*-7\r\n",
		"*3\r\n:1\r\n",                           // truncated, then the next reply's bytes
		"$3\r\nabcdef\r\n",                       // bulk longer than announced
		"+no newline",                            // never terminated
		"+bare newline\n",                        // LF without CR
		"\x00\xff\xfe\r\n",                       // binary junk
		strings.Repeat("+", 1<<17) + "\r\n",      // longer than any line allowed
		strings.Repeat("*1\r\n", 100) + ":1\r\n", // nested too deep
		"%1\r\n+k\r\n-ERR in a map\r\n",          // valid RESP3, error inside
		"|1\r\n+a\r\n+b\r\n+OK\r\n",              // valid attribute + reply
		"!10\r\nSYNTAX bad\r\n",                  // valid blob error
		"\r\n",
	}
	var mu sync.Mutex
	next := 0
	s.setReply(func([]string) []byte {
		mu.Lock()
		defer mu.Unlock()
		g := garbage[next%len(garbage)]
		next++
		return []byte(g)
	})
	rec := &linkLogRecorder{}
	l := newLinksForTest(t, LinkOptions{Logger: slog.New(rec)})
	for i := range 3 * len(garbage) {
		l.Send(s.addr, linkArgs("PING", strconv.Itoa(i))...)
		time.Sleep(time.Millisecond)
	}
	// Each protocol error closes the connection; the link reconnects.
	linkEventually(t, "reconnects after garbage", func() bool { return s.acceptedConns() >= 2 })
	linkEventually(t, "protocol error logged", func() bool { return rec.count("peer link down", "err", "protocol error") > 0 })

	s.setReply(linkOK)
	linkEventually(t, "link usable again", func() bool {
		l.Send(s.addr, linkArgs("PING", "final")...)
		time.Sleep(20 * time.Millisecond)
		a := s.args()
		return len(a) > 0 && a[len(a)-1] == "PING final"
	})
}

func TestLinkReplyParser(t *testing.T) {
	valid := []struct {
		in   string
		errs []string
	}{
		{"+OK\r\n", nil},
		{"-NOAUTH Authentication required.\r\n", []string{"NOAUTH Authentication required."}},
		{":42\r\n", nil},
		{"$5\r\nhello\r\n", nil},
		{"$0\r\n\r\n", nil},
		{"$-1\r\n", nil},
		{"*-1\r\n", nil},
		{"*0\r\n", nil},
		{"*2\r\n$1\r\na\r\n*2\r\n:1\r\n-ERR nested\r\n", []string{"ERR nested"}},
		{"_\r\n", nil},
		{",1.5\r\n", nil},
		{"#t\r\n", nil},
		{"(123456789012345678901234567890\r\n", nil},
		{"=7\r\ntxt:abc\r\n", nil},
		{"!5\r\nERR x\r\n", []string{"ERR x"}},
		{"~2\r\n+a\r\n+b\r\n", nil},
		{">2\r\n+message\r\n+x\r\n", nil},
		{"%2\r\n+a\r\n:1\r\n+b\r\n-ERR v\r\n", []string{"ERR v"}},
		{"|1\r\n+key\r\n+val\r\n-ERR after attr\r\n", []string{"ERR after attr"}},
		{"$2\r\n\r\n\r\n", nil}, // CRLF inside a bulk is data
	}
	for _, c := range valid {
		var errs []string
		r := bufio.NewReaderSize(strings.NewReader(c.in), replyReadBuffer)
		if err := discardReply(r, 0, func(s string) { errs = append(errs, s) }); err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if r.Buffered() != 0 {
			t.Errorf("%q: %d bytes left", c.in, r.Buffered())
		}
		if fmt.Sprint(errs) != fmt.Sprint(c.errs) {
			t.Errorf("%q: errors %q, want %q", c.in, errs, c.errs)
		}
	}

	invalid := []string{
		"", "\r\n", "?x\r\n", "+OK\n", "+OK", "$-2\r\n", "$x\r\n", "$\r\n",
		"$3\r\nab", "$3\r\nabcd\r\n", "$1\r\na\n\n", "*1\r\n", "*2\r\n+a\r\n",
		"*-2\r\n", "*99999999999\r\n", "$" + strconv.Itoa(replyMaxBulk+1) + "\r\n",
		"$9223372036854775808\r\n", "*+\r\n", "$ 1\r\na\r\n",
		strings.Repeat("*1\r\n", replyMaxDepth+2) + "+x\r\n",
		"+" + strings.Repeat("a", replyReadBuffer) + "\r\n",
		"!300\r\n" + strings.Repeat("e", 100),
	}
	for _, in := range invalid {
		r := bufio.NewReaderSize(strings.NewReader(in), replyReadBuffer)
		if err := discardReply(r, 0, func(string) {}); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// TestLinkReplyParserRandom feeds random and mutated replies to the parser,
// which must end (EOF or protocol error) without panicking.
func TestLinkReplyParserRandom(t *testing.T) {
	seeds := [][]byte{
		[]byte("*3\r\n$3\r\nfoo\r\n:12\r\n-ERR x\r\n"),
		[]byte("%1\r\n+a\r\n~2\r\n,1\r\n_\r\n"),
		[]byte("!4\r\nboom\r\n|1\r\n+a\r\n+b\r\n#f\r\n"),
	}
	alphabet := []byte("*$+-:_,#(=!~>%|\r\n0123456789-x")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		var in []byte
		if i%2 == 0 {
			in = make([]byte, rng.IntN(64))
			for j := range in {
				in[j] = alphabet[rng.IntN(len(alphabet))]
			}
		} else {
			in = bytes.Clone(seeds[rng.IntN(len(seeds))])
			for range 1 + rng.IntN(4) {
				in[rng.IntN(len(in))] = byte(rng.IntN(256))
			}
		}
		discardAllReplies(in)
	}
}

// discardAllReplies parses replies from in until an error (there always is one, at
// the latest EOF).
func discardAllReplies(in []byte) {
	r := bufio.NewReaderSize(bytes.NewReader(in), replyReadBuffer)
	for discardReply(r, 0, func(string) {}) == nil {
	}
}

func FuzzLinkReplyParser(f *testing.F) {
	f.Add([]byte("*2\r\n$1\r\na\r\n-ERR x\r\n"))
	f.Add([]byte("%1\r\n+a\r\n|1\r\n+b\r\n+c\r\n:1\r\n"))
	f.Add([]byte("!3\r\nabc\r\n$-1\r\n*-1\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) { discardAllReplies(in) })
}
