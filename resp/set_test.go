package resp

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Set commands. Every c.expect below was captured from redis-server 7.0.15
// running the same command sequence on an empty database, so replies,
// their order and error texts are Redis'. Replies whose order Redis leaves
// unspecified (hashtable sets) or that depend on chance are checked as
// properties instead.

// SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER and SCARD, Redis'
// integer rules for the intset encoding, WRONGTYPE and arity errors of
// every set command.
func TestSetBasics(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	// adds, membership, cardinality, intset order
	c.expect(":4\r\n", "SADD", "s", "3", "1", "2", "-5")
	c.expect(":1\r\n", "SADD", "s", "2", "4", "2")
	c.expect(":5\r\n", "SCARD", "s")
	c.expect("*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", "SMEMBERS", "s")
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "s")
	c.expect(":1\r\n", "SISMEMBER", "s", "2")
	c.expect(":0\r\n", "SISMEMBER", "s", "5")
	c.expect(":0\r\n", "SISMEMBER", "nokey", "1")
	c.expect("*4\r\n:1\r\n:0\r\n:1\r\n:1\r\n", "SMISMEMBER", "s", "1", "5", "2", "1")
	c.expect("*2\r\n:0\r\n:0\r\n", "SMISMEMBER", "nokey", "a", "b")
	c.expect(":0\r\n", "SCARD", "nokey")
	c.expect("*0\r\n", "SMEMBERS", "nokey")
	c.expect("+set\r\n", "TYPE", "s")
	// integers by Redis' rules: these are strings
	c.expect(":2\r\n", "SADD", "t", "1", "2")
	c.expect(":1\r\n", "SADD", "t", "01")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "t")
	c.expect(":1\r\n", "SADD", "u", "-0")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "u")
	c.expect(":1\r\n", "SADD", "v", " 1")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "v")
	c.expect(":2\r\n", "SADD", "w", "9223372036854775807", "-9223372036854775808")
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "w")
	c.expect("*2\r\n$20\r\n-9223372036854775808\r\n$19\r\n9223372036854775807\r\n", "SMEMBERS", "w")
	c.expect(":1\r\n", "SADD", "w", "9223372036854775808")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "w")
	c.expect(":1\r\n", "SADD", "e", "")
	c.expect("*1\r\n$0\r\n\r\n", "SMEMBERS", "e")
	c.expect(":1\r\n", "SISMEMBER", "e", "")
	c.expect(":1\r\n", "SCARD", "e")
	// a non-integer converts for good
	c.expect(":1\r\n", "SADD", "s", "x")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "s")
	c.expect(":2\r\n", "SREM", "s", "x", "1", "nope", "1")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "s")
	c.expect(":4\r\n", "SCARD", "s")
	c.expect(":0\r\n", "SREM", "nokey", "a")
	c.expect(":4\r\n", "SREM", "s", "2", "3", "4", "-5")
	c.expect(":0\r\n", "EXISTS", "s")
	c.expect("+none\r\n", "TYPE", "s")
	c.expect("*0\r\n", "SMEMBERS", "s")
	// wrong type
	c.expect("+OK\r\n", "SET", "str", "v")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SADD", "str", "a")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SREM", "str", "a")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SMEMBERS", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SISMEMBER", "str", "a")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SMISMEMBER", "str", "a")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SCARD", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SPOP", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SPOP", "str", "1")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SRANDMEMBER", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SRANDMEMBER", "str", "1")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SMOVE", "str", "s", "a")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SINTER", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SINTERCARD", "1", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SUNION", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SDIFF", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SSCAN", "str", "0")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SINTERSTORE", "d", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SUNIONSTORE", "d", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SDIFFSTORE", "d", "str")
	c.expect("$1\r\nv\r\n", "GET", "str")
	// arity
	c.expect("-ERR wrong number of arguments for 'sadd' command\r\n", "SADD", "s")
	c.expect("-ERR wrong number of arguments for 'srem' command\r\n", "SREM", "s")
	c.expect("-ERR wrong number of arguments for 'smembers' command\r\n", "SMEMBERS")
	c.expect("-ERR wrong number of arguments for 'smembers' command\r\n", "SMEMBERS", "s", "t")
	c.expect("-ERR wrong number of arguments for 'sismember' command\r\n", "SISMEMBER", "s")
	c.expect("-ERR wrong number of arguments for 'smismember' command\r\n", "SMISMEMBER", "s")
	c.expect("-ERR wrong number of arguments for 'scard' command\r\n", "SCARD")
	c.expect("-ERR wrong number of arguments for 'spop' command\r\n", "SPOP")
	c.expect("-ERR wrong number of arguments for 'srandmember' command\r\n", "SRANDMEMBER")
	c.expect("-ERR wrong number of arguments for 'smove' command\r\n", "SMOVE", "a", "b")
	c.expect("-ERR wrong number of arguments for 'sinter' command\r\n", "SINTER")
	c.expect("-ERR wrong number of arguments for 'sintercard' command\r\n", "SINTERCARD", "1")
	c.expect("-ERR wrong number of arguments for 'sinterstore' command\r\n", "SINTERSTORE", "d")
	c.expect("-ERR wrong number of arguments for 'sunion' command\r\n", "SUNION")
	c.expect("-ERR wrong number of arguments for 'sunionstore' command\r\n", "SUNIONSTORE", "d")
	c.expect("-ERR wrong number of arguments for 'sdiff' command\r\n", "SDIFF")
	c.expect("-ERR wrong number of arguments for 'sdiffstore' command\r\n", "SDIFFSTORE", "d")
	c.expect("-ERR wrong number of arguments for 'sscan' command\r\n", "SSCAN", "s")
}

