package resp

import (
	"encoding/binary"
	"hash/crc32"
	"strconv"
	"strings"
	"testing"
	"time"
)

// DUMP, RESTORE and OBJECT. Every expected reply of behaviour kvnode shares
// with Redis was produced by redis-server 7.0.15 for the same commands
// (payload bytes differ: kvnode's payload format is its own).

// dumpOf runs DUMP key and returns the payload.
func (c *testConn) dumpOf(key string) string {
	c.t.Helper()
	r := c.do("DUMP", key)
	i := strings.Index(r, "\r\n")
	if !strings.HasPrefix(r, "$") || i < 0 || strings.HasPrefix(r, "$-1") {
		c.t.Fatalf("DUMP %s = %q", key, r)
	}
	return r[i+2 : len(r)-2]
}

// sealPayload frames body as a format-1 payload of type code t, with a
// valid CRC-32C: the layout documented in engine/dump.go.
func sealPayload(t byte, body string) string {
	b := append([]byte{'K', 'V', 1, t}, body...)
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return string(b)
}

func TestDumpRestoreRoundTrip(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)

	c.expect("$-1\r\n", "DUMP", "nokey")
	for _, v := range []string{"hello", "", "1234", "12345678901234", "\x00\xff\r\n", strings.Repeat("x", 5000)} {
		c.expect("+OK\r\n", "SET", "src", v)
		p := c.dumpOf("src")
		c.expect("+OK\r\n", "RESTORE", "dst", "0", p, "REPLACE")
		c.expect(bulk(v), "GET", "dst")
		c.expect(":-1\r\n", "PTTL", "dst")
	}
	c.expect("+OK\r\n", "SET", "src", "value")
	p := c.dumpOf("src")

	// A relative TTL in milliseconds.
	c.expect("+OK\r\n", "RESTORE", "ttl", "5000", p)
	pttl, _ := strconv.Atoi(strings.Trim(c.do("PTTL", "ttl"), ":\r\n"))
	if pttl <= 4000 || pttl > 5000 {
		t.Errorf("PTTL after RESTORE ttl 5000 = %d", pttl)
	}
	c.expect(bulk("value"), "GET", "ttl")

	// ABSTTL: an absolute unix-ms time.
	at := time.Now().UnixMilli() + 60_000
	c.expect("+OK\r\n", "RESTORE", "abs", strconv.FormatInt(at, 10), p, "ABSTTL")
	c.expect(":"+strconv.FormatInt(at, 10)+"\r\n", "PEXPIRETIME", "abs")
	c.expect("+OK\r\n", "RESTORE", "abs0", "0", p, "ABSTTL")
	c.expect(":-1\r\n", "PTTL", "abs0")
	c.expect("+OK\r\n", "RESTORE", "far", "9223372036854775807", p, "ABSTTL")
	c.expect(":9223372036854775807\r\n", "PEXPIRETIME", "far")

	// A time already past: +OK, nothing created; REPLACE deletes the old key.
	c.expect("+OK\r\n", "RESTORE", "past", "1", p, "ABSTTL")
	c.expect(":0\r\n", "EXISTS", "past")
	c.expect("+OK\r\n", "SET", "old", "x")
	c.expect("+OK\r\n", "RESTORE", "old", "1", p, "ABSTTL", "REPLACE")
	c.expect(":0\r\n", "EXISTS", "old")
	// ttl+now overflows in Redis, which makes it a time in the past.
	c.expect("+OK\r\n", "RESTORE", "ovf", "9223372036854775807", p)
	c.expect(":0\r\n", "EXISTS", "ovf")
	c.expect("+OK\r\n", "SET", "ovf", "x")
	c.expect("+OK\r\n", "RESTORE", "ovf", "9223372036854000000", p, "REPLACE")
	c.expect(":0\r\n", "EXISTS", "ovf")

	// REPLACE with ttl 0 drops the old TTL.
	c.expect("+OK\r\n", "SET", "b", "old", "EX", "1000")
	c.expect("+OK\r\n", "RESTORE", "b", "0", p, "REPLACE")
	c.expect(":-1\r\n", "PTTL", "b")
	c.expect(bulk("value"), "GET", "b")

	// Options in any case and order; IDLETIME and FREQ accepted.
	c.expect("+OK\r\n", "RESTORE", "i", "0", p, "REPLACE", "ABSTTL", "IDLETIME", "5")
	c.expect("+OK\r\n", "restore", "f", "0", p, "freq", "100", "replace")
	c.expect("+OK\r\n", "RESTORE", "", "0", p)
	c.expect(bulk("value"), "GET", "")

	// A restored key dumps to the same payload.
	if again := c.dumpOf("i"); again != p {
		t.Errorf("DUMP of a restored key %q, want %q", again, p)
	}
}

