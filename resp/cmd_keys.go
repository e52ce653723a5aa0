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
	c.intReply(c.db.Del(args[1:]))
}

func cmdExists(c *Client, args [][]byte) {
	c.intReply(c.db.Exists(args[1:]))
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
	cursor, ok := parseScanCursor(args[1])
	if !ok {
		c.w.Error(errInvalidCursor)
		return
	}
	o, errText := parseScanOptions(args, 2, true)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	match := o.matcher()
	next, keys, err := c.db.Scan(cursor, int(min(o.count, 1<<20)), func(key []byte, t engine.Type) bool {
		if o.typ != "" && t.String() != o.typ {
			return false
		}
		return match == nil || match(key)
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

// parseScanCursor parses a SCAN-family cursor as Redis'
// parseScanCursorOrReply does with strtoul: no leading space, an optional
// sign (a negative cursor wraps around), decimal digits that fit 64 bits;
// the empty string is cursor 0.
func parseScanCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	switch b[0] {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return 0, false
	}
	s, neg := b, false
	if s[0] == '+' || s[0] == '-' {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// scanOptions are the options of SCAN, HSCAN, SSCAN and ZSCAN.
type scanOptions struct {
	count int64
	match []byte // nil: everything
	typ   string // SCAN TYPE, lower case; "" for any
}

// parseScanOptions parses [MATCH pattern] [COUNT count] (and TYPE type
// when allowType) from args[from:], as Redis' scanGenericCommand does. It
// returns the error text to reply, or "". Callers report it where Redis
// does: the key-scanning commands only after looking the key up.
func parseScanOptions(args [][]byte, from int, allowType bool) (scanOptions, string) {
	o := scanOptions{count: 10}
	for i := from; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return o, errSyntax
		}
		switch v := args[i+1]; {
		case eq(args[i], "count"):
			n, ok := argInt(v)
			if !ok {
				return o, errNotInteger
			}
			if n < 1 {
				return o, errSyntax
			}
			o.count = n
		case eq(args[i], "match"):
			o.match = v
			if len(v) == 1 && v[0] == '*' {
				o.match = nil
			}
		case eq(args[i], "type") && allowType:
			o.typ = lowerName(v)
		default:
			return o, errSyntax
		}
	}
	return o, ""
}

// matcher returns a glob matcher for o.match, nil when everything matches.
func (o scanOptions) matcher() func([]byte) bool {
	if o.match == nil {
		return nil
	}
	return func(b []byte) bool { return globMatch(o.match, b, false) }
}
