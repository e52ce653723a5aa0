package integration

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// cmdGen generates random commands over a small key space, so that keys
// collide, hold the wrong type, expire and get renamed over each other.
//
// Expiry times are chosen so the two servers can never decide differently
// because they ran a command a few milliseconds apart: relative times are
// 100 s or more, absolute ones are either in the past (the key goes at
// once) or far from every relative time, and GT/LT (which compare times) are
// only used with absolute times.
//
// Half the commands work on hashes, lists, sets and sorted sets over the
// same keys, so they meet strings and each other (WRONGTYPE), expire, and
// are renamed, copied, dumped and restored. Two rules keep the servers in
// step: SPOP only takes whole sets (a count of 1000; a partial pop would
// leave different members behind), and a blocking command always has a
// short timeout (0.01) or an invalid one, usually right after a push to
// its first key so it finds data. Lex ranges (whose result Redis leaves
// unspecified when scores differ) run on their own key, "zlex", whose
// members all have score 0.
type cmdGen struct {
	rng     *rand.Rand
	now     int64      // unix seconds when the generator was made
	pending [][]string // commands next returns before it makes new ones
}

// newCmdGen returns the generator for seed; now is the current unix time
// in seconds, used for absolute expiry times.
func newCmdGen(seed uint64, now int64) *cmdGen {
	return &cmdGen{rng: rand.New(rand.NewPCG(seed, 0x6b766e6f6465)), now: now}
}

// pick returns one of xs.
func (g *cmdGen) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

// chance reports true pct percent of the time.
func (g *cmdGen) chance(pct int) bool { return g.rng.IntN(100) < pct }

// keySpace returns every key the generator uses.
func (g *cmdGen) keySpace() []string { return []string{"k1", "k2", "k3", "k4", "k5", "other", "zlex"} }

// key returns one of the five keys (rarely a sixth).
func (g *cmdGen) key() string {
	if g.chance(3) {
		return "other"
	}
	return "k" + strconv.Itoa(1+g.rng.IntN(5))
}

// keys returns lo to hi random keys.
func (g *cmdGen) keys(lo, hi int) []string {
	n := lo + g.rng.IntN(hi-lo+1)
	out := make([]string, n)
	for i := range out {
		out[i] = g.key()
	}
	return out
}

// value returns a value that is often a number of some sort.
func (g *cmdGen) value() string {
	return g.pick("", "0", "1", "-1", "7", "42", "-100", "10.5", "3.0e2", "abc", "hello world",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "007", "-0", " 5",
		"5 ", "0x1f", "inf", "nan", "\x00\xff\x01", "\xffbinary", strings.Repeat("z", 50), "foobar", "ab\r\ncd")
}

// intArg returns an integer argument, valid or not.
func (g *cmdGen) intArg() string {
	return g.pick("0", "1", "-1", "2", "3", "5", "10", "-3", "100", "-100", "abc", "1.5", "",
		"9223372036854775807", "-9223372036854775808", "99999999999999999999")
}

// floatArg returns a float argument, valid or not.
func (g *cmdGen) floatArg() string {
	return g.pick("0", "1.5", "-2.25", "1e2", "inf", "-inf", "nan", "abc", "0.1", "5.0e3", "-0",
		"1.7976931348623157e308", "3", "", " 1", "1e400")
}

// relSeconds and relMillis are relative expiry times; absSeconds and
// absMillis absolute ones.
func (g *cmdGen) relSeconds() string {
	if g.chance(15) {
		return g.pick("0", "-5", "abc", "9223372036854775807", "1.5")
	}
	return g.pick("100", "1000", "100000")
}

func (g *cmdGen) relMillis() string {
	if g.chance(15) {
		return g.pick("0", "-1", "abc", "9223372036854775807")
	}
	return g.pick("100000", "5000000", "123456789")
}

func (g *cmdGen) absSeconds() string {
	if g.chance(20) {
		return g.pick("1", strconv.FormatInt(g.now-100, 10), "0", "-1", "abc")
	}
	return strconv.FormatInt(g.now+g.pickInt(50, 700, 7000, 700000), 10)
}