// SPOP and SRANDMEMBER: errors and their order, missing keys, answers
// that do not depend on chance, and the rebuild after a large SPOP.
func TestSetPopRandMember(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	// SPOP and SRANDMEMBER: errors, missing keys, whole-set and single-member answers
	c.expect("$-1\r\n", "SPOP", "nokey")
	c.expect("*0\r\n", "SPOP", "nokey", "0")
	c.expect("*0\r\n", "SPOP", "nokey", "3")
	c.expect("-ERR value is out of range, must be positive\r\n", "SPOP", "nokey", "-1")
	c.expect("-ERR value is out of range, must be positive\r\n", "SPOP", "nokey", "x")
	c.expect("-ERR syntax error\r\n", "SPOP", "nokey", "1", "2")
	c.expect("$-1\r\n", "SRANDMEMBER", "nokey")
	c.expect("*0\r\n", "SRANDMEMBER", "nokey", "0")
	c.expect("*0\r\n", "SRANDMEMBER", "nokey", "5")
	c.expect("*0\r\n", "SRANDMEMBER", "nokey", "-5")
	c.expect("-ERR value is not an integer or out of range\r\n", "SRANDMEMBER", "nokey", "x")
	c.expect("-ERR value is not an integer or out of range\r\n", "SRANDMEMBER", "nokey", "1.5")
	c.expect("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", "SRANDMEMBER", "nokey", "-9223372036854775808")
	c.expect("-ERR syntax error\r\n", "SRANDMEMBER", "nokey", "1", "2")
	c.expect(":1\r\n", "SADD", "one", "only")
	c.expect("*0\r\n", "SPOP", "one", "0")
	c.expect("$4\r\nonly\r\n", "SRANDMEMBER", "one")
	c.expect("*1\r\n$4\r\nonly\r\n", "SRANDMEMBER", "one", "1")
	c.expect("*1\r\n$4\r\nonly\r\n", "SRANDMEMBER", "one", "3")
	c.expect("*3\r\n$4\r\nonly\r\n$4\r\nonly\r\n$4\r\nonly\r\n", "SRANDMEMBER", "one", "-3")
	c.expect("*0\r\n", "SRANDMEMBER", "one", "0")
	c.expect("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", "SRANDMEMBER", "one", "-9223372036854775808")
	c.expect("$4\r\nonly\r\n", "SPOP", "one")
	c.expect(":0\r\n", "EXISTS", "one")
	c.expect(":1\r\n", "SADD", "one", "only")
	c.expect("*1\r\n$4\r\nonly\r\n", "SPOP", "one", "1")
	c.expect(":0\r\n", "EXISTS", "one")
	c.expect(":4\r\n", "SADD", "n", "30", "10", "20", "-1")
	c.expect("*4\r\n$2\r\n-1\r\n$2\r\n10\r\n$2\r\n20\r\n$2\r\n30\r\n", "SRANDMEMBER", "n", "4")
	c.expect("*4\r\n$2\r\n-1\r\n$2\r\n10\r\n$2\r\n20\r\n$2\r\n30\r\n", "SRANDMEMBER", "n", "10")
	c.expect("*4\r\n$2\r\n-1\r\n$2\r\n10\r\n$2\r\n20\r\n$2\r\n30\r\n", "SPOP", "n", "9223372036854775807")
	c.expect(":0\r\n", "EXISTS", "n")
	c.expect(":3\r\n", "SADD", "n", "3", "2", "1")
	c.expect("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SPOP", "n", "3")
	c.expect(":0\r\n", "EXISTS", "n")
	c.expect(":1\r\n", "SADD", "n", "5")
	c.expect("-ERR value is out of range, must be positive\r\n", "SPOP", "n", "-1")
	c.expect("-ERR value is out of range, must be positive\r\n", "SPOP", "n", "x")
	c.expect("-ERR value is out of range, must be positive\r\n", "SPOP", "n", "01")
	c.expect(":1\r\n", "SCARD", "n")
	// SPOP with a count that leaves few members rebuilds the set: an
	// all-integer rest is an intset again
	c.expect(":7\r\n", "SADD", "h", "x", "1", "2", "3", "4", "5", "6")
	c.expect(":1\r\n", "SREM", "h", "x")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "h")
	c.do("SPOP", "h", "5")
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "h")
	c.expect(":1\r\n", "SCARD", "h")
	c.expect(":7\r\n", "SADD", "h2", "x", "1", "2", "3", "4", "5", "6")
	c.expect(":1\r\n", "SREM", "h2", "x")
	c.do("SPOP", "h2", "4")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "h2")
	c.expect(":2\r\n", "SCARD", "h2")
}

