package resp

import (
	"math"
	"strconv"
	"time"

	"github.com/kvnode/kvnode/engine"
)

// Generic keyspace commands (DUMP, RESTORE and OBJECT live in cmd_dump.go).

func keyCommands() []*Command {
	ro := FlagReadonly
	w := FlagWrite
	return []*Command{
		{Name: "del", Arity: -2, Flags: w, First: 1, Last: -1, Step: 1, Handler: cmdDel, Group: "generic"},
		{Name: "unlink", Arity: -2, Flags: w | FlagFast, First: 1, Last: -1, Step: 1, Handler: cmdDel, Group: "generic"},
		{Name: "exists", Arity: -2, Flags: ro | FlagFast, First: 1, Last: -1, Step: 1, Handler: cmdExists, Group: "generic"},
		{Name: "touch", Arity: -2, Flags: ro | FlagFast, First: 1, Last: -1, Step: 1, Handler: cmdExists, Group: "generic"},
		{Name: "type", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdType, Group: "generic"},
		{Name: "expire", Arity: -3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdExpire, Group: "generic"},
		{Name: "pexpire", Arity: -3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdExpire, Group: "generic"},
		{Name: "expireat", Arity: -3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdExpire, Group: "generic"},
		{Name: "pexpireat", Arity: -3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdExpire, Group: "generic"},
		{Name: "ttl", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdTTL, Group: "generic"},
		{Name: "pttl", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdTTL, Group: "generic"},
		{Name: "expiretime", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdTTL, Group: "generic"},
		{Name: "pexpiretime", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdTTL, Group: "generic"},
		{Name: "persist", Arity: 2, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdPersist, Group: "generic"},
		{Name: "rename", Arity: 3, Flags: w, First: 1, Last: 2, Step: 1, Handler: cmdRename, Group: "generic"},
		{Name: "renamenx", Arity: 3, Flags: w | FlagFast, First: 1, Last: 2, Step: 1, Handler: cmdRename, Group: "generic"},
		{Name: "copy", Arity: -3, Flags: w | FlagDenyOOM, First: 1, Last: 2, Step: 1, Handler: cmdCopy, Group: "generic"},
		{Name: "keys", Arity: 2, Flags: ro, Handler: cmdKeys, Group: "generic"},
		{Name: "scan", Arity: -2, Flags: ro, Handler: cmdScan, Group: "generic"},
		{Name: "randomkey", Arity: 1, Flags: ro, Handler: cmdRandomKey, Group: "generic"},
	}
}

func cmdDel(c *Client, args [][]byte) {
	n, err := c.db.Del(args[1:])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(n)
}

func cmdExists(c *Client, args [][]byte) {
	n, err := c.db.Exists(args[1:])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(n)
}

