package resp

import (
	"errors"

	"github.com/kvnode/kvnode/engine"
)

// Bit commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
// BITFIELD_RO) and LCS. Arguments are checked in the order Redis 7.0
// checks them, so that a request with several faults gets Redis' error.

func bitCommands() []*Command {
	ro := FlagReadonly
	w := FlagWrite | FlagDenyOOM
	return []*Command{
		{Name: "setbit", Arity: 4, Flags: w, First: 1, Last: 1, Step: 1, Handler: cmdSetBit, Group: "bitmap"},
		{Name: "getbit", Arity: 3, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdGetBit, Group: "bitmap"},
		{Name: "bitcount", Arity: -2, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdBitCount, Group: "bitmap"},
		{Name: "bitpos", Arity: -3, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdBitPos, Group: "bitmap"},
		{Name: "bitop", Arity: -4, Flags: w, First: 2, Last: -1, Step: 1, Handler: cmdBitOp, Group: "bitmap"},
		{Name: "bitfield", Arity: -2, Flags: w, First: 1, Last: 1, Step: 1, Handler: cmdBitField, Group: "bitmap"},
		{Name: "bitfield_ro", Arity: -2, Flags: ro | FlagFast, First: 1, Last: 1, Step: 1, Handler: cmdBitField, Group: "bitmap"},
		{Name: "lcs", Arity: -3, Flags: ro, First: 1, Last: 2, Step: 1, Handler: cmdLCS, Group: "string"},
	}
}

// bitOffsetArg parses a bit offset as Redis' getBitOffsetFromArgument: a
// non-negative integer whose byte lies below proto-max-bulk-len. With
// width > 0 (BITFIELD) "#N" means N*width.
func (c *Client) bitOffsetArg(arg []byte, width uint) (uint64, bool) {
	hash := width > 0 && len(arg) > 0 && arg[0] == '#'
	if hash {
		arg = arg[1:]
	}
	off, ok := argInt(arg)
	if !ok {
		return 0, false
	}
	if hash {
		off *= int64(width) // wraps on overflow, as in Redis
	}
	if off < 0 || off>>3 >= c.srv.cfg.Int("proto-max-bulk-len") {
		return 0, false
	}
	return uint64(off), true
}

func cmdSetBit(c *Client, args [][]byte) {
	off, ok := c.bitOffsetArg(args[2], 0)
	if !ok {
		c.w.Error(errBitOffset)
		return
	}
	on, ok := argInt(args[3])
	if !ok || on&^1 != 0 {
		c.w.Error(errBitValue)
		return
	}
	old, err := c.db.SetBit(args[1], off, on == 1)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(int64(old))
}

func cmdGetBit(c *Client, args [][]byte) {
	off, ok := c.bitOffsetArg(args[2], 0)
	if !ok {
		c.w.Error(errBitOffset)
		return
	}
	bit, err := c.db.GetBit(args[1], off)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(int64(bit))
}

// bitUnitArg parses BYTE or BIT; ok is false for anything else.
func bitUnitArg(arg []byte) (bits, ok bool) {
	switch {
	case eq(arg, "bit"):
		return true, true
	case eq(arg, "byte"):
		return false, true
	}
	return false, false
}