// SMOVE, including a missing source with a wrong-type destination, a
// source equal to the destination, and the source emptied.
func TestSmove(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	// SMOVE
	c.expect(":3\r\n", "SADD", "a", "1", "2", "x")
	c.expect(":1\r\n", "SMOVE", "a", "b", "1")
	c.expect("*1\r\n$1\r\n1\r\n", "SMEMBERS", "b")
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "b")
	c.expect(":0\r\n", "SMOVE", "a", "b", "1")
	c.expect(":0\r\n", "SMOVE", "a", "b", "nope")
	c.expect(":1\r\n", "EXISTS", "b")
	c.expect(":0\r\n", "SMOVE", "nokey", "b", "2")
	c.expect("+OK\r\n", "SET", "str", "v")
	c.expect(":0\r\n", "SMOVE", "nokey", "str", "2")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SMOVE", "a", "str", "2")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SMOVE", "str", "a", "2")
	c.expect(":1\r\n", "SMOVE", "a", "a", "2")
	c.expect(":0\r\n", "SMOVE", "a", "a", "nope")
	c.expect(":2\r\n", "SCARD", "a")
	c.expect(":1\r\n", "SADD", "b", "x")
	c.expect(":1\r\n", "SMOVE", "a", "b", "x")
	c.expect(":2\r\n", "SCARD", "b")
	c.expect("*1\r\n$1\r\n2\r\n", "SMEMBERS", "a")
	c.expect(":1\r\n", "SMOVE", "a", "b", "2")
	c.expect(":0\r\n", "EXISTS", "a")
	c.expect(":3\r\n", "SCARD", "b")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "b")
	c.expect(":1\r\n", "SADD", "c", "y")
	c.expect(":0\r\n", "SMOVE", "c", "i", "5")
	c.expect(":1\r\n", "SADD", "i", "1")
	c.expect(":1\r\n", "SMOVE", "i", "j", "1")
	c.expect(":0\r\n", "EXISTS", "i")
	c.expect("+set\r\n", "TYPE", "j")
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "j")
	c.expect(":0\r\n", "SMOVE", "j", "k", "w")
}

