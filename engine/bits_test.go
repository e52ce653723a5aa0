package engine

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// putHash stores an (empty) hash meta record at key, to test type checks.
func bitsPutHash(t *testing.T, db *DB, key string) {
	t.Helper()
	err := db.update(func(tx *Tx) error {
		e, err := tx.load([]byte(key))
		if err != nil {
			return err
		}
		e.Meta = Meta{Type: TypeHash, Version: 1, Count: 1}
		return tx.put(e)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func bitsGet(t *testing.T, db *DB, key string) (string, bool) {
	t.Helper()
	v, ok, err := db.Get([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return string(v), ok
}

func TestSetBitGetBit(t *testing.T) {
	db := openLive(t, mem)
	k := []byte("k")
	steps := []struct {
		off     uint64
		on      bool
		wantOld int
		want    string
	}{
		{7, true, 0, "\x01"},
		{7, false, 1, "\x00"},
		{7, false, 0, "\x00"},
		{0, true, 0, "\x80"},
		{23, true, 0, "\x80\x00\x01"},
		{100, false, 0, "\x80\x00\x01" + string(make([]byte, 10))},
	}
	for _, s := range steps {
		old, err := db.SetBit(k, s.off, s.on)
		if err != nil || old != s.wantOld {
			t.Fatalf("SetBit(%d, %v) = %d, %v; want %d", s.off, s.on, old, err, s.wantOld)
		}
		if got, _ := bitsGet(t, db, "k"); got != s.want {
			t.Fatalf("after SetBit(%d, %v): %q, want %q", s.off, s.on, got, s.want)
		}
	}
	for off, want := range map[uint64]int{0: 1, 1: 0, 23: 1, 24: 0, MaxBitOffset: 0} {
		if got, err := db.GetBit(k, off); err != nil || got != want {
			t.Errorf("GetBit(%d) = %d, %v; want %d", off, got, err, want)
		}
	}
	if got, err := db.GetBit([]byte("missing"), 5); err != nil || got != 0 {
		t.Errorf("GetBit(missing) = %d, %v", got, err)
	}
	if _, err := db.SetBit(k, MaxBitOffset+1, true); !errors.Is(err, ErrBitOffset) {
		t.Errorf("SetBit past the limit: %v", err)
	}
	if _, err := db.GetBit(k, MaxBitOffset+1); !errors.Is(err, ErrBitOffset) {
		t.Errorf("GetBit past the limit: %v", err)
	}

	// The TTL is kept.
	at := nowMs() + 100_000
	if _, err := db.Set([]byte("t"), []byte("a"), SetOptions{ExpireAt: at}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetBit([]byte("t"), 20, true); err != nil {
		t.Fatal(err)
	}
	if got, _, _, _ := db.ExpireTime([]byte("t")); got != at {
		t.Errorf("TTL after SetBit: %d, want %d", got, at)
	}

	bitsPutHash(t, db, "h")
	if _, err := db.SetBit([]byte("h"), 1, true); !errors.Is(err, ErrWrongType) {
		t.Errorf("SetBit on a hash: %v", err)
	}
	if _, err := db.GetBit([]byte("h"), 1); !errors.Is(err, ErrWrongType) {
		t.Errorf("GetBit on a hash: %v", err)
	}
}

// Expected values captured from redis-server 7.0.15.
func TestBitCountBitPosCases(t *testing.T) {
	foobar := []byte("foobar")
	rng := func(s, e int64, bits bool) BitRange {
		return BitRange{Start: s, End: e, HasStart: true, HasEnd: true, Bits: bits}
	}
	counts := []struct {
		r    BitRange
		want int64
	}{
		{BitRange{}, 26},
		{rng(0, 0, false), 4},
		{rng(1, 1, false), 6},
		{rng(1, -2, false), 18},
		{rng(-100, 100, false), 26},
		{rng(5, 1, false), 0},
		{rng(5, 30, true), 17},
		{rng(-13, -2, true), 5},
		{rng(7, 7, true), 0},
		{rng(9, 9, true), 1},
		{rng(47, 1000, true), 0},
		{rng(-1, -2, false), 0},
		{rng(math.MinInt64, math.MaxInt64, true), 26},
	}
	for _, c := range counts {
		if got := BitCount(foobar, c.r); got != c.want {
			t.Errorf("BitCount(foobar, %+v) = %d, want %d", c.r, got, c.want)
		}
	}
	if got := BitCount(nil, rng(0, -1, true)); got != 0 {
		t.Errorf("BitCount(empty) = %d", got)
	}

	s := []byte("\xff\xf0\x00")
	ones := []byte("\xff\xff\xff")
	from := func(st int64) BitRange { return BitRange{Start: st, HasStart: true} }
	poss := []struct {
		v    []byte
		bit  byte
		r    BitRange
		want int64
	}{
		{s, 0, BitRange{}, 12},
		{s, 1, BitRange{}, 0},
		{s, 1, from(2), -1},
		{s, 0, from(1), 12},
		{s, 0, rng(0, 0, false), -1},
		{s, 1, from(-1), -1},
		{s, 1, rng(2, 1, false), -1},
		{s, 0, rng(1, 1, false), 12},
		{s, 0, rng(0, 7, true), -1},
		{s, 0, rng(0, 11, true), -1},
		{s, 0, rng(0, 12, true), 12},
		{s, 1, rng(5, -1, true), 5},
		{s, 1, rng(12, -1, true), -1},
		{s, 0, rng(-12, -9, true), 12},
		{s, 1, rng(3, 2, true), -1},
		{ones, 0, BitRange{}, 24},
		{ones, 0, from(1), 24},
		{ones, 0, rng(0, -1, false), -1},
		{ones, 0, rng(0, -1, true), -1},
		{ones, 1, from(100), -1},
		{[]byte{}, 0, BitRange{}, -1},
		{[]byte{}, 1, BitRange{}, -1},
		{[]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02"), 1, rng(3, 148, true), -1},
		{[]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02"), 1, from(3), 150},
	}
	for _, c := range poss {
		if got := BitPos(c.v, c.bit, c.r); got != c.want {
			t.Errorf("BitPos(%q, %d, %+v) = %d, want %d", c.v, c.bit, c.r, got, c.want)
		}
	}
}

// naiveRange is the bit interval [lo, hi] a range selects in n bytes.
func naiveRange(n int64, r BitRange) (lo, hi int64) {
	if !r.HasStart {
		return 0, 8*n - 1
	}
	total := n
	if r.Bits {
		total *= 8
	}
	norm := func(x int64) int64 {
		if x < 0 {
			x += total
		}
		return max(x, 0)
	}
	s, e := norm(r.Start), total-1
	if r.HasEnd {
		e = min(norm(r.End), total-1)
	}
	if r.Bits {
		return s, e
	}
	return 8 * s, 8*e + 7
}

// TestBitCountBitPosRandom checks BitCount and BitPos against a bit-by-bit
// reading of Redis' documented semantics.
func TestBitCountBitPosRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for i := 0; i < 20000; i++ {
		v := make([]byte, r.IntN(40))
		for j := range v {
			v[j] = []byte{0, 0xff, byte(r.IntN(256))}[r.IntN(3)]
		}
		n := int64(len(v))
		br := BitRange{}
		if r.IntN(5) > 0 {
			br = BitRange{Start: r.Int64N(700) - 350, End: r.Int64N(700) - 350, HasStart: true, HasEnd: r.IntN(3) > 0, Bits: r.IntN(2) == 0}
			if br.Bits {
				br.HasEnd = true
			}
		}
		lo, hi := naiveRange(n, br)
		cr := br
		cr.HasEnd = cr.HasStart
		clo, chi := naiveRange(n, cr)
		var ccount int64
		for b := clo; b <= chi; b++ {
			ccount += int64(getBit(v, uint64(b)))
		}
		if cr.HasStart && cr.Start < 0 && cr.End < 0 && cr.Start > cr.End {
			ccount = 0 // Redis answers 0 before clamping such a range
		}
		if got := BitCount(v, cr); got != ccount {
			t.Fatalf("BitCount(%x, %+v) = %d, want %d", v, cr, got, ccount)
		}
		for bit := byte(0); bit <= 1; bit++ {
			want := int64(-1)
			for b := lo; b <= hi; b++ {
				if getBit(v, uint64(b)) == bit {
					want = b
					break
				}
			}
			if want == -1 && bit == 0 && !br.HasEnd && lo <= hi {
				want = hi + 1 // zero padding on the right
			}
			if got := BitPos(v, bit, br); got != want {
				t.Fatalf("BitPos(%x, %d, %+v) = %d, want %d", v, bit, br, got, want)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no case checked")
	}
}

func TestBitOp(t *testing.T) {
	db := openLive(t, mem)
	set := func(k, v string) {
		if _, err := db.Set([]byte(k), []byte(v), SetOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	set("a", "\xff\xf0\x0f")
	set("b", "\x0f\xff")
	cases := []struct {
		op   BitOpKind
		srcs []string
		want string
	}{
		{BitAnd, []string{"a", "b"}, "\x0f\xf0\x00"},
		{BitOr, []string{"a", "b"}, "\xff\xff\x0f"},
		{BitXor, []string{"a", "b", "b"}, "\xff\xf0\x0f"},
		{BitXor, []string{"a", "b"}, "\xf0\x0f\x0f"},
		{BitNot, []string{"a"}, "\x00\x0f\xf0"},
		{BitAnd, []string{"a", "missing"}, "\x00\x00\x00"},
		{BitOr, []string{"a"}, "\xff\xf0\x0f"},
	}
	for _, c := range cases {
		srcs := make([][]byte, len(c.srcs))
		for i, s := range c.srcs {
			srcs[i] = []byte(s)
		}
		n, err := db.BitOp(c.op, []byte("d"), srcs)
		if err != nil || n != int64(len(c.want)) {
			t.Fatalf("BitOp(%d, %q) = %d, %v", c.op, c.srcs, n, err)
		}
		if got, _ := bitsGet(t, db, "d"); got != c.want {
			t.Errorf("BitOp(%d, %q) stored %q, want %q", c.op, c.srcs, got, c.want)
		}
	}
	// An empty result deletes the destination.
	if n, err := db.BitOp(BitOr, []byte("d"), [][]byte{[]byte("x"), []byte("y")}); err != nil || n != 0 {
		t.Fatalf("empty BitOp = %d, %v", n, err)
	}
	if _, ok := bitsGet(t, db, "d"); ok {
		t.Error("empty result left the destination")
	}
	// A destination of another type is replaced; a source of another type
	// is refused.
	bitsPutHash(t, db, "h")
	if _, err := db.BitOp(BitAnd, []byte("d"), [][]byte{[]byte("a"), []byte("h")}); !errors.Is(err, ErrWrongType) {
		t.Errorf("hash source: %v", err)
	}
	if _, err := db.BitOp(BitNot, []byte("h"), [][]byte{[]byte("a")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := bitsGet(t, db, "h"); got != "\x00\x0f\xf0" {
		t.Errorf("hash destination now %q", got)
	}
	if _, err := db.BitOp(BitNot, []byte("d"), [][]byte{[]byte("a"), []byte("b")}); err == nil {
		t.Error("NOT with two sources accepted")
	}
}

// refField computes a BITFIELD SET/INCRBY with big integers: the value
// stored and replied, or ok=false for a refused overflow.
func refField(old int64, op BitFieldOp) (val, ret int64, ok bool) {
	w := int(op.Bits)
	var lo, hi *big.Int
	if op.Signed {
		lo = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), uint(w-1)))
		hi = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(w-1)), big.NewInt(1))
	} else {
		lo = big.NewInt(0)
		hi = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(w)), big.NewInt(1))
	}
	var target *big.Int
	switch {
	case op.Kind == BitFieldIncrBy:
		target = new(big.Int).Add(big.NewInt(old), big.NewInt(op.Value))
	case op.Signed:
		target = big.NewInt(op.Value)
	default: // an unsigned SET reads the value as a uint64
		target = new(big.Int).SetUint64(uint64(op.Value))
	}
	res := new(big.Int).Set(target)
	// Redis quirk: for a signed SET narrower than 64 bits, a value so
	// negative that max-value overflows an int64 counts as an overflow
	// upwards, so SAT stores the maximum.
	quirk := op.Signed && op.Kind == BitFieldSet && w < 64 &&
		new(big.Int).Sub(hi, target).Cmp(big.NewInt(math.MaxInt64)) > 0
	if quirk && op.Overflow == OverflowSat {
		res.Set(hi)
	} else if target.Cmp(lo) < 0 || target.Cmp(hi) > 0 {
		switch op.Overflow {
		case OverflowFail:
			return 0, 0, false
		case OverflowSat:
			if target.Cmp(lo) < 0 {
				res.Set(lo)
			} else {
				res.Set(hi)
			}
		case OverflowWrap:
			mod := new(big.Int).Lsh(big.NewInt(1), uint(w))
			res.Mod(res, mod)
			if res.Cmp(hi) > 0 {
				res.Sub(res, mod)
			}
		}
	}
	val = res.Int64()
	if !res.IsInt64() {
		val = int64(res.Uint64())
	}
	if op.Kind == BitFieldIncrBy {
		return val, val, true
	}
	return val, old, true
}

func TestBitFieldOverflowRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	edge := []int64{0, 1, -1, 2, -2, 127, -128, 255, 256, math.MaxInt64, math.MinInt64, math.MaxInt64 / 2, math.MinInt64 / 2}
	pick := func() int64 {
		if r.IntN(2) == 0 {
			return edge[r.IntN(len(edge))]
		}
		return int64(r.Uint64()) >> r.IntN(64)
	}
	checked := 0
	for i := 0; i < 200000; i++ {
		op := BitFieldOp{Signed: r.IntN(2) == 0, Kind: BitFieldKind(1 + r.IntN(2)), Overflow: Overflow(r.IntN(3)), Value: pick()}
		if op.Signed {
			op.Bits = uint(1 + r.IntN(64))
		} else {
			op.Bits = uint(1 + r.IntN(63))
		}
		// old is a value the field can hold.
		buf := make([]byte, 8)
		setUnsigned(buf, 0, op.Bits, uint64(pick()))
		old := getField(buf, op)
		val, ret, ok := applyField(old, op)
		wval, wret, wok := refField(old, op)
		if ok != wok || (ok && (val != wval || ret != wret)) {
			t.Fatalf("%+v old=%d: got (%d, %d, %v), want (%d, %d, %v)", op, old, val, ret, ok, wval, wret, wok)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no case checked")
	}
}

func TestBitField(t *testing.T) {
	db := openLive(t, mem)
	k := []byte("k")
	ops := []BitFieldOp{
		{Kind: BitFieldSet, Signed: true, Bits: 8, Value: 100},
		{Kind: BitFieldGet, Signed: true, Bits: 8},
		{Kind: BitFieldIncrBy, Signed: true, Bits: 8, Value: 100},
		{Kind: BitFieldGet, Bits: 4},
		{Kind: BitFieldGet, Signed: true, Bits: 4},
		{Kind: BitFieldIncrBy, Signed: true, Bits: 8, Value: -1000, Overflow: OverflowFail},
		{Kind: BitFieldIncrBy, Signed: true, Bits: 8, Value: -1000, Overflow: OverflowSat},
	}
	res, err := db.BitField(k, ops)
	if err != nil {
		t.Fatal(err)
	}
	want := []BitFieldResult{{Value: 0}, {Value: 100}, {Value: -56}, {Value: 12}, {Value: -4}, {Nil: true}, {Value: -128}}
	if len(res) != len(want) {
		t.Fatalf("got %d results", len(res))
	}
	for i := range want {
		if res[i] != want[i] {
			t.Errorf("op %d: %+v, want %+v", i, res[i], want[i])
		}
	}
	if got, _ := bitsGet(t, db, "k"); got != "\x80" {
		t.Errorf("value %q", got)
	}

	// Only GETs: a missing key stays missing and reads as zeros, even far
	// past the end.
	res, err = db.BitField([]byte("m"), []BitFieldOp{{Kind: BitFieldGet, Bits: 8, Offset: MaxBitOffset}, {Kind: BitFieldGet, Signed: true, Bits: 64, Offset: 100}})
	if err != nil || len(res) != 2 || res[0].Value != 0 || res[1].Value != 0 {
		t.Fatalf("GET on missing: %+v, %v", res, err)
	}
	if _, ok := bitsGet(t, db, "m"); ok {
		t.Error("GET created the key")
	}
	// A refused write still creates the zero-padded key (as Redis does).
	res, err = db.BitField([]byte("f"), []BitFieldOp{{Kind: BitFieldIncrBy, Bits: 2, Offset: 10, Value: 10, Overflow: OverflowFail}})
	if err != nil || !res[0].Nil {
		t.Fatalf("FAIL: %+v, %v", res, err)
	}
	if got, _ := bitsGet(t, db, "f"); got != "\x00\x00" {
		t.Errorf("FAIL left %q", got)
	}

	for _, bad := range []BitFieldOp{{Bits: 0}, {Bits: 65, Signed: true}, {Bits: 64}} {
		if _, err := db.BitField(k, []BitFieldOp{bad}); !errors.Is(err, ErrBitFieldType) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if _, err := db.BitField(k, []BitFieldOp{{Kind: BitFieldSet, Bits: 8, Offset: MaxBitOffset + 1}}); !errors.Is(err, ErrBitOffset) {
		t.Errorf("offset past the limit: %v", err)
	}
	bitsPutHash(t, db, "h")
	for _, op := range []BitFieldOp{{Kind: BitFieldGet, Bits: 8}, {Kind: BitFieldSet, Bits: 8}} {
		if _, err := db.BitField([]byte("h"), []BitFieldOp{op}); !errors.Is(err, ErrWrongType) {
			t.Errorf("hash, %+v: %v", op, err)
		}
	}
	if _, err := db.BitField([]byte("h"), nil); !errors.Is(err, ErrWrongType) {
		t.Errorf("hash, no ops: %v", err)
	}
}

func TestLCS(t *testing.T) {
	// Expected values captured from redis-server 7.0.15.
	a, b := []byte("ohmytext"), []byte("mynewtext")
	res, err := LCS(a, b, LCSOptions{Idx: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []LCSMatch{{A: [2]int64{4, 7}, B: [2]int64{5, 8}, Len: 4}, {A: [2]int64{2, 3}, B: [2]int64{0, 1}, Len: 2}}
	if res.Len != 6 || string(res.LCS) != "mytext" || len(res.Matches) != len(want) {
		t.Fatalf("LCS = %+v", res)
	}
	for i := range want {
		if res.Matches[i] != want[i] {
			t.Errorf("match %d: %+v, want %+v", i, res.Matches[i], want[i])
		}
	}
	res, _ = LCS(a, b, LCSOptions{Idx: true, MinMatchLen: 4})
	if len(res.Matches) != 1 || res.Matches[0] != want[0] {
		t.Errorf("MinMatchLen 4: %+v", res.Matches)
	}
	x, y := []byte("GTCAGGACTTAAGGCAATTGCC"), []byte("ATCGAGGACAAAGGCCTTGACCA")
	res, _ = LCS(y, x, LCSOptions{Idx: true, MinMatchLen: 3})
	want = []LCSMatch{{A: [2]int64{16, 18}, B: [2]int64{17, 19}, Len: 3}, {A: [2]int64{10, 13}, B: [2]int64{10, 13}, Len: 4}, {A: [2]int64{4, 8}, B: [2]int64{3, 7}, Len: 5}}
	if res.Len != 17 || len(res.Matches) != len(want) {
		t.Fatalf("LCS(y, x) = %+v", res)
	}
	for i := range want {
		if res.Matches[i] != want[i] {
			t.Errorf("match %d: %+v, want %+v", i, res.Matches[i], want[i])
		}
	}
	if res, _ := LCS(nil, a, LCSOptions{Idx: true}); res.Len != 0 || len(res.Matches) != 0 || len(res.LCS) != 0 {
		t.Errorf("LCS with an empty string: %+v", res)
	}
	// Too big a table is refused before anything is allocated.
	big := make([]byte, 20000)
	if _, err := LCS(big, big, LCSOptions{}); !errors.Is(err, ErrLCSMemory) {
		t.Errorf("huge LCS: %v", err)
	}
}

// TestLCSRandom checks that the subsequence is common to both inputs, has
// the length the two-row computation finds, and that the matches spell it.
func TestLCSRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	isSubseq := func(s, of []byte) bool {
		i := 0
		for _, c := range of {
			if i < len(s) && s[i] == c {
				i++
			}
		}
		return i == len(s)
	}
	for i := 0; i < 500; i++ {
		gen := func() []byte {
			b := make([]byte, r.IntN(60))
			for j := range b {
				b[j] = "ACGT"[r.IntN(4)]
			}
			return b
		}
		a, b := gen(), gen()
		res, err := LCS(a, b, LCSOptions{Idx: true})
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(res.LCS)) != res.Len || res.Len != lcsLen(a, b) {
			t.Fatalf("LCS(%s, %s): len %d, string %q, two-row %d", a, b, res.Len, res.LCS, lcsLen(a, b))
		}
		if !isSubseq(res.LCS, a) || !isSubseq(res.LCS, b) {
			t.Fatalf("LCS(%s, %s) = %q is not common", a, b, res.LCS)
		}
		var spelled []byte
		for j := len(res.Matches) - 1; j >= 0; j-- {
			m := res.Matches[j]
			sa, sb := a[m.A[0]:m.A[1]+1], b[m.B[0]:m.B[1]+1]
			if !bytes.Equal(sa, sb) || int64(len(sa)) != m.Len {
				t.Fatalf("LCS(%s, %s): bad match %+v", a, b, m)
			}
			spelled = append(spelled, sa...)
		}
		if !bytes.Equal(spelled, res.LCS) {
			t.Fatalf("LCS(%s, %s): matches spell %q, not %q", a, b, spelled, res.LCS)
		}
	}
}

func TestGetStrings(t *testing.T) {
	db := openLive(t, mem)
	if _, err := db.Set([]byte("s"), []byte("v"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	vals, err := db.GetStrings([][]byte{[]byte("s"), []byte("missing")})
	if err != nil || string(vals[0]) != "v" || vals[1] != nil {
		t.Fatalf("GetStrings = %q, %v", vals, err)
	}
	bitsPutHash(t, db, "h")
	if _, err := db.GetStrings([][]byte{[]byte("s"), []byte("h")}); !errors.Is(err, ErrWrongType) {
		t.Errorf("hash: %v", err)
	}
}