// cmdBitCount follows Redis 7.0: the key is looked up first (a missing key
// is 0 whatever the arguments), then the range is parsed.
func cmdBitCount(c *Client, args [][]byte) {
	v, exists, err := c.db.Get(args[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	if !exists {
		c.w.Int(0)
		return
	}
	var r engine.BitRange
	switch len(args) {
	case 2:
	case 4, 5:
		start, ok1 := argInt(args[2])
		end, ok2 := argInt(args[3])
		if !ok1 || !ok2 {
			c.w.Error(errNotInteger)
			return
		}
		r = engine.BitRange{Start: start, End: end, HasStart: true, HasEnd: true}
		if start < 0 && end < 0 && start > end {
			c.w.Int(0)
			return
		}
		if len(args) == 5 {
			if r.Bits, ok1 = bitUnitArg(args[4]); !ok1 {
				c.w.Error(errSyntax)
				return
			}
		}
	default:
		c.w.Error(errSyntax)
		return
	}
	c.w.Int(engine.BitCount(v, r))
}

// cmdBitPos follows Redis 7.0: the bit argument, then the key (a missing
// key answers at once), then the range.
func cmdBitPos(c *Client, args [][]byte) {
	bit, ok := argInt(args[2])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	if bit != 0 && bit != 1 {
		c.w.Error(errBitPosBit)
		return
	}
	v, exists, err := c.db.Get(args[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	if !exists {
		c.w.Int(-bit) // 1 → -1 (no set bit), 0 → 0
		return
	}
	var r engine.BitRange
	switch len(args) {
	case 3:
	case 4, 5, 6:
		if r.Start, ok = argInt(args[3]); !ok {
			c.w.Error(errNotInteger)
			return
		}
		r.HasStart = true
		if len(args) == 6 {
			if r.Bits, ok = bitUnitArg(args[5]); !ok {
				c.w.Error(errSyntax)
				return
			}
		}
		if len(args) >= 5 {
			if r.End, ok = argInt(args[4]); !ok {
				c.w.Error(errNotInteger)
				return
			}
			r.HasEnd = true
		}
	default:
		c.w.Error(errSyntax)
		return
	}
	c.w.Int(engine.BitPos(v, byte(bit), r))
}

func cmdBitOp(c *Client, args [][]byte) {
	var op engine.BitOpKind
	switch {
	case eq(args[1], "and"):
		op = engine.BitAnd
	case eq(args[1], "or"):
		op = engine.BitOr
	case eq(args[1], "xor"):
		op = engine.BitXor
	case eq(args[1], "not"):
		op = engine.BitNot
	default:
		c.w.Error(errSyntax)
		return
	}
	if op == engine.BitNot && len(args) != 4 {
		c.w.Error(errBitOpNot)
		return
	}
	c.intReply(c.db.BitOp(op, args[2], args[3:]))
}

// bitFieldTypeArg parses a BITFIELD type: i1..i64 or u1..u63 (the letter
// is case-sensitive in Redis).
func bitFieldTypeArg(arg []byte) (signed bool, width uint, ok bool) {
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		return false, 0, false
	}
	signed = arg[0] == 'i'
	n, ok := argInt(arg[1:])
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		return false, 0, false
	}
	return signed, uint(n), true
}

// cmdBitField serves BITFIELD and BITFIELD_RO: every subcommand is parsed
// before the key is touched, as in Redis.
func cmdBitField(c *Client, args [][]byte) {
	readOnly := eq(args[0], "bitfield_ro")
	var ops []engine.BitFieldOp
	ow := engine.OverflowWrap
	writes := false
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		var op engine.BitFieldOp
		switch sub := args[j]; {
		case eq(sub, "get") && rem >= 2:
			op.Kind = engine.BitFieldGet
		case eq(sub, "set") && rem >= 3:
			op.Kind = engine.BitFieldSet
		case eq(sub, "incrby") && rem >= 3:
			op.Kind = engine.BitFieldIncrBy
		case eq(sub, "overflow") && rem >= 1:
			j++
			switch a := args[j]; {
			case eq(a, "wrap"):
				ow = engine.OverflowWrap
			case eq(a, "sat"):
				ow = engine.OverflowSat
			case eq(a, "fail"):
				ow = engine.OverflowFail
			default:
				c.w.Error(errBitFieldOverflw)
				return
			}
			continue
		default:
			c.w.Error(errSyntax)
			return
		}
		var ok bool
		if op.Signed, op.Bits, ok = bitFieldTypeArg(args[j+1]); !ok {
			c.w.Error(errBitFieldType)
			return
		}
		if op.Offset, ok = c.bitOffsetArg(args[j+2], op.Bits); !ok {
			c.w.Error(errBitOffset)
			return
		}
		if op.Kind != engine.BitFieldGet {
			writes = true
			if op.Value, ok = argInt(args[j+3]); !ok {
				c.w.Error(errNotInteger)
				return
			}
			j++
		}
		op.Overflow = ow
		ops = append(ops, op)
		j += 2
	}
	if writes && readOnly {
		c.w.Error(errBitFieldRO)
		return
	}
	res, err := c.db.BitField(args[1], ops)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Array(len(res))
	for _, r := range res {
		if r.Nil {
			c.w.Null()
		} else {
			c.w.Int(r.Value)
		}
	}
}

// cmdLCS follows Redis 7.0: both keys are read and type-checked first,
// then the options are parsed.
func cmdLCS(c *Client, args [][]byte) {
	vals, err := c.db.GetStrings(args[1:3])
	if errors.Is(err, engine.ErrWrongType) {
		c.w.Error(errLCSWrongType)
		return
	}
	if err != nil {
		c.replyErr(err)
		return
	}
	var o engine.LCSOptions
	withLen := false
	for j := 3; j < len(args); j++ {
		more := len(args) - 1 - j
		switch a := args[j]; {
		case eq(a, "idx"):
			o.Idx = true
		case eq(a, "len"):
			o.Len = true
		case eq(a, "withmatchlen"):
			withLen = true
		case eq(a, "minmatchlen") && more > 0:
			n, ok := argInt(args[j+1])
			if !ok {
				c.w.Error(errNotInteger)
				return
			}
			o.MinMatchLen = max(n, 0)
			j++
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	if o.Idx && o.Len {
		c.w.Error(errLCSLenAndIdx)
		return
	}
	res, err := engine.LCS(vals[0], vals[1], o)
	if err != nil {
		c.replyErr(err)
		return
	}
	switch {
	case o.Idx:
		c.w.Map(2)
		c.w.BulkString("matches")
		c.w.Array(len(res.Matches))
		for _, m := range res.Matches {
			if withLen {
				c.w.Array(3)
			} else {
				c.w.Array(2)
			}
			c.w.Array(2)
			c.w.Int(m.A[0])
			c.w.Int(m.A[1])
			c.w.Array(2)
			c.w.Int(m.B[0])
			c.w.Int(m.B[1])
			if withLen {
				c.w.Int(m.Len)
			}
		}
		c.w.BulkString("len")
		c.w.Int(res.Len)
	case o.Len:
		c.w.Int(res.Len)
	default:
		c.w.Bulk(res.LCS)
	}
}