func (g *cmdGen) absMillis() string {
	if g.chance(20) {
		return g.pick("1", strconv.FormatInt((g.now-100)*1000, 10), "0", "abc")
	}
	return strconv.FormatInt((g.now+g.pickInt(50, 700, 7000, 700000))*1000+123, 10)
}

// pickInt returns one of xs.
func (g *cmdGen) pickInt(xs ...int64) int64 { return xs[g.rng.IntN(len(xs))] }

// offset returns a bit offset: small, or invalid.
func (g *cmdGen) offset() string {
	if g.chance(10) {
		return g.pick("-1", "abc", "4294967296", "1.5")
	}
	return strconv.Itoa(g.rng.IntN(70))
}

// next returns the next command.
func (g *cmdGen) next() []string {
	if len(g.pending) > 0 {
		args := g.pending[0]
		g.pending = g.pending[1:]
		return args
	}
	args := g.command()
	if len(g.pending) > 0 {
		return args // a push before a blocking command: sent as made
	}
	if g.chance(3) { // wrong arity or a stray argument
		// Not SPOP without its count: a random pop of one member.
		if len(args) > 1 && g.chance(50) && args[0] != "SPOP" {
			args = args[:len(args)-1]
		} else {
			args = append(args, "extra")
		}
	}
	if g.chance(5) { // command names are case-insensitive
		args[0] = strings.ToLower(args[0])
	}
	return args
}

// command returns a random command: about half string and keyspace
// commands, half data-type ones.
func (g *cmdGen) command() []string {
	k := g.key()
	switch n := g.rng.IntN(100); {
	case n < 48:
		return g.stringCommand(k)
	case n < 60:
		return g.hashCommand(k)
	case n < 72:
		return g.listCommand(k)
	case n < 83:
		return g.setCommand(k)
	case n < 96:
		return g.zsetCommand(k)
	}
	return g.blockingCommand(k)
}

