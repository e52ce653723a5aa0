package resp

import (
	"math"
	"strconv"
)

// Hash commands. Replies, errors and their order follow Redis 7.0's
// t_hash.c; fields come back in byte order (see engine/hash.go).

func hashCommands() []*Command {
	ro := FlagReadonly
	w := FlagWrite | FlagDenyOOM
	return []*Command{
		{Name: "hset", Arity: -4, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHSet, Group: "hash"},
		{Name: "hmset", Arity: -4, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHSet, Group: "hash"},
		{Name: "hsetnx", Arity: 4, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHSetNX, Group: "hash"},
		{Name: "hget", Arity: 3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHGet, Group: "hash"},
		{Name: "hmget", Arity: -3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHMGet, Group: "hash"},
		{Name: "hdel", Arity: -3, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHDel, Group: "hash"},
		{Name: "hexists", Arity: 3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHExists, Group: "hash"},
		{Name: "hlen", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHLen, Group: "hash"},
		{Name: "hstrlen", Arity: 3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHStrLen, Group: "hash"},
		{Name: "hgetall", Arity: 2, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdHGetAll, Group: "hash"},
		{Name: "hkeys", Arity: 2, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdHKeys, Group: "hash"},
		{Name: "hvals", Arity: 2, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdHVals, Group: "hash"},
		{Name: "hincrby", Arity: 4, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHIncrBy, Group: "hash"},
		{Name: "hincrbyfloat", Arity: 4, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdHIncrByFloat, Group: "hash"},
		{Name: "hrandfield", Arity: -2, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdHRandField, Group: "hash"},
		{Name: "hscan", Arity: -3, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdHScan, Group: "hash"},
	}
}

// cmdHSet serves HSET (the number of new fields) and HMSET (+OK).
func cmdHSet(c *Client, args [][]byte) {
	if len(args)%2 != 0 {
		c.w.Error(errWrongArgs(lowerName(args[0])))
		return
	}
	n, err := c.db.HSet(args[1], args[2:])
	switch {
	case err != nil:
		c.replyErr(err)
	case eq(args[0], "hmset"):
		c.w.OK()
	default:
		c.w.Int(n)
	}
}

func cmdHSetNX(c *Client, args [][]byte) {
	ok, err := c.db.HSetNX(args[1], args[2], args[3])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(b2i(ok))
}

func cmdHGet(c *Client, args [][]byte) {
	v, ok, err := c.db.HGet(args[1], args[2])
	c.bulkOrNull(v, ok, err)
}

func cmdHMGet(c *Client, args [][]byte) {
	vals, err := c.db.HMGet(args[1], args[2:])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.BulkArray(vals)
}

func cmdHDel(c *Client, args [][]byte) {
	c.intReply(c.db.HDel(args[1], args[2:]))
}

func cmdHExists(c *Client, args [][]byte) {
	ok, err := c.db.HExists(args[1], args[2])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(b2i(ok))
}

func cmdHLen(c *Client, args [][]byte) {
	c.intReply(c.db.HLen(args[1]))
}

func cmdHStrLen(c *Client, args [][]byte) {
	c.intReply(c.db.HStrLen(args[1], args[2]))
}

// cmdHGetAll replies with a map in RESP3 (a flat array in RESP2).
func cmdHGetAll(c *Client, args [][]byte) {
	pairs, err := c.db.HGetAll(args[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Map(len(pairs) / 2)
	for _, p := range pairs {
		c.w.Bulk(p)
	}
}

func cmdHKeys(c *Client, args [][]byte) {
	keys, err := c.db.HKeys(args[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.BulkArray(keys)
}

func cmdHVals(c *Client, args [][]byte) {
	vals, err := c.db.HVals(args[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.BulkArray(vals)
}

func cmdHIncrBy(c *Client, args [][]byte) {
	delta, ok := argInt(args[3])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	c.intReply(c.db.HIncrBy(args[1], args[2], delta))
}

func cmdHIncrByFloat(c *Client, args [][]byte) {
	v, err := c.db.HIncrByFloat(args[1], args[2], args[3])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Bulk(v)
}

// cmdHRandField serves HRANDFIELD key [count [WITHVALUES]]. Without a
// count the reply is one field or null; with one it is an array, of
// [field, value] pairs in RESP3 with WITHVALUES (flat in RESP2).
func cmdHRandField(c *Client, args [][]byte) {
	if len(args) == 2 {
		var field []byte
		var found bool
		err := c.db.HRandField(args[1], 1, false, func(int64) {}, func(f, _ []byte) {
			field, found = append([]byte{}, f...), true
		})
		c.bulkOrNull(field, found, err)
		return
	}
	count, ok := argInt(args[2])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	if count == math.MinInt64 {
		c.w.Error(errHrandCountRange)
		return
	}
	withValues := false
	if len(args) > 4 || (len(args) == 4 && !eq(args[3], "withvalues")) {
		c.w.Error(errSyntax)
		return
	}
	if len(args) == 4 {
		withValues = true
		if count < -math.MaxInt64/2 || count > math.MaxInt64/2 {
			c.w.Error(errHrandValuesRange)
			return
		}
	}
	pairs := withValues && c.w.proto == 3
	mark := c.w.Len()
	started := false
	err := c.db.HRandField(args[1], count, withValues, func(n int64) {
		started = true
		if withValues && !pairs {
			n *= 2
		}
		c.w.Array(int(n))
	}, func(f, v []byte) {
		if pairs {
			c.w.Array(2)
		}
		c.w.Bulk(f)
		if withValues {
			c.w.Bulk(v)
		}
	})
	switch {
	case err != nil:
		// Replies are buffered until the command ends: drop any part
		// written before the failure.
		c.w.Truncate(mark)
		c.replyErr(err)
	case !started:
		c.w.Array(0)
	}
}

// cmdHScan serves HSCAN key cursor [MATCH pattern] [COUNT count]. Redis
// checks the cursor, then the key (a missing key answers an empty scan
// whatever the options, a wrong type WRONGTYPE), then the options.
func cmdHScan(c *Client, args [][]byte) {
	cursor, ok := parseScanCursor(args[2])
	if !ok {
		c.w.Error(errInvalidCursor)
		return
	}
	o, optErr := parseScanOptions(args, 3, false)
	if optErr != "" {
		n, err := c.db.HLen(args[1])
		switch {
		case err != nil:
			c.replyErr(err)
		case n == 0:
			c.writeHashScan(0, nil)
		default:
			c.w.Error(optErr)
		}
		return
	}
	next, pairs, err := c.db.HScan(args[1], cursor, int(min(o.count, math.MaxInt32)), o.matcher())
	if err != nil {
		c.replyErr(err)
		return
	}
	c.writeHashScan(next, pairs)
}

// writeHashScan writes [cursor, [items…]], the same in RESP2 and RESP3.
func (c *Client) writeHashScan(next uint64, items [][]byte) {
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(next, 10))
	c.w.BulkArray(items)
}
