package integration

import (
	"strconv"
	"strings"
)

// The generator's data-type commands (see cmdGen).

// genTypeCommands lists every data-type command the generator makes;
// TestDifferentialRandom checks that each of them was generated.
var genTypeCommands = strings.Fields(`
	HSET HSETNX HGET HMGET HMSET HDEL HEXISTS HGETALL HKEYS HVALS HLEN HSTRLEN
	HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN
	LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM
	LTRIM LPOS LMOVE RPOPLPUSH LMPOP
	BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP
	SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
	SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN
	ZADD ZINCRBY ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANGE ZRANGEBYSCORE
	ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE ZRANGESTORE ZRANK
	ZREVRANK ZREM ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN
	ZPOPMAX ZMPOP ZRANDMEMBER ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE
	ZDIFFSTORE ZINTERCARD ZSCAN`)

// member returns a collection member, hash field or list element from a
// small pool (so they collide), some of them integers (intsets) and one
// longer than the 64-byte listpack limit.
func (g *cmdGen) member() string {
	return g.pick("a", "b", "c", "d", "e", "a", "b", "1", "2", "3", "10", "-1", "", "x y",
		"\x00\xff", "007", strings.Repeat("m", 70))
}

// members returns lo to hi members.
func (g *cmdGen) members(lo, hi int) []string {
	n := lo + g.rng.IntN(hi-lo+1)
	out := make([]string, n)
	for i := range out {
		out[i] = g.member()
	}
	return out
}

// index returns a list index or rank, valid or not.
func (g *cmdGen) index() string {
	if g.chance(8) {
		return g.pick("abc", "1.5", "", "9223372036854775807", "-9223372036854775808")
	}
	return g.pick("0", "1", "2", "3", "5", "-1", "-2", "-3", "-10", "10")
}

// count returns a count argument, valid or not.
func (g *cmdGen) count() string {
	if g.chance(10) {
		return g.pick("-1", "abc", "0", "1.5")
	}
	return g.pick("1", "2", "3", "5", "10")
}

// score returns a sorted-set score, valid or not.
func (g *cmdGen) score() string {
	if g.chance(8) {
		return g.pick("nan", "abc", "", "(1", "1e400")
	}
	return g.pick("0", "1", "2", "2.5", "-1", "-3.5", "10", "100", "1e3", "0.1", "inf", "-inf", "+inf", "-0")
}

// scoreBound returns a score range bound, valid or not.
func (g *cmdGen) scoreBound() string {
	if g.chance(8) {
		return g.pick("abc", "(", "nan", "[1")
	}
	return g.pick("-inf", "+inf", "0", "1", "(1", "2.5", "(2.5", "10", "(10", "-1", "(-inf")
}

// lexBound returns a lex range bound, valid or not.
func (g *cmdGen) lexBound() string {
	if g.chance(8) {
		return g.pick("a", "c", "")
	}
	return g.pick("-", "+", "[a", "(a", "[b", "(c", "[c", "[e", "(x", "[", "(")
}

// timeout returns a blocking timeout: short, or invalid; never 0.
func (g *cmdGen) timeout() string {
	if g.chance(10) {
		return g.pick("-1", "abc")
	}
	return "0.01"
}

// side returns LEFT or RIGHT.
func (g *cmdGen) side() string { return g.pick("LEFT", "RIGHT") }

// scanOpts returns MATCH and COUNT options for the SCAN family.
func (g *cmdGen) scanOpts() []string {
	var args []string
	if g.chance(40) {
		args = append(args, "MATCH", g.pick("*", "a*", "?", "[a-c]", "1*", "nomatch"))
	}
	if g.chance(40) {
		args = append(args, "COUNT", g.pick("1", "2", "10", "0", "abc"))
	}
	return args
}

// numKeys returns "n k1 … kn" for the commands with a numkeys argument;
// rarely with a wrong n.
func (g *cmdGen) numKeys(lo, hi int) []string {
	keys := g.keys(lo, hi)
	n := strconv.Itoa(len(keys))
	if g.chance(5) {
		n = g.pick("0", "-1", "abc", strconv.Itoa(len(keys)+1))
	}
	return append([]string{n}, keys...)
}

