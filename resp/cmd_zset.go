package resp

import (
	"math"
	"strconv"
	"strings"

	"github.com/kvnode/kvnode/engine"
)

// Sorted set commands. Replies, errors and their order follow Redis 7.0's
// t_zset.c: scores are RESP3 doubles (bulk strings formatted with %.17g in
// RESP2), and WITHSCORES replies are flat in RESP2 and arrays of
// [member, score] pairs in RESP3. Costs are documented in engine/zset.go.

func zsetCommands() []*Command {
	ro := FlagReadonly
	w := FlagWrite | FlagDenyOOM
	g := "sorted_set"
	return []*Command{
		{Name: "zadd", Arity: -4, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZAdd, Group: g},
		{Name: "zincrby", Arity: 4, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZIncrBy, Group: g},
		{Name: "zscore", Arity: 3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZScore, Group: g},
		{Name: "zmscore", Arity: -3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZMScore, Group: g},
		{Name: "zcard", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZCard, Group: g},
		{Name: "zcount", Arity: 4, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZCount, Group: g},
		{Name: "zlexcount", Arity: 4, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZLexCount, Group: g},
		{Name: "zrange", Arity: -4, Flags: ro, First: 1, Last: 1, Step: 1, Handler: zrangeHandler(1, false, zrAuto, zdAuto), Group: g},
		{Name: "zrangestore", Arity: -5, Flags: w, First: 1, Last: 2, Step: 1, Handler: zrangeHandler(2, true, zrAuto, zdAuto), Group: g},
		{Name: "zrevrange", Arity: -4, Flags: ro, First: 1, Last: 1, Step: 1, Handler: zrangeHandler(1, false, zrRank, zdReverse), Group: g},
		{Name: "zrangebyscore", Arity: -4, Flags: ro, First: 1, Last: 1, Step: 1, Handler: zrangeHandler(1, false, zrScore, zdForward), Group: g},
		{Name: "zrevrangebyscore", Arity: -4, Flags: ro, First: 1, Last: 1, Step: 1, Handler: zrangeHandler(1, false, zrScore, zdReverse), Group: g},
		{Name: "zrangebylex", Arity: -4, Flags: ro, First: 1, Last: 1, Step: 1, Handler: zrangeHandler(1, false, zrLex, zdForward), Group: g},
		{Name: "zrevrangebylex", Arity: -4, Flags: ro, First: 1, Last: 1, Step: 1, Handler: zrangeHandler(1, false, zrLex, zdReverse), Group: g},
		{Name: "zrank", Arity: 3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZRank, Group: g},
		{Name: "zrevrank", Arity: 3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZRank, Group: g},
		{Name: "zrem", Arity: -3, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZRem, Group: g},
		{Name: "zremrangebyrank", Arity: 4, Flags: FlagWrite, First: 1, Last: 1, Step: 1, Handler: cmdZRemRange, Group: g},
		{Name: "zremrangebyscore", Arity: 4, Flags: FlagWrite, First: 1, Last: 1, Step: 1, Handler: cmdZRemRange, Group: g},
		{Name: "zremrangebylex", Arity: 4, Flags: FlagWrite, First: 1, Last: 1, Step: 1, Handler: cmdZRemRange, Group: g},
		{Name: "zpopmin", Arity: -2, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZPop, Group: g},
		{Name: "zpopmax", Arity: -2, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdZPop, Group: g},
		{Name: "zmpop", Arity: -4, Flags: FlagWrite, KeysFn: zsetNumKeysAt(1, false), Handler: cmdZMPop, Group: g},
		{Name: "zrandmember", Arity: -2, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdZRandMember, Group: g},
		{Name: "zunion", Arity: -3, Flags: ro, KeysFn: zsetNumKeysAt(1, false), Handler: zalgebraHandler(engine.ZUnion, false, false), Group: g},
		{Name: "zinter", Arity: -3, Flags: ro, KeysFn: zsetNumKeysAt(1, false), Handler: zalgebraHandler(engine.ZInter, false, false), Group: g},
		{Name: "zdiff", Arity: -3, Flags: ro, KeysFn: zsetNumKeysAt(1, false), Handler: zalgebraHandler(engine.ZDiff, false, false), Group: g},
		{Name: "zintercard", Arity: -3, Flags: ro, KeysFn: zsetNumKeysAt(1, false), Handler: zalgebraHandler(engine.ZInter, false, true), Group: g},
		{Name: "zunionstore", Arity: -4, Flags: w, First: 1, Last: 1, Step: 1, KeysFn: zsetNumKeysAt(2, true), Handler: zalgebraHandler(engine.ZUnion, true, false), Group: g},
		{Name: "zinterstore", Arity: -4, Flags: w, First: 1, Last: 1, Step: 1, KeysFn: zsetNumKeysAt(2, true), Handler: zalgebraHandler(engine.ZInter, true, false), Group: g},
		{Name: "zdiffstore", Arity: -4, Flags: w, First: 1, Last: 1, Step: 1, KeysFn: zsetNumKeysAt(2, true), Handler: zalgebraHandler(engine.ZDiff, true, false), Group: g},
		{Name: "zscan", Arity: -3, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdZScan, Group: g},
		{Name: "bzpopmin", Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking | FlagFast, First: 1, Last: -2, Step: 1, Handler: cmdBZPop, Group: g},
		{Name: "bzpopmax", Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking | FlagFast, First: 1, Last: -2, Step: 1, Handler: cmdBZPop, Group: g},
		{Name: "bzmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, KeysFn: zsetNumKeysAt(2, false), Handler: cmdBZMPop, Group: g},
	}
}

// zsetNumKeysAt returns the key positions of a command whose numkeys
// argument is at i, followed by that many keys; withDest adds the
// destination key at 1 (ZUNIONSTORE …). nil for a malformed numkeys.
func zsetNumKeysAt(i int, withDest bool) func(args [][]byte) []int {
	return func(args [][]byte) []int {
		if i >= len(args) {
			return nil
		}
		n, ok := argInt(args[i])
		if !ok || n <= 0 || n > int64(len(args)-1-i) {
			return nil
		}
		out := make([]int, 0, n+1)
		if withDest {
			out = append(out, 1)
		}
		for j := 0; j < int(n); j++ {
			out = append(out, i+1+j)
		}
		return out
	}
}

// Number parsing, as C's strtod reads it: Redis parses scores with
// strtod, which takes hexadecimal ("0x1p3"), "inf"/"infinity" in any case,
// and leading white space.

func zIsSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\v' || b == '\f' || b == '\r'
}