// stringCommand returns a string or keyspace command, weighted towards the
// common ones.
func (g *cmdGen) stringCommand(k string) []string {
	switch g.rng.IntN(63) {
	case 0, 1, 2:
		return []string{"GET", k}
	case 3, 4, 5:
		return g.set(k)
	case 6:
		return []string{"SETNX", k, g.value()}
	case 7:
		return []string{"SETEX", k, g.relSeconds(), g.value()}
	case 8:
		return []string{"PSETEX", k, g.relMillis(), g.value()}
	case 9:
		return []string{"GETSET", k, g.value()}
	case 10:
		return []string{"GETDEL", k}
	case 11:
		args := []string{"GETEX", k}
		switch g.rng.IntN(6) {
		case 0:
			args = append(args, "EX", g.relSeconds())
		case 1:
			args = append(args, "PX", g.relMillis())
		case 2:
			args = append(args, "EXAT", g.absSeconds())
		case 3:
			args = append(args, "PXAT", g.absMillis())
		case 4:
			args = append(args, "PERSIST")
		}
		return args
	case 12:
		return append([]string{"MGET"}, g.keys(1, 4)...)
	case 13, 14:
		name := g.pick("MSET", "MSETNX")
		args := []string{name}
		for i := 1 + g.rng.IntN(3); i > 0; i-- {
			args = append(args, g.key(), g.value())
		}
		return args
	case 15:
		return []string{"APPEND", k, g.value()}
	case 16:
		return []string{"STRLEN", k}
	case 17, 18:
		return []string{g.pick("INCR", "DECR"), k}
	case 19:
		return []string{g.pick("INCRBY", "DECRBY"), k, g.intArg()}
	case 20:
		return []string{"INCRBYFLOAT", k, g.floatArg()}
	case 21:
		return []string{g.pick("GETRANGE", "SUBSTR"), k, g.intArg(), g.intArg()}
	case 22:
		off := strconv.Itoa(g.rng.IntN(20))
		if g.chance(10) {
			off = g.pick("-1", "abc")
		}
		return []string{"SETRANGE", k, off, g.pick("", "x", "hello", "\x00")}
	case 23:
		args := []string{"LCS", k, g.key()}
		switch g.rng.IntN(4) {
		case 1:
			args = append(args, "LEN")
		case 2:
			args = append(args, "IDX")
			if g.chance(50) {
				args = append(args, "MINMATCHLEN", g.pick("0", "1", "2", "abc"))
			}
			if g.chance(50) {
				args = append(args, "WITHMATCHLEN")
			}
		case 3:
			args = append(args, "LEN", "IDX")
		}
		return args
	case 24:
		return []string{"SETBIT", k, g.offset(), g.pick("0", "1", "1", "2", "x")}
	case 25:
		return []string{"GETBIT", k, g.offset()}
	case 26:
		args := []string{"BITCOUNT", k}
		if g.chance(60) {
			args = append(args, g.intArg(), g.intArg())
			if g.chance(40) {
				args = append(args, g.pick("BYTE", "BIT", "bit", "WORD"))
			}
		}
		return args
	case 27:
		args := []string{"BITPOS", k, g.pick("0", "1", "1", "2")}
		if g.chance(60) {
			args = append(args, g.intArg())
			if g.chance(60) {
				args = append(args, g.intArg())
				if g.chance(40) {
					args = append(args, g.pick("BYTE", "BIT", "WORD"))
				}
			}
		}
		return args
	case 28:
		op := g.pick("AND", "OR", "XOR", "NOT", "NAND")
		args := []string{"BITOP", op, g.key()}
		if op == "NOT" && g.chance(80) {
			return append(args, g.key())
		}
		return append(args, g.keys(1, 3)...)
	case 29:
		return g.bitfield(k)
	case 30, 31:
		return append([]string{g.pick("DEL", "UNLINK")}, g.keys(1, 3)...)
	case 32, 33:
		return append([]string{g.pick("EXISTS", "TOUCH")}, g.keys(1, 3)...)
	case 34:
		return []string{"TYPE", k}
	case 35:
		if g.chance(50) {
			return append([]string{"EXPIRE", k, g.relSeconds()}, g.expireFlags(false)...)
		}
		return append([]string{"PEXPIRE", k, g.relMillis()}, g.expireFlags(false)...)
	case 36:
		if g.chance(50) {
			return append([]string{"EXPIREAT", k, g.absSeconds()}, g.expireFlags(true)...)
		}
		return append([]string{"PEXPIREAT", k, g.absMillis()}, g.expireFlags(true)...)
	case 37, 38:
		return []string{g.pick("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"), k}
	case 39:
		return []string{"PERSIST", k}
	case 40:
		return []string{g.pick("RENAME", "RENAMENX"), k, g.key()}
	case 41:
		return []string{"KEYS", g.pick("*", "k*", "k[1-3]", "?2", "*x*", "k\\1", "[^k]*", "*1*", "")}
	case 42:
		args := []string{"SCAN", "0"}
		if g.chance(50) {
			args = append(args, "MATCH", g.pick("*", "k*", "k[2-4]", "other", "*3"))
		}
		if g.chance(40) {
			args = append(args, "COUNT", g.pick("1", "2", "10", "0", "-1", "abc"))
		}
		if g.chance(30) {
			args = append(args, "TYPE", g.pick("string", "list", "set", "hash", "zset", "nosuchtype"))
		}
		return args
	case 43:
		args := []string{"COPY", k, g.key()}
		if g.chance(40) {
			args = append(args, "REPLACE")
		}
		if g.chance(10) {
			args = append(args, "DB", g.pick("0", "1", "abc"))
		}
		return args
	case 44:
		return []string{"DUMP", k}
	case 45:
		args := []string{"RESTORE", k, g.pick("0", "0", "100000", "-1", "abc"), "$DUMP"}
		if g.chance(50) {
			args = append(args, "REPLACE")
		}
		if g.chance(20) {
			args[2] = strconv.FormatInt((g.now+7000)*1000, 10)
			args = append(args, "ABSTTL")
		}
		return args
	case 46:
		return []string{"OBJECT", "ENCODING", k}
	case 47:
		return []string{"RPUSH", k, g.value(), g.value()}
	case 48:
		return []string{"SADD", k, g.value()}
	case 49:
		return []string{"HSET", k, "f", g.value()}
	case 50:
		return []string{"ZADD", k, g.pick("1", "2.5", "-3"), g.value()}
	case 51:
		// Not DBSIZE: a SET in the past leaves an expired key that DBSIZE
		// counts until Redis' active expiry happens to remove it.
		return append([]string{"EXISTS"}, g.keySpace()...)
	case 52:
		if g.chance(50) {
			return []string{"PING"}
		}
		return []string{g.pick("PING", "ECHO"), g.value()}
	case 53, 54:
		return []string{"GET", k}
	case 55:
		return []string{"SET", k, g.value()}
	case 56:
		return []string{"INCRBY", k, g.pick("1", "-1", "1000")}
	case 57:
		return []string{"STRLEN", k}
	case 58:
		return []string{"EXISTS", k}
	case 59:
		return []string{"APPEND", k, g.pick("a", "1")}
	case 60:
		return []string{"SET", k, g.pick("1", "10", "100")}
	case 61:
		return []string{"RANDOMKEY"}
	}
	return []string{"TTL", k}
}