func cmdType(c *Client, args [][]byte) {
	t, err := c.db.TypeOf(args[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Status(t.String())
}

func cmdExpire(c *Client, args [][]byte) {
	name := lowerName(args[0])
	var nx, xx, gt, lt bool
	for _, a := range args[3:] {
		switch {
		case eq(a, "nx"):
			nx = true
		case eq(a, "xx"):
			xx = true
		case eq(a, "gt"):
			gt = true
		case eq(a, "lt"):
			lt = true
		default:
			c.w.Error("ERR Unsupported option " + string(a))
			return
		}
	}
	if nx && (xx || gt || lt) {
		c.w.Error(errExpireNXXX)
		return
	}
	if gt && lt {
		c.w.Error(errExpireGTLT)
		return
	}
	when, ok := argInt(args[2])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	seconds := name == "expire" || name == "expireat"
	var base int64
	if name == "expire" || name == "pexpire" {
		base = time.Now().UnixMilli()
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.w.Error(errInvalidExpire(name))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		c.w.Error(errInvalidExpire(name))
		return
	}
	when += base
	cond := engine.ExpireAlways
	switch {
	case nx:
		cond = engine.ExpireNX
	case xx && gt:
		cond = engine.ExpireGT // GT implies a TTL exists
	case xx && lt:
		cond = engine.ExpireXXLT
	case xx:
		cond = engine.ExpireXX
	case gt:
		cond = engine.ExpireGT
	case lt:
		cond = engine.ExpireLT
	}
	done, err := c.db.Expire(args[1], when, cond)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(b2i(done))
}

func cmdTTL(c *Client, args [][]byte) {
	name := lowerName(args[0])
	at, now, exists, err := c.db.ExpireTime(args[1])
	switch {
	case err != nil:
		c.replyErr(err)
		return
	case !exists:
		c.w.Int(-2)
		return
	case at == 0:
		c.w.Int(-1)
		return
	}
	ttl := at
	if name == "ttl" || name == "pttl" {
		ttl = max(at-now, 0)
	}
	if name == "ttl" || name == "expiretime" {
		ttl = (ttl + 500) / 1000
	}
	c.w.Int(ttl)
}

func cmdPersist(c *Client, args [][]byte) {
	ok, err := c.db.Persist(args[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(b2i(ok))
}

func cmdRename(c *Client, args [][]byte) {
	nx := eq(args[0], "renamenx")
	ok, err := c.db.Rename(args[1], args[2], nx)
	switch {
	case err != nil:
		c.replyErr(err)
	case nx:
		c.w.Int(b2i(ok))
	default:
		c.w.OK()
	}
}

func cmdCopy(c *Client, args [][]byte) {
	replace := false
	for i := 3; i < len(args); i++ {
		switch {
		case eq(args[i], "replace"):
			replace = true
		case eq(args[i], "db") && i+1 < len(args):
			db, ok := argInt(args[i+1])
			if !ok {
				c.w.Error(errNotInteger)
				return
			}
			if db != 0 {
				c.w.Error(errDBIndex)
				return
			}
			i++
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	if string(args[1]) == string(args[2]) {
		c.w.Error(errTargetSame)
		return
	}
	ok, err := c.db.Copy(args[1], args[2], replace)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(b2i(ok))
}

func cmdKeys(c *Client, args [][]byte) {
	pat := args[1]
	all := len(pat) == 1 && pat[0] == '*'
	keys, err := c.db.Keys(func(key []byte, _ engine.Type) bool {
		return all || globMatch(pat, key, false)
	})
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.BulkArray(keys)
}

func cmdScan(c *Client, args [][]byte) {
	cursor, ok := parseCursor(args[1])
	if !ok {
		c.w.Error(errInvalidCursor)
		return
	}
	count := int64(10)
	var pat []byte
	typ := ""
	for i := 2; i < len(args); i++ {
		if i+1 >= len(args) {
			c.w.Error(errSyntax)
			return
		}
		switch {
		case eq(args[i], "count"):
			n, ok := argInt(args[i+1])
			if !ok {
				c.w.Error(errNotInteger)
				return
			}
			if n < 1 {
				c.w.Error(errSyntax)
				return
			}
			count = n
		case eq(args[i], "match"):
			pat = args[i+1]
			if len(pat) == 1 && pat[0] == '*' {
				pat = nil
			}
		case eq(args[i], "type"):
			typ = lowerName(args[i+1])
		default:
			c.w.Error(errSyntax)
			return
		}
		i++
	}
	next, keys, err := c.db.Scan(cursor, int(min(count, 1<<20)), func(key []byte, t engine.Type) bool {
		if typ != "" && t.String() != typ {
			return false
		}
		return pat == nil || globMatch(pat, key, false)
	})
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(next, 10))
	c.w.BulkArray(keys)
}

func cmdRandomKey(c *Client, args [][]byte) {
	k, err := c.db.RandomKey()
	c.bulkOrNull(k, k != nil, err)
}

// parseCursor parses a SCAN cursor as Redis does with strtoul: decimal,
// an optional sign ("-1" wraps around to 2^64-1), no spaces, no overflow.
func parseCursor(b []byte) (uint64, bool) {
	s := string(b)
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}
