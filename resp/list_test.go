package resp

import (
	"strings"
	"testing"
	"time"
)

// List commands against raw replies recorded from redis-server 7.0.15
// (the same commands, in the same order, on an empty server).

type listCase struct {
	want string
	args []string
}

func runListCases(t *testing.T, c *testConn, cases []listCase) {
	t.Helper()
	for _, tc := range cases {
		c.expect(tc.want, tc.args...)
	}
}

func lc(want string, args ...string) listCase { return listCase{want, args} }

func TestListCommandsRESP2(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	runListCases(t, c, []listCase{
		// pushes
		lc(":3\r\n", "rpush", "l", "a", "b", "c"),
		lc(":5\r\n", "lpush", "l", "x", "y"),
		lc(":6\r\n", "lpushx", "l", "z"),
		lc(":7\r\n", "rpushx", "l", "w"),
		lc(":0\r\n", "lpushx", "nokey", "a"),
		lc(":0\r\n", "rpushx", "nokey", "a"),
		lc(":0\r\n", "exists", "nokey"),
		lc("*7\r\n$1\r\nz\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nw\r\n", "lrange", "l", "0", "-1"),
		lc(":7\r\n", "llen", "l"),
		lc(":0\r\n", "llen", "nokey"),
		lc("-ERR wrong number of arguments for 'lpush' command\r\n", "lpush", "l"),
		// pops with and without count
		lc("$1\r\nz\r\n", "lpop", "l"),
		lc("$1\r\nw\r\n", "rpop", "l"),
		lc("*0\r\n", "lpop", "l", "0"),
		lc("*2\r\n$1\r\ny\r\n$1\r\nx\r\n", "lpop", "l", "2"),
		lc("*2\r\n$1\r\nc\r\n$1\r\nb\r\n", "rpop", "l", "2"),
		lc("-ERR value is out of range, must be positive\r\n", "lpop", "l", "-1"),
		lc("-ERR value is out of range, must be positive\r\n", "lpop", "l", "x"),
		lc("-ERR wrong number of arguments for 'lpop' command\r\n", "lpop", "l", "1", "2"),
		lc("$-1\r\n", "lpop", "nokey"),
		lc("*-1\r\n", "lpop", "nokey", "0"),
		lc("*-1\r\n", "lpop", "nokey", "3"),
		lc("*-1\r\n", "rpop", "nokey", "1"),
		lc(":3\r\n", "rpush", "p", "a", "b", "c"),
		lc("*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", "rpop", "p", "10"),
		lc(":0\r\n", "exists", "p"),
		lc(":1\r\n", "rpush", "p", "a"),
		lc("$1\r\na\r\n", "lpop", "p"),
		lc(":0\r\n", "exists", "p"),
		// lrange edge cases
		lc(":6\r\n", "rpush", "r", "0", "1", "2", "3", "4", "5"),
		lc("*1\r\n$1\r\n0\r\n", "lrange", "r", "0", "0"),
		lc("*3\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "lrange", "r", "-3", "-1"),
		lc("*6\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "lrange", "r", "-100", "100"),
		lc("*0\r\n", "lrange", "r", "4", "2"),
		lc("*0\r\n", "lrange", "r", "6", "10"),
		lc("*0\r\n", "lrange", "r", "-1", "-100"),
		lc("*4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "lrange", "r", "2", "9223372036854775807"),
		lc("*2\r\n$1\r\n0\r\n$1\r\n1\r\n", "lrange", "r", "-9223372036854775808", "1"),
		lc("-ERR value is not an integer or out of range\r\n", "lrange", "r", "a", "1"),
		lc("-ERR value is not an integer or out of range\r\n", "lrange", "r", "0", "b"),
		lc("*0\r\n", "lrange", "nokey", "0", "-1"),
		lc("-ERR value is not an integer or out of range\r\n", "lrange", "nokey", "x", "1"),
		// lindex
		lc("$1\r\n0\r\n", "lindex", "r", "0"),
		lc("$1\r\n5\r\n", "lindex", "r", "-1"),
		lc("$-1\r\n", "lindex", "r", "6"),
		lc("$-1\r\n", "lindex", "r", "-7"),
		lc("-ERR value is not an integer or out of range\r\n", "lindex", "r", "x"),
		lc("$-1\r\n", "lindex", "nokey", "x"),
		lc("$-1\r\n", "lindex", "nokey", "0"),
		// lset
		lc("+OK\r\n", "lset", "r", "0", "A"),
		lc("+OK\r\n", "lset", "r", "-1", "F"),
		lc("-ERR index out of range\r\n", "lset", "r", "6", "x"),
		lc("-ERR index out of range\r\n", "lset", "r", "-7", "x"),
		lc("-ERR value is not an integer or out of range\r\n", "lset", "r", "x", "y"),
		lc("-ERR no such key\r\n", "lset", "nokey", "0", "y"),
		lc("-ERR no such key\r\n", "lset", "nokey", "x", "y"),
		lc("*6\r\n$1\r\nA\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\nF\r\n", "lrange", "r", "0", "-1"),
		// linsert
		lc(":7\r\n", "linsert", "r", "before", "2", "B"),
		lc(":8\r\n", "linsert", "r", "AFTER", "2", "C"),
		lc(":9\r\n", "linsert", "r", "after", "F", "G"),
		lc(":10\r\n", "linsert", "r", "before", "A", "Z"),
		lc(":-1\r\n", "linsert", "r", "before", "missing", "x"),
		lc("-ERR syntax error\r\n", "linsert", "r", "middle", "2", "x"),
		lc(":0\r\n", "linsert", "nokey", "before", "a", "b"),
		lc("-ERR syntax error\r\n", "linsert", "nokey", "middle", "a", "b"),
		lc("*10\r\n$1\r\nZ\r\n$1\r\nA\r\n$1\r\n1\r\n$1\r\nB\r\n$1\r\n2\r\n$1\r\nC\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\nF\r\n$1\r\nG\r\n", "lrange", "r", "0", "-1"),
		// lrem
		lc(":7\r\n", "rpush", "m", "a", "b", "a", "c", "a", "b", "a"),
		lc(":2\r\n", "lrem", "m", "2", "a"),
		lc("*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n", "lrange", "m", "0", "-1"),
		lc(":1\r\n", "lrem", "m", "-1", "a"),
		lc("*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n", "lrange", "m", "0", "-1"),
		lc(":2\r\n", "lrem", "m", "0", "b"),
		lc("*2\r\n$1\r\nc\r\n$1\r\na\r\n", "lrange", "m", "0", "-1"),
		lc(":0\r\n", "lrem", "m", "0", "zz"),
		lc("-ERR value is not an integer or out of range\r\n", "lrem", "m", "x", "a"),
		lc(":0\r\n", "lrem", "nokey", "1", "a"),
		lc("-ERR value is not an integer or out of range\r\n", "lrem", "nokey", "x", "a"),
		lc(":1\r\n", "lrem", "m", "0", "a"),
		lc(":1\r\n", "lrem", "m", "0", "c"),
		lc(":0\r\n", "exists", "m"),
		// ltrim
		lc(":10\r\n", "rpush", "t", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		lc("+OK\r\n", "ltrim", "t", "2", "-3"),
		lc("*6\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n", "lrange", "t", "0", "-1"),
		lc("+OK\r\n", "ltrim", "t", "1", "1"),
		lc("*1\r\n$1\r\n3\r\n", "lrange", "t", "0", "-1"),
		lc("-ERR value is not an integer or out of range\r\n", "ltrim", "t", "x", "1"),
		lc("+OK\r\n", "ltrim", "nokey", "0", "1"),
		lc("-ERR value is not an integer or out of range\r\n", "ltrim", "nokey", "x", "1"),
		lc("+OK\r\n", "ltrim", "t", "5", "1"),
		lc(":0\r\n", "exists", "t"),
		// lpos
		lc(":8\r\n", "rpush", "q", "a", "b", "c", "1", "2", "3", "c", "c"),
		lc(":2\r\n", "lpos", "q", "c"),
		lc(":6\r\n", "lpos", "q", "c", "RANK", "2"),
		lc(":7\r\n", "lpos", "q", "c", "RANK", "-1"),
		lc("*3\r\n:2\r\n:6\r\n:7\r\n", "lpos", "q", "c", "COUNT", "0"),
		lc("*2\r\n:2\r\n:6\r\n", "lpos", "q", "c", "COUNT", "2"),
		lc("*2\r\n:7\r\n:6\r\n", "lpos", "q", "c", "RANK", "-1", "COUNT", "2"),
		lc("$-1\r\n", "lpos", "q", "c", "RANK", "2", "MAXLEN", "1"),
		lc("*1\r\n:2\r\n", "lpos", "q", "c", "COUNT", "0", "MAXLEN", "3"),
		lc("$-1\r\n", "lpos", "q", "x"),
		lc("*0\r\n", "lpos", "q", "x", "COUNT", "5"),
		lc("-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n", "lpos", "q", "c", "RANK", "0"),
		lc("-ERR value is not an integer or out of range\r\n", "lpos", "q", "c", "RANK", "x"),
		lc(":7\r\n", "lpos", "q", "c", "RANK", "-9223372036854775808"),
		lc("-ERR COUNT can't be negative\r\n", "lpos", "q", "c", "COUNT", "-1"),
		lc("-ERR COUNT can't be negative\r\n", "lpos", "q", "c", "COUNT", "x"),
		lc("-ERR MAXLEN can't be negative\r\n", "lpos", "q", "c", "MAXLEN", "-1"),
		lc("-ERR syntax error\r\n", "lpos", "q", "c", "foo"),
		lc("-ERR syntax error\r\n", "lpos", "q", "c", "RANK"),
		lc("$-1\r\n", "lpos", "nokey", "c"),
		lc("*0\r\n", "lpos", "nokey", "c", "COUNT", "1"),
		lc("-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n", "lpos", "nokey", "c", "RANK", "0"),
		// lmove and rpoplpush
		lc(":3\r\n", "rpush", "src", "1", "2", "3"),
		lc("$1\r\n1\r\n", "lmove", "src", "dst", "LEFT", "RIGHT"),
		lc("$1\r\n3\r\n", "lmove", "src", "dst", "right", "left"),
		lc("*2\r\n$1\r\n3\r\n$1\r\n1\r\n", "lrange", "dst", "0", "-1"),
		lc("$1\r\n2\r\n", "lmove", "src", "src", "left", "right"),
		lc("*1\r\n$1\r\n2\r\n", "lrange", "src", "0", "-1"),
		lc("-ERR syntax error\r\n", "lmove", "src", "dst", "up", "left"),
		lc("$-1\r\n", "lmove", "nokey", "dst", "left", "left"),
		lc("$1\r\n2\r\n", "rpoplpush", "src", "dst"),
		lc(":0\r\n", "exists", "src"),
		lc("$-1\r\n", "rpoplpush", "nokey", "dst"),
		lc("*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n1\r\n", "lrange", "dst", "0", "-1"),
		lc(":1\r\n", "rpush", "one", "x"),
		lc("$1\r\nx\r\n", "rpoplpush", "one", "one"),
		lc("*1\r\n$1\r\nx\r\n", "lrange", "one", "0", "-1"),
		// lmpop
		lc(":3\r\n", "rpush", "mp1", "a", "b", "c"),
		lc("*2\r\n$3\r\nmp1\r\n*1\r\n$1\r\na\r\n", "lmpop", "2", "nokey", "mp1", "LEFT"),
		lc("*2\r\n$3\r\nmp1\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n", "lmpop", "2", "nokey", "mp1", "right", "COUNT", "10"),
		lc(":0\r\n", "exists", "mp1"),
		lc("*-1\r\n", "lmpop", "1", "nokey", "left"),
		lc("-ERR numkeys should be greater than 0\r\n", "lmpop", "0", "mp1", "left"),
		lc("-ERR numkeys should be greater than 0\r\n", "lmpop", "x", "mp1", "left"),
		lc("-ERR syntax error\r\n", "lmpop", "2", "mp1", "left"),
		lc("-ERR syntax error\r\n", "lmpop", "1", "mp1", "middle"),
		lc("-ERR count should be greater than 0\r\n", "lmpop", "1", "mp1", "left", "count", "0"),
		lc("-ERR syntax error\r\n", "lmpop", "1", "mp1", "left", "count", "1", "count", "2"),
		lc("-ERR syntax error\r\n", "lmpop", "1", "mp1", "left", "foo"),
		// wrong type
		lc("+OK\r\n", "set", "s", "v"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lpush", "s", "a"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "rpushx", "s", "a"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lpop", "s"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lpop", "s", "0"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "llen", "s"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lrange", "s", "0", "-1"),
		lc("-ERR value is not an integer or out of range\r\n", "lrange", "s", "x", "1"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lindex", "s", "0"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lindex", "s", "x"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lset", "s", "0", "x"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lset", "s", "x", "x"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "linsert", "s", "before", "a", "b"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lrem", "s", "0", "a"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "ltrim", "s", "0", "1"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lpos", "s", "a"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lmove", "s", "dst", "left", "left"),
		lc("$-1\r\n", "lmove", "nokey", "s", "left", "left"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lmove", "dst", "s", "left", "left"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "lmpop", "2", "nokey", "s", "left"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "blpop", "nokey", "s", "0"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "blmove", "s", "dst", "left", "left", "0"),
		lc("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "blmpop", "0", "1", "s", "left"),
		// blocking commands that find data at once
		lc(":2\r\n", "rpush", "b1", "x", "y"),
		lc("*2\r\n$2\r\nb1\r\n$1\r\nx\r\n", "blpop", "nokey", "b1", "0"),
		lc("*2\r\n$2\r\nb1\r\n$1\r\ny\r\n", "brpop", "nokey", "b1", "0.5"),
		lc("-ERR timeout is not a float or out of range\r\n", "blpop", "b1", "x"),
		lc("-ERR timeout is negative\r\n", "blpop", "b1", "-1"),
		lc("$1\r\n2\r\n", "blmove", "dst", "b1", "left", "left", "0"),
		lc("$1\r\n1\r\n", "brpoplpush", "dst", "b1", "0"),
		lc("*2\r\n$2\r\nb1\r\n*2\r\n$1\r\n2\r\n$1\r\n1\r\n", "blmpop", "0", "2", "nokey", "b1", "right", "count", "5"),
		lc("-ERR timeout is not a float or out of range\r\n", "blmpop", "x", "1", "b1", "left"),
		lc("-ERR timeout is negative\r\n", "blmpop", "-1", "1", "b1", "left"),
		lc("-ERR numkeys should be greater than 0\r\n", "blmpop", "0", "0", "b1", "left"),
		lc("-ERR count should be greater than 0\r\n", "blmpop", "0", "1", "b1", "left", "count", "0"),
		// arity
		lc("-ERR wrong number of arguments for 'llen' command\r\n", "llen"),
		lc("-ERR wrong number of arguments for 'lrange' command\r\n", "lrange", "l", "0"),
		lc("-ERR wrong number of arguments for 'lindex' command\r\n", "lindex", "l"),
		lc("-ERR wrong number of arguments for 'linsert' command\r\n", "linsert", "l", "before", "a"),
		lc("-ERR wrong number of arguments for 'lmove' command\r\n", "lmove", "a", "b", "left"),
		lc("-ERR wrong number of arguments for 'blpop' command\r\n", "blpop", "l"),
		lc("-ERR wrong number of arguments for 'blmpop' command\r\n", "blmpop", "0", "1", "l"),
	})
}

func TestListCommandsRESP3(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	if r := c.do("hello", "3"); !strings.HasPrefix(r, "%7") {
		t.Fatalf("hello 3: %q", r)
	}
	runListCases(t, c, []listCase{
		lc(":6\r\n", "rpush", "l", "a", "b", "c", "d", "e", "c"),
		lc("$1\r\na\r\n", "lpop", "l"),
		lc("*2\r\n$1\r\nb\r\n$1\r\nc\r\n", "lpop", "l", "2"),
		lc("_\r\n", "lpop", "nokey"),
		lc("_\r\n", "lpop", "nokey", "1"),
		lc("*0\r\n", "lpop", "l", "0"),
		lc("*3\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nc\r\n", "lrange", "l", "0", "-1"),
		lc("*0\r\n", "lrange", "nokey", "0", "-1"),
		lc("_\r\n", "lindex", "l", "5"),
		lc(":2\r\n", "lpos", "l", "c"),
		lc("_\r\n", "lpos", "l", "x"),
		lc("*0\r\n", "lpos", "l", "x", "count", "0"),
		lc("*0\r\n", "lpos", "nokey", "x", "count", "0"),
		lc("_\r\n", "lmove", "nokey", "l", "left", "left"),
		lc("*2\r\n$1\r\nl\r\n*1\r\n$1\r\nd\r\n", "lmpop", "1", "l", "left"),
		lc("*2\r\n$1\r\nl\r\n*1\r\n$1\r\ne\r\n", "lmpop", "1", "l", "left"),
		lc(":3\r\n", "rpush", "l", "a", "b"),
		lc("*2\r\n$1\r\nl\r\n$1\r\nc\r\n", "blpop", "l", "0"),
		lc("*2\r\n$1\r\nl\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", "blmpop", "0", "1", "l", "left", "count", "3"),
		lc("_\r\n", "blpop", "l", "0.01"),
		lc("_\r\n", "blmove", "l", "d", "left", "left", "0.01"),
		lc("_\r\n", "blmpop", "0.01", "1", "l", "left"),
	})
}

// start sends a command without reading its reply.
func (c *testConn) start(args ...string) {
	c.t.Helper()
	c.send(encode(args...))
}

// waitBlocked waits until n clients are blocked (INFO blocked_clients),
// so a following write lands after they parked.
func waitBlocked(t *testing.T, c *testConn, n int) {
	t.Helper()
	want := "blocked_clients:" + itoa(int64(n)) + "\r\n"
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(c.do("info", "clients"), want) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("never saw %q", want)
}

// Replies below were recorded from redis-server 7.0.15 running the same
// sequences.
func TestBLPOPWokenByPush(t *testing.T) {
	_, addr := startServer(t)
	a1, a2, b := dial(t, addr), dial(t, addr), dial(t, addr)

	// Two clients on one key are served in the order they blocked, one
	// item each; the emptied list is deleted.
	a1.start("blpop", "k", "0")
	waitBlocked(t, b, 1)
	a2.start("blpop", "k", "0")
	waitBlocked(t, b, 2)
	b.expect(":2\r\n", "rpush", "k", "v1", "v2")
	if got := a1.read(); got != "*2\r\n$1\r\nk\r\n$2\r\nv1\r\n" {
		t.Errorf("first waiter got %q", got)
	}
	if got := a2.read(); got != "*2\r\n$1\r\nk\r\n$2\r\nv2\r\n" {
		t.Errorf("second waiter got %q", got)
	}
	b.expect(":0\r\n", "exists", "k")

	// A key turning into a string does not wake the client; a list on
	// another of its keys does.
	a1.start("blpop", "k1", "k2", "0")
	waitBlocked(t, b, 1)
	b.expect("+OK\r\n", "set", "k1", "str")
	b.expect(":1\r\n", "rpush", "k2", "v")
	if got := a1.read(); got != "*2\r\n$2\r\nk2\r\n$1\r\nv\r\n" {
		t.Errorf("blpop k1 k2 got %q", got)
	}

	// BRPOP takes from the tail.
	a1.start("brpop", "k3", "0")
	waitBlocked(t, b, 1)
	b.expect(":3\r\n", "rpush", "k3", "x", "y", "z")
	if got := a1.read(); got != "*2\r\n$2\r\nk3\r\n$1\r\nz\r\n" {
		t.Errorf("brpop got %q", got)
	}
	b.expect("*2\r\n$1\r\nx\r\n$1\r\ny\r\n", "lrange", "k3", "0", "-1")
}

func TestBLPOPTimeoutDecimals(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"blpop", "none", "0.15"}, "*-1\r\n"},
		{[]string{"brpop", "none", "other", ".15"}, "*-1\r\n"},
		{[]string{"blmove", "none", "d", "left", "right", "0.15"}, "*-1\r\n"},
		{[]string{"brpoplpush", "none", "d", "0.15"}, "*-1\r\n"},
		{[]string{"blmpop", "0.15", "1", "none", "left"}, "*-1\r\n"},
	} {
		start := time.Now()
		got := c.do(tc.args...)
		el := time.Since(start)
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.args, got, tc.want)
		}
		if el < 140*time.Millisecond || el > 3*time.Second {
			t.Errorf("%q: returned after %v, want about 150ms", tc.args, el)
		}
	}
	// RESP3: the timeout reply is a null.
	c.do("hello", "3")
	c.expect("_\r\n", "blpop", "none", "0.01")
	c.expect("_\r\n", "blmove", "none", "d", "left", "right", "0.01")
}

func TestBlpopMoveAndMPopWoken(t *testing.T) {
	_, addr := startServer(t)
	a, a2, b := dial(t, addr), dial(t, addr), dial(t, addr)

	// BLMPOP with COUNT takes up to count items from the key that got
	// them.
	a.start("blmpop", "0", "2", "x", "y", "left", "count", "2")
	waitBlocked(t, b, 1)
	b.expect(":3\r\n", "rpush", "y", "1", "2", "3")
	if got := a.read(); got != "*2\r\n$1\r\ny\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n" {
		t.Errorf("blmpop got %q", got)
	}
	b.expect("*1\r\n$1\r\n3\r\n", "lrange", "y", "0", "-1")

	// BLMOVE onto its own source: a rotation once the item arrives.
	a.start("blmove", "k", "k", "left", "right", "0")
	waitBlocked(t, b, 1)
	b.expect(":2\r\n", "rpush", "k", "a", "b")
	if got := a.read(); got != "$1\r\na\r\n" {
		t.Errorf("blmove k k got %q", got)
	}
	b.expect("*2\r\n$1\r\nb\r\n$1\r\na\r\n", "lrange", "k", "0", "-1")

	// BRPOPLPUSH pushing onto a key another client waits on wakes it.
	a.start("blpop", "k3", "0")
	waitBlocked(t, b, 1)
	a2.start("brpoplpush", "k4", "k3", "0")
	waitBlocked(t, b, 2)
	b.expect(":1\r\n", "rpush", "k4", "z")
	if got := a2.read(); got != "$1\r\nz\r\n" {
		t.Errorf("brpoplpush got %q", got)
	}
	if got := a.read(); got != "*2\r\n$2\r\nk3\r\n$1\r\nz\r\n" {
		t.Errorf("blpop after brpoplpush got %q", got)
	}
	b.expect(":0\r\n", "exists", "k3", "k4")

	// A blocked BLMOVE whose destination became a string gets WRONGTYPE
	// when the source gets an item, and the item stays.
	a.start("blmove", "src", "dst", "left", "left", "0")
	waitBlocked(t, b, 1)
	b.expect("+OK\r\n", "set", "dst", "str")
	b.expect(":1\r\n", "rpush", "src", "v")
	if got := a.read(); got != "-"+errWrongType+"\r\n" {
		t.Errorf("blmove to a string got %q", got)
	}
	b.expect("*1\r\n$1\r\nv\r\n", "lrange", "src", "0", "-1")
}

func TestListBlockingInMulti(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("+OK\r\n", "multi")
	c.expect("+QUEUED\r\n", "blmove", "none", "d", "left", "left", "0")
	c.expect("+QUEUED\r\n", "brpoplpush", "none", "d", "0")
	c.expect("+QUEUED\r\n", "blpop", "none", "0")
	c.expect("+QUEUED\r\n", "blmpop", "0", "1", "none", "left")
	c.expect("*4\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n", "exec")
}

func TestListCommandTable(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("*2\r\n$1\r\na\r\n$4\r\nleft\r\n", "command", "getkeys", "lmpop", "2", "a", "left")
	c.expect("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "command", "getkeys", "blmpop", "0", "2", "a", "b", "left")
	c.expect("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "command", "getkeys", "blpop", "a", "b", "0")
	c.expect("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "command", "getkeys", "lmove", "a", "b", "left", "left")
	// OBJECT ENCODING: Redis 7.0 keeps every list in a quicklist.
	c.expect(":1\r\n", "rpush", "l", "1")
	c.expect("$9\r\nquicklist\r\n", "object", "encoding", "l")
}
