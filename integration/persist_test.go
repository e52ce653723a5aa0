package integration

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Persistence and durability: data survives a graceful restart and an
// acknowledged write survives kill -9.

// intReply parses an integer reply ":n\r\n".
func intReply(t testing.TB, raw string) int64 {
	t.Helper()
	if !strings.HasPrefix(raw, ":") || !strings.HasSuffix(raw, "\r\n") {
		t.Fatalf("want an integer reply, got %q", raw)
	}
	n, err := strconv.ParseInt(raw[1:len(raw)-2], 10, 64)
	if err != nil {
		t.Fatalf("bad integer reply %q", raw)
	}
	return n
}

// bulk frames s as a bulk string reply.
func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

// TestRestartKeepsData writes keys (some with a TTL), stops the node with
// SIGTERM and restarts it on the same directory: values and TTLs are there.
func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	c := dial(t, n)
	const plain = 300
	for i := 0; i < plain; i++ {
		expect(t, c, "+OK\r\n", "SET", fmt.Sprintf("key:%d", i), fmt.Sprintf("value-%d", i))
	}
	expect(t, c, "+OK\r\n", "SET", "ex", "with-ex", "EX", "1000")
	expect(t, c, "+OK\r\n", "SET", "px", "with-px", "PX", "5000000")
	expect(t, c, "+OK\r\n", "SET", "at", "with-exat", "EXAT", "4102444800") // 2100-01-01
	expect(t, c, "+OK\r\n", "SET", "bin", "\x00\r\n\xff")
	expect(t, c, ":12345\r\n", "INCRBY", "counter", "12345")
	expect(t, c, ":6\r\n", "APPEND", "appended", "abcdef")
	expect(t, c, ":1\r\n", "EXPIRE", "appended", "2000")
	expect(t, c, "+OK\r\n", "SET", "gone", "x")
	expect(t, c, ":1\r\n", "DEL", "gone")
	expect(t, c, "+OK\r\n", "SET", "expired", "x")
	expect(t, c, ":1\r\n", "PEXPIREAT", "expired", "1")
	c.Close()

	n.Stop(t)
	n.Restart(t)

	c = dial(t, n)
	for i := 0; i < plain; i++ {
		expect(t, c, bulk(fmt.Sprintf("value-%d", i)), "GET", fmt.Sprintf("key:%d", i))
	}
	expect(t, c, bulk("with-ex"), "GET", "ex")
	if ttl := intReply(t, do(t, c, "TTL", "ex")); ttl < 990 || ttl > 1000 {
		t.Errorf("TTL ex after restart = %d, want 990..1000", ttl)
	}
	expect(t, c, bulk("with-px"), "GET", "px")
	if ttl := intReply(t, do(t, c, "PTTL", "px")); ttl < 4990000 || ttl > 5000000 {
		t.Errorf("PTTL px after restart = %d, want 4990000..5000000", ttl)
	}
	expect(t, c, bulk("with-exat"), "GET", "at")
	expect(t, c, ":4102444800\r\n", "EXPIRETIME", "at")
	expect(t, c, bulk("\x00\r\n\xff"), "GET", "bin")
	expect(t, c, bulk("12345"), "GET", "counter")
	expect(t, c, bulk("abcdef"), "GET", "appended")
	if ttl := intReply(t, do(t, c, "TTL", "appended")); ttl < 1990 || ttl > 2000 {
		t.Errorf("TTL appended after restart = %d, want 1990..2000", ttl)
	}
	expect(t, c, ":-1\r\n", "TTL", "counter")
	expect(t, c, "$-1\r\n", "GET", "gone")
	expect(t, c, "$-1\r\n", "GET", "expired")
	expect(t, c, fmt.Sprintf(":%d\r\n", plain+6), "DBSIZE")
}

// TestKill9KeepsAcknowledgedWrites sends 2000 SETs with the default
// appendfsync everysec, kills the node with SIGKILL as soon as the last one
// is acknowledged, and checks after a restart that all of them are there.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	const total, batch = 2000, 100
	n := startNode(t)
	c := dial(t, n)
	expect(t, c, "*2\r\n$11\r\nappendfsync\r\n$8\r\neverysec\r\n", "CONFIG", "GET", "appendfsync")
	for i := 0; i < total; i += batch {
		var frames []byte
		for j := i; j < i+batch; j++ {
			frames = append(frames, encodeCommand([]byte("SET"), []byte(fmt.Sprintf("durable:%d", j)), []byte(fmt.Sprintf("v%d", j)))...)
		}
		if err := c.Write(frames); err != nil {
			t.Fatal(err)
		}
		for j := i; j < i+batch; j++ {
			r, err := c.Read()
			if err != nil || string(r) != "+OK\r\n" {
				t.Fatalf("SET durable:%d: %q, %v", j, r, err)
			}
		}
	}
	n.Kill9(t)
	start := time.Now()
	n.Restart(t)
	t.Logf("restart after kill -9 took %v", time.Since(start).Round(time.Millisecond))

	c = dial(t, n)
	expect(t, c, fmt.Sprintf(":%d\r\n", total), "DBSIZE")
	missing := 0
	for i := 0; i < total; i += batch {
		args := []string{"MGET"}
		for j := i; j < i+batch; j++ {
			args = append(args, fmt.Sprintf("durable:%d", j))
		}
		r, err := parseReply([]byte(do(t, c, args...)))
		if err != nil || r.kind != '*' || len(r.elems) != batch {
			t.Fatalf("MGET: %v %+v", err, r)
		}
		for j, e := range r.elems {
			if want := fmt.Sprintf("v%d", i+j); e.null || e.str != want {
				if missing < 10 {
					t.Errorf("durable:%d after kill -9 = %q (null %v), want %q", i+j, e.str, e.null, want)
				}
				missing++
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged SETs lost by kill -9", missing, total)
	}
}
