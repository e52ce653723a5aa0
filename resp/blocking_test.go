package resp

import (
	"strings"
	"testing"
	"time"
)

// waitBlocked polls INFO until n clients are parked.
func waitParked(t *testing.T, c *testConn, n int) {
	t.Helper()
	want := "blocked_clients:" + itoa(int64(n)) + "\r\n"
	for i := 0; i < 500; i++ {
		if strings.Contains(c.do("INFO", "clients"), want) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("never saw %q", want)
}

func TestBlockingFIFO(t *testing.T) {
	_, addr := startServer(t)
	ctl := dial(t, addr)
	a, b := dial(t, addr), dial(t, addr)
	a.send(encode("BLPOP", "q", "0"))
	waitParked(t, ctl, 1)
	b.send(encode("BLPOP", "q", "0"))
	waitParked(t, ctl, 2)
	// One item at a time goes to the client that blocked first.
	ctl.expect(":1\r\n", "RPUSH", "q", "first")
	if got := a.read(); got != "*2\r\n"+bulk("q")+bulk("first") {
		t.Fatalf("first waiter got %q", got)
	}
	ctl.expect(":1\r\n", "RPUSH", "q", "second")
	if got := b.read(); got != "*2\r\n"+bulk("q")+bulk("second") {
		t.Fatalf("second waiter got %q", got)
	}
	waitParked(t, ctl, 0)
}

func TestClientUnblock(t *testing.T) {
	_, addr := startServer(t)
	ctl := dial(t, addr)
	a := dial(t, addr)
	id := strings.TrimSuffix(strings.TrimPrefix(a.do("CLIENT", "ID"), ":"), "\r\n")
	ctl.expect(":0\r\n", "CLIENT", "UNBLOCK", id)
	a.send(encode("BLPOP", "q", "0"))
	waitParked(t, ctl, 1)
	ctl.expect(":1\r\n", "CLIENT", "UNBLOCK", id)
	if got := a.read(); got != "*-1\r\n" {
		t.Fatalf("unblocked (timeout) BLPOP = %q", got)
	}
	a.send(encode("BLPOP", "q", "0"))
	waitParked(t, ctl, 1)
	ctl.expect(":1\r\n", "CLIENT", "UNBLOCK", id, "ERROR")
	if got := a.read(); got != "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n" {
		t.Fatalf("unblocked (error) BLPOP = %q", got)
	}
	ctl.expect("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n", "CLIENT", "UNBLOCK", id, "maybe")
}

// A parked client that disconnects must not take data meant for others.
func TestBlockedClientDisconnect(t *testing.T) {
	_, addr := startServer(t)
	ctl := dial(t, addr)
	gone := dial(t, addr)
	gone.send(encode("BLPOP", "q", "0"))
	waitParked(t, ctl, 1)
	gone.nc.Close()
	waitParked(t, ctl, 0)
	ctl.expect(":1\r\n", "RPUSH", "q", "kept")
	ctl.expect(":1\r\n", "LLEN", "q")
}

// Pipelined commands sent behind a blocking one wait their turn.
func TestBlockedPipeline(t *testing.T) {
	_, addr := startServer(t)
	ctl := dial(t, addr)
	a := dial(t, addr)
	a.send(append(encode("BLPOP", "q", "0"), encode("PING")...))
	waitParked(t, ctl, 1)
	ctl.expect(":1\r\n", "LPUSH", "q", "v")
	if got := a.read(); got != "*2\r\n"+bulk("q")+bulk("v") {
		t.Fatalf("BLPOP = %q", got)
	}
	if got := a.read(); got != "+PONG\r\n" {
		t.Fatalf("pipelined PING = %q", got)
	}
}