// SINTER, SUNION, SDIFF, SINTERCARD and the STORE forms: missing keys,
// WRONGTYPE anywhere, errors in Redis' order, destinations replaced
// (TTL dropped) or deleted when the result is empty, encodings.
func TestSetInterUnionDiffStore(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	// SINTER, SUNION, SDIFF and their STORE forms
	c.expect(":5\r\n", "SADD", "a", "1", "2", "3", "4", "5")
	c.expect(":4\r\n", "SADD", "b", "4", "5", "6", "7")
	c.expect(":3\r\n", "SADD", "c", "5", "7", "9")
	c.expect("*2\r\n$1\r\n4\r\n$1\r\n5\r\n", "SINTER", "a", "b")
	c.expect("*1\r\n$1\r\n5\r\n", "SINTER", "a", "b", "c")
	c.expect("*0\r\n", "SINTER", "a", "nokey")
	c.expect("*0\r\n", "SINTER", "nokey", "a")
	c.expect("*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "SINTER", "a", "a")
	c.expect("*7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n", "SUNION", "a", "b")
	c.expect("*8\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n9\r\n", "SUNION", "a", "b", "c", "nokey")
	c.expect("*0\r\n", "SUNION", "nokey")
	c.expect("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SDIFF", "a", "b")
	c.expect("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SDIFF", "a", "b", "c")
	c.expect("*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "SDIFF", "a", "nokey")
	c.expect("*0\r\n", "SDIFF", "nokey", "a")
	c.expect("*0\r\n", "SDIFF", "a", "a")
	c.expect("*2\r\n$1\r\n6\r\n$1\r\n7\r\n", "SDIFF", "b", "a", "a")
	c.expect(":2\r\n", "SINTERCARD", "2", "a", "b")
	c.expect(":1\r\n", "SINTERCARD", "3", "a", "b", "c")
	c.expect(":5\r\n", "SINTERCARD", "1", "a")
	c.expect(":2\r\n", "SINTERCARD", "1", "a", "LIMIT", "2")
	c.expect(":5\r\n", "SINTERCARD", "1", "a", "limit", "0")
	c.expect(":5\r\n", "SINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "10")
	c.expect(":0\r\n", "SINTERCARD", "2", "a", "nokey")
	c.expect(":0\r\n", "SINTERCARD", "2", "nokey", "a")
	// errors in Redis' order
	c.expect("-ERR numkeys should be greater than 0\r\n", "SINTERCARD", "0", "a")
	c.expect("-ERR numkeys should be greater than 0\r\n", "SINTERCARD", "-1", "a")
	c.expect("-ERR numkeys should be greater than 0\r\n", "SINTERCARD", "x", "a")
	c.expect("-ERR Number of keys can't be greater than number of args\r\n", "SINTERCARD", "2", "a")
	c.expect("-ERR LIMIT can't be negative\r\n", "SINTERCARD", "1", "a", "LIMIT", "-1")
	c.expect("-ERR LIMIT can't be negative\r\n", "SINTERCARD", "1", "a", "LIMIT", "x")
	c.expect("-ERR syntax error\r\n", "SINTERCARD", "1", "a", "LIMIT")
	c.expect("-ERR syntax error\r\n", "SINTERCARD", "1", "a", "foo")
	c.expect("-ERR syntax error\r\n", "SINTERCARD", "1", "a", "b")
	c.expect("+OK\r\n", "SET", "str", "v")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SINTERCARD", "2", "nokey", "str")
	c.expect("-ERR LIMIT can't be negative\r\n", "SINTERCARD", "1", "str", "LIMIT", "-1")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SINTER", "nokey", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SUNION", "nokey", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SDIFF", "nokey", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SDIFF", "a", "str")
	// STORE: replace any value, no TTL, empty result deletes
	c.expect(":2\r\n", "SINTERSTORE", "d", "a", "b")
	c.expect("*2\r\n$1\r\n4\r\n$1\r\n5\r\n", "SMEMBERS", "d")
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "d")
	c.expect(":8\r\n", "SUNIONSTORE", "d", "a", "b", "c")
	c.expect("*8\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n9\r\n", "SMEMBERS", "d")
	c.expect(":3\r\n", "SDIFFSTORE", "d", "a", "b", "c")
	c.expect("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SMEMBERS", "d")
	c.expect("+OK\r\n", "SET", "d", "v", "EX", "100")
	c.expect(":2\r\n", "SINTERSTORE", "d", "a", "b")
	c.expect(":-1\r\n", "TTL", "d")
	c.expect("+set\r\n", "TYPE", "d")
	c.expect(":5\r\n", "SUNIONSTORE", "str", "a")
	c.expect("+set\r\n", "TYPE", "str")
	c.expect("*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "SMEMBERS", "str")
	c.expect(":0\r\n", "SINTERSTORE", "d", "a", "nokey")
	c.expect(":0\r\n", "EXISTS", "d")
	c.expect("+OK\r\n", "SET", "d", "v")
	c.expect(":0\r\n", "SDIFFSTORE", "d", "a", "a")
	c.expect(":0\r\n", "EXISTS", "d")
	c.expect(":0\r\n", "SUNIONSTORE", "d", "nokey")
	c.expect(":0\r\n", "EXISTS", "d")
	c.expect(":0\r\n", "SINTERSTORE", "d", "nokey")
	c.expect(":0\r\n", "SDIFFSTORE", "d", "nokey", "a")
	// a destination that is also a source
	c.expect(":7\r\n", "SUNIONSTORE", "a", "a", "b")
	c.expect("*7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n", "SMEMBERS", "a")
	c.expect(":5\r\n", "SDIFFSTORE", "a", "a", "c")
	c.expect("*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n6\r\n", "SMEMBERS", "a")
	c.expect(":2\r\n", "SINTERSTORE", "a", "a", "b")
	c.expect("*2\r\n$1\r\n4\r\n$1\r\n6\r\n", "SMEMBERS", "a")
	// encodings follow the members stored
	c.expect(":3\r\n", "SADD", "m", "x", "1", "2")
	c.expect(":0\r\n", "SINTERSTORE", "d", "m", "b")
	c.expect(":1\r\n", "SADD", "b", "2")
	c.expect(":1\r\n", "SINTERSTORE", "d", "m", "b")
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "d")
	c.expect(":3\r\n", "SUNIONSTORE", "d", "m")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "d")
	c.expect(":3\r\n", "SDIFFSTORE", "d", "m", "nokey")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "d")
	c.expect(":1\r\n", "SREM", "m", "x")
	c.expect(":2\r\n", "SDIFFSTORE", "d", "m", "nokey")
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "d")
	c.expect("+OK\r\n", "SET", "str", "v")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SINTERSTORE", "d", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SUNIONSTORE", "d", "a", "str")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SDIFFSTORE", "d", "nokey", "str")
	// SDIFF's second algorithm copies the whole first set: a non-integer in it
	// leaves the stored result a hashtable even when only integers remain
	c.expect(":10\r\n", "SADD", "f", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9")
	c.expect(":1\r\n", "SADD", "g", "x")
	c.expect(":1\r\n", "SADD", "g2", "x")
	c.expect(":9\r\n", "SDIFFSTORE", "d", "f", "g", "g2")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "d")
	c.expect(":9\r\n", "SDIFFSTORE", "d", "f", "g")
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "d")
}

