package engine

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
)

// Bit operations on strings (GETBIT, SETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD) and LCS, with Redis 7.0's semantics. Bit 0 is the most
// significant bit of the first byte. Reads past the end of a string see
// zero bits and allocate nothing; writes grow the string with zero bytes.

// Errors of the bit commands. The resp package maps them to Redis' text.
var (
	// ErrBitOffset: a bit offset at or past MaxStringLen*8.
	ErrBitOffset = errors.New("engine: bit offset is out of range")
	// ErrBitFieldType: a BITFIELD width outside i1..i64 or u1..u63.
	ErrBitFieldType = errors.New("engine: invalid bitfield type")
	// ErrLCSTooLong: an LCS input of 2^32-2 bytes or more.
	ErrLCSTooLong = errors.New("engine: string too long for LCS")
	// ErrLCSMemory: the LCS table would exceed MaxLCSTable bytes.
	ErrLCSMemory = errors.New("engine: LCS table too large")
)

// MaxBitOffset is the largest bit offset SETBIT, GETBIT and BITFIELD accept
// (Redis: offset>>3 < proto-max-bulk-len).
const MaxBitOffset = MaxStringLen*8 - 1

// GetBit returns the bit at offset in the string at key: 0 when the key is
// missing or the offset lies past the end of the string.
func (db *DB) GetBit(key []byte, offset uint64) (int, error) {
	if offset > MaxBitOffset {
		return 0, ErrBitOffset
	}
	var bit int
	err := db.view(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeString)
		if err != nil || !e.live {
			return err
		}
		bit = int(getBit(e.Value, offset))
		return nil
	})
	return bit, err
}

// SetBit sets (on) or clears the bit at offset in the string at key,
// creating the key or zero-padding the string as needed, and returns the
// bit's previous value. The TTL is kept.
func (db *DB) SetBit(key []byte, offset uint64, on bool) (int, error) {
	if offset > MaxBitOffset {
		return 0, ErrBitOffset
	}
	var old int
	err := db.modifyString(key, always(StrRaw), func(v []byte, _ bool) ([]byte, error) {
		old = int(getBit(v, offset))
		byteIdx := offset >> 3
		// Redis writes even when the bit is unchanged: the value becomes
		// raw and the key counts as modified (WATCH).
		nv := make([]byte, max(uint64(len(v)), byteIdx+1))
		copy(nv, v)
		setBit(nv, offset, on)
		return nv, nil
	})
	return old, err
}

// getBit reads one bit; bits past the end of v are 0.
func getBit(v []byte, offset uint64) byte {
	i := offset >> 3
	if i >= uint64(len(v)) {
		return 0
	}
	return (v[i] >> (7 - offset&7)) & 1
}

// setBit writes one bit of v, which must be long enough.
func setBit(v []byte, offset uint64, on bool) {
	mask := byte(1) << (7 - offset&7)
	if on {
		v[offset>>3] |= mask
	} else {
		v[offset>>3] &^= mask
	}
}

// BitRange is the optional range of BITCOUNT and BITPOS: Start and End are
// inclusive, negative values count from the end, and Bits says they count
// bits rather than bytes.
type BitRange struct {
	Start, End int64
	HasStart   bool // a start was given (BITCOUNT: start and end)
	HasEnd     bool // an end was given (BITPOS only; BITCOUNT takes both or none)
	Bits       bool
}

