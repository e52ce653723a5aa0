package resp

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMultiExecBasics(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("-ERR EXEC without MULTI\r\n", "EXEC")
	c.expect("-ERR DISCARD without MULTI\r\n", "DISCARD")
	c.expect("+OK\r\n", "MULTI")
	c.expect("-ERR MULTI calls can not be nested\r\n", "MULTI")
	c.expect("-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "a")
	c.expect("+QUEUED\r\n", "INCR", "a")
	c.expect("+QUEUED\r\n", "SET", "a", "x")
	c.expect("+QUEUED\r\n", "INCR", "a")
	c.expect("+QUEUED\r\n", "GET", "a")
	// Runtime errors do not abort the rest.
	c.expect("*4\r\n:1\r\n+OK\r\n-ERR value is not an integer or out of range\r\n"+bulk("x"), "EXEC")
	c.expect("+OK\r\n", "MULTI")
	c.expect("*0\r\n", "EXEC")
	// A queuing error aborts the whole transaction.
	c.expect("+OK\r\n", "MULTI")
	c.expect("+QUEUED\r\n", "SET", "b", "1")
	c.expect("-ERR wrong number of arguments for 'set' command\r\n", "SET", "b")
	c.expect("-ERR unknown command 'NOPE', with args beginning with: \r\n", "NOPE")
	c.expect("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC")
	c.expect("$-1\r\n", "GET", "b")
	// DISCARD drops the queue.
	c.expect("+OK\r\n", "MULTI")
	c.expect("+QUEUED\r\n", "SET", "b", "1")
	c.expect("+OK\r\n", "DISCARD")
	c.expect("$-1\r\n", "GET", "b")
	// WAIT inside EXEC does not block.
	c.expect("+OK\r\n", "MULTI")
	c.expect("+QUEUED\r\n", "WAIT", "1", "0")
	c.expect("*1\r\n:0\r\n", "EXEC")
}

func TestWatch(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	other := dial(t, addr)
	// Modified by another client: EXEC answers a null array.
	c.expect("+OK\r\n", "WATCH", "k")
	other.expect("+OK\r\n", "SET", "k", "1")
	c.expect("+OK\r\n", "MULTI")
	c.expect("+QUEUED\r\n", "SET", "k", "2")
	c.expect("*-1\r\n", "EXEC")
	c.expect(bulk("1"), "GET", "k")
	// Untouched: EXEC runs; the watch ends with it.
	c.expect("+OK\r\n", "WATCH", "k")
	c.expect("+OK\r\n", "MULTI")
	c.expect("+QUEUED\r\n", "SET", "k", "3")
	c.expect("*1\r\n+OK\r\n", "EXEC")
	other.expect("+OK\r\n", "SET", "k", "4")
	c.expect("+OK\r\n", "MULTI")
	c.expect("+QUEUED\r\n", "GET", "k")
	c.expect("*1\r\n"+bulk("4"), "EXEC")
	// DEL and FLUSHALL count as modifications; UNWATCH forgets.
	c.expect("+OK\r\n", "WATCH", "k")
	other.expect(":1\r\n", "DEL", "k")
	c.expect("+OK\r\n", "MULTI")
	c.expect("*-1\r\n", "EXEC")
	// FLUSHALL touches a watched key that exists…
	other.expect("+OK\r\n", "SET", "k", "again")
	c.expect("+OK\r\n", "WATCH", "k")
	other.expect("+OK\r\n", "FLUSHALL")
	c.expect("+OK\r\n", "MULTI")
	c.expect("*-1\r\n", "EXEC")
	// …but not one that did not exist, as in Redis 7.0.
	c.expect("+OK\r\n", "WATCH", "k")
	other.expect("+OK\r\n", "FLUSHALL")
	c.expect("+OK\r\n", "MULTI")
	c.expect("*0\r\n", "EXEC")
	// A refused EXEC discards the transaction with EXECABORT.
	c.expect("+OK\r\n", "MULTI")
	c.expect("+QUEUED\r\n", "SET", "k", "v")
	c.expect("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", "EXEC", "extra")
	c.expect("-ERR EXEC without MULTI\r\n", "EXEC")
	c.expect("+OK\r\n", "WATCH", "k")
	other.expect("+OK\r\n", "SET", "k", "5")
	c.expect("+OK\r\n", "UNWATCH")
	c.expect("+OK\r\n", "MULTI")
	c.expect("*0\r\n", "EXEC")
	// A watched key whose TTL passes aborts EXEC even before it is removed.
	other.expect("+OK\r\n", "SET", "t", "1", "PX", "30")
	c.expect("+OK\r\n", "WATCH", "t")
	time.Sleep(60 * time.Millisecond)
	c.expect("+OK\r\n", "MULTI")
	c.expect("*-1\r\n", "EXEC")
}

// TestExecIsAtomic runs transactions that move a balance between two keys
// while other clients read both keys: a reader never sees the total off.
func TestExecIsAtomic(t *testing.T) {
	_, addr := startServer(t)
	setup := dial(t, addr)
	setup.expect("+OK\r\n", "MSET", "{acct}a", "1000", "{acct}b", "0")
	var wg sync.WaitGroup
	const moves = 200
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, addr)
			for i := 0; i < moves; i++ {
				c.send(encode("MULTI"))
				c.send(encode("DECRBY", "{acct}a", "1"))
				c.send(encode("INCRBY", "{acct}b", "1"))
				c.send(encode("EXEC"))
				for j := 0; j < 4; j++ {
					c.read()
				}
			}
		}()
	}
	reader := dial(t, addr)
	checks := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		got := reader.do("MGET", "{acct}a", "{acct}b")
		a, b := parseTwoInts(t, got)
		if a+b != 1000 {
			t.Fatalf("reader saw a=%d b=%d mid-transaction", a, b)
		}
		checks++
	}
	if checks == 0 {
		t.Fatal("no reads were checked")
	}
	reader.expect("*2\r\n"+bulk(strconv.Itoa(1000-2*moves))+bulk(strconv.Itoa(2*moves)), "MGET", "{acct}a", "{acct}b")
}

// parseTwoInts parses a RESP2 array of two integer bulk strings.
func parseTwoInts(t *testing.T, reply string) (int, int) {
	t.Helper()
	f := strings.Split(reply, "\r\n")
	if len(f) != 6 || f[0] != "*2" {
		t.Fatalf("bad MGET reply %q", reply)
	}
	a, err1 := strconv.Atoi(f[2])
	b, err2 := strconv.Atoi(f[4])
	if err1 != nil || err2 != nil {
		t.Fatalf("bad MGET reply %q", reply)
	}
	return a, b
}