// SSCAN's argument handling: the cursor is parsed first (strtoul
// rules), then the key looked up, then the options; an intset comes back
// whole with cursor 0.
func TestSetSSCANErrors(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	// SSCAN: cursor first, then the key, then the options
	c.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SSCAN", "nokey", "0")
	c.expect("-ERR invalid cursor\r\n", "SSCAN", "nokey", "x")
	c.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SSCAN", "nokey", "0", "COUNT", "0")
	c.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SSCAN", "nokey", "0", "COUNT", "x")
	c.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SSCAN", "nokey", "0", "foo")
	c.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SSCAN", "nokey", "0", "TYPE", "set")
	c.expect("+OK\r\n", "SET", "str", "v")
	c.expect("-ERR invalid cursor\r\n", "SSCAN", "str", "x")
	c.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SSCAN", "str", "0", "COUNT", "0")
	c.expect(":5\r\n", "SADD", "s", "5", "3", "1", "-2", "10")
	c.expect("*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$2\r\n10\r\n", "SSCAN", "s", "0")
	c.expect("*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$2\r\n10\r\n", "SSCAN", "s", "0", "COUNT", "1")
	c.expect("*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$2\r\n10\r\n", "SSCAN", "s", "12345", "COUNT", "1")
	c.expect("*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$2\r\n10\r\n", "SSCAN", "s", "", "MATCH", "1*")
	c.expect("*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$2\r\n10\r\n", "SSCAN", "s", "-1", "MATCH", "*")
	c.expect("*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n", "SSCAN", "s", "+7", "MATCH", "?")
	c.expect("*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$2\r\n10\r\n", "SSCAN", "s", "18446744073709551615")
	c.expect("-ERR invalid cursor\r\n", "SSCAN", "s", "18446744073709551616")
	c.expect("-ERR invalid cursor\r\n", "SSCAN", "s", " 1")
	c.expect("-ERR invalid cursor\r\n", "SSCAN", "s", "1 ")
	c.expect("-ERR invalid cursor\r\n", "SSCAN", "s", "-")
	c.expect("-ERR invalid cursor\r\n", "SSCAN", "s", "0x1")
	c.expect("-ERR syntax error\r\n", "SSCAN", "s", "0", "COUNT", "0")
	c.expect("-ERR syntax error\r\n", "SSCAN", "s", "0", "COUNT", "-1")
	c.expect("-ERR value is not an integer or out of range\r\n", "SSCAN", "s", "0", "COUNT", "x")
	c.expect("-ERR syntax error\r\n", "SSCAN", "s", "0", "COUNT")
	c.expect("-ERR syntax error\r\n", "SSCAN", "s", "0", "MATCH")
	c.expect("-ERR syntax error\r\n", "SSCAN", "s", "0", "TYPE", "set")
	c.expect("-ERR syntax error\r\n", "SSCAN", "s", "0", "NOVALUES")
	c.expect("-ERR syntax error\r\n", "SSCAN", "s", "0", "COUNT", "1", "COUNT", "0")
	c.expect("*2\r\n$1\r\n0\r\n*1\r\n$1\r\n5\r\n", "SSCAN", "s", "0", "MATCH", "1*", "MATCH", "5")
}

