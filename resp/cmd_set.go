package resp

import (
	"math"
	"strconv"
)

// Set commands. Replies, errors and their order follow Redis 7.0's
// t_set.c. Members come back in ascending numeric order for sets Redis
// keeps as intsets (at most 512 integer members) and in byte order
// otherwise (Redis' hashtable order is unspecified); see engine/set.go.

func setCommands() []*Command {
	ro := FlagReadonly
	w := FlagWrite | FlagDenyOOM
	return []*Command{
		{Name: "sadd", Arity: -3, Flags: w | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdSAdd, Group: "set"},
		{Name: "srem", Arity: -3, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdSRem, Group: "set"},
		{Name: "smove", Arity: 4, Flags: FlagWrite | FlagFast, First: 1, Last: 2, Step: 1, Handler: cmdSMove, Group: "set"},
		{Name: "sismember", Arity: 3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdSIsMember, Group: "set"},
		{Name: "smismember", Arity: -3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdSMIsMember, Group: "set"},
		{Name: "scard", Arity: 2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdSCard, Group: "set"},
		{Name: "spop", Arity: -2, Flags: FlagWrite | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdSPop, Group: "set"},
		{Name: "srandmember", Arity: -2, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdSRandMember, Group: "set"},
		{Name: "smembers", Arity: 2, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdSMembers, Group: "set"},
		{Name: "sinter", Arity: -2, Flags: ro, First: 1, Last: -1, Step: 1, Handler: cmdSInter, Group: "set"},
		{Name: "sintercard", Arity: -3, Flags: ro, KeysFn: sinterCardKeys, Handler: cmdSInterCard, Group: "set"},
		{Name: "sinterstore", Arity: -3, Flags: w, First: 1, Last: -1, Step: 1, Handler: cmdSInterStore, Group: "set"},
		{Name: "sunion", Arity: -2, Flags: ro, First: 1, Last: -1, Step: 1, Handler: cmdSUnion, Group: "set"},
		{Name: "sunionstore", Arity: -3, Flags: w, First: 1, Last: -1, Step: 1, Handler: cmdSUnionStore, Group: "set"},
		{Name: "sdiff", Arity: -2, Flags: ro, First: 1, Last: -1, Step: 1, Handler: cmdSDiff, Group: "set"},
		{Name: "sdiffstore", Arity: -3, Flags: w, First: 1, Last: -1, Step: 1, Handler: cmdSDiffStore, Group: "set"},
		{Name: "sscan", Arity: -3, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdSScan, Group: "set"},
	}
}

// setMembersReply writes members as a set (an array in RESP2).
func (c *Client) setMembersReply(ms [][]byte, err error) {
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Set(len(ms))
	for _, m := range ms {
		c.w.Bulk(m)
	}
}

func cmdSAdd(c *Client, args [][]byte) { c.intReply(c.db.SAdd(args[1], args[2:])) }

func cmdSRem(c *Client, args [][]byte) { c.intReply(c.db.SRem(args[1], args[2:])) }

func cmdSCard(c *Client, args [][]byte) { c.intReply(c.db.SCard(args[1])) }

func cmdSMove(c *Client, args [][]byte) {
	ok, err := c.db.SMove(args[1], args[2], args[3])
	c.intReply(b2i(ok), err)
}

func cmdSIsMember(c *Client, args [][]byte) {
	ok, err := c.db.SIsMember(args[1], args[2])
	c.intReply(b2i(ok), err)
}

func cmdSMIsMember(c *Client, args [][]byte) {
	oks, err := c.db.SMIsMember(args[1], args[2:])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Array(len(oks))
	for _, ok := range oks {
		c.w.Int(b2i(ok))
	}
}

func cmdSMembers(c *Client, args [][]byte) { c.setMembersReply(c.db.SMembers(args[1])) }

