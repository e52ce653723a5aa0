package resp

import (
	"math"
	"time"

	"github.com/kvnode/kvnode/engine"
)

// String commands (bit operations and LCS live in cmd_bits.go).

func stringCommands() []*Command {
	ro := FlagReadonly
	w := FlagWrite | FlagDenyOOM
	return []*Command{
		{Name: "get", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdGet, Group: "string"},
		{Name: "set", Arity: -3, Flags: w, First: 1, Last: 1, Step: 1, Handler: cmdSet, Group: "string"},
		{Name: "setnx", Arity: 3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdSetNX, Group: "string"},
		{Name: "setex", Arity: 4, Flags: w, First: 1, Last: 1, Step: 1, Handler: cmdSetEX, Group: "string"},
		{Name: "psetex", Arity: 4, Flags: w, First: 1, Last: 1, Step: 1, Handler: cmdSetEX, Group: "string"},
		{Name: "getset", Arity: 3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdGetSet, Group: "string"},
		{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdGetDel, Group: "string"},
		{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdGetEx, Group: "string"},
		{Name: "mget", Arity: -2, Flags: ro | FlagFast, First: 1, Last: -1, Step: 1, Handler: cmdMGet, Group: "string"},
		{Name: "mset", Arity: -3, Flags: w, First: 1, Last: -1, Step: 2, Handler: cmdMSet, Group: "string"},
		{Name: "msetnx", Arity: -3, Flags: w, First: 1, Last: -1, Step: 2, Handler: cmdMSet, Group: "string"},
		{Name: "append", Arity: 3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdAppend, Group: "string"},
		{Name: "strlen", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdStrLen, Group: "string"},
		{Name: "incr", Arity: 2, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdIncr, Group: "string"},
		{Name: "decr", Arity: 2, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdIncr, Group: "string"},
		{Name: "incrby", Arity: 3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdIncr, Group: "string"},
		{Name: "decrby", Arity: 3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdIncr, Group: "string"},
		{Name: "incrbyfloat", Arity: 3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdIncrByFloat, Group: "string"},
		{Name: "getrange", Arity: 4, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdGetRange, Group: "string"},
		{Name: "substr", Arity: 4, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdGetRange, Group: "string"},
		{Name: "setrange", Arity: 4, Flags: w, First: 1, Last: 1, Step: 1, Handler: cmdSetRange, Group: "string"},
	}
}

func (c *Client) bulkOrNull(v []byte, ok bool, err error) {
	switch {
	case err != nil:
		c.replyErr(err)
	case !ok:
		c.w.Null()
	default:
		c.w.Bulk(v)
	}
}

func cmdGet(c *Client, args [][]byte) {
	v, ok, err := c.db.Get(args[1])
	if err == nil {
		c.srv.hit(ok)
	}
	c.bulkOrNull(v, ok, err)
}

// expireArg converts an EX/PX/EXAT/PXAT argument into an absolute unix-ms
// time as Redis' getExpireMillisecondsOrReply does; "" means success.
func expireArg(arg []byte, seconds, relative bool, cmd string) (int64, string) {
	n, ok := argInt(arg)
	if !ok {
		return 0, errNotInteger
	}
	if n <= 0 || (seconds && n > math.MaxInt64/1000) {
		return 0, errInvalidExpire(cmd)
	}
	if seconds {
		n *= 1000
	}
	if relative {
		now := time.Now().UnixMilli()
		if n > math.MaxInt64-now {
			return 0, errInvalidExpire(cmd)
		}
		n += now
	}
	return n, ""
}