// RESP3 shapes: SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count
// answer sets; SRANDMEMBER with a count an array; nulls are _.
func TestSetRESP3(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.do("HELLO", "3")
	c.expect(":3\r\n", "SADD", "s", "3", "1", "2")
	c.expect("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SMEMBERS", "s")
	c.expect("~0\r\n", "SMEMBERS", "nokey")
	c.expect("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SINTER", "s", "s")
	c.expect("~0\r\n", "SINTER", "s", "nokey")
	c.expect("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SUNION", "s", "nokey")
	c.expect("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SDIFF", "s", "nokey")
	c.expect("~0\r\n", "SDIFF", "nokey", "s")
	c.expect(":1\r\n", "SISMEMBER", "s", "1")
	c.expect("*2\r\n:1\r\n:0\r\n", "SMISMEMBER", "s", "1", "9")
	c.expect(":3\r\n", "SCARD", "s")
	c.expect("_\r\n", "SPOP", "nokey")
	c.expect("~0\r\n", "SPOP", "nokey", "2")
	c.expect("~0\r\n", "SPOP", "s", "0")
	c.expect("_\r\n", "SRANDMEMBER", "nokey")
	c.expect("*0\r\n", "SRANDMEMBER", "nokey", "2")
	c.expect("*0\r\n", "SRANDMEMBER", "s", "0")
	c.expect("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SRANDMEMBER", "s", "5")
	c.expect("*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SSCAN", "s", "0")
	c.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SSCAN", "nokey", "0")
	c.expect(":3\r\n", "SINTERCARD", "1", "s")
	c.expect(":1\r\n", "SMOVE", "s", "t", "1")
	c.expect(":1\r\n", "SADD", "one", "m")
	c.expect("$1\r\nm\r\n", "SRANDMEMBER", "one")
	c.expect("*2\r\n$1\r\nm\r\n$1\r\nm\r\n", "SRANDMEMBER", "one", "-2")
	c.expect("$1\r\nm\r\n", "SPOP", "one")
	c.expect("~2\r\n$1\r\n2\r\n$1\r\n3\r\n", "SPOP", "s", "5")
}

// setBulks parses a raw array or set reply of bulk strings.
func setBulks(t *testing.T, raw string) (kind byte, items []string) {
	t.Helper()
	if raw == "" || (raw[0] != '*' && raw[0] != '~') {
		t.Fatalf("not an array or set: %q", raw)
	}
	kind = raw[0]
	i := strings.Index(raw, "\r\n")
	n, err := strconv.Atoi(raw[1:i])
	if err != nil {
		t.Fatalf("bad header in %q", raw)
	}
	rest := raw[i+2:]
	for k := 0; k < n; k++ {
		j := strings.Index(rest, "\r\n")
		if j < 0 || rest[0] != '$' {
			t.Fatalf("bad item in %q", raw)
		}
		l, err := strconv.Atoi(rest[1:j])
		if err != nil {
			t.Fatalf("bad item in %q", raw)
		}
		items = append(items, rest[j+2:j+2+l])
		rest = rest[j+2+l+2:]
	}
	if rest != "" {
		t.Fatalf("trailing bytes in %q", raw)
	}
	return kind, items
}

// setScanReply splits a raw SSCAN reply into its cursor and members.
func setScanReply(t *testing.T, raw string) (string, []string) {
	t.Helper()
	const pre = "*2\r\n$"
	if !strings.HasPrefix(raw, pre) {
		t.Fatalf("bad SSCAN reply %q", raw)
	}
	j := strings.Index(raw[len(pre):], "\r\n") + len(pre)
	l, err := strconv.Atoi(raw[len(pre):j])
	if err != nil {
		t.Fatalf("bad SSCAN reply %q", raw)
	}
	cursor := raw[j+2 : j+2+l]
	_, items := setBulks(t, raw[j+2+l+2:])
	return cursor, items
}

// Redis' set-max-intset-entries (512): the 513th integer converts the set
// for good.
func TestSetIntsetLimit(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	args := []string{"SADD", "s"}
	for i := 0; i < 512; i++ {
		args = append(args, strconv.Itoa(1000-i))
	}
	c.expect(":512\r\n", args...)
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "s")
	_, items := setBulks(t, c.do("SMEMBERS", "s"))
	if len(items) != 512 || items[0] != "489" || items[511] != "1000" {
		t.Fatalf("SMEMBERS of an intset: %d items from %q to %q", len(items), items[0], items[len(items)-1])
	}
	c.expect(":1\r\n", "SADD", "s", "-1")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "s")
	c.expect(":500\r\n", append([]string{"SREM", "s"}, args[2:502]...)...)
	c.expect(":13\r\n", "SCARD", "s")
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "s")
}