// zstrtod parses b as strtod does and reports whether the whole of b was
// consumed (strtod's end pointer at the terminating NUL) and whether the
// result over- or underflowed (ERANGE). An empty b parses as 0, entirely
// consumed (no conversion leaves the end pointer at the start).
func zstrtod(b []byte) (f float64, full, erange bool) {
	s := string(b)
	i := 0
	for i < len(s) && zIsSpace(s[i]) {
		i++
	}
	t := s[i:]
	neg := false
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	lower := strings.ToLower(t)
	switch {
	case lower == "inf" || lower == "infinity":
		if neg {
			return math.Inf(-1), true, false
		}
		return math.Inf(1), true, false
	case strings.HasPrefix(lower, "nan"):
		return math.NaN(), true, false // refused by every caller
	case strings.HasPrefix(lower, "0x"):
		f, ok := zparseHex(lower[2:])
		if !ok {
			return 0, len(b) == 0, false
		}
		if neg {
			f = -f
		}
		return f, true, math.IsInf(f, 0)
	}
	// decimal: digits [. digits] [e [sign] digits], at least one digit
	j, digits, nonzero := 0, 0, false
	for j < len(t) && t[j] >= '0' && t[j] <= '9' {
		nonzero = nonzero || t[j] != '0'
		j++
		digits++
	}
	if j < len(t) && t[j] == '.' {
		j++
		for j < len(t) && t[j] >= '0' && t[j] <= '9' {
			nonzero = nonzero || t[j] != '0'
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, len(b) == 0, false
	}
	if j < len(t) && (t[j] == 'e' || t[j] == 'E') {
		k := j + 1
		if k < len(t) && (t[k] == '+' || t[k] == '-') {
			k++
		}
		d := k
		for k < len(t) && t[k] >= '0' && t[k] <= '9' {
			k++
		}
		if k > d {
			j = k
		}
	}
	if j != len(t) {
		return 0, false, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false, false
	}
	if neg {
		f = -f
	}
	return f, true, math.IsInf(f, 0) || (f == 0 && nonzero)
}

// zparseHex parses the part of a hexadecimal float after "0x": hex digits
// with an optional point, at least one digit, then an optional binary
// exponent "p[sign]digits".
func zparseHex(t string) (float64, bool) {
	isHex := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }
	j, digits := 0, 0
	for j < len(t) && isHex(t[j]) {
		j++
		digits++
	}
	if j < len(t) && t[j] == '.' {
		j++
		for j < len(t) && isHex(t[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	mant, exp := t[:j], "0"
	if j < len(t) && t[j] == 'p' {
		k := j + 1
		if k < len(t) && (t[k] == '+' || t[k] == '-') {
			k++
		}
		d := k
		for k < len(t) && t[k] >= '0' && t[k] <= '9' {
			k++
		}
		if k == d {
			return 0, false
		}
		exp, j = t[j+1:k], k
	}
	if j != len(t) {
		return 0, false
	}
	f, err := strconv.ParseFloat("0x"+mant+"p"+exp, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// zparseDouble parses a score or weight as Redis' getDoubleFromObject: the
// whole argument, no leading space, no NaN, no overflow and no underflow
// to zero.
func zparseDouble(b []byte) (float64, bool) {
	if len(b) == 0 || zIsSpace(b[0]) {
		return 0, false
	}
	f, full, erange := zstrtod(b)
	if !full || math.IsNaN(f) || (erange && (math.IsInf(f, 0) || f == 0)) {
		return 0, false
	}
	return f, true
}

// zparseRangeScore parses one end of a score range as zslParseRange: an
// optional "(" then what strtod takes (overflow is ±inf, "" is 0), no NaN.
func zparseRangeScore(b []byte) (f float64, ex, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	f, full, _ := zstrtod(b)
	if !full || math.IsNaN(f) {
		return 0, false, false
	}
	return f, ex, true
}

func zparseScoreRange(min, max []byte) (engine.ZScoreRange, bool) {
	var r engine.ZScoreRange
	var ok1, ok2 bool
	r.Min, r.MinEx, ok1 = zparseRangeScore(min)
	r.Max, r.MaxEx, ok2 = zparseRangeScore(max)
	return r, ok1 && ok2
}

// zparseLexBound parses one end of a lex range: "-", "+", "[member" or
// "(member".
func zparseLexBound(b []byte) (engine.ZLexBound, bool) {
	if len(b) == 0 {
		return engine.ZLexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) != 1 {
			return engine.ZLexBound{}, false
		}
		inf := 1
		if b[0] == '-' {
			inf = -1
		}
		return engine.ZLexBound{Inf: inf, Ex: true}, true
	case '(':
		return engine.ZLexBound{Value: b[1:], Ex: true}, true
	case '[':
		return engine.ZLexBound{Value: b[1:]}, true
	}
	return engine.ZLexBound{}, false
}

func zparseLexRange(min, max []byte) (engine.ZLexRange, bool) {
	lo, ok1 := zparseLexBound(min)
	hi, ok2 := zparseLexBound(max)
	return engine.ZLexRange{Min: lo, Max: hi}, ok1 && ok2
}

// zpositive parses a count as getPositiveLongFromObjectOrReply, whose
// one error covers non-numbers too.
func zpositive(b []byte) (int64, string) {
	n, ok := argInt(b)
	if !ok || n < 0 {
		return 0, errZPositive
	}
	return n, ""
}

// Reply helpers.

// zwriteMembers writes members, with their scores when withScores: flat in
// RESP2, [member, score] pairs in RESP3.
func (c *Client) zwriteMembers(ms []engine.ZMember, withScores bool) {
	nested := withScores && c.w.proto == 3
	if withScores && !nested {
		c.w.Array(2 * len(ms))
	} else {
		c.w.Array(len(ms))
	}
	for _, m := range ms {
		if nested {
			c.w.Array(2)
		}
		c.w.Bulk(m.Member)
		if withScores {
			c.w.Double(m.Score)
		}
	}
}

// ZADD / ZINCRBY.

func cmdZAdd(c *Client, args [][]byte)    { zaddGeneric(c, args, false) }
func cmdZIncrBy(c *Client, args [][]byte) { zaddGeneric(c, args, true) }

// zaddGeneric is zaddGenericCommand: ZINCRBY is ZADD with INCR and parses
// the same options.
func zaddGeneric(c *Client, args [][]byte, incr bool) {
	var o engine.ZAddOptions
	o.Incr = incr
	ch := false
	i := 2
loop:
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case eq(a, "nx"):
			o.NX = true
		case eq(a, "xx"):
			o.XX = true
		case eq(a, "ch"):
			ch = true
		case eq(a, "incr"):
			o.Incr = true
		case eq(a, "gt"):
			o.GT = true
		case eq(a, "lt"):
			o.LT = true
		default:
			break loop
		}
	}
	rest := args[i:]
	if len(rest) == 0 || len(rest)%2 != 0 {
		c.w.Error(errSyntax)
		return
	}
	switch {
	case o.NX && o.XX:
		c.w.Error(errZAddNXXX)
		return
	case (o.GT && o.NX) || (o.LT && o.NX) || (o.GT && o.LT):
		c.w.Error(errZAddGTLTNX)
		return
	case o.Incr && len(rest) > 2:
		c.w.Error(errZAddIncrPair)
		return
	}
	pairs := make([]engine.ZMember, len(rest)/2)
	for j := range pairs {
		f, ok := zparseDouble(rest[2*j])
		if !ok {
			c.w.Error(errNotFloat)
			return
		}
		pairs[j] = engine.ZMember{Score: f, Member: rest[2*j+1]}
	}
	r, err := c.db.ZAdd(args[1], o, pairs)
	switch {
	case err != nil:
		c.replyErr(err)
	case o.Incr && r.Done:
		c.w.Double(r.Score)
	case o.Incr:
		c.w.Null()
	case ch:
		c.w.Int(r.Added + r.Updated)
	default:
		c.w.Int(r.Added)
	}
}

func cmdZScore(c *Client, args [][]byte) {
	s, ok, err := c.db.ZScore(args[1], args[2])
	switch {
	case err != nil:
		c.replyErr(err)
	case !ok:
		c.w.Null()
	default:
		c.w.Double(s)
	}
}

func cmdZMScore(c *Client, args [][]byte) {
	scores, found, err := c.db.ZMScore(args[1], args[2:])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Array(len(scores))
	for i, s := range scores {
		if found[i] {
			c.w.Double(s)
		} else {
			c.w.Null()
		}
	}
}

func cmdZCard(c *Client, args [][]byte) {
	c.intReply(c.db.ZCard(args[1]))
}

func cmdZCount(c *Client, args [][]byte) {
	r, ok := zparseScoreRange(args[2], args[3])
	if !ok {
		c.w.Error(errZMinMaxFloat)
		return
	}
	c.intReply(c.db.ZCount(args[1], r))
}

func cmdZLexCount(c *Client, args [][]byte) {
	r, ok := zparseLexRange(args[2], args[3])
	if !ok {
		c.w.Error(errZMinMaxLex)
		return
	}
	c.intReply(c.db.ZLexCount(args[1], r))
}

// ZRANGE and its older forms.

type zrangeType int

const (
	zrAuto zrangeType = iota
	zrRank
	zrScore
	zrLex
)

type zrangeDir int

const (
	zdAuto zrangeDir = iota
	zdForward
	zdReverse
)

// zrangeHandler is zrangeGenericCommand: argStart is the source key's
// position; store is ZRANGESTORE; rt and dir are fixed by the older
// commands and chosen by options for ZRANGE.
func zrangeHandler(argStart int, store bool, rt zrangeType, dir zrangeDir) Handler {
	return func(c *Client, args [][]byte) {
		key := args[argStart]
		minArg, maxArg := args[argStart+1], args[argStart+2]
		rt, dir := rt, dir
		withScores := false
		var offset int64
		limit := int64(-1)
		hasLimit := false
		for j := argStart + 3; j < len(args); j++ {
			left := len(args) - j - 1
			a := args[j]
			switch {
			case !store && eq(a, "withscores"):
				withScores = true
			case eq(a, "limit") && left >= 2:
				o, ok1 := argInt(args[j+1])
				if !ok1 {
					c.w.Error(errNotInteger)
					return
				}
				l, ok2 := argInt(args[j+2])
				if !ok2 {
					c.w.Error(errNotInteger)
					return
				}
				offset, limit, hasLimit = o, l, true
				j += 2
			case dir == zdAuto && eq(a, "rev"):
				dir = zdReverse
			case rt == zrAuto && eq(a, "bylex"):
				rt = zrLex
			case rt == zrAuto && eq(a, "byscore"):
				rt = zrScore
			default:
				c.w.Error(errSyntax)
				return
			}
		}
		if dir == zdAuto {
			dir = zdForward
		}
		if rt == zrAuto {
			rt = zrRank
		}
		if limit != -1 && rt == zrRank {
			c.w.Error(errZLimitRank)
			return
		}
		if withScores && rt == zrLex {
			c.w.Error(errZWithScoresLex)
			return
		}
		spec := engine.ZRangeSpec{Rev: dir == zdReverse, Limit: hasLimit, Offset: offset, Count: limit}
		if spec.Rev && rt != zrRank {
			minArg, maxArg = maxArg, minArg // given as max, min
		}
		switch rt {
		case zrRank:
			spec.Kind = engine.ZByRank
			var ok1, ok2 bool
			spec.Start, ok1 = argInt(minArg)
			if !ok1 {
				c.w.Error(errNotInteger)
				return
			}
			spec.Stop, ok2 = argInt(maxArg)
			if !ok2 {
				c.w.Error(errNotInteger)
				return
			}
		case zrScore:
			spec.Kind = engine.ZByScore
			r, ok := zparseScoreRange(minArg, maxArg)
			if !ok {
				c.w.Error(errZMinMaxFloat)
				return
			}
			spec.Score = r
		case zrLex:
			spec.Kind = engine.ZByLex
			r, ok := zparseLexRange(minArg, maxArg)
			if !ok {
				c.w.Error(errZMinMaxLex)
				return
			}
			spec.Lex = r
		}
		if store {
			n, err := c.db.ZRangeStore(args[1], key, spec)
			if err != nil {
				c.replyErr(err)
				return
			}
			c.w.Int(n)
			return
		}
		ms, err := c.db.ZRange(key, spec)
		if err != nil {
			c.replyErr(err)
			return
		}
		c.zwriteMembers(ms, withScores)
	}
}

func cmdZRank(c *Client, args [][]byte) {
	rank, ok, err := c.db.ZRank(args[1], args[2], eq(args[0], "zrevrank"))
	switch {
	case err != nil:
		c.replyErr(err)
	case !ok:
		c.w.Null()
	default:
		c.w.Int(rank)
	}
}

func cmdZRem(c *Client, args [][]byte) {
	c.intReply(c.db.ZRem(args[1], args[2:]))
}

// cmdZRemRange is zremrangeGenericCommand.
func cmdZRemRange(c *Client, args [][]byte) {
	var spec engine.ZRangeSpec
	switch {
	case eq(args[0], "zremrangebyrank"):
		spec.Kind = engine.ZByRank
		var ok bool
		if spec.Start, ok = argInt(args[2]); !ok {
			c.w.Error(errNotInteger)
			return
		}
		if spec.Stop, ok = argInt(args[3]); !ok {
			c.w.Error(errNotInteger)
			return
		}
	case eq(args[0], "zremrangebyscore"):
		spec.Kind = engine.ZByScore
		r, ok := zparseScoreRange(args[2], args[3])
		if !ok {
			c.w.Error(errZMinMaxFloat)
			return
		}
		spec.Score = r
	default:
		spec.Kind = engine.ZByLex
		r, ok := zparseLexRange(args[2], args[3])
		if !ok {
			c.w.Error(errZMinMaxLex)
			return
		}
		spec.Lex = r
	}
	c.intReply(c.db.ZRemRange(args[1], spec))
}

// Pops.

// ZPOPMIN/ZPOPMAX key [count]
func cmdZPop(c *Client, args [][]byte) {
	if len(args) > 3 {
		c.w.Error(errSyntax)
		return
	}
	count := int64(-1)
	if len(args) == 3 {
		n, e := zpositive(args[2])
		if e != "" {
			c.w.Error(e)
			return
		}
		count = n
	}
	max := eq(args[0], "zpopmax")
	n := count
	if n == -1 {
		n = 1
	}
	_, ms, err := c.db.ZPop(args[1:2], max, n, false)
	if err != nil {
		c.replyErr(err)
		return
	}
	// Flat unless RESP3 with a count.
	nested := c.w.proto == 3 && count != -1
	if nested {
		c.w.Array(len(ms))
	} else {
		c.w.Array(2 * len(ms))
	}
	for _, m := range ms {
		if nested {
			c.w.Array(2)
		}
		c.w.Bulk(m.Member)
		c.w.Double(m.Score)
	}
}

// zmpopArgs parses ZMPOP/BZMPOP's numkeys key… MIN|MAX [COUNT count] with
// numkeys at i, as zmpopGenericCommand.
func zmpopArgs(args [][]byte, i int) (keys [][]byte, max bool, count int64, e string) {
	n, ok := argInt(args[i])
	if !ok || n < 1 {
		return nil, false, 0, errZNumKeys
	}
	whereIdx := int64(i) + n + 1
	if whereIdx >= int64(len(args)) {
		return nil, false, 0, errSyntax
	}
	switch {
	case eq(args[whereIdx], "min"):
	case eq(args[whereIdx], "max"):
		max = true
	default:
		return nil, false, 0, errSyntax
	}
	count = -1
	for j := int(whereIdx) + 1; j < len(args); j++ {
		more := len(args) - 1 - j
		if count == -1 && eq(args[j], "count") && more > 0 {
			j++
			c, ok := argInt(args[j])
			if !ok || c < 1 {
				return nil, false, 0, errZCount
			}
			count = c
			continue
		}
		return nil, false, 0, errSyntax
	}
	if count == -1 {
		count = 1
	}
	return args[i+1 : whereIdx], max, count, ""
}

// zwriteKeyMembers writes ZMPOP's reply: [key, [[member, score], …]].
func (c *Client) zwriteKeyMembers(key []byte, ms []engine.ZMember) {
	c.w.Array(2)
	c.w.Bulk(key)
	c.w.Array(len(ms))
	for _, m := range ms {
		c.w.Array(2)
		c.w.Bulk(m.Member)
		c.w.Double(m.Score)
	}
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
func cmdZMPop(c *Client, args [][]byte) {
	keys, max, count, e := zmpopArgs(args, 1)
	if e != "" {
		c.w.Error(e)
		return
	}
	key, ms, err := c.db.ZPop(keys, max, count, false)
	switch {
	case err != nil:
		c.replyErr(err)
	case key == nil:
		c.w.NullArray()
	default:
		c.zwriteKeyMembers(key, ms)
	}
}

// zpopTry builds a blockOn attempt: the first attempt reports a key of the
// wrong type as Redis does before blocking; later attempts pass over such
// keys, since Redis serves a blocked client only from sorted sets. Errors
// are replies and end the wait.
func (c *Client) zpopTry(keys [][]byte, max bool, count int64, reply func(key []byte, ms []engine.ZMember)) func() bool {
	first := true
	return func() bool {
		skip := !first
		first = false
		key, ms, err := c.db.ZPop(keys, max, count, skip)
		if err != nil {
			c.replyErr(err)
			return true
		}
		if key == nil {
			return false
		}
		reply(key, ms)
		return true
	}
}

// BZPOPMIN/BZPOPMAX key [key ...] timeout
func cmdBZPop(c *Client, args [][]byte) {
	timeout, e := parseTimeout(args[len(args)-1])
	if e != "" {
		c.w.Error(e)
		return
	}
	keys := args[1 : len(args)-1]
	max := eq(args[0], "bzpopmax")
	c.blockOn(keys, timeout, c.zpopTry(keys, max, 1, func(key []byte, ms []engine.ZMember) {
		c.w.Array(1 + 2*len(ms))
		c.w.Bulk(key)
		for _, m := range ms {
			c.w.Bulk(m.Member)
			c.w.Double(m.Score)
		}
	}), c.w.NullArray)
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
func cmdBZMPop(c *Client, args [][]byte) {
	keys, max, count, e := zmpopArgs(args, 2)
	if e != "" {
		c.w.Error(e)
		return
	}
	timeout, e := parseTimeout(args[1])
	if e != "" {
		c.w.Error(e)
		return
	}
	c.blockOn(keys, timeout, c.zpopTry(keys, max, count, c.zwriteKeyMembers), c.w.NullArray)
}

// ZRANDMEMBER key [count [WITHSCORES]]
func cmdZRandMember(c *Client, args [][]byte) {
	if len(args) == 2 {
		m, ok, err := c.db.ZRandMember(args[1])
		c.bulkOrNullZ(m, ok, err)
		return
	}
	n, ok := argInt(args[2])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	if n == math.MinInt64 {
		c.w.Error(errZRandRange)
		return
	}
	if len(args) > 4 || (len(args) == 4 && !eq(args[3], "withscores")) {
		c.w.Error(errSyntax)
		return
	}
	ms, err := c.db.ZRandMembers(args[1], n)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.zwriteMembers(ms, len(args) == 4)
}

func (c *Client) bulkOrNullZ(v []byte, ok bool, err error) {
	switch {
	case err != nil:
		c.replyErr(err)
	case !ok:
		c.w.Null()
	default:
		c.w.Bulk(v)
	}
}

// The algebra: ZUNION, ZINTER, ZDIFF, ZINTERCARD and the STORE forms.

// zalgebraHandler is zunionInterDiffGenericCommand.
func zalgebraHandler(op engine.ZSetOp, store, cardOnly bool) Handler {
	return func(c *Client, args [][]byte) {
		numIdx := 1
		if store {
			numIdx = 2
		}
		n, ok := argInt(args[numIdx])
		if !ok {
			c.w.Error(errNotInteger)
			return
		}
		if n < 1 {
			c.w.Error(errZAtLeastOneKey(lowerName(args[0])))
			return
		}
		if n > int64(len(args)-(numIdx+1)) {
			c.w.Error(errSyntax)
			return
		}
		keys := args[numIdx+1 : numIdx+1+int(n)]
		var weights []float64
		agg := engine.ZAggSum
		withScores := false
		var limit int64
		e := ""
		for j := numIdx + 1 + int(n); j < len(args) && e == ""; {
			remaining := len(args) - j
			a := args[j]
			switch {
			case op != engine.ZDiff && !cardOnly && remaining >= int(n)+1 && eq(a, "weights"):
				j++
				weights = make([]float64, n)
				for i := range weights {
					f, ok := zparseDouble(args[j])
					if !ok {
						e = errZWeightFloat
						break
					}
					weights[i] = f
					j++
				}
			case op != engine.ZDiff && !cardOnly && remaining >= 2 && eq(a, "aggregate"):
				switch b := args[j+1]; {
				case eq(b, "sum"):
					agg = engine.ZAggSum
				case eq(b, "min"):
					agg = engine.ZAggMin
				case eq(b, "max"):
					agg = engine.ZAggMax
				default:
					e = errSyntax
				}
				j += 2
			case !store && !cardOnly && eq(a, "withscores"):
				withScores = true
				j++
			case cardOnly && remaining >= 2 && eq(a, "limit"):
				l, ok := argInt(args[j+1])
				if !ok || l < 0 {
					e = errZLimitNegative
				}
				limit = l
				j += 2
			default:
				e = errSyntax
			}
		}
		if e != "" {
			// Redis looks the keys up (and checks their type) before it
			// parses the options.
			if err := c.db.ZCheckSources(keys); err != nil {
				c.replyErr(err)
				return
			}
			c.w.Error(e)
			return
		}
		switch {
		case cardOnly:
			card, err := c.db.ZInterCard(keys, limit)
			if err != nil {
				c.replyErr(err)
				return
			}
			c.w.Int(card)
		case store:
			cnt, err := c.db.ZSetOperationStore(args[1], op, keys, weights, agg)
			if err != nil {
				c.replyErr(err)
				return
			}
			c.w.Int(cnt)
		default:
			ms, err := c.db.ZSetOperation(op, keys, weights, agg)
			if err != nil {
				c.replyErr(err)
				return
			}
			c.zwriteMembers(ms, withScores)
		}
	}
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
func cmdZScan(c *Client, args [][]byte) {
	cursor, ok := parseScanCursor(args[2])
	if !ok {
		c.w.Error(errInvalidCursor)
		return
	}
	// Redis looks the key up before it parses the options.
	t, err := c.db.TypeOf(args[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	if t == engine.TypeNone {
		c.w.Array(2)
		c.w.BulkString("0")
		c.w.Array(0)
		return
	}
	if t != engine.TypeZSet {
		c.w.Error(errWrongType)
		return
	}
	o, errText := parseScanOptions(args, 3, false)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	next, ms, compact, err := c.db.ZScan(args[1], cursor, int(min(o.count, 1<<20)), o.matcher())
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(next, 10))
	c.w.Array(2 * len(ms))
	for _, m := range ms {
		c.w.Bulk(m.Member)
		if compact {
			c.w.BulkString(zlistpackScore(m.Score))
		} else {
			c.w.BulkString(FormatDouble(m.Score))
		}
	}
}

// zlistpackScore is a score as Redis' listpack holds it (d2string): an
// integral value within ±LLONG_MAX/2 as an integer, others with %.17g.
func zlistpackScore(f float64) string {
	if f == 0 {
		return "0" // a listpack keeps no negative zero
	}
	const lim = float64(math.MaxInt64 / 2)
	if f >= -lim && f <= lim && f == math.Trunc(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	return FormatDouble(f)
}