// SPOP key [count]
func cmdSPop(c *Client, args [][]byte) {
	switch len(args) {
	case 2:
		m, ok, err := c.db.SPop(args[1])
		if err != nil {
			c.replyErr(err)
			return
		}
		c.bulkOrNull(m, ok, nil)
	case 3:
		n, ok := argInt(args[2])
		if !ok || n < 0 {
			c.w.Error(errSetPositive)
			return
		}
		c.setMembersReply(c.db.SPopN(args[1], n))
	default:
		c.w.Error(errSyntax)
	}
}

// SRANDMEMBER key [count]
func cmdSRandMember(c *Client, args [][]byte) {
	switch len(args) {
	case 2:
		m, ok, err := c.db.SRandMember(args[1])
		if err != nil {
			c.replyErr(err)
			return
		}
		c.bulkOrNull(m, ok, nil)
	case 3:
		n, ok := argInt(args[2])
		if !ok {
			c.w.Error(errNotInteger)
			return
		}
		if n == math.MinInt64 {
			c.w.Error(errSetRandRange)
			return
		}
		ms, err := c.db.SRandMemberN(args[1], n)
		if err != nil {
			c.replyErr(err)
			return
		}
		// An array, not a set: a negative count repeats members.
		c.w.BulkArray(ms)
	default:
		c.w.Error(errSyntax)
	}
}

func cmdSInter(c *Client, args [][]byte) { c.setMembersReply(c.db.SInter(args[1:])) }

func cmdSUnion(c *Client, args [][]byte) { c.setMembersReply(c.db.SUnion(args[1:])) }

func cmdSDiff(c *Client, args [][]byte) { c.setMembersReply(c.db.SDiff(args[1:])) }

func cmdSInterStore(c *Client, args [][]byte) { c.intReply(c.db.SInterStore(args[1], args[2:])) }

func cmdSUnionStore(c *Client, args [][]byte) { c.intReply(c.db.SUnionStore(args[1], args[2:])) }

func cmdSDiffStore(c *Client, args [][]byte) { c.intReply(c.db.SDiffStore(args[1], args[2:])) }

// sinterCardNumKeys parses SINTERCARD's numkeys; "" on success.
func sinterCardNumKeys(args [][]byte) (int, string) {
	n, ok := argInt(args[1])
	if !ok || n < 1 {
		return 0, errSetNumKeys
	}
	if n > int64(len(args)-2) {
		return 0, errSetNumKeysArgs
	}
	return int(n), ""
}

// sinterCardKeys: SINTERCARD numkeys key [key ...] [LIMIT limit].
func sinterCardKeys(args [][]byte) []int {
	if len(args) < 3 {
		return nil
	}
	n, e := sinterCardNumKeys(args)
	if e != "" {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = 2 + i
	}
	return out
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func cmdSInterCard(c *Client, args [][]byte) {
	n, e := sinterCardNumKeys(args)
	if e != "" {
		c.w.Error(e)
		return
	}
	var limit int64
	for i := 2 + n; i < len(args); i++ {
		if eq(args[i], "limit") && i+1 < len(args) {
			i++
			l, ok := argInt(args[i])
			if !ok || l < 0 {
				c.w.Error(errSetLimitNegative)
				return
			}
			limit = l
			continue
		}
		c.w.Error(errSyntax)
		return
	}
	c.intReply(c.db.SInterCard(args[2:2+n], limit))
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
func cmdSScan(c *Client, args [][]byte) {
	cursor, ok := parseScanCursor(args[2])
	if !ok {
		c.w.Error(errInvalidCursor)
		return
	}
	o, optErr := parseScanOptions(args, 3, false)
	if optErr != "" {
		// Redis looks the key up before it parses the options: a missing
		// key is an empty scan, a wrong type WRONGTYPE, whatever follows.
		n, err := c.db.SCard(args[1])
		switch {
		case err != nil:
			c.replyErr(err)
		case n == 0:
			c.w.Array(2)
			c.w.BulkString("0")
			c.w.Array(0)
		default:
			c.w.Error(optErr)
		}
		return
	}
	next, ms, err := c.db.SScan(args[1], cursor, int(min(o.count, 1<<20)), o.matcher())
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(next, 10))
	c.w.BulkArray(ms)
}