// SPOP and SRANDMEMBER with counts on a hashtable set: sizes, distinctness,
// membership, removal, and RESP3 shapes.
func TestSetPopRandCounts(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	members := map[string]bool{}
	args := []string{"SADD", "s"}
	for i := 0; i < 50; i++ {
		m := fmt.Sprintf("m%02d", i)
		members[m] = true
		args = append(args, m)
	}
	c.expect(":50\r\n", args...)
	check := func(items []string, want int, distinct bool) {
		t.Helper()
		if len(items) != want {
			t.Fatalf("got %d members, want %d", len(items), want)
		}
		seen := map[string]bool{}
		for _, m := range items {
			if !members[m] {
				t.Fatalf("%q is not a member", m)
			}
			if distinct && seen[m] {
				t.Fatalf("%q returned twice", m)
			}
			seen[m] = true
		}
	}
	for _, n := range []int{1, 2, 10, 16, 40, 49} {
		kind, items := setBulks(t, c.do("SRANDMEMBER", "s", strconv.Itoa(n)))
		if kind != '*' {
			t.Fatalf("SRANDMEMBER %d: kind %c", n, kind)
		}
		check(items, n, true)
	}
	_, items := setBulks(t, c.do("SRANDMEMBER", "s", "50"))
	check(items, 50, true)
	_, items = setBulks(t, c.do("SRANDMEMBER", "s", "-200"))
	check(items, 200, false)
	c.do("HELLO", "3")
	kind, popped := setBulks(t, c.do("SPOP", "s", "10"))
	if kind != '~' {
		t.Fatalf("SPOP with a count in RESP3: kind %c", kind)
	}
	check(popped, 10, true)
	kind, items = setBulks(t, c.do("SRANDMEMBER", "s", "5"))
	if kind != '*' {
		t.Fatalf("SRANDMEMBER with a count in RESP3: kind %c", kind)
	}
	check(items, 5, true)
	c.expect(":40\r\n", "SCARD", "s")
	for _, m := range popped {
		c.expect(":0\r\n", "SISMEMBER", "s", m)
		delete(members, m)
	}
	// Pop the rest in a few steps: the set disappears with its last member.
	total := 0
	for _, n := range []int{1, 30, 5, 100} {
		_, items := setBulks(t, c.do("SPOP", "s", strconv.Itoa(n)))
		check(items, min(n, 40-total), true)
		for _, m := range items {
			delete(members, m)
		}
		total += len(items)
	}
	if total != 40 || len(members) != 0 {
		t.Fatalf("popped %d, %d left", total, len(members))
	}
	c.expect(":0\r\n", "EXISTS", "s")
}

// A full SSCAN iteration of a hashtable set returns every member present
// throughout, even with members added and removed between calls and with
// members sharing a long prefix; no call returns much more than COUNT.
func TestSetSSCANFullIteration(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	const n = 3000
	stable := map[string]bool{}
	args := []string{"SADD", "s"}
	for i := 0; i < n; i++ {
		m := fmt.Sprintf("member:with:a:long:shared:prefix:%06d", i*2)
		stable[m] = true
		args = append(args, m)
	}
	c.expect(":"+strconv.Itoa(n)+"\r\n", args...)
	for _, count := range []int{1, 7, 100} {
		got := map[string]int{}
		cursor, calls, added := "0", 0, 0
		for {
			raw := c.do("SSCAN", "s", cursor, "COUNT", strconv.Itoa(count))
			var items []string
			cursor, items = setScanReply(t, raw)
			if len(items) > count+1 {
				t.Fatalf("COUNT %d: a call returned %d members", count, len(items))
			}
			for _, m := range items {
				got[m]++
			}
			calls++
			// churn: members that come and go between calls
			odd := fmt.Sprintf("member:with:a:long:shared:prefix:%06d", (calls*7919)%(2*n)|1)
			if calls%2 == 0 {
				c.do("SADD", "s", odd)
				added++
			} else {
				c.do("SREM", "s", odd)
			}
			if cursor == "0" {
				break
			}
			if calls > 10*n {
				t.Fatalf("COUNT %d: no end after %d calls", count, calls)
			}
		}
		for m := range stable {
			if got[m] == 0 {
				t.Fatalf("COUNT %d: member %q never returned", count, m)
			}
		}
		if count == 1 && calls < n {
			t.Fatalf("COUNT 1: only %d calls for %d members", calls, n)
		}
	}
	// MATCH filters what was examined.
	cursor, matched := "0", 0
	for {
		var items []string
		cursor, items = setScanReply(t, c.do("SSCAN", "s", cursor, "MATCH", "*00000[02]", "COUNT", "50"))
		matched += len(items)
		for _, m := range items {
			if !strings.HasSuffix(m, "000000") && !strings.HasSuffix(m, "000002") {
				t.Fatalf("MATCH let %q through", m)
			}
		}
		if cursor == "0" {
			break
		}
	}
	if matched < 2 {
		t.Fatalf("MATCH found %d members", matched)
	}
}

