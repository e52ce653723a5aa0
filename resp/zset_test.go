package resp

import (
	"strings"
	"testing"
	"time"
)

// Sorted set commands end to end. Every expected reply below was recorded
// from redis-server 7.0.15 (RESP2 and RESP3 each in one session, in order:
// later rows depend on earlier writes).

type zsetCase struct {
	want string
	args []string
}

func zsetRun(t *testing.T, proto string, cases []zsetCase) {
	_, addr := startServer(t)
	c := dial(t, addr)
	if proto == "3" {
		if got := c.do("HELLO", "3"); !strings.HasPrefix(got, "%") {
			t.Fatalf("HELLO 3: %q", got)
		}
	}
	if len(cases) < 200 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		c.expect(tc.want, tc.args...)
	}
}

// zsetWaitBlocked waits until n clients are parked (INFO blocked_clients),
// so a following write lands after they blocked.
func zsetWaitBlocked(t *testing.T, c *testConn, n int) {
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

// Blocked pops, recorded from redis-server 7.0.15 running the same
// sequences.
func TestBZPopWokenByZAdd(t *testing.T) {
	_, addr := startServer(t)
	a, c, b := dial(t, addr), dial(t, addr), dial(t, addr)

	// A ZADD from another connection wakes the pop; the emptied key goes.
	a.send(encode("bzpopmin", "k1", "k2", "0"))
	zsetWaitBlocked(t, b, 1)
	b.expect(":1\r\n", "zadd", "k2", "1", "a")
	if got := a.read(); got != "*3\r\n$2\r\nk2\r\n$1\r\na\r\n$1\r\n1\r\n" {
		t.Errorf("bzpopmin got %q", got)
	}
	b.expect(":0\r\n", "exists", "k2")

	// Clients are served in the order they blocked.
	a.send(encode("bzpopmin", "k", "0"))
	zsetWaitBlocked(t, b, 1)
	c.send(encode("bzpopmax", "k", "0"))
	zsetWaitBlocked(t, b, 2)
	b.expect(":3\r\n", "zadd", "k", "1", "a", "2", "b", "3", "c")
	if got := a.read(); got != "*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n" {
		t.Errorf("first waiter got %q", got)
	}
	if got := c.read(); got != "*3\r\n$1\r\nk\r\n$1\r\nc\r\n$1\r\n3\r\n" {
		t.Errorf("second waiter got %q", got)
	}
	b.expect("*1\r\n$1\r\nb\r\n", "zrange", "k", "0", "-1")

	// A key that turns into another type does not serve (nor fail) a
	// blocked pop; a sorted set under that name later does.
	a.send(encode("bzpopmin", "w", "0"))
	zsetWaitBlocked(t, b, 1)
	b.expect("+OK\r\n", "set", "w", "str")
	time.Sleep(50 * time.Millisecond)
	zsetWaitBlocked(t, b, 1)
	b.expect(":1\r\n", "del", "w")
	b.expect(":1\r\n", "zadd", "w", "5", "x")
	if got := a.read(); got != "*3\r\n$1\r\nw\r\n$1\r\nx\r\n$1\r\n5\r\n" {
		t.Errorf("bzpopmin after a type change got %q", got)
	}

	// BZMPOP in RESP3: [key, [[member, score], …]] with doubles.
	if got := c.do("hello", "3"); !strings.HasPrefix(got, "%") {
		t.Fatalf("hello 3: %q", got)
	}
	c.send(encode("bzmpop", "0", "2", "m1", "m2", "max", "count", "2"))
	zsetWaitBlocked(t, b, 1)
	b.expect(":3\r\n", "zadd", "m2", "1", "a", "2", "b", "3", "c")
	if got := c.read(); got != "*2\r\n$2\r\nm2\r\n*2\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n" {
		t.Errorf("bzmpop got %q", got)
	}

	// Timeouts: a null array (RESP3 null), after the timeout.
	start := time.Now()
	c.expect("_\r\n", "bzpopmax", "none", "0.05")
	if time.Since(start) < 50*time.Millisecond {
		t.Errorf("timed out after %v", time.Since(start))
	}
	b.expect("*-1\r\n", "bzmpop", "0.01", "1", "none", "min")

	// Inside MULTI a blocking pop does not block.
	b.expect("+OK\r\n", "multi")
	b.expect("+QUEUED\r\n", "bzpopmin", "none", "0")
	b.expect("+QUEUED\r\n", "bzmpop", "0", "1", "none", "min")
	b.expect("*2\r\n*-1\r\n*-1\r\n", "exec")
	zsetWaitBlocked(t, b, 0)
}

func TestZSetCommandsRESP2(t *testing.T) { zsetRun(t, "2", zsetCasesRESP2) }

func TestZSetCommandsRESP3(t *testing.T) { zsetRun(t, "3", zsetCasesRESP3) }

var zsetCasesRESP2 = []zsetCase{
	{"+OK\r\n", []string{"flushall"}},
	// ZADD and its flags
	{":3\r\n", []string{"zadd", "z", "1", "a", "2", "b", "3", "c"}},
	{":1\r\n", []string{"zadd", "z", "nx", "5", "a", "6", "d"}},
	{":0\r\n", []string{"zadd", "z", "xx", "10", "a", "11", "e"}},
	{":1\r\n", []string{"zadd", "z", "xx", "ch", "11", "a", "12", "e"}},
	{":1\r\n", []string{"zadd", "z", "gt", "ch", "5", "a", "20", "b"}},
	{":1\r\n", []string{"zadd", "z", "lt", "ch", "5", "a", "30", "c"}},
	{":1\r\n", []string{"zadd", "z", "lt", "xx", "ch", "4", "a", "40", "f"}},
	{":0\r\n", []string{"zadd", "z", "4", "a", "4", "a"}},
	{":1\r\n", []string{"zadd", "z", "ch", "5", "a", "5", "a"}},
	{"$1\r\n6\r\n", []string{"zadd", "z", "incr", "1", "a"}},
	{"$-1\r\n", []string{"zadd", "z", "incr", "nx", "1", "a"}},
	{"$-1\r\n", []string{"zadd", "z", "incr", "xx", "1", "new"}},
	{"$-1\r\n", []string{"zadd", "z", "incr", "gt", "-1", "a"}},
	{"$-1\r\n", []string{"zadd", "z", "incr", "gt", "0", "a"}},
	{"$-1\r\n", []string{"zadd", "z", "incr", "lt", "1", "a"}},
	{"-ERR XX and NX options at the same time are not compatible\r\n", []string{"zadd", "z", "nx", "xx", "1", "a"}},
	{"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", []string{"zadd", "z", "gt", "lt", "1", "a"}},
	{"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", []string{"zadd", "z", "gt", "nx", "1", "a"}},
	{"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", []string{"zadd", "z", "lt", "nx", "1", "a"}},
	{"-ERR INCR option supports a single increment-element pair\r\n", []string{"zadd", "z", "incr", "1", "a", "2", "b"}},
	{"-ERR wrong number of arguments for 'zadd' command\r\n", []string{"zadd", "z", "1"}},
	{"-ERR syntax error\r\n", []string{"zadd", "z", "1", "a", "2"}},
	{"-ERR wrong number of arguments for 'zadd' command\r\n", []string{"zadd", "z", "nx"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", "abc", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", "nan", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", " 1", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", "", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", "1e400", "a"}},
	{":1\r\n", []string{"zadd", "z", "0x10", "hex"}},
	{":0\r\n", []string{"zadd", "z", "inf", "a"}},
	{"-ERR resulting score is not a number (NaN)\r\n", []string{"zadd", "z", "incr", "-inf", "a"}},
	{"$2\r\n21\r\n", []string{"zincrby", "z", "1", "b"}},
	{"-ERR value is not a valid float\r\n", []string{"zincrby", "z", "abc", "b"}},
	{"-ERR syntax error\r\n", []string{"zincrby", "z", "nx", "b"}},
	{"$4\r\n-inf\r\n", []string{"zincrby", "z", "-inf", "new"}},
	{"-ERR resulting score is not a number (NaN)\r\n", []string{"zincrby", "z", "inf", "new"}},
	{"*12\r\n$3\r\nnew\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n6\r\n$3\r\nhex\r\n$2\r\n16\r\n$1\r\nb\r\n$2\r\n21\r\n$1\r\na\r\n$3\r\ninf\r\n", []string{"zrange", "z", "0", "-1", "withscores"}},
	// reads
	{"$2\r\n21\r\n", []string{"zscore", "z", "b"}},
	{"$-1\r\n", []string{"zscore", "z", "nomember"}},
	{"$-1\r\n", []string{"zscore", "nokey", "b"}},
	{"*3\r\n$2\r\n21\r\n$-1\r\n$2\r\n16\r\n", []string{"zmscore", "z", "b", "nomember", "hex"}},
	{"*1\r\n$-1\r\n", []string{"zmscore", "nokey", "b"}},
	{":6\r\n", []string{"zcard", "z"}},
	{":0\r\n", []string{"zcard", "nokey"}},
	{":4\r\n", []string{"zrank", "z", "b"}},
	{":1\r\n", []string{"zrevrank", "z", "b"}},
	{"$-1\r\n", []string{"zrank", "z", "nomember"}},
	{"$-1\r\n", []string{"zrank", "nokey", "b"}},
	// wrong type
	{"+OK\r\n", []string{"set", "str", "v"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zadd", "str", "1", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "str", "abc", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zincrby", "str", "1", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zscore", "str", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zmscore", "str", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zcard", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zcount", "str", "0", "1"}},
	{"-ERR min or max is not a float\r\n", []string{"zcount", "str", "x", "1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zlexcount", "str", "-", "+"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrange", "str", "0", "-1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrangebyscore", "str", "0", "1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrangebylex", "str", "-", "+"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrangestore", "dst", "str", "0", "-1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrank", "str", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrem", "str", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zremrangebyrank", "str", "0", "1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zremrangebyscore", "str", "0", "1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zremrangebylex", "str", "-", "+"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zpopmin", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zmpop", "1", "str", "min"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrandmember", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrandmember", "str", "2"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zscan", "str", "0"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zunion", "1", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zunion", "1", "str", "weights", "x"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zunionstore", "dst", "2", "z", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zintercard", "1", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"bzpopmin", "str", "0"}},
	{"$1\r\nv\r\n", []string{"get", "str"}},
	// ranges by rank
	{":1\r\n", []string{"del", "z"}},
	{":10\r\n", []string{"zadd", "z", "1", "a", "1", "b", "1", "c", "2", "d", "2", "e", "3", "f", "-1", "g", "0", "h", "-inf", "k", "+inf", "l"}},
	{"*20\r\n$1\r\nk\r\n$4\r\n-inf\r\n$1\r\ng\r\n$2\r\n-1\r\n$1\r\nh\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n2\r\n$1\r\ne\r\n$1\r\n2\r\n$1\r\nf\r\n$1\r\n3\r\n$1\r\nl\r\n$3\r\ninf\r\n", []string{"zrange", "z", "0", "-1", "withscores"}},
	{"*3\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n", []string{"zrange", "z", "2", "4"}},
	{"*6\r\n$1\r\ne\r\n$1\r\n2\r\n$1\r\nf\r\n$1\r\n3\r\n$1\r\nl\r\n$3\r\ninf\r\n", []string{"zrange", "z", "-3", "-1", "withscores"}},
	{"*10\r\n$1\r\nk\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\nl\r\n", []string{"zrange", "z", "-100", "100"}},
	{"*0\r\n", []string{"zrange", "z", "5", "2"}},
	{"*0\r\n", []string{"zrange", "z", "100", "200"}},
	{"*6\r\n$1\r\nl\r\n$3\r\ninf\r\n$1\r\nf\r\n$1\r\n3\r\n$1\r\ne\r\n$1\r\n2\r\n", []string{"zrange", "z", "0", "2", "rev", "withscores"}},
	{"*6\r\n$1\r\nl\r\n$3\r\ninf\r\n$1\r\nf\r\n$1\r\n3\r\n$1\r\ne\r\n$1\r\n2\r\n", []string{"zrevrange", "z", "0", "2", "withscores"}},
	{"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", []string{"zrange", "z", "0", "2", "limit", "0", "1"}},
	{"*3\r\n$1\r\nk\r\n$1\r\ng\r\n$1\r\nh\r\n", []string{"zrange", "z", "0", "2", "limit", "0", "-1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zrange", "z", "a", "1"}},
	{"-ERR syntax error\r\n", []string{"zrange", "z", "0", "1", "foo"}},
	{"-ERR syntax error\r\n", []string{"zrange", "z", "0", "1", "rev", "rev"}},
	{"-ERR syntax error\r\n", []string{"zrevrange", "z", "0", "1", "rev"}},
	{"-ERR syntax error\r\n", []string{"zrevrange", "z", "0", "1", "byscore"}},
	// ranges by score
	{"*10\r\n$1\r\nk\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\nl\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore"}},
	{"*4\r\n$1\r\nd\r\n$1\r\n2\r\n$1\r\ne\r\n$1\r\n2\r\n", []string{"zrange", "z", "(1", "2", "byscore", "withscores"}},
	{"*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n1\r\n", []string{"zrange", "z", "1", "(2", "byscore", "withscores"}},
	{"*8\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n", []string{"zrange", "z", "(-inf", "(+inf", "byscore"}},
	{"*10\r\n$1\r\ne\r\n$1\r\n2\r\n$1\r\nd\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n", []string{"zrange", "z", "2", "1", "byscore", "rev", "withscores"}},
	{"*0\r\n", []string{"zrange", "z", "(2", "(1", "byscore", "rev"}},
	{"*3\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "2", "3"}},
	{"*8\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\nl\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "2", "-1"}},
	{"*0\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "-1", "3"}},
	{"*0\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "0", "0"}},
	{"*0\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "10", "1"}},
	{"-ERR syntax error\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "x", "1"}},
	{"*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n2\r\n$1\r\ne\r\n$1\r\n2\r\n", []string{"zrangebyscore", "z", "1", "2", "withscores"}},
	{"-ERR syntax error\r\n", []string{"zrangebyscore", "z", "1", "2", "rev"}},
	{"*0\r\n", []string{"zrangebyscore", "z", "(1", "(1"}},
	{"*0\r\n", []string{"zrangebyscore", "z", "3", "1"}},
	{"-ERR min or max is not a float\r\n", []string{"zrangebyscore", "z", "x", "1"}},
	{"-ERR min or max is not a float\r\n", []string{"zrangebyscore", "z", "1", "(x"}},
	{"*1\r\n$1\r\nh\r\n", []string{"zrangebyscore", "z", "", ""}},
	{"*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\nl\r\n", []string{"zrangebyscore", "z", "0x1", "1e999"}},
	{"*4\r\n$1\r\nd\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n1\r\n", []string{"zrevrangebyscore", "z", "2", "1", "withscores", "limit", "1", "2"}},
	{"*0\r\n", []string{"zrevrangebyscore", "z", "1", "2"}},
	{":10\r\n", []string{"zcount", "z", "-inf", "+inf"}},
	{":2\r\n", []string{"zcount", "z", "(1", "2"}},
	{":0\r\n", []string{"zcount", "z", "1", "(1"}},
	{"-ERR min or max is not a float\r\n", []string{"zcount", "z", "1", "x"}},
	{":0\r\n", []string{"zcount", "nokey", "0", "1"}},
	// ranges by member
	{":7\r\n", []string{"zadd", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "", "0", "aa"}},
	{"*7\r\n$0\r\n\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", []string{"zrangebylex", "l", "-", "+"}},
	{"*3\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n", []string{"zrangebylex", "l", "[a", "(c"}},
	{"*3\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n", []string{"zrangebylex", "l", "(a", "[c"}},
	{"*0\r\n", []string{"zrangebylex", "l", "[c", "[a"}},
	{"*0\r\n", []string{"zrangebylex", "l", "+", "-"}},
	{"*2\r\n$1\r\na\r\n$2\r\naa\r\n", []string{"zrangebylex", "l", "-", "+", "limit", "1", "2"}},
	{"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", []string{"zrangebylex", "l", "-", "+", "withscores"}},
	{"-ERR min or max not valid string range item\r\n", []string{"zrangebylex", "l", "a", "c"}},
	{"-ERR min or max not valid string range item\r\n", []string{"zrangebylex", "l", "[a", "-a"}},
	{"*7\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\naa\r\n$1\r\na\r\n$0\r\n\r\n", []string{"zrevrangebylex", "l", "+", "-"}},
	{"*3\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\naa\r\n", []string{"zrevrangebylex", "l", "[c", "(a"}},
	{"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", []string{"zrange", "l", "[b", "[d", "bylex"}},
	{"*2\r\n$1\r\nc\r\n$1\r\nb\r\n", []string{"zrange", "l", "[d", "[b", "bylex", "rev", "limit", "1", "5"}},
	{"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", []string{"zrange", "l", "-", "+", "bylex", "withscores"}},
	{":7\r\n", []string{"zlexcount", "l", "-", "+"}},
	{":3\r\n", []string{"zlexcount", "l", "(a", "[c"}},
	{"-ERR min or max not valid string range item\r\n", []string{"zlexcount", "l", "x", "+"}},
	{":0\r\n", []string{"zlexcount", "nokey", "-", "+"}},
	// removals; an emptied key is gone
	{":2\r\n", []string{"zrem", "l", "a", "nomember", "b"}},
	{":2\r\n", []string{"zremrangebylex", "l", "[c", "[d"}},
	{"-ERR min or max not valid string range item\r\n", []string{"zremrangebylex", "l", "x", "+"}},
	{"*3\r\n$0\r\n\r\n$2\r\naa\r\n$1\r\ne\r\n", []string{"zrange", "l", "0", "-1"}},
	{":1\r\n", []string{"zremrangebyrank", "l", "0", "0"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zremrangebyrank", "l", "a", "0"}},
	{":0\r\n", []string{"zremrangebyscore", "l", "(0", "+inf"}},
	{"-ERR min or max is not a float\r\n", []string{"zremrangebyscore", "l", "x", "1"}},
	{":2\r\n", []string{"zremrangebylex", "l", "-", "+"}},
	{":0\r\n", []string{"exists", "l"}},
	{":0\r\n", []string{"zremrangebyrank", "z", "10", "20"}},
	{":1\r\n", []string{"zremrangebyrank", "z", "-1", "-1"}},
	{":1\r\n", []string{"zremrangebyscore", "z", "(2", "+inf"}},
	{"*16\r\n$1\r\nk\r\n$4\r\n-inf\r\n$1\r\ng\r\n$2\r\n-1\r\n$1\r\nh\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n2\r\n$1\r\ne\r\n$1\r\n2\r\n", []string{"zrange", "z", "0", "-1", "withscores"}},
	// pops
	{"*2\r\n$1\r\nk\r\n$4\r\n-inf\r\n", []string{"zpopmin", "z"}},
	{"*2\r\n$1\r\ne\r\n$1\r\n2\r\n", []string{"zpopmax", "z"}},
	{"*4\r\n$1\r\ng\r\n$2\r\n-1\r\n$1\r\nh\r\n$1\r\n0\r\n", []string{"zpopmin", "z", "2"}},
	{"*0\r\n", []string{"zpopmax", "z", "0"}},
	{"-ERR value is out of range, must be positive\r\n", []string{"zpopmin", "z", "-1"}},
	{"-ERR value is out of range, must be positive\r\n", []string{"zpopmin", "z", "abc"}},
	{"-ERR syntax error\r\n", []string{"zpopmin", "z", "1", "2"}},
	{"*0\r\n", []string{"zpopmin", "nokey"}},
	{"*0\r\n", []string{"zpopmin", "nokey", "3"}},
	{"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", []string{"zmpop", "1", "z", "min"}},
	{"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nd\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n1\r\n", []string{"zmpop", "2", "nokey", "z", "max", "count", "2"}},
	{"*-1\r\n", []string{"zmpop", "1", "nokey", "min"}},
	{"-ERR numkeys should be greater than 0\r\n", []string{"zmpop", "0", "z", "min"}},
	{"-ERR wrong number of arguments for 'zmpop' command\r\n", []string{"zmpop", "1", "z"}},
	{"-ERR syntax error\r\n", []string{"zmpop", "1", "z", "foo"}},
	{"-ERR count should be greater than 0\r\n", []string{"zmpop", "1", "z", "min", "count", "0"}},
	{"-ERR count should be greater than 0\r\n", []string{"zmpop", "1", "z", "min", "count", "x"}},
	{"-ERR syntax error\r\n", []string{"zmpop", "1", "z", "min", "count", "1", "count", "1"}},
	{"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n1\r\n", []string{"zmpop", "1", "z", "max", "count", "100"}},
	{":0\r\n", []string{"exists", "z"}},
	{"-ERR timeout is not a float or out of range\r\n", []string{"bzpopmin", "z", "x"}},
	{"-ERR timeout is negative\r\n", []string{"bzpopmin", "z", "-1"}},
	{"-ERR numkeys should be greater than 0\r\n", []string{"bzmpop", "0", "0", "z", "min"}},
	{"-ERR timeout is not a float or out of range\r\n", []string{"bzmpop", "x", "1", "z", "min"}},
	{"*-1\r\n", []string{"bzpopmin", "nokey", "0.01"}},
	{"*-1\r\n", []string{"bzmpop", "0.01", "1", "nokey", "min"}},
	// algebra, plain sets as inputs
	{":0\r\n", []string{"del", "a", "b", "s"}},
	{":3\r\n", []string{"zadd", "a", "1", "x", "2", "y", "3", "z"}},
	{":3\r\n", []string{"zadd", "b", "10", "y", "20", "z", "30", "w"}},
	{":3\r\n", []string{"sadd", "s", "y", "w", "v"}},
	{"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n", []string{"zunion", "2", "a", "b", "withscores"}},
	{"*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$2\r\n34\r\n$1\r\nz\r\n$2\r\n66\r\n$1\r\nw\r\n$2\r\n90\r\n", []string{"zunion", "2", "a", "b", "weights", "2", "3", "withscores"}},
	{"-ERR weight value is not a float\r\n", []string{"zunion", "2", "a", "b", "weights", "2", "withscores"}},
	{"-ERR weight value is not a float\r\n", []string{"zunion", "2", "a", "b", "weights", "2", "x"}},
	{"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\nw\r\n$2\r\n30\r\n", []string{"zunion", "2", "a", "b", "aggregate", "min", "withscores"}},
	{"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n10\r\n$1\r\nz\r\n$2\r\n20\r\n$1\r\nw\r\n$2\r\n30\r\n", []string{"zunion", "2", "a", "b", "aggregate", "max", "withscores"}},
	{"-ERR syntax error\r\n", []string{"zunion", "2", "a", "b", "aggregate", "foo"}},
	{"*10\r\n$1\r\nv\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n13\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n31\r\n", []string{"zunion", "3", "a", "b", "s", "withscores"}},
	{"*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n", []string{"zunion", "2", "a", "nokey"}},
	{"-ERR at least 1 input key is needed for 'zunion' command\r\n", []string{"zunion", "0", "a"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zunion", "x", "a"}},
	{"-ERR syntax error\r\n", []string{"zunion", "3", "a", "b"}},
	{"-ERR syntax error\r\n", []string{"zunion", "2", "nokey", "a", "weights", "x"}},
	{"*8\r\n$1\r\nw\r\n$4\r\n-inf\r\n$1\r\ny\r\n$1\r\n0\r\n$1\r\nz\r\n$1\r\n0\r\n$1\r\nx\r\n$3\r\ninf\r\n", []string{"zunion", "2", "a", "b", "weights", "inf", "-inf", "withscores"}},
	{"*2\r\n$1\r\ny\r\n$2\r\n13\r\n", []string{"zinter", "3", "a", "b", "s", "withscores"}},
	{"*0\r\n", []string{"zinter", "2", "a", "nokey"}},
	{"*6\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$1\r\n4\r\n$1\r\nz\r\n$1\r\n6\r\n", []string{"zinter", "2", "a", "a", "withscores"}},
	{"*4\r\n$1\r\ny\r\n$2\r\n10\r\n$1\r\nz\r\n$2\r\n20\r\n", []string{"zinter", "2", "a", "b", "weights", "0", "1", "aggregate", "max", "withscores"}},
	{"*2\r\n$1\r\nx\r\n$1\r\n1\r\n", []string{"zdiff", "2", "a", "b", "withscores"}},
	{"*4\r\n$1\r\nv\r\n$1\r\n1\r\n$1\r\nw\r\n$1\r\n1\r\n", []string{"zdiff", "2", "s", "a", "withscores"}},
	{"*0\r\n", []string{"zdiff", "2", "a", "a"}},
	{"-ERR syntax error\r\n", []string{"zdiff", "2", "a", "b", "weights", "1", "1"}},
	{":2\r\n", []string{"zintercard", "2", "a", "b"}},
	{":1\r\n", []string{"zintercard", "2", "a", "b", "limit", "1"}},
	{"-ERR LIMIT can't be negative\r\n", []string{"zintercard", "2", "a", "b", "limit", "-1"}},
	{"-ERR LIMIT can't be negative\r\n", []string{"zintercard", "2", "a", "b", "limit", "x"}},
	{"-ERR at least 1 input key is needed for 'zintercard' command\r\n", []string{"zintercard", "0", "a"}},
	{"-ERR syntax error\r\n", []string{"zintercard", "2", "a", "b", "withscores"}},
	{":4\r\n", []string{"zunionstore", "dst", "2", "a", "b"}},
	{"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{"-ERR syntax error\r\n", []string{"zunionstore", "dst", "2", "a", "b", "withscores"}},
	{":2\r\n", []string{"zinterstore", "dst", "2", "a", "b", "aggregate", "max"}},
	{"*4\r\n$1\r\ny\r\n$2\r\n10\r\n$1\r\nz\r\n$2\r\n20\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{":1\r\n", []string{"zdiffstore", "dst", "2", "a", "b"}},
	{"*2\r\n$1\r\nx\r\n$1\r\n1\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{":0\r\n", []string{"zinterstore", "dst", "2", "a", "nokey"}},
	{":0\r\n", []string{"exists", "dst"}},
	{"-ERR at least 1 input key is needed for 'zunionstore' command\r\n", []string{"zunionstore", "dst", "0", "a"}},
	{"+OK\r\n", []string{"set", "dst", "hello"}},
	{":1\r\n", []string{"expire", "dst", "100"}},
	{":3\r\n", []string{"zunionstore", "dst", "1", "a"}},
	{":-1\r\n", []string{"ttl", "dst"}},
	{"+zset\r\n", []string{"type", "dst"}},
	{":2\r\n", []string{"zrangestore", "dst", "a", "1", "-1"}},
	{"*4\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{":0\r\n", []string{"zrangestore", "dst", "a", "(1", "+inf", "byscore", "rev", "limit", "0", "1"}},
	{"*0\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{":2\r\n", []string{"zrangestore", "dst", "a", "[x", "[y", "bylex"}},
	{"*2\r\n$1\r\nx\r\n$1\r\ny\r\n", []string{"zrange", "dst", "0", "-1"}},
	{"-ERR syntax error\r\n", []string{"zrangestore", "dst", "a", "0", "-1", "withscores"}},
	{":0\r\n", []string{"zrangestore", "dst", "nokey", "0", "-1"}},
	{":0\r\n", []string{"exists", "dst"}},
	{"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", []string{"zrangestore", "dst", "a", "0", "1", "limit", "0", "1"}},
	// zrandmember and zscan
	{"$-1\r\n", []string{"zrandmember", "nokey"}},
	{"*0\r\n", []string{"zrandmember", "nokey", "3"}},
	{"*0\r\n", []string{"zrandmember", "a", "0"}},
	{"*6\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nx\r\n$1\r\n1\r\n", []string{"zrandmember", "a", "5", "withscores"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zrandmember", "a", "x"}},
	{"-ERR syntax error\r\n", []string{"zrandmember", "a", "1", "withscore"}},
	{"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", []string{"zrandmember", "a", "-9223372036854775808"}},
	{"*2\r\n$1\r\n0\r\n*6\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n", []string{"zscan", "a", "0"}},
	{"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n", []string{"zscan", "a", "0", "match", "x"}},
	{"-ERR syntax error\r\n", []string{"zscan", "a", "0", "count", "0"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zscan", "a", "0", "count", "x"}},
	{"-ERR syntax error\r\n", []string{"zscan", "a", "0", "foo", "bar"}},
	{"-ERR invalid cursor\r\n", []string{"zscan", "a", "x"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"zscan", "nokey", "0"}},
	{":2\r\n", []string{"zadd", "fl", "1.5", "a", "123456789012345678", "b"}},
	{"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$18\r\n123456789012345680\r\n", []string{"zscan", "fl", "0"}},
}

var zsetCasesRESP3 = []zsetCase{
	{"+OK\r\n", []string{"flushall"}},
	// ZADD and its flags
	{":3\r\n", []string{"zadd", "z", "1", "a", "2", "b", "3", "c"}},
	{":1\r\n", []string{"zadd", "z", "nx", "5", "a", "6", "d"}},
	{":0\r\n", []string{"zadd", "z", "xx", "10", "a", "11", "e"}},
	{":1\r\n", []string{"zadd", "z", "xx", "ch", "11", "a", "12", "e"}},
	{":1\r\n", []string{"zadd", "z", "gt", "ch", "5", "a", "20", "b"}},
	{":1\r\n", []string{"zadd", "z", "lt", "ch", "5", "a", "30", "c"}},
	{":1\r\n", []string{"zadd", "z", "lt", "xx", "ch", "4", "a", "40", "f"}},
	{":0\r\n", []string{"zadd", "z", "4", "a", "4", "a"}},
	{":1\r\n", []string{"zadd", "z", "ch", "5", "a", "5", "a"}},
	{",6\r\n", []string{"zadd", "z", "incr", "1", "a"}},
	{"_\r\n", []string{"zadd", "z", "incr", "nx", "1", "a"}},
	{"_\r\n", []string{"zadd", "z", "incr", "xx", "1", "new"}},
	{"_\r\n", []string{"zadd", "z", "incr", "gt", "-1", "a"}},
	{"_\r\n", []string{"zadd", "z", "incr", "gt", "0", "a"}},
	{"_\r\n", []string{"zadd", "z", "incr", "lt", "1", "a"}},
	{"-ERR XX and NX options at the same time are not compatible\r\n", []string{"zadd", "z", "nx", "xx", "1", "a"}},
	{"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", []string{"zadd", "z", "gt", "lt", "1", "a"}},
	{"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", []string{"zadd", "z", "gt", "nx", "1", "a"}},
	{"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", []string{"zadd", "z", "lt", "nx", "1", "a"}},
	{"-ERR INCR option supports a single increment-element pair\r\n", []string{"zadd", "z", "incr", "1", "a", "2", "b"}},
	{"-ERR wrong number of arguments for 'zadd' command\r\n", []string{"zadd", "z", "1"}},
	{"-ERR syntax error\r\n", []string{"zadd", "z", "1", "a", "2"}},
	{"-ERR wrong number of arguments for 'zadd' command\r\n", []string{"zadd", "z", "nx"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", "abc", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", "nan", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", " 1", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", "", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", "1e400", "a"}},
	{":1\r\n", []string{"zadd", "z", "0x10", "hex"}},
	{":0\r\n", []string{"zadd", "z", "inf", "a"}},
	{"-ERR resulting score is not a number (NaN)\r\n", []string{"zadd", "z", "incr", "-inf", "a"}},
	{",21\r\n", []string{"zincrby", "z", "1", "b"}},
	{"-ERR value is not a valid float\r\n", []string{"zincrby", "z", "abc", "b"}},
	{"-ERR syntax error\r\n", []string{"zincrby", "z", "nx", "b"}},
	{",-inf\r\n", []string{"zincrby", "z", "-inf", "new"}},
	{"-ERR resulting score is not a number (NaN)\r\n", []string{"zincrby", "z", "inf", "new"}},
	{"*6\r\n*2\r\n$3\r\nnew\r\n,-inf\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nd\r\n,6\r\n*2\r\n$3\r\nhex\r\n,16\r\n*2\r\n$1\r\nb\r\n,21\r\n*2\r\n$1\r\na\r\n,inf\r\n", []string{"zrange", "z", "0", "-1", "withscores"}},
	// reads
	{",21\r\n", []string{"zscore", "z", "b"}},
	{"_\r\n", []string{"zscore", "z", "nomember"}},
	{"_\r\n", []string{"zscore", "nokey", "b"}},
	{"*3\r\n,21\r\n_\r\n,16\r\n", []string{"zmscore", "z", "b", "nomember", "hex"}},
	{"*1\r\n_\r\n", []string{"zmscore", "nokey", "b"}},
	{":6\r\n", []string{"zcard", "z"}},
	{":0\r\n", []string{"zcard", "nokey"}},
	{":4\r\n", []string{"zrank", "z", "b"}},
	{":1\r\n", []string{"zrevrank", "z", "b"}},
	{"_\r\n", []string{"zrank", "z", "nomember"}},
	{"_\r\n", []string{"zrank", "nokey", "b"}},
	// wrong type
	{"+OK\r\n", []string{"set", "str", "v"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zadd", "str", "1", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "str", "abc", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zincrby", "str", "1", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zscore", "str", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zmscore", "str", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zcard", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zcount", "str", "0", "1"}},
	{"-ERR min or max is not a float\r\n", []string{"zcount", "str", "x", "1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zlexcount", "str", "-", "+"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrange", "str", "0", "-1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrangebyscore", "str", "0", "1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrangebylex", "str", "-", "+"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrangestore", "dst", "str", "0", "-1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrank", "str", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrem", "str", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zremrangebyrank", "str", "0", "1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zremrangebyscore", "str", "0", "1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zremrangebylex", "str", "-", "+"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zpopmin", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zmpop", "1", "str", "min"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrandmember", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrandmember", "str", "2"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zscan", "str", "0"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zunion", "1", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zunion", "1", "str", "weights", "x"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zunionstore", "dst", "2", "z", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zintercard", "1", "str"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"bzpopmin", "str", "0.01"}},
	{"$1\r\nv\r\n", []string{"get", "str"}},
	// ranges by rank
	{":1\r\n", []string{"del", "z"}},
	{":10\r\n", []string{"zadd", "z", "1", "a", "1", "b", "1", "c", "2", "d", "2", "e", "3", "f", "-1", "g", "0", "h", "-inf", "k", "+inf", "l"}},
	{"*10\r\n*2\r\n$1\r\nk\r\n,-inf\r\n*2\r\n$1\r\ng\r\n,-1\r\n*2\r\n$1\r\nh\r\n,0\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,1\r\n*2\r\n$1\r\nc\r\n,1\r\n*2\r\n$1\r\nd\r\n,2\r\n*2\r\n$1\r\ne\r\n,2\r\n*2\r\n$1\r\nf\r\n,3\r\n*2\r\n$1\r\nl\r\n,inf\r\n", []string{"zrange", "z", "0", "-1", "withscores"}},
	{"*3\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n", []string{"zrange", "z", "2", "4"}},
	{"*3\r\n*2\r\n$1\r\ne\r\n,2\r\n*2\r\n$1\r\nf\r\n,3\r\n*2\r\n$1\r\nl\r\n,inf\r\n", []string{"zrange", "z", "-3", "-1", "withscores"}},
	{"*10\r\n$1\r\nk\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\nl\r\n", []string{"zrange", "z", "-100", "100"}},
	{"*0\r\n", []string{"zrange", "z", "5", "2"}},
	{"*0\r\n", []string{"zrange", "z", "100", "200"}},
	{"*3\r\n*2\r\n$1\r\nl\r\n,inf\r\n*2\r\n$1\r\nf\r\n,3\r\n*2\r\n$1\r\ne\r\n,2\r\n", []string{"zrange", "z", "0", "2", "rev", "withscores"}},
	{"*3\r\n*2\r\n$1\r\nl\r\n,inf\r\n*2\r\n$1\r\nf\r\n,3\r\n*2\r\n$1\r\ne\r\n,2\r\n", []string{"zrevrange", "z", "0", "2", "withscores"}},
	{"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", []string{"zrange", "z", "0", "2", "limit", "0", "1"}},
	{"*3\r\n$1\r\nk\r\n$1\r\ng\r\n$1\r\nh\r\n", []string{"zrange", "z", "0", "2", "limit", "0", "-1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zrange", "z", "a", "1"}},
	{"-ERR syntax error\r\n", []string{"zrange", "z", "0", "1", "foo"}},
	{"-ERR syntax error\r\n", []string{"zrange", "z", "0", "1", "rev", "rev"}},
	{"-ERR syntax error\r\n", []string{"zrevrange", "z", "0", "1", "rev"}},
	{"-ERR syntax error\r\n", []string{"zrevrange", "z", "0", "1", "byscore"}},
	// ranges by score
	{"*10\r\n$1\r\nk\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\nl\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore"}},
	{"*2\r\n*2\r\n$1\r\nd\r\n,2\r\n*2\r\n$1\r\ne\r\n,2\r\n", []string{"zrange", "z", "(1", "2", "byscore", "withscores"}},
	{"*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,1\r\n*2\r\n$1\r\nc\r\n,1\r\n", []string{"zrange", "z", "1", "(2", "byscore", "withscores"}},
	{"*8\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n", []string{"zrange", "z", "(-inf", "(+inf", "byscore"}},
	{"*5\r\n*2\r\n$1\r\ne\r\n,2\r\n*2\r\n$1\r\nd\r\n,2\r\n*2\r\n$1\r\nc\r\n,1\r\n*2\r\n$1\r\nb\r\n,1\r\n*2\r\n$1\r\na\r\n,1\r\n", []string{"zrange", "z", "2", "1", "byscore", "rev", "withscores"}},
	{"*0\r\n", []string{"zrange", "z", "(2", "(1", "byscore", "rev"}},
	{"*3\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "2", "3"}},
	{"*8\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\nl\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "2", "-1"}},
	{"*0\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "-1", "3"}},
	{"*0\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "0", "0"}},
	{"*0\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "10", "1"}},
	{"-ERR syntax error\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zrange", "z", "-inf", "+inf", "byscore", "limit", "x", "1"}},
	{"*5\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,1\r\n*2\r\n$1\r\nc\r\n,1\r\n*2\r\n$1\r\nd\r\n,2\r\n*2\r\n$1\r\ne\r\n,2\r\n", []string{"zrangebyscore", "z", "1", "2", "withscores"}},
	{"-ERR syntax error\r\n", []string{"zrangebyscore", "z", "1", "2", "rev"}},
	{"*0\r\n", []string{"zrangebyscore", "z", "(1", "(1"}},
	{"*0\r\n", []string{"zrangebyscore", "z", "3", "1"}},
	{"-ERR min or max is not a float\r\n", []string{"zrangebyscore", "z", "x", "1"}},
	{"-ERR min or max is not a float\r\n", []string{"zrangebyscore", "z", "1", "(x"}},
	{"*1\r\n$1\r\nh\r\n", []string{"zrangebyscore", "z", "", ""}},
	{"*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\nl\r\n", []string{"zrangebyscore", "z", "0x1", "1e999"}},
	{"*2\r\n*2\r\n$1\r\nd\r\n,2\r\n*2\r\n$1\r\nc\r\n,1\r\n", []string{"zrevrangebyscore", "z", "2", "1", "withscores", "limit", "1", "2"}},
	{"*0\r\n", []string{"zrevrangebyscore", "z", "1", "2"}},
	{":10\r\n", []string{"zcount", "z", "-inf", "+inf"}},
	{":2\r\n", []string{"zcount", "z", "(1", "2"}},
	{":0\r\n", []string{"zcount", "z", "1", "(1"}},
	{"-ERR min or max is not a float\r\n", []string{"zcount", "z", "1", "x"}},
	{":0\r\n", []string{"zcount", "nokey", "0", "1"}},
	// ranges by member
	{":7\r\n", []string{"zadd", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "", "0", "aa"}},
	{"*7\r\n$0\r\n\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", []string{"zrangebylex", "l", "-", "+"}},
	{"*3\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n", []string{"zrangebylex", "l", "[a", "(c"}},
	{"*3\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n", []string{"zrangebylex", "l", "(a", "[c"}},
	{"*0\r\n", []string{"zrangebylex", "l", "[c", "[a"}},
	{"*0\r\n", []string{"zrangebylex", "l", "+", "-"}},
	{"*2\r\n$1\r\na\r\n$2\r\naa\r\n", []string{"zrangebylex", "l", "-", "+", "limit", "1", "2"}},
	{"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", []string{"zrangebylex", "l", "-", "+", "withscores"}},
	{"-ERR min or max not valid string range item\r\n", []string{"zrangebylex", "l", "a", "c"}},
	{"-ERR min or max not valid string range item\r\n", []string{"zrangebylex", "l", "[a", "-a"}},
	{"*7\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\naa\r\n$1\r\na\r\n$0\r\n\r\n", []string{"zrevrangebylex", "l", "+", "-"}},
	{"*3\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\naa\r\n", []string{"zrevrangebylex", "l", "[c", "(a"}},
	{"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", []string{"zrange", "l", "[b", "[d", "bylex"}},
	{"*2\r\n$1\r\nc\r\n$1\r\nb\r\n", []string{"zrange", "l", "[d", "[b", "bylex", "rev", "limit", "1", "5"}},
	{"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", []string{"zrange", "l", "-", "+", "bylex", "withscores"}},
	{":7\r\n", []string{"zlexcount", "l", "-", "+"}},
	{":3\r\n", []string{"zlexcount", "l", "(a", "[c"}},
	{"-ERR min or max not valid string range item\r\n", []string{"zlexcount", "l", "x", "+"}},
	{":0\r\n", []string{"zlexcount", "nokey", "-", "+"}},
	// removals; an emptied key is gone
	{":2\r\n", []string{"zrem", "l", "a", "nomember", "b"}},
	{":2\r\n", []string{"zremrangebylex", "l", "[c", "[d"}},
	{"-ERR min or max not valid string range item\r\n", []string{"zremrangebylex", "l", "x", "+"}},
	{"*3\r\n$0\r\n\r\n$2\r\naa\r\n$1\r\ne\r\n", []string{"zrange", "l", "0", "-1"}},
	{":1\r\n", []string{"zremrangebyrank", "l", "0", "0"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zremrangebyrank", "l", "a", "0"}},
	{":0\r\n", []string{"zremrangebyscore", "l", "(0", "+inf"}},
	{"-ERR min or max is not a float\r\n", []string{"zremrangebyscore", "l", "x", "1"}},
	{":2\r\n", []string{"zremrangebylex", "l", "-", "+"}},
	{":0\r\n", []string{"exists", "l"}},
	{":0\r\n", []string{"zremrangebyrank", "z", "10", "20"}},
	{":1\r\n", []string{"zremrangebyrank", "z", "-1", "-1"}},
	{":1\r\n", []string{"zremrangebyscore", "z", "(2", "+inf"}},
	{"*8\r\n*2\r\n$1\r\nk\r\n,-inf\r\n*2\r\n$1\r\ng\r\n,-1\r\n*2\r\n$1\r\nh\r\n,0\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,1\r\n*2\r\n$1\r\nc\r\n,1\r\n*2\r\n$1\r\nd\r\n,2\r\n*2\r\n$1\r\ne\r\n,2\r\n", []string{"zrange", "z", "0", "-1", "withscores"}},
	// pops
	{"*2\r\n$1\r\nk\r\n,-inf\r\n", []string{"zpopmin", "z"}},
	{"*2\r\n$1\r\ne\r\n,2\r\n", []string{"zpopmax", "z"}},
	{"*2\r\n*2\r\n$1\r\ng\r\n,-1\r\n*2\r\n$1\r\nh\r\n,0\r\n", []string{"zpopmin", "z", "2"}},
	{"*0\r\n", []string{"zpopmax", "z", "0"}},
	{"-ERR value is out of range, must be positive\r\n", []string{"zpopmin", "z", "-1"}},
	{"-ERR value is out of range, must be positive\r\n", []string{"zpopmin", "z", "abc"}},
	{"-ERR syntax error\r\n", []string{"zpopmin", "z", "1", "2"}},
	{"*0\r\n", []string{"zpopmin", "nokey"}},
	{"*0\r\n", []string{"zpopmin", "nokey", "3"}},
	{"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n", []string{"zmpop", "1", "z", "min"}},
	{"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nd\r\n,2\r\n*2\r\n$1\r\nc\r\n,1\r\n", []string{"zmpop", "2", "nokey", "z", "max", "count", "2"}},
	{"_\r\n", []string{"zmpop", "1", "nokey", "min"}},
	{"-ERR numkeys should be greater than 0\r\n", []string{"zmpop", "0", "z", "min"}},
	{"-ERR wrong number of arguments for 'zmpop' command\r\n", []string{"zmpop", "1", "z"}},
	{"-ERR syntax error\r\n", []string{"zmpop", "1", "z", "foo"}},
	{"-ERR count should be greater than 0\r\n", []string{"zmpop", "1", "z", "min", "count", "0"}},
	{"-ERR count should be greater than 0\r\n", []string{"zmpop", "1", "z", "min", "count", "x"}},
	{"-ERR syntax error\r\n", []string{"zmpop", "1", "z", "min", "count", "1", "count", "1"}},
	{"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,1\r\n", []string{"zmpop", "1", "z", "max", "count", "100"}},
	{":0\r\n", []string{"exists", "z"}},
	{"-ERR timeout is not a float or out of range\r\n", []string{"bzpopmin", "z", "x"}},
	{"-ERR timeout is negative\r\n", []string{"bzpopmin", "z", "-1"}},
	{"-ERR numkeys should be greater than 0\r\n", []string{"bzmpop", "0", "0", "z", "min"}},
	{"-ERR timeout is not a float or out of range\r\n", []string{"bzmpop", "x", "1", "z", "min"}},
	{"_\r\n", []string{"bzpopmin", "nokey", "0.01"}},
	{"_\r\n", []string{"bzmpop", "0.01", "1", "nokey", "min"}},
	// algebra, plain sets as inputs
	{":0\r\n", []string{"del", "a", "b", "s"}},
	{":3\r\n", []string{"zadd", "a", "1", "x", "2", "y", "3", "z"}},
	{":3\r\n", []string{"zadd", "b", "10", "y", "20", "z", "30", "w"}},
	{":3\r\n", []string{"sadd", "s", "y", "w", "v"}},
	{"*4\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,12\r\n*2\r\n$1\r\nz\r\n,23\r\n*2\r\n$1\r\nw\r\n,30\r\n", []string{"zunion", "2", "a", "b", "withscores"}},
	{"*4\r\n*2\r\n$1\r\nx\r\n,2\r\n*2\r\n$1\r\ny\r\n,34\r\n*2\r\n$1\r\nz\r\n,66\r\n*2\r\n$1\r\nw\r\n,90\r\n", []string{"zunion", "2", "a", "b", "weights", "2", "3", "withscores"}},
	{"-ERR weight value is not a float\r\n", []string{"zunion", "2", "a", "b", "weights", "2", "withscores"}},
	{"-ERR weight value is not a float\r\n", []string{"zunion", "2", "a", "b", "weights", "2", "x"}},
	{"*4\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,2\r\n*2\r\n$1\r\nz\r\n,3\r\n*2\r\n$1\r\nw\r\n,30\r\n", []string{"zunion", "2", "a", "b", "aggregate", "min", "withscores"}},
	{"*4\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,10\r\n*2\r\n$1\r\nz\r\n,20\r\n*2\r\n$1\r\nw\r\n,30\r\n", []string{"zunion", "2", "a", "b", "aggregate", "max", "withscores"}},
	{"-ERR syntax error\r\n", []string{"zunion", "2", "a", "b", "aggregate", "foo"}},
	{"*5\r\n*2\r\n$1\r\nv\r\n,1\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,13\r\n*2\r\n$1\r\nz\r\n,23\r\n*2\r\n$1\r\nw\r\n,31\r\n", []string{"zunion", "3", "a", "b", "s", "withscores"}},
	{"*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n", []string{"zunion", "2", "a", "nokey"}},
	{"-ERR at least 1 input key is needed for 'zunion' command\r\n", []string{"zunion", "0", "a"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zunion", "x", "a"}},
	{"-ERR syntax error\r\n", []string{"zunion", "3", "a", "b"}},
	{"-ERR syntax error\r\n", []string{"zunion", "2", "nokey", "a", "weights", "x"}},
	{"*4\r\n*2\r\n$1\r\nw\r\n,-inf\r\n*2\r\n$1\r\ny\r\n,0\r\n*2\r\n$1\r\nz\r\n,0\r\n*2\r\n$1\r\nx\r\n,inf\r\n", []string{"zunion", "2", "a", "b", "weights", "inf", "-inf", "withscores"}},
	{"*1\r\n*2\r\n$1\r\ny\r\n,13\r\n", []string{"zinter", "3", "a", "b", "s", "withscores"}},
	{"*0\r\n", []string{"zinter", "2", "a", "nokey"}},
	{"*3\r\n*2\r\n$1\r\nx\r\n,2\r\n*2\r\n$1\r\ny\r\n,4\r\n*2\r\n$1\r\nz\r\n,6\r\n", []string{"zinter", "2", "a", "a", "withscores"}},
	{"*2\r\n*2\r\n$1\r\ny\r\n,10\r\n*2\r\n$1\r\nz\r\n,20\r\n", []string{"zinter", "2", "a", "b", "weights", "0", "1", "aggregate", "max", "withscores"}},
	{"*1\r\n*2\r\n$1\r\nx\r\n,1\r\n", []string{"zdiff", "2", "a", "b", "withscores"}},
	{"*2\r\n*2\r\n$1\r\nv\r\n,1\r\n*2\r\n$1\r\nw\r\n,1\r\n", []string{"zdiff", "2", "s", "a", "withscores"}},
	{"*0\r\n", []string{"zdiff", "2", "a", "a"}},
	{"-ERR syntax error\r\n", []string{"zdiff", "2", "a", "b", "weights", "1", "1"}},
	{":2\r\n", []string{"zintercard", "2", "a", "b"}},
	{":1\r\n", []string{"zintercard", "2", "a", "b", "limit", "1"}},
	{"-ERR LIMIT can't be negative\r\n", []string{"zintercard", "2", "a", "b", "limit", "-1"}},
	{"-ERR LIMIT can't be negative\r\n", []string{"zintercard", "2", "a", "b", "limit", "x"}},
	{"-ERR at least 1 input key is needed for 'zintercard' command\r\n", []string{"zintercard", "0", "a"}},
	{"-ERR syntax error\r\n", []string{"zintercard", "2", "a", "b", "withscores"}},
	{":4\r\n", []string{"zunionstore", "dst", "2", "a", "b"}},
	{"*4\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,12\r\n*2\r\n$1\r\nz\r\n,23\r\n*2\r\n$1\r\nw\r\n,30\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{"-ERR syntax error\r\n", []string{"zunionstore", "dst", "2", "a", "b", "withscores"}},
	{":2\r\n", []string{"zinterstore", "dst", "2", "a", "b", "aggregate", "max"}},
	{"*2\r\n*2\r\n$1\r\ny\r\n,10\r\n*2\r\n$1\r\nz\r\n,20\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{":1\r\n", []string{"zdiffstore", "dst", "2", "a", "b"}},
	{"*1\r\n*2\r\n$1\r\nx\r\n,1\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{":0\r\n", []string{"zinterstore", "dst", "2", "a", "nokey"}},
	{":0\r\n", []string{"exists", "dst"}},
	{"-ERR at least 1 input key is needed for 'zunionstore' command\r\n", []string{"zunionstore", "dst", "0", "a"}},
	{"+OK\r\n", []string{"set", "dst", "hello"}},
	{":1\r\n", []string{"expire", "dst", "100"}},
	{":3\r\n", []string{"zunionstore", "dst", "1", "a"}},
	{":-1\r\n", []string{"ttl", "dst"}},
	{"+zset\r\n", []string{"type", "dst"}},
	{":2\r\n", []string{"zrangestore", "dst", "a", "1", "-1"}},
	{"*2\r\n*2\r\n$1\r\ny\r\n,2\r\n*2\r\n$1\r\nz\r\n,3\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{":0\r\n", []string{"zrangestore", "dst", "a", "(1", "+inf", "byscore", "rev", "limit", "0", "1"}},
	{"*0\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{":2\r\n", []string{"zrangestore", "dst", "a", "[x", "[y", "bylex"}},
	{"*2\r\n$1\r\nx\r\n$1\r\ny\r\n", []string{"zrange", "dst", "0", "-1"}},
	{"-ERR syntax error\r\n", []string{"zrangestore", "dst", "a", "0", "-1", "withscores"}},
	{":0\r\n", []string{"zrangestore", "dst", "nokey", "0", "-1"}},
	{":0\r\n", []string{"exists", "dst"}},
	{"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", []string{"zrangestore", "dst", "a", "0", "1", "limit", "0", "1"}},
	// zrandmember and zscan
	{"_\r\n", []string{"zrandmember", "nokey"}},
	{"*0\r\n", []string{"zrandmember", "nokey", "3"}},
	{"*0\r\n", []string{"zrandmember", "a", "0"}},
	{"*3\r\n*2\r\n$1\r\nz\r\n,3\r\n*2\r\n$1\r\ny\r\n,2\r\n*2\r\n$1\r\nx\r\n,1\r\n", []string{"zrandmember", "a", "5", "withscores"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zrandmember", "a", "x"}},
	{"-ERR syntax error\r\n", []string{"zrandmember", "a", "1", "withscore"}},
	{"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", []string{"zrandmember", "a", "-9223372036854775808"}},
	{"*2\r\n$1\r\n0\r\n*6\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n", []string{"zscan", "a", "0"}},
	{"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n", []string{"zscan", "a", "0", "match", "x"}},
	{"-ERR syntax error\r\n", []string{"zscan", "a", "0", "count", "0"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"zscan", "a", "0", "count", "x"}},
	{"-ERR syntax error\r\n", []string{"zscan", "a", "0", "foo", "bar"}},
	{"-ERR invalid cursor\r\n", []string{"zscan", "a", "x"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"zscan", "nokey", "0"}},
	{":2\r\n", []string{"zadd", "fl", "1.5", "a", "123456789012345678", "b"}},
	{"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$18\r\n123456789012345680\r\n", []string{"zscan", "fl", "0"}},
}
