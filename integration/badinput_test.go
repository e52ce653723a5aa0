package integration

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"
)

// Bad input: malformed, oversized and random frames get Redis' protocol
// errors, and the node keeps serving everyone else with its data intact.

// exchange opens a connection to p, writes frame, half-closes the
// connection and returns everything the server sent until it closed.
func exchange(t testing.TB, p *proc, frame []byte) string {
	t.Helper()
	c := dial(t, p)
	defer c.Close()
	// A write may fail when the server already gave up on the request.
	if err := c.Write(frame); err == nil {
		_ = c.conn.(*net.TCPConn).CloseWrite()
	}
	out, err := c.ReadAll()
	if err != nil && !isConnReset(err) {
		t.Errorf("%s: reading the reply to %q: %v (read %q)", p.name, clip(frame, 60), err, out)
	}
	return string(out)
}

// isConnReset reports a connection reset by the peer.
func isConnReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

// clip shortens b for messages.
func clip(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return fmt.Sprintf("%s…(%d bytes)", b[:n], len(b))
}

// assertServing checks that p answers PING on a new connection and still
// holds key=value.
func assertServing(t testing.TB, p *proc, key, value string) {
	t.Helper()
	if !p.running() {
		t.Fatalf("%s is not running any more (exit: %v)", p.name, p.exitErr())
	}
	c := dial(t, p)
	defer c.Close()
	expect(t, c, "+PONG\r\n", "PING")
	expect(t, c, bulk(value), "GET", key)
}

// TestProtocolErrors sends malformed and oversized requests to kvnode and
// to redis-server (both with --proto-max-bulk-len 1mb) and checks the exact
// bytes each sends back before closing the connection.
func TestProtocolErrors(t *testing.T) {
	t.Parallel()
	opts := []string{"--proto-max-bulk-len", "1mb"}
	n := startNode(t, opts...)
	r := startRedis(t, opts...)
	const sentinel, value = "sentinel:protocol", "still-here"
	for _, p := range []*proc{n, r} {
		c := dial(t, p)
		expect(t, c, "+OK\r\n", "SET", sentinel, value)
		c.Close()
	}
	pe := func(msg string) string { return "-ERR Protocol error: " + msg + "\r\n" }
	overflow := []byte("*1\r\n$9223372036854775807\r\nx\r\n")
	big := append([]byte("*2\r\n$4\r\nECHO\r\n$1048576\r\n"), bytes.Repeat([]byte("z"), 1<<20)...)
	big = append(big, "\r\n"...)
	cases := []struct {
		name  string
		frame []byte
		want  string
	}{
		{"bulk length overflowing int64", overflow, pe("invalid bulk length")},
		{"bulk over proto-max-bulk-len", []byte("*2\r\n$4\r\nECHO\r\n$1048577\r\n"), pe("invalid bulk length")},
		{"bulk of exactly proto-max-bulk-len", big, "$1048576\r\n" + strings.Repeat("z", 1<<20) + "\r\n"},
		{"inline request over 64 KB", bytes.Repeat([]byte("a"), 64<<10+1000), pe("too big inline request")},
		{"multibulk length not a number", []byte("*abc\r\n"), pe("invalid multibulk length")},
		{"multibulk length with a leading zero", []byte("*01\r\n$4\r\nPING\r\n"), pe("invalid multibulk length")},
		{"bulk header not starting with $", []byte("*1\r\nfoo\r\n"), pe("expected '$', got 'f'")},
		{"negative bulk length", []byte("*1\r\n$-1\r\n"), pe("invalid bulk length")},
		{"bulk length with a leading zero", []byte("*1\r\n$0123\r\n"), pe("invalid bulk length")},
		{"bulk length with a plus sign", []byte("*1\r\n$+5\r\n"), pe("invalid bulk length")},
		{"unbalanced double quote", []byte("SET \"a b\r\n"), pe("unbalanced quotes in request")},
		{"closing quote followed by a letter", []byte("SET 'a'b c\r\n"), pe("unbalanced quotes in request")},
		{"bulk not followed by CRLF (skipped like Redis)", []byte("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nbXY*1\r\n$4\r\nPING\r\n"), "+OK\r\n+PONG\r\n"},
		{"empty inline lines are ignored", []byte("PING\r\n\r\n\n*1\r\n$4\r\nPING\r\n\nPING\n"), "+PONG\r\n+PONG\r\n+PONG\r\n"},
		{"*-1 and *0 are ignored", []byte("*-1\r\n*0\r\nPING\r\n"), "+PONG\r\n"},
		{"request cut in the middle", []byte("*1\r\n$4\r\nPI"), ""},
		{"bulk announced and never sent", []byte("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1048576\r\n"), ""},
	}
	for _, tc := range cases {
		got := exchange(t, n, tc.frame)
		ref := exchange(t, r, tc.frame)
		if ref != tc.want {
			t.Errorf("%s: redis-server sent %q, the test expects %q", tc.name, clip([]byte(ref), 80), clip([]byte(tc.want), 80))
		}
		if got != ref {
			t.Errorf("%s: frame %q\n kvnode: %q\n  redis: %q", tc.name, clip(tc.frame, 60), clip([]byte(got), 80), clip([]byte(ref), 80))
		}
		assertServing(t, n, sentinel, value)
	}
	// Redis 7 allows up to INT_MAX arguments and waits for them; kvnode may
	// refuse more than 1M with Redis 6's error. Either way it must live on.
	for _, frame := range []string{"*2000000\r\n", "*1048577\r\n"} {
		got := exchange(t, n, []byte(frame))
		if ref := exchange(t, r, []byte(frame)); ref != "" {
			t.Errorf("%q: redis-server sent %q, the test expects nothing", frame, ref)
		}
		if got != "" && got != pe("invalid multibulk length") {
			t.Errorf("%q: kvnode sent %q, want nothing (as Redis 7) or the invalid multibulk length error", frame, got)
		} else if got != "" {
			t.Logf("note: %q: kvnode refuses with %q; Redis 7.0 waits for the arguments", frame, got)
		}
		assertServing(t, n, sentinel, value)
	}
	// The 30-byte overflow frame, then PING on a new connection.
	c := dial(t, n)
	if err := c.Write(overflow); err != nil {
		t.Fatal(err)
	}
	if got, err := c.ReadAll(); string(got) != pe("invalid bulk length") {
		t.Errorf("overflow frame: got %q (%v), want %q and the connection closed", got, err, pe("invalid bulk length"))
	}
	assertServing(t, n, sentinel, value)
}