func cmdSet(c *Client, args [][]byte) {
	var o engine.SetOptions
	unit, expArg := "", []byte(nil)
	for i := 3; i < len(args); i++ {
		a := args[i]
		switch {
		case eq(a, "nx") && !o.XX:
			o.NX = true
		case eq(a, "xx") && !o.NX:
			o.XX = true
		case eq(a, "get"):
			o.Get = true
		case eq(a, "keepttl") && unit == "":
			o.KeepTTL = true
		case isExpireUnit(a) && !o.KeepTTL && (unit == "" || eq(a, unit)) && i+1 < len(args):
			unit, expArg = lowerName(a), args[i+1]
			i++
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	if unit != "" {
		at, e := expireArg(expArg, unit == "ex" || unit == "exat", unit == "ex" || unit == "px", "set")
		if e != "" {
			c.w.Error(e)
			return
		}
		o.ExpireAt = at
	}
	r, err := c.db.Set(args[1], args[2], o)
	switch {
	case err != nil:
		c.replyErr(err)
	case o.Get:
		c.bulkOrNull(r.Old, r.HadOld, nil)
	case !r.Done:
		c.w.Null()
	default:
		c.w.OK()
	}
}

func cmdSetNX(c *Client, args [][]byte) {
	r, err := c.db.Set(args[1], args[2], engine.SetOptions{NX: true})
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(b2i(r.Done))
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func cmdSetEX(c *Client, args [][]byte) {
	name := lowerName(args[0])
	at, e := expireArg(args[2], name == "setex", true, name)
	if e != "" {
		c.w.Error(e)
		return
	}
	if _, err := c.db.Set(args[1], args[3], engine.SetOptions{ExpireAt: at}); err != nil {
		c.replyErr(err)
		return
	}
	c.w.OK()
}

func lowerName(b []byte) string {
	out := make([]byte, len(b))
	for i, ch := range b {
		out[i] = lower(ch)
	}
	return string(out)
}

func cmdGetSet(c *Client, args [][]byte) {
	r, err := c.db.Set(args[1], args[2], engine.SetOptions{Get: true})
	c.bulkOrNull(r.Old, r.HadOld, err)
}

func cmdGetDel(c *Client, args [][]byte) {
	v, ok, err := c.db.GetDel(args[1])
	c.bulkOrNull(v, ok, err)
}

func isExpireUnit(a []byte) bool { return eq(a, "ex") || eq(a, "px") || eq(a, "exat") || eq(a, "pxat") }

func cmdGetEx(c *Client, args [][]byte) {
	var at int64
	var persist bool
	unit, expArg := "", []byte(nil)
	for i := 2; i < len(args); i++ {
		a := args[i]
		switch {
		case eq(a, "persist") && unit == "":
			persist = true
		case isExpireUnit(a) && !persist && (unit == "" || eq(a, unit)) && i+1 < len(args):
			unit, expArg = lowerName(a), args[i+1]
			i++
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	if unit != "" {
		// Redis looks the key up before it validates the time: a missing
		// key answers nil and a wrong type WRONGTYPE whatever the time.
		if _, ok, err := c.db.Get(args[1]); err != nil || !ok {
			c.bulkOrNull(nil, false, err)
			return
		}
		var e string
		at, e = expireArg(expArg, unit == "ex" || unit == "exat", unit == "ex" || unit == "px", "getex")
		if e != "" {
			c.w.Error(e)
			return
		}
	}
	v, ok, err := c.db.GetEx(args[1], at, persist)
	c.bulkOrNull(v, ok, err)
}

func cmdMGet(c *Client, args [][]byte) {
	vals, err := c.db.MGet(args[1:])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.BulkArray(vals)
}

func cmdMSet(c *Client, args [][]byte) {
	nx := eq(args[0], "msetnx")
	if len(args)%2 == 0 {
		c.w.Error(errWrongArgs(lowerName(args[0])))
		return
	}
	ok, err := c.db.MSet(args[1:], nx)
	switch {
	case err != nil:
		c.replyErr(err)
	case nx:
		c.w.Int(b2i(ok))
	default:
		c.w.OK()
	}
}

func cmdAppend(c *Client, args [][]byte) {
	c.intReply(c.db.Append(args[1], args[2]))
}

func cmdStrLen(c *Client, args [][]byte) {
	c.intReply(c.db.StrLen(args[1]))
}

func cmdIncr(c *Client, args [][]byte) {
	delta := int64(1)
	name := lowerName(args[0])
	if len(args) == 3 {
		d, ok := argInt(args[2])
		if !ok {
			c.w.Error(errNotInteger)
			return
		}
		if name == "decrby" && d == math.MinInt64 {
			c.w.Error(errDecrOverflow)
			return
		}
		delta = d
	}
	if name == "decr" || name == "decrby" {
		delta = -delta
	}
	c.intReply(c.db.IncrBy(args[1], delta))
}

func cmdIncrByFloat(c *Client, args [][]byte) {
	v, err := c.db.IncrByFloat(args[1], args[2])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Bulk(v)
}

func cmdGetRange(c *Client, args [][]byte) {
	start, ok1 := argInt(args[2])
	end, ok2 := argInt(args[3])
	if !ok1 || !ok2 {
		c.w.Error(errNotInteger)
		return
	}
	v, err := c.db.GetRange(args[1], start, end)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Bulk(v)
}

func cmdSetRange(c *Client, args [][]byte) {
	off, ok := argInt(args[2])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	if off < 0 {
		c.w.Error(errOffsetRange)
		return
	}
	c.intReply(c.db.SetRange(args[1], off, args[3]))
}