// hashCommand returns a hash command.
func (g *cmdGen) hashCommand(k string) []string {
	switch g.rng.IntN(18) {
	case 0, 1:
		args := []string{"HSET", k}
		for i := 1 + g.rng.IntN(3); i > 0; i-- {
			args = append(args, g.member(), g.value())
		}
		return args
	case 2:
		return []string{"HSETNX", k, g.member(), g.value()}
	case 3, 4:
		return []string{"HGET", k, g.member()}
	case 5:
		return append([]string{"HMGET", k}, g.members(1, 3)...)
	case 6:
		return []string{"HMSET", k, g.member(), g.value(), g.member(), g.value()}
	case 7:
		return append([]string{"HDEL", k}, g.members(1, 3)...)
	case 8:
		return []string{"HEXISTS", k, g.member()}
	case 9:
		return []string{g.pick("HGETALL", "HKEYS", "HVALS"), k}
	case 10:
		return []string{"HLEN", k}
	case 11:
		return []string{"HSTRLEN", k, g.member()}
	case 12:
		return []string{"HINCRBY", k, g.member(), g.intArg()}
	case 13:
		return []string{"HINCRBYFLOAT", k, g.member(), g.floatArg()}
	case 14, 15:
		args := []string{"HRANDFIELD", k}
		if g.chance(70) {
			args = append(args, g.pick("1", "2", "5", "10", "-2", "-7", "0", "abc"))
			if g.chance(50) {
				args = append(args, "WITHVALUES")
			}
		}
		return args
	}
	return append([]string{"HSCAN", k, g.pick("0", "0", "0", "abc")}, g.scanOpts()...)
}

// listCommand returns a list command.
func (g *cmdGen) listCommand(k string) []string {
	switch g.rng.IntN(21) {
	case 0, 1, 2:
		return append([]string{g.pick("LPUSH", "RPUSH")}, append([]string{k}, g.members(1, 3)...)...)
	case 3:
		return append([]string{g.pick("LPUSHX", "RPUSHX")}, append([]string{k}, g.members(1, 2)...)...)
	case 4, 5:
		args := []string{g.pick("LPOP", "RPOP"), k}
		if g.chance(50) {
			args = append(args, g.count())
		}
		return args
	case 6:
		return []string{"LLEN", k}
	case 7, 8:
		return []string{"LRANGE", k, g.index(), g.index()}
	case 9:
		return []string{"LINDEX", k, g.index()}
	case 10:
		return []string{"LSET", k, g.index(), g.member()}
	case 11:
		return []string{"LINSERT", k, g.pick("BEFORE", "AFTER", "BEFORE", "AFTER", "MIDDLE"), g.member(), g.member()}
	case 12:
		return []string{"LREM", k, g.pick("0", "1", "2", "-1", "-2", "abc"), g.member()}
	case 13:
		return []string{"LTRIM", k, g.index(), g.index()}
	case 14, 15:
		args := []string{"LPOS", k, g.member()}
		if g.chance(40) {
			args = append(args, "RANK", g.pick("1", "2", "-1", "-2", "0", "abc"))
		}
		if g.chance(40) {
			args = append(args, "COUNT", g.pick("0", "1", "2", "-1"))
		}
		if g.chance(30) {
			args = append(args, "MAXLEN", g.pick("0", "1", "3", "-1"))
		}
		return args
	case 16, 17:
		return []string{"LMOVE", k, g.key(), g.side(), g.side()}
	case 18:
		return []string{"RPOPLPUSH", k, g.key()}
	}
	args := append([]string{"LMPOP"}, g.numKeys(1, 3)...)
	args = append(args, g.pick("LEFT", "RIGHT", "LEFT", "RIGHT", "UP"))
	if g.chance(50) {
		args = append(args, "COUNT", g.count())
	}
	return args
}