func TestRestoreErrors(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("+OK\r\n", "SET", "src", "hello")
	p := c.dumpOf("src")
	c.expect("+OK\r\n", "SET", "k", "exists")

	const (
		busy     = "-BUSYKEY Target key name already exists.\r\n"
		notInt   = "-ERR value is not an integer or out of range\r\n"
		badTTL   = "-ERR Invalid TTL value, must be >= 0\r\n"
		checksum = "-ERR DUMP payload version or checksum are wrong\r\n"
		syntax   = "-ERR syntax error\r\n"
	)
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"-ERR wrong number of arguments for 'restore' command\r\n", []string{"RESTORE"}},
		{"-ERR wrong number of arguments for 'restore' command\r\n", []string{"RESTORE", "k", "0"}},
		{"-ERR wrong number of arguments for 'dump' command\r\n", []string{"DUMP"}},
		{"-ERR wrong number of arguments for 'dump' command\r\n", []string{"DUMP", "a", "b"}},
		// An existing key is refused before the TTL and the payload are checked.
		{busy, []string{"RESTORE", "k", "0", p}},
		{busy, []string{"RESTORE", "k", "-1", p}},
		{busy, []string{"RESTORE", "k", "abc", p}},
		{busy, []string{"RESTORE", "k", "0", "garbage"}},
		{busy, []string{"RESTORE", "k", "-1", p, "IDLETIME", "9223372036854775807"}},
		{busy, []string{"RESTORE", "k", "-1", p, "IDLETIME", "1", "IDLETIME", "2"}},
		{busy, []string{"RESTORE", "k", "-1", p, "FREQ", "1", "FREQ", "2"}},
		{notInt, []string{"RESTORE", "k", "abc", p, "REPLACE"}},
		{badTTL, []string{"RESTORE", "k", "-1", p, "REPLACE"}},
		{badTTL, []string{"RESTORE", "nk", "-1", p}},
		{badTTL, []string{"RESTORE", "nk", "-1", "garbage"}},
		{badTTL, []string{"RESTORE", "k", "-1", p, "replace", "replace", "absttl"}},
		{notInt, []string{"RESTORE", "nk", "abc", p}},
		{notInt, []string{"RESTORE", "nk", "1.5", p}},
		// Options are parsed first of all.
		{syntax, []string{"RESTORE", "nk", "0", "garbage", "foo"}},
		{syntax, []string{"RESTORE", "k", "0", "garbage", "foo"}},
		{syntax, []string{"RESTORE", "k", "-1", p, "idletime"}},
		{syntax, []string{"RESTORE", "k", "-1", p, "freq"}},
		{syntax, []string{"RESTORE", "k", "-1", p, "freq", "1", "idletime", "1"}},
		{syntax, []string{"RESTORE", "k", "-1", p, "idletime", "1", "freq", "1"}},
		{notInt, []string{"RESTORE", "k", "-1", p, "idletime", "x"}},
		{"-ERR Invalid IDLETIME value, must be >= 0\r\n", []string{"RESTORE", "k", "-1", p, "idletime", "-1"}},
		{"-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", []string{"RESTORE", "k", "-1", p, "freq", "256"}},
		{"-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", []string{"RESTORE", "k", "-1", p, "freq", "-1"}},
		{notInt, []string{"RESTORE", "k", "-1", p, "freq", "x"}},
		// Corrupt, truncated, extended, foreign and empty payloads.
		{checksum, []string{"RESTORE", "nk", "0", "garbage"}},
		{checksum, []string{"RESTORE", "nk", "0", p[:len(p)-1]}},
		{checksum, []string{"RESTORE", "nk", "0", p[:len(p)-1] + "x"}},
		{checksum, []string{"RESTORE", "nk", "0", p + "x"}},
		{checksum, []string{"RESTORE", "nk", "0", p[:4] + "j" + p[5:]}},
		{checksum, []string{"RESTORE", "nk", "0", ""}},
		{checksum, []string{"RESTORE", "nk", "0", "\x00\x05hello\n\x00cr\xdfve4 \x0b"}}, // redis-server's DUMP of "hello", one CRC bit flipped
		{checksum, []string{"RESTORE", "k", "0", "garbage", "REPLACE"}},
		// A sound frame around a malformed body, and a type not storable yet.
		{"-ERR Bad data format\r\n", []string{"RESTORE", "nk", "0", sealPayload(9, "\x01a")}},
		{"-ERR Bad data format\r\n", []string{"RESTORE", "nk", "0", sealPayload(1, "\x05abc")}},
	} {
		c.expect(tc.want, tc.args...)
	}
	// Nothing was written by any refused RESTORE.
	c.expect(":0\r\n", "EXISTS", "nk")
	c.expect(bulk("exists"), "GET", "k")
	c.expect(":2\r\n", "DBSIZE")
	// A hash payload restores.
	c.expect("+OK\r\n", "RESTORE", "h", "0", sealPayload(2, "\x01\x01f\x01v"))
	c.expect("*2\r\n"+bulk("f")+bulk("v"), "HGETALL", "h")
	// A payload made by redis-server 7.0's DUMP restores too.
	c.expect("+OK\r\n", "RESTORE", "fromredis", "0", "\x00\x05hello\n\x00cr\xdfve4 \n")
	c.expect(bulk("hello"), "GET", "fromredis")
}