// resolve converts r into an inclusive byte range of a string of n bytes,
// with masks of the bits of the edge bytes that lie outside the range (bit
// ranges only), exactly as Redis' bitcount/bitpos commands do.
func (r BitRange) resolve(n int64) (start, end int64, firstMask, lastMask byte) {
	if !r.HasStart {
		return 0, n - 1, 0, 0
	}
	start, end = r.Start, r.End
	total := n
	if !r.HasEnd && !r.Bits {
		end = n - 1
	} else if !r.HasEnd {
		end = n<<3 + 7
	}
	if r.Bits {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	if r.Bits && start <= end {
		firstMask = ^byte(1<<(8-start&7) - 1)
		lastMask = byte(1<<(7-end&7) - 1)
		start >>= 3
		end >>= 3
	}
	return start, end, firstMask, lastMask
}

// BitCount counts the set bits of v (an existing string) within r, as
// BITCOUNT does.
func BitCount(v []byte, r BitRange) int64 {
	if r.HasStart && r.Start < 0 && r.End < 0 && r.Start > r.End {
		return 0
	}
	start, end, firstMask, lastMask := r.resolve(int64(len(v)))
	if start > end {
		return 0
	}
	n := popcount(v[start : end+1])
	n -= int64(bits.OnesCount8(v[start]&firstMask) + bits.OnesCount8(v[end]&lastMask))
	return n
}

func popcount(b []byte) int64 {
	var n int
	for len(b) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for _, c := range b {
		n += bits.OnesCount8(c)
	}
	return int64(n)
}

// BitPos returns the position of the first bit equal to bit (0 or 1) in v
// (an existing string) within r, or -1, as BITPOS does: without an end
// the string counts as padded with zero bits on the right.
func BitPos(v []byte, bit byte, r BitRange) int64 {
	start, end, firstMask, lastMask := r.resolve(int64(len(v)))
	if start > end {
		return -1
	}
	// This follows Redis' bitposCommand step by step (the edge bytes of a
	// bit range are searched on their own, with the outside bits masked to
	// the value not searched for), so that every corner agrees with it.
	mask := func(b, m byte) byte {
		if bit == 1 {
			return b &^ m
		}
		return b | m
	}
	nbytes := end - start + 1
	pos := int64(-1)
	done := false
	if firstMask != 0 {
		tmp := mask(v[start], firstMask)
		if lastMask != 0 && nbytes == 1 {
			tmp = mask(tmp, lastMask)
		}
		pos = bitPosIn([]byte{tmp}, bit)
		if nbytes == 1 || (pos != -1 && pos != 8) {
			done = true
		} else {
			start++
			nbytes--
		}
	}
	if !done {
		cur := nbytes
		if lastMask != 0 {
			cur--
		}
		if cur > 0 {
			pos = bitPosIn(v[start:start+cur], bit)
			if nbytes == cur || (pos != -1 && pos != cur<<3) {
				done = true
			} else {
				start += cur
				nbytes -= cur
			}
		}
	}
	if !done {
		pos = bitPosIn([]byte{mask(v[end], lastMask)}, bit)
	}
	if r.HasEnd && bit == 0 && pos == nbytes<<3 {
		return -1
	}
	if pos != -1 {
		pos += start << 3
	}
	return pos
}

// bitPosIn is Redis' redisBitpos: the first bit equal to bit in b; for 0
// bits, len(b)*8 when every bit is set; for 1 bits, -1 when none is.
func bitPosIn(b []byte, bit byte) int64 {
	skip := byte(0)
	if bit == 0 {
		skip = 0xff
	}
	var i int
	for i+8 <= len(b) {
		w := binary.BigEndian.Uint64(b[i:])
		if bit == 0 {
			w = ^w
		}
		if w != 0 {
			return int64(i*8 + bits.LeadingZeros64(w))
		}
		i += 8
	}
	for ; i < len(b); i++ {
		if b[i] != skip {
			c := b[i]
			if bit == 0 {
				c = ^c
			}
			return int64(i*8 + bits.LeadingZeros8(c))
		}
	}
	if bit == 1 {
		return -1
	}
	return int64(len(b)) * 8
}

// BitOpKind is a BITOP operation.
type BitOpKind uint8

// BITOP operations.
const (
	BitAnd BitOpKind = iota
	BitOr
	BitXor
	BitNot
)

// BitOp stores op applied to the strings at srcs (missing keys are empty
// strings; shorter strings are zero-padded) into dest and returns the
// length of the result. An empty result deletes dest. dest may hold any
// type and loses its TTL; a source that is not a string is ErrWrongType.
// BitNot takes exactly one source.
func (db *DB) BitOp(op BitOpKind, dest []byte, srcs [][]byte) (int64, error) {
	if op > BitNot || len(srcs) == 0 || (op == BitNot && len(srcs) != 1) {
		return 0, errors.New("engine: bitop: bad operation or source count")
	}
	keys := make([][]byte, 0, 1+len(srcs))
	keys = append(append(keys, dest), srcs...)
	var n int64
	err := db.update(func(tx *Tx) error {
		vals := make([][]byte, len(srcs))
		maxLen := 0
		for i, k := range srcs {
			e, err := tx.loadType(k, TypeString)
			if err != nil {
				return err
			}
			if e.live {
				vals[i] = e.Value
				maxLen = max(maxLen, len(e.Value))
			}
		}
		d, err := tx.load(dest)
		if err != nil {
			return err
		}
		n = int64(maxLen)
		if maxLen == 0 {
			return tx.del(d)
		}
		return tx.setString(d, bitOp(op, vals, maxLen), 0, false, StrRaw)
	})
	return n, err
}

// bitOp computes op over vals into a new string of size bytes.
func bitOp(op BitOpKind, vals [][]byte, size int) []byte {
	res := make([]byte, size)
	copy(res, vals[0])
	if op == BitNot {
		for i := range res {
			res[i] = ^res[i]
		}
		return res
	}
	for _, v := range vals[1:] {
		switch op {
		case BitAnd:
			n := min(len(v), len(res))
			for i := 0; i < n; i++ {
				res[i] &= v[i]
			}
			clear(res[n:])
		case BitOr:
			for i, c := range v {
				res[i] |= c
			}
		case BitXor:
			for i, c := range v {
				res[i] ^= c
			}
		}
	}
	return res
}

// BitFieldKind is a BITFIELD subcommand.
type BitFieldKind uint8

// BITFIELD subcommands.
const (
	BitFieldGet BitFieldKind = iota
	BitFieldSet
	BitFieldIncrBy
)

// Overflow is BITFIELD's OVERFLOW mode.
type Overflow uint8

// Overflow modes.
const (
	OverflowWrap Overflow = iota
	OverflowSat
	OverflowFail
)

// BitFieldOp is one GET, SET or INCRBY of a BITFIELD command.
type BitFieldOp struct {
	Kind     BitFieldKind
	Signed   bool
	Bits     uint   // width: 1..64 signed, 1..63 unsigned
	Offset   uint64 // bit offset, at most MaxBitOffset
	Value    int64  // SET value or INCRBY increment
	Overflow Overflow
}

// BitFieldResult is the reply of one BitFieldOp; Nil reports an overflow
// refused under OverflowFail.
type BitFieldResult struct {
	Value int64
	Nil   bool
}

// BitField runs ops, in order, on the string at key, as BITFIELD does.
// With only GETs nothing is written and a missing key reads as zeros.
// Otherwise the string is first zero-padded to hold every SET and INCRBY
// field (creating the key if missing, even when every write then fails
// under OverflowFail, as Redis does), and the TTL is kept.
func (db *DB) BitField(key []byte, ops []BitFieldOp) ([]BitFieldResult, error) {
	write := false
	var need uint64 // bytes needed by the writes
	for _, op := range ops {
		if op.Bits < 1 || op.Bits > 64 || (!op.Signed && op.Bits > 63) {
			return nil, ErrBitFieldType
		}
		if op.Offset > MaxBitOffset {
			return nil, ErrBitOffset
		}
		if op.Kind != BitFieldGet {
			write = true
			need = max(need, (op.Offset+uint64(op.Bits)-1)>>3+1)
		}
	}
	out := make([]BitFieldResult, len(ops))
	if !write {
		err := db.view(func(tx *Tx) error {
			e, err := tx.loadType(key, TypeString)
			if err != nil {
				return err
			}
			var v []byte
			if e.live {
				v = e.Value
			}
			for i, op := range ops {
				out[i].Value = getField(v, op)
			}
			return nil
		})
		return out, err
	}
	err := db.modifyString(key, always(StrRaw), func(v []byte, _ bool) ([]byte, error) {
		nv := make([]byte, max(uint64(len(v)), need))
		copy(nv, v)
		changed := len(nv) != len(v) // also true for a missing key: need >= 1
		for i, op := range ops {
			if op.Kind == BitFieldGet {
				out[i].Value = getField(nv, op)
				continue
			}
			old := getField(nv, op)
			val, ret, ok := applyField(old, op)
			if !ok {
				out[i].Nil = true
				continue
			}
			out[i].Value = ret
			setUnsigned(nv, op.Offset, op.Bits, uint64(val))
			changed = changed || val != old
		}
		if !changed {
			return nil, nil
		}
		return nv, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// getField reads op's field from v (zero past the end), sign-extended for
// signed types.
func getField(v []byte, op BitFieldOp) int64 {
	u := getUnsigned(v, op.Offset, op.Bits)
	if op.Signed && op.Bits < 64 && u&(1<<(op.Bits-1)) != 0 {
		u |= math.MaxUint64 << op.Bits
	}
	return int64(u)
}

func getUnsigned(v []byte, offset uint64, width uint) uint64 {
	var u uint64
	for j := uint64(0); j < uint64(width); j++ {
		u = u<<1 | uint64(getBit(v, offset+j))
	}
	return u
}

// setUnsigned writes the low width bits of u at offset; v must be long
// enough.
func setUnsigned(v []byte, offset uint64, width uint, u uint64) {
	for j := uint64(0); j < uint64(width); j++ {
		setBit(v, offset+j, u&(1<<(uint64(width)-1-j)) != 0)
	}
}

// applyField computes a SET or INCRBY on the field's old value: the value
// to store, the value to reply, and ok=false when OverflowFail refuses it.
func applyField(old int64, op BitFieldOp) (val, ret int64, ok bool) {
	if op.Signed {
		var nv int64
		var ovf bool
		if op.Kind == BitFieldIncrBy {
			lim, o := signedOverflow(old, op.Value, op.Bits, op.Overflow)
			nv, ovf = old+op.Value, o != 0
			if ovf {
				nv = lim
			}
			ret = nv
		} else {
			lim, o := signedOverflow(op.Value, 0, op.Bits, op.Overflow)
			nv, ovf = op.Value, o != 0
			if ovf {
				nv = lim
			}
			ret = old
		}
		if ovf && op.Overflow == OverflowFail {
			return 0, 0, false
		}
		return nv, ret, true
	}
	uold := uint64(old)
	var nv uint64
	var ovf bool
	if op.Kind == BitFieldIncrBy {
		lim, o := unsignedOverflow(uold, op.Value, op.Bits, op.Overflow)
		nv, ovf = uold+uint64(op.Value), o != 0
		if ovf {
			nv = lim
		}
		ret = int64(nv)
	} else {
		lim, o := unsignedOverflow(uint64(op.Value), 0, op.Bits, op.Overflow)
		nv, ovf = uint64(op.Value), o != 0
		if ovf {
			nv = lim
		}
		ret = old
	}
	if ovf && op.Overflow == OverflowFail {
		return 0, 0, false
	}
	return int64(nv), ret, true
}

// unsignedOverflow is Redis' checkUnsignedBitfieldOverflow: o is 1 on
// overflow, -1 on underflow, 0 when value+incr fits in width bits; lim is
// the value to store instead under WRAP or SAT.
func unsignedOverflow(value uint64, incr int64, width uint, ow Overflow) (lim uint64, o int) {
	maxv := uint64(1)<<width - 1
	if width == 64 {
		maxv = math.MaxUint64
	}
	maxIncr := int64(maxv - value)
	minIncr := -int64(value)
	wrap := (value + uint64(incr)) &^ (math.MaxUint64 << width)
	switch {
	case value > maxv || (incr > 0 && incr > maxIncr):
		if ow == OverflowSat {
			return maxv, 1
		}
		return wrap, 1
	case incr < 0 && incr < minIncr:
		if ow == OverflowSat {
			return 0, -1
		}
		return wrap, -1
	}
	return 0, 0
}

// signedOverflow is Redis' checkSignedBitfieldOverflow, with the same
// results as unsignedOverflow for signed fields.
func signedOverflow(value, incr int64, width uint, ow Overflow) (lim int64, o int) {
	maxv := int64(math.MaxInt64)
	if width < 64 {
		maxv = int64(1)<<(width-1) - 1
	}
	minv := -maxv - 1
	// Both may wrap; they are only used once value is known to be in range.
	maxIncr := int64(uint64(maxv) - uint64(value))
	minIncr := minv - value
	wrapped := func() int64 {
		c := uint64(value) + uint64(incr)
		if width < 64 {
			m := uint64(math.MaxUint64) << width
			if c&(1<<(width-1)) != 0 {
				c |= m
			} else {
				c &^= m
			}
		}
		return int64(c)
	}
	switch {
	case value > maxv || (width != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		if ow == OverflowSat {
			return maxv, 1
		}
		return wrapped(), 1
	case value < minv || (width != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		if ow == OverflowSat {
			return minv, -1
		}
		return wrapped(), -1
	}
	return 0, 0
}

// GetStrings returns the values of keys read from one snapshot: nil for a
// missing key, ErrWrongType when a key holds another type.
func (db *DB) GetStrings(keys [][]byte) ([][]byte, error) {
	out := make([][]byte, len(keys))
	err := db.view(func(tx *Tx) error {
		for i, k := range keys {
			e, err := tx.loadType(k, TypeString)
			if err != nil {
				return err
			}
			if e.live {
				out[i] = e.Value
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LCSOptions select what LCS computes: with Len only the length; with Idx
// the matching ranges (those shorter than MinMatchLen left out).
type LCSOptions struct {
	Len         bool
	Idx         bool
	MinMatchLen int64
}

// LCSMatch is one matching range: inclusive byte ranges of a and b, and
// their length.
type LCSMatch struct {
	A, B [2]int64
	Len  int64
}

// LCSResult is what LCS found: the length of the longest common
// subsequence, the subsequence itself (unless Len only), and the matches
// (with Idx), last match first as Redis reports them.
type LCSResult struct {
	Len     int64
	LCS     []byte
	Matches []LCSMatch
}

// MaxLCSTable bounds the memory of the dynamic-programming table LCS
// builds for the subsequence and its matches (Redis allocates the table
// with no limit and fails only when malloc does).
const MaxLCSTable = 512 << 20

// LCS computes the longest common subsequence of a and b as Redis' LCS
// command does, with the same tie-breaking, so that it returns the same
// subsequence and ranges.
func LCS(a, b []byte, o LCSOptions) (LCSResult, error) {
	if int64(len(a)) >= math.MaxUint32-1 || int64(len(b)) >= math.MaxUint32-1 {
		return LCSResult{}, ErrLCSTooLong
	}
	if o.Len && !o.Idx {
		return LCSResult{Len: lcsLen(a, b)}, nil
	}
	cells := uint64(len(a)+1) * uint64(len(b)+1)
	if min(len(a), len(b)) < math.MaxUint16 {
		if cells*2 > MaxLCSTable {
			return LCSResult{}, ErrLCSMemory
		}
		return lcsTable[uint16](a, b, o), nil
	}
	if cells*4 > MaxLCSTable {
		return LCSResult{}, ErrLCSMemory
	}
	return lcsTable[uint32](a, b, o), nil
}

// lcsLen computes only the length, in two rows of memory.
func lcsLen(a, b []byte) int64 {
	prev := make([]uint32, len(b)+1)
	cur := make([]uint32, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return int64(prev[len(b)])
}

// lcsTable builds the full table (cells wide enough for min(len(a),
// len(b))) and walks it back from the end as Redis does.
func lcsTable[T uint16 | uint32](a, b []byte, o LCSOptions) LCSResult {
	alen, blen := len(a), len(b)
	w := blen + 1
	dp := make([]T, (alen+1)*w)
	for i := 1; i <= alen; i++ {
		for j := 1; j <= blen; j++ {
			if a[i-1] == b[j-1] {
				dp[i*w+j] = dp[(i-1)*w+j-1] + 1
			} else {
				dp[i*w+j] = max(dp[(i-1)*w+j], dp[i*w+j-1])
			}
		}
	}
	n := int(dp[alen*w+blen])
	res := LCSResult{Len: int64(n), LCS: make([]byte, n)}
	idx := n
	// A range in progress has aStart != alen (Redis' "not set" marker).
	aStart, aEnd, bStart, bEnd := alen, 0, 0, 0
	i, j := alen, blen
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			res.LCS[idx-1] = a[i-1]
			if aStart == alen {
				aStart, aEnd, bStart, bEnd = i-1, i-1, j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if dp[(i-1)*w+j] > dp[i*w+j-1] {
				i--
			} else {
				j--
			}
			if aStart != alen {
				emit = true
			}
		}
		if emit {
			l := int64(aEnd - aStart + 1)
			if o.Idx && (o.MinMatchLen == 0 || l >= o.MinMatchLen) {
				res.Matches = append(res.Matches, LCSMatch{
					A:   [2]int64{int64(aStart), int64(aEnd)},
					B:   [2]int64{int64(bStart), int64(bEnd)},
					Len: l,
				})
			}
			aStart = alen
		}
	}
	return res
}