// fuzzCommands are the well-formed requests the fuzz frames start from:
// nothing that could flush, reconfigure, block or stop the node.
var fuzzCommands = [][]string{
	{"PING"}, {"PING", "hello"}, {"ECHO", "abc"}, {"GET", "fz:a"}, {"SET", "fz:a", "12345"},
	{"SET", "fz:b", "value", "EX", "100"}, {"INCR", "fz:n"}, {"INCRBY", "fz:n", "-7"},
	{"APPEND", "fz:s", "xyz"}, {"STRLEN", "fz:s"}, {"MGET", "fz:a", "fz:b", "fz:c"},
	{"MSET", "fz:c", "1", "fz:d", "2"}, {"DEL", "fz:d"}, {"EXISTS", "fz:a", "fz:b"},
	{"GETRANGE", "fz:s", "0", "-1"}, {"SETRANGE", "fz:s", "3", "ab"}, {"TTL", "fz:b"},
	{"EXPIRE", "fz:c", "1000"}, {"TYPE", "fz:a"}, {"DBSIZE"}, {"GETBIT", "fz:s", "7"},
	{"SETBIT", "fz:bits", "9", "1"}, {"BITCOUNT", "fz:bits"}, {"INCRBYFLOAT", "fz:f", "1.5"},
}