func TestObjectCommand(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)

	for _, tc := range []struct{ v, enc, ref string }{
		{"123", "int", "2147483647"},
		{"0", "int", "2147483647"},
		{"9999", "int", "2147483647"},
		{"10000", "int", "1"},
		{"-1", "int", "1"},
		{"9223372036854775807", "int", "1"},
		{"-9223372036854775808", "int", "1"},
		{"9223372036854775808", "embstr", "1"},
		{"12345678901234567890", "embstr", "1"},
		{"012", "embstr", "1"},
		{"-0", "embstr", "1"},
		{" 1", "embstr", "1"},
		{"1.5", "embstr", "1"},
		{"", "embstr", "1"},
		{strings.Repeat("a", 44), "embstr", "1"},
		{strings.Repeat("a", 45), "raw", "1"},
	} {
		c.expect("+OK\r\n", "SET", "k", tc.v)
		c.expect(bulk(tc.enc), "OBJECT", "ENCODING", "k")
		c.expect(":"+tc.ref+"\r\n", "OBJECT", "REFCOUNT", "k")
	}
	c.expect(bulk("raw"), "object", "encoding", "k")
	c.expect(":0\r\n", "OBJECT", "IDLETIME", "k")
	c.expect("-ERR An LFU maxmemory policy is not selected, access frequency not tracked. "+
		"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n",
		"OBJECT", "FREQ", "k")

	// A restored integer is an int again, as in Redis.
	c.expect("+OK\r\n", "SET", "n", "12345678901234")
	c.expect("+OK\r\n", "RESTORE", "n2", "0", c.dumpOf("n"))
	c.expect(bulk("int"), "OBJECT", "ENCODING", "n2")

	for _, sub := range []string{"ENCODING", "REFCOUNT", "IDLETIME", "FREQ"} {
		c.expect("$-1\r\n", "OBJECT", sub, "nokey")
	}
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"-ERR wrong number of arguments for 'object' command\r\n", []string{"OBJECT"}},
		{"-ERR wrong number of arguments for 'object|encoding' command\r\n", []string{"OBJECT", "ENCODING"}},
		{"-ERR wrong number of arguments for 'object|encoding' command\r\n", []string{"OBJECT", "Encoding", "k", "extra"}},
		{"-ERR wrong number of arguments for 'object|refcount' command\r\n", []string{"OBJECT", "refcount", "k", "extra"}},
		{"-ERR wrong number of arguments for 'object|help' command\r\n", []string{"OBJECT", "HELP", "x"}},
		{"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n", []string{"OBJECT", "foo"}},
		{"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n", []string{"OBJECT", "foo", "bar"}},
	} {
		c.expect(tc.want, tc.args...)
	}

	help := "*15\r\n" +
		"+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n" +
		"+ENCODING <key>\r\n" +
		"+    Return the kind of internal representation used in order to store the value\r\n" +
		"+    associated with a <key>.\r\n" +
		"+FREQ <key>\r\n" +
		"+    Return the access frequency index of the <key>. The returned integer is\r\n" +
		"+    proportional to the logarithm of the recent access frequency of the key.\r\n" +
		"+IDLETIME <key>\r\n" +
		"+    Return the idle time of the <key>, that is the approximated number of\r\n" +
		"+    seconds elapsed since the last access to the key.\r\n" +
		"+REFCOUNT <key>\r\n" +
		"+    Return the number of references of the value associated with the specified\r\n" +
		"+    <key>.\r\n" +
		"+HELP\r\n" +
		"+    Prints this help.\r\n"
	c.expect(help, "OBJECT", "HELP")
	c.expect(help, "object", "help")

	// RESP3 nulls for a missing key.
	c.do("HELLO", "3")
	c.expect("_\r\n", "OBJECT", "ENCODING", "nokey")
	c.expect("_\r\n", "DUMP", "nokey")
}