// SSCAN on a set whose members sort into a deterministic order: with no
// churn the iteration returns each member exactly once, in byte order.
func TestSetSSCANOrder(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	var want []string
	args := []string{"SADD", "s"}
	for i := 0; i < 200; i++ {
		m := fmt.Sprintf("k%d", i)
		want = append(want, m)
		args = append(args, m)
	}
	c.expect(":200\r\n", args...)
	sort.Strings(want)
	var got []string
	cursor := "0"
	for {
		var items []string
		cursor, items = setScanReply(t, c.do("SSCAN", "s", cursor, "COUNT", "3"))
		got = append(got, items...)
		if cursor == "0" {
			break
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("SSCAN returned %v", got)
	}
}

// Key positions: SINTERCARD's come from numkeys, SMOVE has two.
func TestSetCommandKeys(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1")
	c.expect("*1\r\n$1\r\na\r\n", "COMMAND", "GETKEYS", "SINTERCARD", "1", "a", "b", "c")
	c.expect("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "COMMAND", "GETKEYS", "SMOVE", "a", "b", "m")
	c.expect("*3\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n", "COMMAND", "GETKEYS", "SDIFFSTORE", "d", "a", "b")
	// name, arity, flags, first, last, step as Redis 7.0 reports them
	want := map[string]string{
		"sadd":        "-3 write,denyoom,fast 1 1 1",
		"srem":        "-3 write,fast 1 1 1",
		"smove":       "4 write,fast 1 2 1",
		"sismember":   "3 readonly,fast 1 1 1",
		"smismember":  "-3 readonly,fast 1 1 1",
		"scard":       "2 readonly,fast 1 1 1",
		"spop":        "-2 write,fast 1 1 1",
		"srandmember": "-2 readonly 1 1 1",
		"smembers":    "2 readonly 1 1 1",
		"sinter":      "-2 readonly 1 -1 1",
		"sintercard":  "-3 readonly,movablekeys 0 0 0",
		"sinterstore": "-3 write,denyoom 1 -1 1",
		"sunion":      "-2 readonly 1 -1 1",
		"sunionstore": "-3 write,denyoom 1 -1 1",
		"sdiff":       "-2 readonly 1 -1 1",
		"sdiffstore":  "-3 write,denyoom 1 -1 1",
		"sscan":       "-3 readonly 1 1 1",
	}
	for _, row := range setCommands() {
		w, ok := want[row.Name]
		if !ok {
			t.Errorf("unexpected set command %q", row.Name)
			continue
		}
		flags := strings.Join(row.Flags.Names(), ",")
		first, last, step := row.First, row.Last, row.Step
		if row.KeysFn != nil {
			flags += ",movablekeys"
			first, last, step = 0, 0, 0
		}
		got := fmt.Sprintf("%d %s %d %d %d", row.Arity, flags, first, last, step)
		if got != w {
			t.Errorf("%s: got %q, want %q", row.Name, got, w)
		}
		if row.Group != "set" {
			t.Errorf("%s: group %q", row.Name, row.Group)
		}
		delete(want, row.Name)
	}
	for name := range want {
		t.Errorf("missing set command %q", name)
	}
}

// kvnode's own limits, where Redis has none: members are part of a Badger
// key, and SRANDMEMBER with a huge negative count is refused rather than
// built in memory.
func TestSetKvnodeLimits(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	huge := strings.Repeat("m", 65000)
	c.expect("-ERR set member is too large for this server\r\n", "SADD", "s", "a", huge)
	c.expect(":0\r\n", "EXISTS", "s")
	c.expect(":1\r\n", "SADD", "s", "a")
	c.expect(":0\r\n", "SISMEMBER", "s", huge)
	c.expect("*0\r\n", "SRANDMEMBER", "nokey", "-16777217")
	c.expect("-ERR value is out of range, value must between -16777216 and 9223372036854775807\r\n", "SRANDMEMBER", "s", "-16777217")
	_, items := setBulks(t, c.do("SRANDMEMBER", "s", "-5"))
	if len(items) != 5 {
		t.Fatalf("SRANDMEMBER -5: %q", items)
	}
}
