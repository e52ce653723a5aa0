package resp

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Hash commands. Every expected reply was produced by redis-server 7.0.15
// for the same commands in the same order (fields are inserted in byte
// order, so Redis' listpack order and kvnode's field order agree).

type hashCase struct {
	args []string
	want string
}

func runHashCases(t *testing.T, c *testConn, cases []hashCase) {
	t.Helper()
	for _, hc := range cases {
		c.expect(hc.want, hc.args...)
	}
}

var (
	hl64  = strings.Repeat("x", 64)
	hl65  = strings.Repeat("x", 65)
	hbig  = "1." + strings.Repeat("0", 5120) // 5122 bytes: too long for string2ld
	hbig2 = "1." + strings.Repeat("0", 5116) // 5118 bytes: still parsed
)

func TestHashRepliesRESP2(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	l64, l65, big, big2 := hl64, hl65, hbig, hbig2
	runHashCases(t, c, []hashCase{
		// HSET/HMSET/HSETNX: arity checked by the handler, replies, encodings.
		{[]string{"hset", "h"}, "-ERR wrong number of arguments for 'hset' command\r\n"},
		{[]string{"hset", "h", "a"}, "-ERR wrong number of arguments for 'hset' command\r\n"},
		{[]string{"hset", "h", "a", "1", "b"}, "-ERR wrong number of arguments for 'hset' command\r\n"},
		{[]string{"hmset", "h", "a", "1", "b"}, "-ERR wrong number of arguments for 'hmset' command\r\n"},
		{[]string{"HSET", "h", "a", "1", "b"}, "-ERR wrong number of arguments for 'hset' command\r\n"},
		{[]string{"hset", "h", "a", "1", "a", "2"}, ":1\r\n"},
		{[]string{"hget", "h", "a"}, "$1\r\n2\r\n"},
		{[]string{"hmset", "h", "c", "3"}, "+OK\r\n"},
		{[]string{"hsetnx", "h", "c", "4"}, ":0\r\n"},
		{[]string{"hsetnx", "h", "d", "4"}, ":1\r\n"},
		{[]string{"hsetnx", "h", "d"}, "-ERR wrong number of arguments for 'hsetnx' command\r\n"},
		{[]string{"object", "encoding", "h"}, "$8\r\nlistpack\r\n"},
		{[]string{"hsetnx", "h", "d", l65}, ":0\r\n"},
		{[]string{"object", "encoding", "h"}, "$8\r\nlistpack\r\n"},
		{[]string{"hsetnx", "h2x", "d", l65}, ":1\r\n"},
		{[]string{"object", "encoding", "h2x"}, "$9\r\nhashtable\r\n"},
		{[]string{"hset", "h2", "a", l64}, ":1\r\n"},
		{[]string{"object", "encoding", "h2"}, "$8\r\nlistpack\r\n"},
		{[]string{"hincrby", "h2", l65, "1"}, ":1\r\n"},
		{[]string{"object", "encoding", "h2"}, "$9\r\nhashtable\r\n"},
		{[]string{"hset", "h2y", l65, "1"}, ":1\r\n"},
		{[]string{"object", "encoding", "h2y"}, "$9\r\nhashtable\r\n"},
		// HINCRBY and HINCRBYFLOAT: argument, value and result errors.
		{[]string{"hset", "h3", "a", "1"}, ":1\r\n"},
		{[]string{"hincrbyfloat", "h3", "a", "1.00000000000000000000000000000000000000000000000000000000000000000001"}, "$1\r\n2\r\n"},
		{[]string{"hincrby", "h3", "a", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hincrby", "h3", "a", "99999999999999999999"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hset", "h3", "f", "1.5", "i", "9223372036854775807", "inf", "inf", "n", "-9223372036854775808", "s", "abc", "sp", " 1", "z", "007"}, ":7\r\n"},
		{[]string{"hincrby", "h3", "s", "1"}, "-ERR hash value is not an integer\r\n"},
		{[]string{"hincrby", "h3", "i", "1"}, "-ERR increment or decrement would overflow\r\n"},
		{[]string{"hincrby", "h3", "n", "-1"}, "-ERR increment or decrement would overflow\r\n"},
		{[]string{"hincrby", "h3", "i", "0"}, ":9223372036854775807\r\n"},
		{[]string{"hincrby", "h3", "n", "0"}, ":-9223372036854775808\r\n"},
		{[]string{"hincrby", "h3", "z", "1"}, "-ERR hash value is not an integer\r\n"},
		{[]string{"hincrby", "h3", "sp", "1"}, "-ERR hash value is not an integer\r\n"},
		{[]string{"hincrby", "h3", "f", "1"}, "-ERR hash value is not an integer\r\n"},
		{[]string{"hincrbyfloat", "h3", "f", "abc"}, "-ERR value is not a valid float\r\n"},
		{[]string{"hincrbyfloat", "h3", "f", "inf"}, "-ERR value is NaN or Infinity\r\n"},
		{[]string{"hincrbyfloat", "h3", "f", "-inf"}, "-ERR value is NaN or Infinity\r\n"},
		{[]string{"hincrbyfloat", "h3", "f", "+inf"}, "-ERR value is NaN or Infinity\r\n"},
		{[]string{"hincrbyfloat", "h3", "f", "infinity"}, "-ERR value is NaN or Infinity\r\n"},
		{[]string{"hincrbyfloat", "h3", "f", "nan"}, "-ERR value is not a valid float\r\n"},
		{[]string{"hincrbyfloat", "h3", "s", "1"}, "-ERR hash value is not a float\r\n"},
		{[]string{"hincrbyfloat", "h3", "inf", "1"}, "-ERR increment would produce NaN or Infinity\r\n"},
		{[]string{"hincrbyfloat", "h3", "z", "1"}, "$1\r\n8\r\n"},
		{[]string{"hincrbyfloat", "h3", "sp", "1"}, "-ERR hash value is not a float\r\n"},
		{[]string{"hincrbyfloat", "h3", "new", "0x10"}, "$2\r\n16\r\n"},
		{[]string{"hincrbyfloat", "h3", "new2", "3.0e3"}, "$4\r\n3000\r\n"},
		{[]string{"hincrbyfloat", "h3", "new3", " 1"}, "-ERR value is not a valid float\r\n"},
		{[]string{"hincrbyfloat", "h3", "new3", ""}, "-ERR value is not a valid float\r\n"},
		{[]string{"hincrbyfloat", "h3", "new3", "1 "}, "-ERR value is not a valid float\r\n"},
		{[]string{"hincrby", "h3", "new4", ""}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hincrby", "h3", "new4", "+1"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hincrby", "h3", "new4", "-0"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hincrby", "h3", "new4", "01"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hincrby", "h3", "new4", "-9223372036854775808"}, ":-9223372036854775808\r\n"},
		{[]string{"hincrby", "h3", "new4", "-1"}, "-ERR increment or decrement would overflow\r\n"},
		{[]string{"hincrbyfloat", "h3", "a", big}, "-ERR value is not a valid float\r\n"},
		{[]string{"hincrbyfloat", "h3", "a", big2}, "$1\r\n3\r\n"},
		{[]string{"hincrbyfloat", "h3", "b", "1e-4940"}, "$1\r\n0\r\n"},
		{[]string{"hincrbyfloat", "h3", "b2", "1e-4960"}, "-ERR value is not a valid float\r\n"},
		{[]string{"hincrbyfloat", "h3", "b3", "-0.0"}, "$1\r\n0\r\n"},
		{[]string{"hincrbyfloat", "h3", "b4", "1e310"}, "$311\r\n10000000000000000000019419269994964532948731750705063499971248966365593757851050819669678845056445271733436864877153691647324451943726770414346611558166953262472717544627574600969436957649143695869263767176535822796755141671378698129614544547022874423391357252536012847637530411154205036967771333874101765799936\r\n"},
		{[]string{"hincrbyfloat", "h3", "b5", "1e5000"}, "-ERR value is not a valid float\r\n"},
		{[]string{"hincrbyfloat", "h3", "b6", "1.5e-20"}, "$1\r\n0\r\n"},
		{[]string{"hincrbyfloat", "h3", "b7", "-1.5"}, "$4\r\n-1.5\r\n"},
		{[]string{"hincrbyfloat", "h3", "b7", "1.5"}, "$1\r\n0\r\n"},
		{[]string{"hincrbyfloat", "h3", "b8", "10.5"}, "$4\r\n10.5\r\n"},
		{[]string{"hincrbyfloat", "h3", "b8", "0.1"}, "$4\r\n10.6\r\n"},
		{[]string{"hincrbyfloat", "h3", "b8", "-5.0e3"}, "$23\r\n-4989.39999999999999991\r\n"},
		{[]string{"hincrbyfloat", "h3", "b8", "3.0e3"}, "$23\r\n-1989.39999999999999991\r\n"},
		{[]string{"hset", "h3", "d", big2}, ":1\r\n"},
		{[]string{"hincrbyfloat", "h3", "d", "1"}, "$1\r\n2\r\n"},
		{[]string{"hset", "h3", "d", big}, ":0\r\n"},
		{[]string{"hincrbyfloat", "h3", "d", "1"}, "-ERR hash value is not a float\r\n"},
		{[]string{"hincrby", "h3", "d", "1"}, "-ERR hash value is not an integer\r\n"},
		{[]string{"hget", "h3", "b7"}, "$1\r\n0\r\n"},
		{[]string{"hlen", "h3"}, ":18\r\n"},
		{[]string{"object", "encoding", "h3"}, "$9\r\nhashtable\r\n"},
		// Argument errors come before the type check; then WRONGTYPE everywhere.
		{[]string{"hincrbyfloat", "nokey", "f", "nan"}, "-ERR value is not a valid float\r\n"},
		{[]string{"hincrbyfloat", "nokey", "f", "inf"}, "-ERR value is NaN or Infinity\r\n"},
		{[]string{"exists", "nokey"}, ":0\r\n"},
		{[]string{"set", "str", "x"}, "+OK\r\n"},
		{[]string{"hincrbyfloat", "str", "f", "nan"}, "-ERR value is not a valid float\r\n"},
		{[]string{"hincrbyfloat", "str", "f", "inf"}, "-ERR value is NaN or Infinity\r\n"},
		{[]string{"hincrbyfloat", "str", "f", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hincrby", "str", "f", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hincrby", "str", "f", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hget", "str", "f"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hmget", "str", "f"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hset", "str", "f"}, "-ERR wrong number of arguments for 'hset' command\r\n"},
		{[]string{"hset", "str", "f", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hmset", "str", "f", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hsetnx", "str", "f", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hdel", "str", "f"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hlen", "str"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hstrlen", "str", "f"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hexists", "str", "f"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hgetall", "str"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hkeys", "str"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hvals", "str"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hrandfield", "str"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hscan", "str", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		// Missing keys, HSTRLEN, HEXISTS, HDEL, empty fields and values.
		{[]string{"hgetall", "nokey"}, "*0\r\n"},
		{[]string{"hkeys", "nokey"}, "*0\r\n"},
		{[]string{"hvals", "nokey"}, "*0\r\n"},
		{[]string{"hlen", "nokey"}, ":0\r\n"},
		{[]string{"hmget", "nokey", "a", "b"}, "*2\r\n$-1\r\n$-1\r\n"},
		{[]string{"hget", "nokey", "a"}, "$-1\r\n"},
		{[]string{"hdel", "nokey", "a"}, ":0\r\n"},
		{[]string{"hexists", "nokey", "a"}, ":0\r\n"},
		{[]string{"hstrlen", "h3", "i"}, ":19\r\n"},
		{[]string{"hstrlen", "h3", "nope"}, ":0\r\n"},
		{[]string{"hstrlen", "nokey", "nope"}, ":0\r\n"},
		{[]string{"hexists", "h3", "i"}, ":1\r\n"},
		{[]string{"hexists", "h3", "x"}, ":0\r\n"},
		{[]string{"hdel", "h3", "x", "i", "i", "n"}, ":2\r\n"},
		{[]string{"hlen", "h3"}, ":16\r\n"},
		{[]string{"hdel", "h3"}, "-ERR wrong number of arguments for 'hdel' command\r\n"},
		{[]string{"hset", "e", "", "", "a", ""}, ":2\r\n"},
		{[]string{"hget", "e", ""}, "$0\r\n\r\n"},
		{[]string{"hget", "e", "a"}, "$0\r\n\r\n"},
		{[]string{"hmget", "e", "", "a", "zz"}, "*3\r\n$0\r\n\r\n$0\r\n\r\n$-1\r\n"},
		{[]string{"hgetall", "e"}, "*4\r\n$0\r\n\r\n$0\r\n\r\n$1\r\na\r\n$0\r\n\r\n"},
		{[]string{"hstrlen", "e", ""}, ":0\r\n"},
		{[]string{"hdel", "e", "", "a"}, ":2\r\n"},
		{[]string{"exists", "e"}, ":0\r\n"},
		// HRANDFIELD: errors in Redis order, and the deterministic replies.
		{[]string{"hrandfield", "nokey"}, "$-1\r\n"},
		{[]string{"hrandfield", "nokey", "0"}, "*0\r\n"},
		{[]string{"hrandfield", "nokey", "5"}, "*0\r\n"},
		{[]string{"hrandfield", "nokey", "-5", "withvalues"}, "*0\r\n"},
		{[]string{"hrandfield", "nokey", "-5", "withvalue"}, "-ERR syntax error\r\n"},
		{[]string{"hrandfield", "nokey", "-5", "withvalues", "x"}, "-ERR syntax error\r\n"},
		{[]string{"hrandfield", "nokey", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hrandfield", "nokey", "x", "bogus"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hrandfield", "str", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hrandfield", "str", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hrandfield", "str", "-9223372036854775808"}, "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"},
		{[]string{"hrandfield", "h", "-9223372036854775808"}, "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"},
		{[]string{"hrandfield", "h", "-9223372036854775808", "withvalues"}, "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"},
		{[]string{"hrandfield", "h", "-9223372036854775807", "withvalues"}, "-ERR value is out of range\r\n"},
		{[]string{"hrandfield", "h", "4611686018427387904", "withvalues"}, "-ERR value is out of range\r\n"},
		{[]string{"hrandfield", "h", "-4611686018427387904", "withvalues"}, "-ERR value is out of range\r\n"},
		{[]string{"hrandfield", "h", "-4611686018427387903", "withvalues", "x"}, "-ERR syntax error\r\n"},
		{[]string{"hrandfield", "h", "4611686018427387903", "withvalues"}, "*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hrandfield", "h", "9223372036854775807"}, "*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n"},
		{[]string{"hrandfield", "h", "0"}, "*0\r\n"},
		{[]string{"hrandfield", "h", "0", "withvalues"}, "*0\r\n"},
		{[]string{"hrandfield", "h", "10", "withvalues"}, "*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hrandfield", "h", "3", "WITHVALUES"}, "*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hrandfield", "h2y", "1"}, "*1\r\n$65\r\n" + l65 + "\r\n"},
		{[]string{"hrandfield", "h2y", "-3"}, "*3\r\n$65\r\n" + l65 + "\r\n$65\r\n" + l65 + "\r\n$65\r\n" + l65 + "\r\n"},
		{[]string{"hrandfield", "h2y", "-2", "withvalues"}, "*4\r\n$65\r\n" + l65 + "\r\n$1\r\n1\r\n$65\r\n" + l65 + "\r\n$1\r\n1\r\n"},
		{[]string{"hrandfield", "h2y"}, "$65\r\n" + l65 + "\r\n"},
		// HSCAN: cursor, then key, then options; strtoul cursors; a small hash whole.
		{[]string{"hscan", "nokey", "0"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
		{[]string{"hscan", "nokey", "x"}, "-ERR invalid cursor\r\n"},
		{[]string{"hscan", "nokey", "0", "count", "0"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
		{[]string{"hscan", "nokey", "0", "bogus"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
		{[]string{"hscan", "str", "0", "bogus"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"hscan", "str", "x"}, "-ERR invalid cursor\r\n"},
		{[]string{"hscan", "h", "0", "bogus"}, "-ERR syntax error\r\n"},
		{[]string{"hscan", "h", "0", "count", "0"}, "-ERR syntax error\r\n"},
		{[]string{"hscan", "h", "0", "count", "-1"}, "-ERR syntax error\r\n"},
		{[]string{"hscan", "h", "0", "count", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hscan", "h", "0", "count"}, "-ERR syntax error\r\n"},
		{[]string{"hscan", "h", "0", "match"}, "-ERR syntax error\r\n"},
		{[]string{"hscan", "h", "0", "type", "string"}, "-ERR syntax error\r\n"},
		{[]string{"hscan", "h", "0", "match", "a*"}, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n"},
		{[]string{"hscan", "h", "0", "MATCH", "[ac]", "COUNT", "1"}, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
		{[]string{"hscan", "h", "0", "match", "*"}, "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hscan", "h", "0", "count", "1", "count", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"hscan", "h", "123"}, "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hscan", "h", "-1"}, "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hscan", "h", "+1"}, "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hscan", "h", "+"}, "-ERR invalid cursor\r\n"},
		{[]string{"hscan", "h", "-"}, "-ERR invalid cursor\r\n"},
		{[]string{"hscan", "h", ""}, "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hscan", "h", " 1"}, "-ERR invalid cursor\r\n"},
		{[]string{"hscan", "h", "1 "}, "-ERR invalid cursor\r\n"},
		{[]string{"hscan", "h", "18446744073709551615"}, "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hscan", "h", "18446744073709551616"}, "-ERR invalid cursor\r\n"},
		{[]string{"hscan", "h", "-18446744073709551615"}, "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hscan", "h", "-18446744073709551616"}, "-ERR invalid cursor\r\n"},
		{[]string{"hscan", "h", "1x"}, "-ERR invalid cursor\r\n"},
		{[]string{"hscan", "h", "0x1"}, "-ERR invalid cursor\r\n"},
	})
}

func TestHashRepliesRESP3(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	if r := c.do("HELLO", "3"); !strings.HasPrefix(r, "%") {
		t.Fatalf("HELLO 3 = %q", r)
	}
	c.expect(":3\r\n", "HSET", "h", "a", "2", "c", "3", "d", "4")
	// HGETALL is a map, missing values are RESP3 nulls, HRANDFIELD WITHVALUES
	// gives [field, value] pairs; HSCAN, HKEYS, HVALS stay flat arrays.
	runHashCases(t, c, []hashCase{
		{[]string{"hgetall", "h"}, "%3\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hgetall", "nokey"}, "%0\r\n"},
		{[]string{"hmget", "nokey", "a"}, "*1\r\n_\r\n"},
		{[]string{"hmget", "h", "a", "zz"}, "*2\r\n$1\r\n2\r\n_\r\n"},
		{[]string{"hget", "nokey", "a"}, "_\r\n"},
		{[]string{"hget", "h", "a"}, "$1\r\n2\r\n"},
		{[]string{"hrandfield", "nokey"}, "_\r\n"},
		{[]string{"hrandfield", "nokey", "-3", "withvalues"}, "*0\r\n"},
		{[]string{"hrandfield", "nokey", "3"}, "*0\r\n"},
		{[]string{"hset", "r", "a", "1"}, ":1\r\n"},
		{[]string{"hrandfield", "r", "-3", "withvalues"}, "*3\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
		{[]string{"hrandfield", "r", "3", "withvalues"}, "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
		{[]string{"hrandfield", "r", "1", "withvalues"}, "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
		{[]string{"hrandfield", "r", "-2"}, "*2\r\n$1\r\na\r\n$1\r\na\r\n"},
		{[]string{"hrandfield", "r"}, "$1\r\na\r\n"},
		{[]string{"hexists", "r", "a"}, ":1\r\n"},
		{[]string{"hscan", "r", "0"}, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
		{[]string{"hscan", "nokey", "0"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
		{[]string{"hkeys", "r"}, "*1\r\n$1\r\na\r\n"},
		{[]string{"hvals", "r"}, "*1\r\n$1\r\n1\r\n"},
		{[]string{"hkeys", "nokey"}, "*0\r\n"},
		{[]string{"hincrbyfloat", "r", "a", "1.5"}, "$3\r\n2.5\r\n"},
		{[]string{"hincrby", "r", "a", "1"}, "-ERR hash value is not an integer\r\n"},
		{[]string{"hincrby", "r", "b", "1"}, ":1\r\n"},
		{[]string{"hlen", "r"}, ":2\r\n"},
		{[]string{"hrandfield", "h", "5", "withvalues"}, "*3\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n"},
		{[]string{"hrandfield", "h", "5"}, "*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n"},
		{[]string{"hscan", "h", "0"}, "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
	})
}

// hashItems parses a RESP array of bulk strings, nested arrays
// flattened, into its strings.
func hashItems(t *testing.T, r string) []string {
	t.Helper()
	var out []string
	lines := strings.Split(strings.TrimSuffix(r, "\r\n"), "\r\n")
	if len(lines) == 0 || lines[0][0] != '*' {
		t.Fatalf("not an array: %q", r)
	}
	for i := 1; i < len(lines); i++ {
		switch lines[i][0] {
		case '*': // a nested array: flattened
		case '$':
			n, err := strconv.Atoi(lines[i][1:])
			if err != nil || i+1 >= len(lines) || len(lines[i+1]) != n {
				t.Fatalf("bad bulk at %q in %q", lines[i], r)
			}
			out = append(out, lines[i+1])
			i++
		default:
			t.Fatalf("unexpected %q in %q", lines[i], r)
		}
	}
	return out
}

func TestHrandfieldRandomReplies(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	vals := map[string]string{}
	args := []string{"HSET", "h"}
	for i := 0; i < 10; i++ {
		f, v := fmt.Sprintf("f%02d", i), fmt.Sprintf("v%02d", i)
		vals[f] = v
		args = append(args, f, v)
	}
	c.expect(":10\r\n", args...)

	seen := map[string]bool{}
	for i := 0; i < 60; i++ {
		r := c.do("HRANDFIELD", "h")
		f := strings.TrimSuffix(r[strings.Index(r, "\r\n")+2:], "\r\n")
		if vals[f] == "" || r != bulk(f) {
			t.Fatalf("HRANDFIELD h = %q", r)
		}
		seen[f] = true
	}
	if len(seen) < 3 {
		t.Fatalf("60 HRANDFIELD calls gave only %d distinct fields", len(seen))
	}
	check := func(proto int, count int64, withValues bool) {
		t.Helper()
		a := []string{"HRANDFIELD", "h", strconv.FormatInt(count, 10)}
		if withValues {
			a = append(a, "WITHVALUES")
		}
		r := c.do(a...)
		n := count
		if n < 0 {
			n = -n
		}
		if count > 0 {
			n = min(n, 10)
		}
		hdr := n
		if withValues && proto == 2 {
			hdr *= 2
		}
		if !strings.HasPrefix(r, "*"+strconv.FormatInt(hdr, 10)+"\r\n") {
			t.Fatalf("%q: header of %q", a, r)
		}
		if withValues && proto == 3 && n > 0 && !strings.HasPrefix(r[strings.Index(r, "\r\n")+2:], "*2\r\n") {
			t.Fatalf("%q in RESP3: %q, want [field, value] pairs", a, r)
		}
		items := hashItems(t, r)
		step := 1
		if withValues {
			step = 2
		}
		if int64(len(items)) != n*int64(step) {
			t.Fatalf("%q: %d items in %q", a, len(items), r)
		}
		distinct := map[string]bool{}
		for i := 0; i < len(items); i += step {
			f := items[i]
			if vals[f] == "" || withValues && items[i+1] != vals[f] {
				t.Fatalf("%q: bad pick %q in %q", a, items[i:i+step], r)
			}
			if count > 0 && distinct[f] {
				t.Fatalf("%q: %q twice in %q", a, f, r)
			}
			distinct[f] = true
		}
	}
	for _, proto := range []int{2, 3} {
		if proto == 3 {
			c.do("HELLO", "3")
		}
		for _, count := range []int64{1, 3, 9, 10, 11, -1, -3, -25} {
			check(proto, count, false)
			check(proto, count, true)
		}
	}
}

// hscanAll iterates HSCAN key with extra options and returns the pairs
// seen and the number of calls.
func hscanAll(t *testing.T, c *testConn, key string, opts ...string) (map[string]string, int) {
	t.Helper()
	got := map[string]string{}
	cursor := "0"
	for calls := 1; ; calls++ {
		r := c.do(append([]string{"HSCAN", key, cursor}, opts...)...)
		if !strings.HasPrefix(r, "*2\r\n$") {
			t.Fatalf("HSCAN reply %q", r)
		}
		items := hashItems(t, r)
		cursor = items[0]
		if _, err := strconv.ParseUint(cursor, 10, 64); err != nil {
			t.Fatalf("cursor %q", cursor)
		}
		for i := 1; i+1 < len(items); i += 2 {
			got[items[i]] = items[i+1]
		}
		if cursor == "0" {
			return got, calls
		}
		if calls > 10000 {
			t.Fatal("HSCAN does not end")
		}
	}
}

func TestHSCANIteration(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	want := map[string]string{}
	args := []string{"HSET", "big"}
	for i := 0; i < 1000; i++ {
		f := fmt.Sprintf("field:%04d", i)
		want[f] = strconv.Itoa(i)
		args = append(args, f, want[f])
	}
	c.expect(":1000\r\n", args...)
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "big")
	got, calls := hscanAll(t, c, "big", "COUNT", "7")
	if len(got) != len(want) || calls < 100 {
		t.Fatalf("COUNT 7: %d fields in %d calls", len(got), calls)
	}
	for f, v := range want {
		if got[f] != v {
			t.Fatalf("field %s = %q, want %q", f, got[f], v)
		}
	}
	got, _ = hscanAll(t, c, "big", "MATCH", "field:01*", "COUNT", "50")
	var keys []string
	for f := range got {
		keys = append(keys, f)
	}
	sort.Strings(keys)
	if len(keys) != 100 || keys[0] != "field:0100" || keys[99] != "field:0199" {
		t.Fatalf("MATCH field:01*: %d fields %v…", len(keys), keys[:min(3, len(keys))])
	}
	// A kvnode cursor on a small hash, or any cursor: the hash whole.
	c.expect(":1\r\n", "HSET", "small", "a", "1")
	c.expect("*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", "HSCAN", "small", "123456789")
}

func TestHashEncodingThresholds(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	args := []string{"HSET", "h"}
	for i := 0; i < 512; i++ {
		args = append(args, fmt.Sprintf("f%03d", i), "1")
	}
	// redis: 512 fields are a listpack, the 513th converts, and the hash
	// stays a hashtable when it shrinks.
	c.expect(":512\r\n", args...)
	c.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "h")
	c.expect(":1\r\n", "HSETNX", "h", "new", "1")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "h")
	c.expect(":2\r\n", "HDEL", "h", "new", "f000")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "h")
	c.expect(":1\r\n", "DEL", "h")
	c.expect(":1\r\n", "HSET", "h", "a", "1")
	c.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "h")
	c.expect("$4\r\n1.25\r\n", "HINCRBYFLOAT", "h", "a", "0.25")
	c.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "h")
}

func TestHashFieldTooLong(t *testing.T) {
	// kvnode only: a field is part of a Badger key, so it has a limit.
	_, addr := startServer(t)
	c := dial(t, addr)
	huge := strings.Repeat("f", 65000)
	c.expect("-ERR hash field is too large for this server\r\n", "HSET", "h", huge, "v")
	c.expect("-ERR hash field is too large for this server\r\n", "HINCRBY", "h", huge, "1")
	c.expect(":0\r\n", "EXISTS", "h")
	c.expect("$-1\r\n", "HGET", "h", huge)
	c.expect(":0\r\n", "HEXISTS", "h", huge)
}

func TestHashCommandInfo(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	// redis: name, arity, flags, first/last/step and ACL categories.
	for _, want := range []string{
		"*1\r\n*10\r\n$4\r\nhset\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$5\r\nhmset\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$6\r\nhsetnx\r\n:4\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$4\r\nhget\r\n:3\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$5\r\nhmget\r\n:-3\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$4\r\nhdel\r\n:-3\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$7\r\nhexists\r\n:3\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$4\r\nhlen\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$7\r\nhstrlen\r\n:3\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$7\r\nhgetall\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@hash\r\n+@slow\r\n",
		"*1\r\n*10\r\n$5\r\nhkeys\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@hash\r\n+@slow\r\n",
		"*1\r\n*10\r\n$5\r\nhvals\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@hash\r\n+@slow\r\n",
		"*1\r\n*10\r\n$7\r\nhincrby\r\n:4\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$12\r\nhincrbyfloat\r\n:4\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@hash\r\n+@fast\r\n",
		"*1\r\n*10\r\n$10\r\nhrandfield\r\n:-2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@hash\r\n+@slow\r\n",
		"*1\r\n*10\r\n$5\r\nhscan\r\n:-3\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@hash\r\n+@slow\r\n",
	} {
		name := strings.Split(want, "\r\n")[3]
		if got := c.do("COMMAND", "INFO", name); !strings.HasPrefix(got, want) {
			t.Errorf("COMMAND INFO %s = %q, want it to start %q", name, got, want)
		}
	}
}