// fuzzFrame returns one random or mutated request.
func fuzzFrame(rng *rand.Rand) []byte {
	base := fuzzCommands[rng.IntN(len(fuzzCommands))]
	args := make([][]byte, len(base))
	for i, a := range base {
		args[i] = []byte(a)
	}
	frame := encodeCommand(args...)
	switch rng.IntN(8) {
	case 0: // random bytes
		b := make([]byte, 1+rng.IntN(64))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	case 1: // inline form with random quoting trouble
		line := strings.Join(base, " ")
		junk := []string{"\"", "'", "\\x", "\\", "\"a\"b", "'a'b", "\x00", "\t", "\"\\x4", ""}
		return []byte(line + " " + junk[rng.IntN(len(junk))] + "\r\n")
	case 2: // a length replaced by a strange number
		nums := []string{"-1", "-2", "0", "99999999999999999999", "9223372036854775807", "-9223372036854775808",
			"2147483648", "4294967296", "1048577", "", "+3", "0x10", " 3", "3 ", "1e3", "00", "536870913"}
		s := string(frame)
		idx := strings.Index(s[1:], "$")
		if rng.IntN(2) == 0 || idx < 0 {
			return []byte("*" + nums[rng.IntN(len(nums))] + s[strings.Index(s, "\r\n"):])
		}
		idx++
		end := idx + strings.Index(s[idx:], "\r\n")
		return []byte(s[:idx+1] + nums[rng.IntN(len(nums))] + s[end:])
	case 3: // truncated
		return frame[:rng.IntN(len(frame))]
	case 4: // bytes flipped
		b := append([]byte(nil), frame...)
		for k := 1 + rng.IntN(3); k > 0; k-- {
			b[rng.IntN(len(b))] = byte(rng.IntN(256))
		}
		return b
	case 5: // bytes inserted
		b := append([]byte(nil), frame...)
		at := rng.IntN(len(b) + 1)
		ins := []string{"\r\n", "*", "$", "\r", "\n", "*1\r\n", "$-1\r\n", "\x00"}[rng.IntN(8)]
		return append(b[:at:at], append([]byte(ins), b[at:]...)...)
	case 6: // bytes deleted
		b := append([]byte(nil), frame...)
		at := rng.IntN(len(b))
		k := 1 + rng.IntN(min(4, len(b)-at))
		return append(b[:at:at], b[at+k:]...)
	}
	return frame // well-formed
}

// TestFuzzFramesKeepNodeAlive throws a few thousand random and mutated
// frames (deterministic seed) at kvnode, each on its own connection (a
// protocol error ends a connection, so later frames on it would never be
// parsed), checking every 200 frames that it answers PING on a new
// connection and that a key set before is still there.
func TestFuzzFramesKeepNodeAlive(t *testing.T) {
	t.Parallel()
	const frames, perConn = 3000, 1
	n := startNode(t, "--proto-max-bulk-len", "1mb")
	const sentinel, value = "sentinel:fuzz", "intact"
	c := dial(t, n)
	expect(t, c, "+OK\r\n", "SET", sentinel, value)
	c.Close()

	rng := rand.New(rand.NewPCG(20240601, 7))
	sent, protoErrs, answers := 0, 0, 0
	distinct := make(map[string]bool)
	deadline := time.Now().Add(60 * time.Second)
	for sent < frames {
		if time.Now().After(deadline) {
			t.Fatalf("fuzzing took over 60s after %d frames", sent)
		}
		var batch []byte
		for i := 0; i < perConn; i++ {
			f := fuzzFrame(rng)
			distinct[string(f)] = true
			batch = append(batch, f...)
			sent++
		}
		cc, err := dialRaw(n.Addr(), 5*time.Second)
		if err != nil {
			t.Fatalf("dial after %d frames: %v", sent, err)
		}
		if err := cc.Write(batch); err == nil {
			_ = cc.conn.(*net.TCPConn).CloseWrite()
		}
		out, err := cc.ReadAll()
		protoErrs += bytes.Count(out, []byte("-ERR Protocol error"))
		answers += bytes.Count(out, []byte("\r\n"))
		if err != nil && !isConnReset(err) {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				cc.Close()
				t.Fatalf("node did not close a connection within 5s of its EOF (after %d frames)", sent)
			}
		}
		cc.Close()
		if sent%200 == 0 {
			assertServing(t, n, sentinel, value)
		}
	}
	if sent < frames || len(distinct) < frames/3 {
		t.Fatalf("generated %d frames (%d distinct), want %d (a third distinct)", sent, len(distinct), frames)
	}
	// The frames must have reached the parser: some were refused, some ran.
	if protoErrs < frames/10 || answers < frames/4 {
		t.Errorf("only %d protocol errors and %d reply lines for %d frames: were they read at all?", protoErrs, answers, sent)
	}
	t.Logf("%d frames (%d distinct): %d protocol errors, %d reply lines", sent, len(distinct), protoErrs, answers)
	assertServing(t, n, sentinel, value)
}