// setCommand returns a set command.
func (g *cmdGen) setCommand(k string) []string {
	switch g.rng.IntN(19) {
	case 0, 1, 2:
		return append([]string{"SADD", k}, g.members(1, 4)...)
	case 3:
		return append([]string{"SREM", k}, g.members(1, 3)...)
	case 4:
		return []string{"SMEMBERS", k}
	case 5:
		return []string{"SISMEMBER", k, g.member()}
	case 6:
		return append([]string{"SMISMEMBER", k}, g.members(1, 3)...)
	case 7:
		return []string{"SCARD", k}
	case 8:
		// Only whole sets: see cmdGen.
		return []string{"SPOP", k, g.pick("1000", "1000", "1000", "-1", "abc", "0")}
	case 9, 10:
		args := []string{"SRANDMEMBER", k}
		if g.chance(70) {
			args = append(args, g.pick("1", "2", "5", "10", "-2", "-7", "0", "abc"))
		}
		return args
	case 11:
		return []string{"SMOVE", k, g.key(), g.member()}
	case 12, 13:
		return append([]string{g.pick("SINTER", "SUNION", "SDIFF")}, g.keys(1, 3)...)
	case 14, 15:
		return append([]string{g.pick("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), k}, g.keys(1, 3)...)
	case 16:
		args := append([]string{"SINTERCARD"}, g.numKeys(1, 3)...)
		if g.chance(40) {
			args = append(args, "LIMIT", g.pick("0", "1", "2", "-1"))
		}
		return args
	}
	return append([]string{"SSCAN", k, g.pick("0", "0", "0", "abc")}, g.scanOpts()...)
}

// zsetCommand returns a sorted-set command.
func (g *cmdGen) zsetCommand(k string) []string {
	switch g.rng.IntN(31) {
	case 0, 1, 2:
		args := []string{"ZADD", k}
		if g.chance(30) {
			args = append(args, strings.Fields(g.pick("NX", "XX", "GT", "LT", "CH", "GT CH", "XX LT", "NX GT"))...)
		}
		if g.chance(10) {
			return append(args, "INCR", g.score(), g.member())
		}
		for i := 1 + g.rng.IntN(3); i > 0; i-- {
			args = append(args, g.score(), g.member())
		}
		return args
	case 3:
		return []string{"ZINCRBY", k, g.score(), g.member()}
	case 4:
		return []string{"ZSCORE", k, g.member()}
	case 5:
		return append([]string{"ZMSCORE", k}, g.members(1, 3)...)
	case 6:
		return []string{"ZCARD", k}
	case 7:
		return []string{"ZCOUNT", k, g.scoreBound(), g.scoreBound()}
	case 8, 9:
		return g.zrange("ZRANGE", k)
	case 10:
		return g.zrange(g.pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZREVRANGE"), k)
	case 11:
		args := g.zrange("ZRANGESTORE", k)
		return append([]string{"ZRANGESTORE", g.key()}, args[1:]...)
	case 12:
		return []string{g.pick("ZRANK", "ZREVRANK"), k, g.member()}
	case 13:
		return append([]string{"ZREM", k}, g.members(1, 3)...)
	case 14:
		return []string{"ZREMRANGEBYRANK", k, g.index(), g.index()}
	case 15:
		return []string{"ZREMRANGEBYSCORE", k, g.scoreBound(), g.scoreBound()}
	case 16:
		args := []string{g.pick("ZPOPMIN", "ZPOPMAX"), k}
		if g.chance(50) {
			args = append(args, g.count())
		}
		return args
	case 17:
		args := append([]string{"ZMPOP"}, g.numKeys(1, 3)...)
		args = append(args, g.pick("MIN", "MAX", "MIN", "MAX", "MIDDLE"))
		if g.chance(50) {
			args = append(args, "COUNT", g.count())
		}
		return args
	case 18:
		args := []string{"ZRANDMEMBER", k}
		if g.chance(70) {
			args = append(args, g.pick("1", "2", "5", "10", "-2", "-7", "0", "abc"))
			if g.chance(50) {
				args = append(args, "WITHSCORES")
			}
		}
		return args
	case 19, 20:
		name := g.pick("ZUNION", "ZINTER", "ZDIFF")
		return append([]string{name}, g.zalgebra(name, true)...)
	case 21:
		name := g.pick("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE")
		return append([]string{name, k}, g.zalgebra(name, false)...)
	case 22:
		args := append([]string{"ZINTERCARD"}, g.numKeys(1, 3)...)
		if g.chance(40) {
			args = append(args, "LIMIT", g.pick("0", "1", "2", "-1"))
		}
		return args
	case 23:
		return append([]string{"ZSCAN", k, g.pick("0", "0", "0", "abc")}, g.scanOpts()...)
	}
	return g.zlex()
}

// zrange returns ZRANGE (or one of its older forms) over k.
func (g *cmdGen) zrange(name, k string) []string {
	byScore := name == "ZRANGEBYSCORE" || name == "ZREVRANGEBYSCORE" ||
		((name == "ZRANGE" || name == "ZRANGESTORE") && g.chance(40))
	args := []string{name, k}
	if byScore {
		args = append(args, g.scoreBound(), g.scoreBound())
	} else {
		args = append(args, g.index(), g.index())
	}
	if name == "ZRANGE" || name == "ZRANGESTORE" {
		if byScore {
			args = append(args, "BYSCORE")
		}
		if g.chance(30) {
			args = append(args, "REV")
		}
	}
	if (byScore || g.chance(5)) && g.chance(40) {
		args = append(args, "LIMIT", g.pick("0", "1", "2", "-1"), g.pick("1", "2", "-1", "0"))
	}
	if name != "ZRANGESTORE" && g.chance(40) {
		args = append(args, "WITHSCORES")
	}
	return args
}

// zalgebra returns the arguments of ZUNION, ZINTER, ZDIFF (and their
// STORE forms) after the name (and destination).
func (g *cmdGen) zalgebra(name string, withScores bool) []string {
	args := g.numKeys(1, 3)
	isDiff := strings.HasPrefix(name, "ZDIFF")
	if (!isDiff || g.chance(5)) && g.chance(40) {
		args = append(args, "WEIGHTS")
		n, _ := strconv.Atoi(args[0])
		if g.chance(10) {
			n++
		}
		for i := 0; i < n && i < 4; i++ {
			args = append(args, g.pick("1", "2", "0", "-1", "0.5", "inf", "abc"))
		}
	}
	if (!isDiff || g.chance(5)) && g.chance(30) {
		args = append(args, "AGGREGATE", g.pick("SUM", "MIN", "MAX", "AVG"))
	}
	if withScores && g.chance(50) {
		args = append(args, "WITHSCORES")
	}
	return args
}

// zlex returns a lex-range command on the key "zlex", whose members all
// have score 0 (see cmdGen).
func (g *cmdGen) zlex() []string {
	const k = "zlex"
	switch g.rng.IntN(7) {
	case 0, 1:
		args := []string{"ZADD", k}
		for i := 1 + g.rng.IntN(3); i > 0; i-- {
			args = append(args, "0", g.pick("a", "b", "c", "d", "e", "f", "aa", "", "x"))
		}
		return args
	case 2:
		return []string{"ZLEXCOUNT", k, g.lexBound(), g.lexBound()}
	case 3:
		args := []string{g.pick("ZRANGEBYLEX", "ZREVRANGEBYLEX"), k, g.lexBound(), g.lexBound()}
		if g.chance(30) {
			args = append(args, "LIMIT", g.pick("0", "1", "-1"), g.pick("1", "2", "-1"))
		}
		return args
	case 4:
		args := []string{"ZRANGE", k, g.lexBound(), g.lexBound(), "BYLEX"}
		if g.chance(30) {
			args = append(args, "REV")
		}
		return args
	case 5:
		return []string{"ZREMRANGEBYLEX", k, g.lexBound(), g.lexBound()}
	}
	return []string{"ZRANGE", k, "0", "-1", "WITHSCORES"}
}

// blockingCommand returns a blocking pop with a short timeout. Mostly it
// first returns a push to the key the pop will find, and queues the pop.
func (g *cmdGen) blockingCommand(k string) []string {
	var pop []string
	zset := g.chance(40)
	if zset {
		switch g.rng.IntN(3) {
		case 0:
			pop = append(append([]string{"BZPOPMIN", k}, g.keys(0, 1)...), g.timeout())
		case 1:
			pop = append(append([]string{"BZPOPMAX", k}, g.keys(0, 1)...), g.timeout())
		default:
			keys := append([]string{k}, g.keys(0, 1)...)
			pop = append([]string{"BZMPOP", g.timeout(), strconv.Itoa(len(keys))}, keys...)
			pop = append(pop, g.pick("MIN", "MAX"))
			if g.chance(50) {
				pop = append(pop, "COUNT", g.count())
			}
		}
	} else {
		switch g.rng.IntN(5) {
		case 0:
			pop = append(append([]string{"BLPOP", k}, g.keys(0, 1)...), g.timeout())
		case 1:
			pop = append(append([]string{"BRPOP", k}, g.keys(0, 1)...), g.timeout())
		case 2:
			pop = []string{"BLMOVE", k, g.key(), g.side(), g.side(), g.timeout()}
		case 3:
			pop = []string{"BRPOPLPUSH", k, g.key(), g.timeout()}
		default:
			keys := append([]string{k}, g.keys(0, 1)...)
			pop = append([]string{"BLMPOP", g.timeout(), strconv.Itoa(len(keys))}, keys...)
			pop = append(pop, g.side())
			if g.chance(50) {
				pop = append(pop, "COUNT", g.count())
			}
		}
	}
	if g.chance(20) {
		return pop
	}
	g.pending = append(g.pending, pop)
	if zset {
		return []string{"ZADD", k, g.score(), g.member()}
	}
	return []string{g.pick("LPUSH", "RPUSH"), k, g.member()}
}