// expireFlags returns EXPIRE options: with GT/LT only for absolute times.
func (g *cmdGen) expireFlags(absolute bool) []string {
	switch n := g.rng.IntN(10); {
	case n < 4:
		return nil
	case n < 6:
		return []string{g.pick("NX", "XX")}
	case n < 8 && absolute:
		return []string{g.pick("GT", "LT")}
	case n < 9 && absolute:
		return []string{g.pick("XX", "GT"), g.pick("GT", "LT")}
	case n < 9:
		return []string{"XX"}
	}
	return []string{g.pick("NX", "XX", "BOGUS"), g.pick("NX", "LT", "XX")}
}

// set returns a SET with a random mix of its options.
func (g *cmdGen) set(k string) []string {
	args := []string{"SET", k, g.value()}
	var opts [][]string
	if g.chance(25) {
		opts = append(opts, []string{g.pick("NX", "XX")})
	}
	if g.chance(25) {
		opts = append(opts, []string{"GET"})
	}
	if g.chance(40) {
		switch g.rng.IntN(5) {
		case 0:
			opts = append(opts, []string{"EX", g.relSeconds()})
		case 1:
			opts = append(opts, []string{"PX", g.relMillis()})
		case 2:
			opts = append(opts, []string{"EXAT", g.absSeconds()})
		case 3:
			opts = append(opts, []string{"PXAT", g.absMillis()})
		case 4:
			opts = append(opts, []string{"KEEPTTL"})
		}
	}
	if g.chance(5) { // a conflicting or unknown option
		opts = append(opts, []string{g.pick("NX", "XX", "KEEPTTL", "EX", "PX 0", "BOGUS")})
	}
	g.rng.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
	for _, o := range opts {
		for _, w := range o {
			args = append(args, strings.Fields(w)...)
		}
	}
	return args
}

// bitfield returns a BITFIELD or BITFIELD_RO with one to three operations.
func (g *cmdGen) bitfield(k string) []string {
	name := "BITFIELD"
	if g.chance(15) {
		name = "BITFIELD_RO"
	}
	args := []string{name, k}
	typ := func() string {
		if g.chance(8) {
			return g.pick("u64", "i65", "i0", "x8", "u")
		}
		return g.pick("u1", "u8", "i8", "u16", "i16", "i32", "u63", "i64", "u4", "i5")
	}
	off := func() string {
		if g.chance(8) {
			return g.pick("-1", "abc", "#-1")
		}
		return g.pick("0", "3", "8", "13", "#0", "#1", "#2", "100")
	}
	for i := 1 + g.rng.IntN(3); i > 0; i-- {
		switch g.rng.IntN(4) {
		case 0:
			args = append(args, "GET", typ(), off())
		case 1:
			args = append(args, "SET", typ(), off(), g.intArg())
		case 2:
			args = append(args, "INCRBY", typ(), off(), g.pick("1", "-1", "100", "-300", "9223372036854775807", "abc"))
		case 3:
			args = append(args, "OVERFLOW", g.pick("WRAP", "SAT", "FAIL", "BOGUS"))
		}
	}
	return args
}
