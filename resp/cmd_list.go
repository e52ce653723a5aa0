package resp

import (
	"errors"

	"github.com/kvnode/kvnode/engine"
)

// List commands. Argument checks run in the order of Redis 7.0's
// t_list.c, so a request with several problems gets Redis' error.

func listCommands() []*Command {
	ro := FlagReadonly
	w := FlagWrite
	wd := FlagWrite | FlagDenyOOM
	blk := FlagWrite | FlagNoScript | FlagBlocking
	return []*Command{
		{Name: "lpush", Arity: -3, Flags: wd | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdLPush, Group: "list"},
		{Name: "rpush", Arity: -3, Flags: wd | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdLPush, Group: "list"},
		{Name: "lpushx", Arity: -3, Flags: wd | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdLPush, Group: "list"},
		{Name: "rpushx", Arity: -3, Flags: wd | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdLPush, Group: "list"},
		{Name: "lpop", Arity: -2, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdLPop, Group: "list"},
		{Name: "rpop", Arity: -2, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdLPop, Group: "list"},
		{Name: "llen", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdLLen, Group: "list"},
		{Name: "lrange", Arity: 4, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdLRange, Group: "list"},
		{Name: "lindex", Arity: 3, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdLIndex, Group: "list"},
		{Name: "lset", Arity: 4, Flags: wd, First: 1, Last: 1, Step: 1, Handler: cmdLSet, Group: "list"},
		{Name: "linsert", Arity: 5, Flags: wd, First: 1, Last: 1, Step: 1, Handler: cmdLInsert, Group: "list"},
		{Name: "lrem", Arity: 4, Flags: w, First: 1, Last: 1, Step: 1, Handler: cmdLRem, Group: "list"},
		{Name: "ltrim", Arity: 4, Flags: w, First: 1, Last: 1, Step: 1, Handler: cmdLTrim, Group: "list"},
		{Name: "lpos", Arity: -3, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdLPos, Group: "list"},
		{Name: "lmove", Arity: 5, Flags: wd, First: 1, Last: 2, Step: 1, Handler: cmdLMove, Group: "list"},
		{Name: "rpoplpush", Arity: 3, Flags: wd, First: 1, Last: 2, Step: 1, Handler: cmdRPopLPush, Group: "list"},
		{Name: "lmpop", Arity: -4, Flags: w, KeysFn: numKeysAt(1), Handler: cmdLMPop, Group: "list"},
		{Name: "blpop", Arity: -3, Flags: blk, First: 1, Last: -2, Step: 1, Handler: cmdBLPop, Group: "list"},
		{Name: "brpop", Arity: -3, Flags: blk, First: 1, Last: -2, Step: 1, Handler: cmdBLPop, Group: "list"},
		{Name: "blmove", Arity: 6, Flags: blk | FlagDenyOOM, First: 1, Last: 2, Step: 1, Handler: cmdBLMove, Group: "list"},
		{Name: "brpoplpush", Arity: 4, Flags: blk | FlagDenyOOM, First: 1, Last: 2, Step: 1, Handler: cmdBRPopLPush, Group: "list"},
		{Name: "blmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, KeysFn: numKeysAt(2), Handler: cmdBLMPop, Group: "list"},
	}
}

// numKeysAt returns the key positions of a command whose argument i is a
// key count followed by the keys (LMPOP, BLMPOP), as Redis' keynum key
// spec finds them: nil when the count is not a positive integer or the
// keys would run past the arguments.
func numKeysAt(i int) func(args [][]byte) []int {
	return func(args [][]byte) []int {
		if i >= len(args) {
			return nil
		}
		n, ok := argInt(args[i])
		if !ok || n <= 0 || n > int64(len(args)-1-i) {
			return nil
		}
		out := make([]int, n)
		for j := range out {
			out[j] = i + 1 + j
		}
		return out
	}
}

// listErr writes the reply for a list engine error.
func (c *Client) listErr(err error) {
	if errors.Is(err, engine.ErrIndexOutOfRange) {
		c.w.Error(errListIndexRange)
		return
	}
	c.replyErr(err)
}

// readHit counts a keyspace hit or miss for a list read, as Redis'
// lookupKeyRead does: a key of another type was found, so it is a hit.
func (c *Client) readHit(exists bool, err error) {
	switch {
	case err == nil:
		c.srv.hit(exists)
	case errors.Is(err, engine.ErrWrongType):
		c.srv.hit(true)
	}
}

// listEnd parses LEFT or RIGHT (getListPositionFromObjectOrReply).
func listEnd(arg []byte) (left, ok bool) {
	switch {
	case eq(arg, "left"):
		return true, true
	case eq(arg, "right"):
		return false, true
	}
	return false, false
}

// positiveArg parses an integer ≥ min, as getRangeLongFromObjectOrReply
// with a message does: any failure, parse or range, is msg.
func positiveArg(arg []byte, lo int64) (int64, bool) {
	n, ok := argInt(arg)
	return n, ok && n >= lo
}

// LPUSH, RPUSH, LPUSHX, RPUSHX key element [element ...]
func cmdLPush(c *Client, args [][]byte) {
	name := lowerName(args[0])
	c.intReply(c.db.ListPush(args[1], args[2:], name[0] == 'l', name[len(name)-1] == 'x'))
}

// LPOP, RPOP key [count]
func cmdLPop(c *Client, args [][]byte) {
	if len(args) > 3 {
		c.w.Error(errWrongArgs(lowerName(args[0])))
		return
	}
	hasCount := len(args) == 3
	count := int64(1)
	if hasCount {
		var ok bool
		if count, ok = positiveArg(args[2], 0); !ok {
			c.w.Error(errListPopCount)
			return
		}
	}
	items, exists, err := c.db.ListPop(args[1], eq(args[0], "lpop"), count)
	switch {
	case err != nil:
		c.replyErr(err)
	case !exists && hasCount:
		c.w.NullArray()
	case !exists:
		c.w.Null()
	case hasCount:
		c.w.BulkArray(items)
	default:
		c.w.Bulk(items[0])
	}
}

// LLEN key
func cmdLLen(c *Client, args [][]byte) {
	n, err := c.db.ListLen(args[1])
	c.readHit(n > 0, err)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(n)
}

// LRANGE key start stop
func cmdLRange(c *Client, args [][]byte) {
	start, ok1 := argInt(args[2])
	stop, ok2 := argInt(args[3])
	if !ok1 || !ok2 {
		c.w.Error(errNotInteger)
		return
	}
	items, exists, err := c.db.ListRange(args[1], start, stop)
	c.readHit(exists, err)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.BulkArray(items)
}

// badIndex answers LINDEX and LSET when the index is not an integer:
// Redis looks the key up and checks its type first, replying missing
// (LINDEX null, LSET "no such key") before the integer error.
// LINDEX's lookup counts as a read (countHit).
func (c *Client) badIndex(key []byte, countHit bool, missing func()) {
	n, err := c.db.ListLen(key)
	if countHit {
		c.readHit(n > 0, err)
	}
	switch {
	case err != nil:
		c.replyErr(err)
	case n == 0:
		missing()
	default:
		c.w.Error(errNotInteger)
	}
}

// LINDEX key index
func cmdLIndex(c *Client, args [][]byte) {
	idx, ok := argInt(args[2])
	if !ok {
		c.badIndex(args[1], true, c.w.Null)
		return
	}
	v, found, exists, err := c.db.ListIndex(args[1], idx)
	c.readHit(exists, err)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.bulkOrNull(v, found, nil)
}

// LSET key index element
func cmdLSet(c *Client, args [][]byte) {
	idx, ok := argInt(args[2])
	if !ok {
		c.badIndex(args[1], false, func() { c.w.Error(errNoSuchKey) })
		return
	}
	if err := c.db.ListSet(args[1], idx, args[3]); err != nil {
		c.listErr(err)
		return
	}
	c.w.OK()
}

// LINSERT key BEFORE|AFTER pivot element
func cmdLInsert(c *Client, args [][]byte) {
	var after bool
	switch {
	case eq(args[2], "after"):
		after = true
	case eq(args[2], "before"):
	default:
		c.w.Error(errSyntax)
		return
	}
	c.intReply(c.db.ListInsert(args[1], after, args[3], args[4]))
}

// LREM key count element
func cmdLRem(c *Client, args [][]byte) {
	count, ok := argInt(args[2])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	c.intReply(c.db.ListRem(args[1], count, args[3]))
}

// LTRIM key start stop
func cmdLTrim(c *Client, args [][]byte) {
	start, ok1 := argInt(args[2])
	stop, ok2 := argInt(args[3])
	if !ok1 || !ok2 {
		c.w.Error(errNotInteger)
		return
	}
	if err := c.db.ListTrim(args[1], start, stop); err != nil {
		c.replyErr(err)
		return
	}
	c.w.OK()
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func cmdLPos(c *Client, args [][]byte) {
	o := engine.ListPosOptions{Rank: 1, Count: -1}
	for j := 3; j < len(args); j++ {
		more := j+1 < len(args)
		var ok bool
		switch {
		case eq(args[j], "rank") && more:
			j++
			if o.Rank, ok = argInt(args[j]); !ok {
				c.w.Error(errNotInteger)
				return
			}
			if o.Rank == 0 {
				c.w.Error(errListRankZero)
				return
			}
		case eq(args[j], "count") && more:
			j++
			if o.Count, ok = positiveArg(args[j], 0); !ok {
				c.w.Error(errListCountNeg)
				return
			}
		case eq(args[j], "maxlen") && more:
			j++
			if o.MaxLen, ok = positiveArg(args[j], 0); !ok {
				c.w.Error(errListMaxLenNeg)
				return
			}
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	pos, exists, err := c.db.ListPos(args[1], args[2], o)
	c.readHit(exists, err)
	if err != nil {
		c.replyErr(err)
		return
	}
	switch {
	case o.Count != -1:
		c.w.Array(len(pos))
		for _, p := range pos {
			c.w.Int(p)
		}
	case len(pos) == 0:
		c.w.Null()
	default:
		c.w.Int(pos[0])
	}
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func cmdLMove(c *Client, args [][]byte) {
	from, ok1 := listEnd(args[3])
	to, ok2 := listEnd(args[4])
	if !ok1 || !ok2 {
		c.w.Error(errSyntax)
		return
	}
	v, ok, err := c.db.ListMove(args[1], args[2], from, to, false)
	c.bulkOrNull(v, ok, err)
}

// RPOPLPUSH source destination
func cmdRPopLPush(c *Client, args [][]byte) {
	v, ok, err := c.db.ListMove(args[1], args[2], false, true, false)
	c.bulkOrNull(v, ok, err)
}

// mpopArgs parses the shape LMPOP and BLMPOP share from argument i on:
// numkeys key [key ...] LEFT|RIGHT [COUNT count] (lmpopGenericCommand).
func (c *Client) mpopArgs(args [][]byte, i int) (keys [][]byte, left bool, count int64, ok bool) {
	n, ok := positiveArg(args[i], 1)
	if !ok {
		c.w.Error(errListNumKeys)
		return nil, false, 0, false
	}
	where := int64(i) + n + 1
	if n >= int64(len(args)) || where >= int64(len(args)) {
		c.w.Error(errSyntax)
		return nil, false, 0, false
	}
	if left, ok = listEnd(args[where]); !ok {
		c.w.Error(errSyntax)
		return nil, false, 0, false
	}
	count = -1
	for j := int(where) + 1; j < len(args); j++ {
		if count == -1 && eq(args[j], "count") && j+1 < len(args) {
			j++
			if count, ok = positiveArg(args[j], 1); !ok {
				c.w.Error(errListMPopCount)
				return nil, false, 0, false
			}
			continue
		}
		c.w.Error(errSyntax)
		return nil, false, 0, false
	}
	if count == -1 {
		count = 1
	}
	return args[i+1 : where], left, count, true
}

// writeKeyItems writes an [L|BL]MPOP reply: the key and its popped items.
func (c *Client) writeKeyItems(key []byte, items [][]byte) {
	c.w.Array(2)
	c.w.Bulk(key)
	c.w.BulkArray(items)
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
func cmdLMPop(c *Client, args [][]byte) {
	keys, left, count, ok := c.mpopArgs(args, 1)
	if !ok {
		return
	}
	key, items, err := c.db.ListMPop(keys, left, count, false)
	switch {
	case err != nil:
		c.replyErr(err)
	case key == nil:
		c.w.NullArray()
	default:
		c.writeKeyItems(key, items)
	}
}

// listTry builds a blockOn attempt: the first attempt reports a key of
// the wrong type as Redis does before blocking; later attempts skip such
// keys, since Redis serves a blocked client only from lists. Errors are
// replies and end the wait.
func (c *Client) listTry(pop func(skipWrongType bool) (done bool, err error)) func() bool {
	first := true
	return func() bool {
		skip := !first
		first = false
		done, err := pop(skip)
		if err != nil {
			c.listErr(err)
			return true
		}
		return done
	}
}

// BLPOP, BRPOP key [key ...] timeout
func cmdBLPop(c *Client, args [][]byte) {
	timeout, e := parseTimeout(args[len(args)-1])
	if e != "" {
		c.w.Error(e)
		return
	}
	keys := args[1 : len(args)-1]
	left := eq(args[0], "blpop")
	c.blockOn(keys, timeout, c.listTry(func(skip bool) (bool, error) {
		key, items, err := c.db.ListMPop(keys, left, 1, skip)
		if err != nil || key == nil {
			return false, err
		}
		c.w.Array(2)
		c.w.Bulk(key)
		c.w.Bulk(items[0])
		return true, nil
	}), c.w.NullArray)
}

// blockingMove serves BLMOVE and BRPOPLPUSH: it blocks on src only. A
// timeout replies a null array, as for every blocked list command in
// Redis 7.0, but inside EXEC (no blocking) a null bulk string, as
// blmoveGenericCommand does.
func (c *Client) blockingMove(src, dst []byte, from, to bool, timeoutArg []byte) {
	timeout, e := parseTimeout(timeoutArg)
	if e != "" {
		c.w.Error(e)
		return
	}
	c.blockOn([][]byte{src}, timeout, c.listTry(func(skip bool) (bool, error) {
		v, ok, err := c.db.ListMove(src, dst, from, to, skip)
		if err != nil || !ok {
			return false, err
		}
		c.w.Bulk(v)
		return true, nil
	}), func() {
		if c.inExec {
			c.w.Null()
		} else {
			c.w.NullArray()
		}
	})
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
func cmdBLMove(c *Client, args [][]byte) {
	from, ok1 := listEnd(args[3])
	to, ok2 := listEnd(args[4])
	if !ok1 || !ok2 {
		c.w.Error(errSyntax)
		return
	}
	c.blockingMove(args[1], args[2], from, to, args[5])
}

// BRPOPLPUSH source destination timeout
func cmdBRPopLPush(c *Client, args [][]byte) {
	c.blockingMove(args[1], args[2], false, true, args[3])
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
func cmdBLMPop(c *Client, args [][]byte) {
	keys, left, count, ok := c.mpopArgs(args, 2)
	if !ok {
		return
	}
	timeout, e := parseTimeout(args[1])
	if e != "" {
		c.w.Error(e)
		return
	}
	c.blockOn(keys, timeout, c.listTry(func(skip bool) (bool, error) {
		key, items, err := c.db.ListMPop(keys, left, count, skip)
		if err != nil || key == nil {
			return false, err
		}
		c.writeKeyItems(key, items)
		return true, nil
	}), c.w.NullArray)
}
