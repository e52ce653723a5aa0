package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// Unit tests of the sorted set API. Expectations marked "redis" were
// checked against redis-server 7.0.15.

func ztOpen(t testing.TB) *DB { return openQuiet(t, Options{Dir: t.TempDir()}) }

func ztAdd(t testing.TB, db *DB, key string, pairs ...any) ZAddResult {
	t.Helper()
	return ztAddOpts(t, db, key, ZAddOptions{}, pairs...)
}

func ztAddOpts(t testing.TB, db *DB, key string, o ZAddOptions, pairs ...any) ZAddResult {
	t.Helper()
	var ms []ZMember
	for i := 0; i < len(pairs); i += 2 {
		var f float64
		switch v := pairs[i].(type) {
		case int:
			f = float64(v)
		case float64:
			f = v
		default:
			t.Fatalf("bad score %v", v)
		}
		ms = append(ms, ZMember{Score: f, Member: []byte(pairs[i+1].(string))})
	}
	r, err := db.ZAdd([]byte(key), o, ms)
	if err != nil {
		t.Fatalf("zadd %q: %v", key, err)
	}
	return r
}

// ztAll returns "member:score" of every member in order.
func ztAll(t testing.TB, db *DB, key string) []string {
	t.Helper()
	ms, err := db.ZRange([]byte(key), ZRangeSpec{Kind: ZByRank, Start: 0, Stop: -1})
	if err != nil {
		t.Fatal(err)
	}
	return ztStrs(ms)
}

func ztStrs(ms []ZMember) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s:%v", m.Member, m.Score))
	}
	return out
}

func ztMeta(t testing.TB, db *DB, key string) (Meta, bool) {
	t.Helper()
	var m Meta
	var live bool
	err := db.view(func(tx *Tx) error {
		e, err := tx.load([]byte(key))
		if err != nil {
			return err
		}
		m, live = e.Meta, e.live
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, live
}

// ztCheck verifies the storage invariants of key: as many element keys as
// index keys as Meta.Count, every index key naming an element of that
// score, and the index in (score, member) order.
func ztCheck(t testing.TB, db *DB, key string) {
	t.Helper()
	err := db.view(func(tx *Tx) error {
		e, err := tx.load([]byte(key))
		if err != nil {
			return err
		}
		if !e.live {
			return nil
		}
		if e.Type != TypeZSet {
			return fmt.Errorf("type %v", e.Type)
		}
		elems := map[string]float64{}
		err = tx.scanElems(e, tagElement, nil, false, func(m, v []byte) (bool, error) {
			s, err := zscoreFromBytes(v)
			elems[string(m)] = s
			return true, err
		})
		if err != nil {
			return err
		}
		var prev *ZMember
		n := 0
		err = tx.scanElems(e, tagScore, nil, false, func(suffix, _ []byte) (bool, error) {
			n++
			s := scoreFromSortable(binary.BigEndian.Uint64(suffix))
			z := ZMember{Member: bytes.Clone(suffix[8:]), Score: s}
			es, ok := elems[string(z.Member)]
			if !ok || es != s {
				return false, fmt.Errorf("index %q:%v, element %v (%v)", z.Member, s, es, ok)
			}
			if prev != nil && !zless(prev, &z) {
				return false, fmt.Errorf("index out of order: %q then %q", prev.Member, z.Member)
			}
			prev = &z
			return true, nil
		})
		if err != nil {
			return err
		}
		if n != len(elems) || int64(n) != e.Count || n == 0 {
			return fmt.Errorf("index %d, elements %d, Count %d", n, len(elems), e.Count)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
}

func TestZSetSortableScore(t *testing.T) {
	vals := []float64{math.Inf(-1), -math.MaxFloat64, -1e300, -2.5, -1, -math.SmallestNonzeroFloat64, 0,
		math.SmallestNonzeroFloat64, 1e-300, 0.1, 1, 1.5, 2, 1e10, math.MaxFloat64, math.Inf(1)}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		f := math.Float64frombits(r.Uint64())
		if !math.IsNaN(f) {
			vals = append(vals, f)
		}
	}
	sort.Float64s(vals)
	for i, f := range vals {
		if g := scoreFromSortable(sortableScore(f)); g != f {
			t.Fatalf("round trip of %v gave %v", f, g)
		}
		if i > 0 {
			a, b := sortableScore(vals[i-1]), sortableScore(f)
			if (vals[i-1] < f) != (a < b) || (vals[i-1] == f) != (a == b) {
				t.Fatalf("order of %v, %v: %x, %x", vals[i-1], f, a, b)
			}
		}
	}
	if sortableScore(math.Copysign(0, -1)) != sortableScore(0) {
		t.Fatal("-0 and 0 are filed apart")
	}
	if len(vals) < 1000 {
		t.Fatalf("only %d values generated", len(vals))
	}
}

func TestZSetAddOptions(t *testing.T) {
	db := ztOpen(t)
	if r := ztAdd(t, db, "z", 1, "a", 2, "b", 3, "c", 4, "a"); r.Added != 3 || r.Updated != 1 {
		t.Fatalf("add with a repeat: %+v", r) // redis: 3 (CH: 4)
	}
	cases := []struct {
		o      ZAddOptions
		pairs  []any
		added  int64
		update int64
		all    []string
	}{
		{ZAddOptions{NX: true}, []any{9, "a", 5, "d"}, 1, 0, []string{"b:2", "c:3", "a:4", "d:5"}},
		{ZAddOptions{XX: true}, []any{1, "a", 6, "e"}, 0, 1, []string{"a:1", "b:2", "c:3", "d:5"}},
		{ZAddOptions{GT: true}, []any{0, "a", 10, "b", 7, "f"}, 1, 1, []string{"a:1", "c:3", "d:5", "f:7", "b:10"}},
		{ZAddOptions{LT: true}, []any{2, "a", 4, "c"}, 0, 0, []string{"a:1", "c:3", "d:5", "f:7", "b:10"}},
		{ZAddOptions{LT: true, XX: true}, []any{0, "c", 0, "g"}, 0, 1, []string{"c:0", "a:1", "d:5", "f:7", "b:10"}},
		{ZAddOptions{}, []any{1, "a"}, 0, 0, []string{"c:0", "a:1", "d:5", "f:7", "b:10"}},
	}
	for i, c := range cases {
		r := ztAddOpts(t, db, "z", c.o, c.pairs...)
		if r.Added != c.added || r.Updated != c.update {
			t.Errorf("case %d: %+v", i, r)
		}
		if got := ztAll(t, db, "z"); !slices.Equal(got, c.all) {
			t.Errorf("case %d: %v, want %v", i, got, c.all)
		}
		ztCheck(t, db, "z")
	}
	// INCR: the new score, or not Done when a flag vetoes it.
	incr := func(o ZAddOptions, by float64, m string) ZAddResult {
		o.Incr = true
		r, err := db.ZAdd([]byte("z"), o, []ZMember{{Member: []byte(m), Score: by}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := incr(ZAddOptions{}, 2.5, "a"); !r.Done || r.Score != 3.5 {
		t.Fatalf("incr: %+v", r)
	}
	if r := incr(ZAddOptions{NX: true}, 1, "a"); r.Done {
		t.Fatalf("incr nx on a member: %+v", r)
	}
	if r := incr(ZAddOptions{GT: true}, -1, "a"); r.Done {
		t.Fatalf("incr gt by -1: %+v", r)
	}
	if r := incr(ZAddOptions{GT: true}, 0, "a"); r.Done {
		t.Fatalf("incr gt by 0: %+v", r) // redis: nil
	}
	if r := incr(ZAddOptions{XX: true}, 1, "new"); r.Done {
		t.Fatalf("incr xx on a new member: %+v", r)
	}
	if r := incr(ZAddOptions{}, math.Inf(1), "inf"); !r.Done || !math.IsInf(r.Score, 1) {
		t.Fatalf("incr to inf: %+v", r)
	}
	before := ztAll(t, db, "z")
	if _, err := db.ZAdd([]byte("z"), ZAddOptions{Incr: true}, []ZMember{{Member: []byte("inf"), Score: math.Inf(-1)}}); !errors.Is(err, ErrZSetNaN) {
		t.Fatalf("inf + -inf: %v", err)
	}
	if got := ztAll(t, db, "z"); !slices.Equal(got, before) {
		t.Fatalf("NaN increment wrote: %v", got)
	}
	// XX on a missing key creates nothing.
	if r := ztAddOpts(t, db, "none", ZAddOptions{XX: true}, 1, "a"); r.Added != 0 {
		t.Fatal(r)
	}
	if _, live := ztMeta(t, db, "none"); live {
		t.Fatal("XX created a key")
	}
	ztCheck(t, db, "z")
}

func TestZSetWrongType(t *testing.T) {
	db := ztOpen(t)
	etSet(t, db, "s", "v", SetOptions{})
	k := []byte("s")
	one := [][]byte{[]byte("a")}
	checks := map[string]error{}
	_, checks["zadd"] = db.ZAdd(k, ZAddOptions{}, []ZMember{{Member: one[0]}})
	_, _, checks["zscore"] = db.ZScore(k, one[0])
	_, _, checks["zmscore"] = db.ZMScore(k, one)
	_, checks["zcard"] = db.ZCard(k)
	_, checks["zrem"] = db.ZRem(k, one)
	_, _, checks["zrank"] = db.ZRank(k, one[0], false)
	_, checks["zrange"] = db.ZRange(k, ZRangeSpec{Stop: -1})
	_, checks["zrangestore"] = db.ZRangeStore([]byte("d"), k, ZRangeSpec{Stop: -1})
	_, checks["zcount"] = db.ZCount(k, ZScoreRange{Min: math.Inf(-1), Max: math.Inf(1)})
	_, checks["zlexcount"] = db.ZLexCount(k, ZLexRange{Min: ZLexBound{Inf: -1}, Max: ZLexBound{Inf: 1}})
	_, checks["zremrange"] = db.ZRemRange(k, ZRangeSpec{Stop: -1})
	_, _, checks["zpop"] = db.ZPop([][]byte{k}, false, 1, false)
	_, _, checks["zrandmember"] = db.ZRandMember(k)
	_, checks["zrandmembers"] = db.ZRandMembers(k, 3)
	_, _, _, checks["zscan"] = db.ZScan(k, 0, 10, nil)
	_, checks["zunion"] = db.ZSetOperation(ZUnion, [][]byte{k}, nil, ZAggSum)
	_, checks["zunionstore"] = db.ZSetOperationStore([]byte("d"), ZUnion, [][]byte{k}, nil, ZAggSum)
	_, checks["zintercard"] = db.ZInterCard([][]byte{k}, 0)
	checks["check"] = db.ZCheckSources([][]byte{[]byte("missing"), k})
	for name, err := range checks {
		if !errors.Is(err, ErrWrongType) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if etGet(t, db, "s") != "v" {
		t.Fatal("string changed")
	}
	// A blocked pop passes over the wrong type.
	if key, _, err := db.ZPop([][]byte{k}, false, 1, true); err != nil || key != nil {
		t.Fatalf("skipWrongType: %q %v", key, err)
	}
}

func TestZSetEmptyDeletes(t *testing.T) {
	db := ztOpen(t)
	fill := func() {
		ztAdd(t, db, "z", 1, "a", 2, "b", 3, "c")
	}
	gone := func(what string) {
		t.Helper()
		if _, live := ztMeta(t, db, "z"); live {
			t.Fatalf("%s: key still there", what)
		}
		etCounts(t, db, 0, 0)
	}
	fill()
	etCounts(t, db, 1, 0)
	if n, _ := db.ZRem([]byte("z"), bs("a", "b", "c", "x")); n != 3 {
		t.Fatal(n)
	}
	gone("zrem")
	fill()
	if _, ms, _ := db.ZPop([][]byte{[]byte("z")}, true, 10, false); len(ms) != 3 || string(ms[0].Member) != "c" {
		t.Fatal(ztStrs(ms))
	}
	gone("zpop")
	fill()
	if n, _ := db.ZRemRange([]byte("z"), ZRangeSpec{Kind: ZByScore, Score: ZScoreRange{Min: math.Inf(-1), Max: math.Inf(1)}}); n != 3 {
		t.Fatal(n)
	}
	gone("zremrangebyscore")
	fill()
	if n, _ := db.ZRemRange([]byte("z"), ZRangeSpec{Kind: ZByRank, Start: 0, Stop: -1}); n != 3 {
		t.Fatal(n)
	}
	gone("zremrangebyrank")
	// Stores: an empty result deletes the destination, whatever it held.
	etSet(t, db, "z", "string", SetOptions{})
	if n, err := db.ZSetOperationStore([]byte("z"), ZInter, bs("missing", "other"), nil, ZAggSum); err != nil || n != 0 {
		t.Fatal(n, err)
	}
	gone("zinterstore")
	etSet(t, db, "z", "string", SetOptions{})
	if n, err := db.ZRangeStore([]byte("z"), []byte("missing"), ZRangeSpec{Stop: -1}); err != nil || n != 0 {
		t.Fatal(n, err)
	}
	gone("zrangestore")
}

// ztModel is a reference sorted set.
type ztModel map[string]float64

func (m ztModel) sorted() []ZMember {
	var out []ZMember
	for k, v := range m {
		out = append(out, ZMember{Member: []byte(k), Score: v})
	}
	sort.Slice(out, func(i, j int) bool { return zless(&out[i], &out[j]) })
	return out
}

func TestZSetRandomizedAgainstModel(t *testing.T) {
	db := ztOpen(t)
	r := rand.New(rand.NewPCG(7, 7))
	members := []string{"", "a", "b", "c", "aa", "ab", "\x00", "\xff", "\xff\xff\xff\xff\xff", "m1", "m2", "m3"}
	scores := []float64{math.Inf(-1), -2, -1, 0, 0.5, 1, 2, 3, math.Inf(1)}
	model := ztModel{}
	ops := map[string]int{}
	for i := 0; i < 3000; i++ {
		m := members[r.IntN(len(members))]
		s := scores[r.IntN(len(scores))]
		switch op := r.IntN(6); op {
		case 0, 1:
			ops["add"]++
			ztAdd(t, db, "z", s, m)
			model[m] = s
		case 2:
			ops["rem"]++
			n, err := db.ZRem([]byte("z"), [][]byte{[]byte(m)})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := model[m]; ok != (n == 1) {
				t.Fatalf("zrem %q: %d", m, n)
			}
			delete(model, m)
		case 3:
			ops["pop"]++
			max := r.IntN(2) == 0
			_, got, err := db.ZPop([][]byte{[]byte("z")}, max, 2, false)
			if err != nil {
				t.Fatal(err)
			}
			want := model.sorted()
			if max {
				slices.Reverse(want)
			}
			want = want[:min(2, len(want))]
			if !slices.Equal(ztStrs(got), ztStrs(want)) {
				t.Fatalf("pop: %v, want %v", ztStrs(got), ztStrs(want))
			}
			for _, z := range got {
				delete(model, string(z.Member))
			}
		case 4:
			ops["rank"]++
			rev := r.IntN(2) == 0
			rank, ok, err := db.ZRank([]byte("z"), []byte(m), rev)
			if err != nil {
				t.Fatal(err)
			}
			want := model.sorted()
			if rev {
				slices.Reverse(want)
			}
			idx := slices.IndexFunc(want, func(z ZMember) bool { return string(z.Member) == m })
			if (idx >= 0) != ok || (ok && rank != int64(idx)) {
				t.Fatalf("rank %q: %d %v, want %d", m, rank, ok, idx)
			}
		case 5:
			ops["range"]++
			start, stop := int64(r.IntN(10)-5), int64(r.IntN(10)-5)
			rev := r.IntN(2) == 0
			got, err := db.ZRange([]byte("z"), ZRangeSpec{Kind: ZByRank, Start: start, Stop: stop, Rev: rev})
			if err != nil {
				t.Fatal(err)
			}
			all := model.sorted()
			if rev {
				slices.Reverse(all)
			}
			var want []ZMember
			n := int64(len(all))
			lo, hi := start, stop
			if lo < 0 {
				lo += n
			}
			if hi < 0 {
				hi += n
			}
			lo = max(lo, 0)
			hi = min(hi, n-1)
			if lo <= hi {
				want = all[lo : hi+1]
			}
			if !slices.Equal(ztStrs(got), ztStrs(want)) {
				t.Fatalf("range %d %d rev=%v: %v, want %v", start, stop, rev, ztStrs(got), ztStrs(want))
			}
		}
		if i%100 == 0 {
			if !slices.Equal(ztAll(t, db, "z"), ztStrs(model.sorted())) {
				t.Fatalf("state: %v, want %v", ztAll(t, db, "z"), ztStrs(model.sorted()))
			}
			ztCheck(t, db, "z")
		}
	}
	for _, op := range []string{"add", "rem", "pop", "rank", "range"} {
		if ops[op] == 0 {
			t.Fatalf("no %s generated", op)
		}
	}
}

func TestZSetRangesAndBounds(t *testing.T) {
	db := ztOpen(t)
	// Members whose bytes exercise exact seeks: 0xff runs, a NUL, "".
	ztAdd(t, db, "l", 0, "", 0, "a", 0, "a\x00", 0, "b", 0, "\xff", 0, "\xff\xff\xff\xff", 0, "\xff\xff\xff\xff\xff\xff")
	// lex takes the bounds as ZRANGEBYLEX (or, with rev, ZREVRANGEBYLEX:
	// max first) does.
	lex := func(min, max string, rev bool, off, cnt int64) []string {
		t.Helper()
		if rev {
			min, max = max, min
		}
		parse := func(s string) ZLexBound {
			switch {
			case s == "-":
				return ZLexBound{Inf: -1, Ex: true}
			case s == "+":
				return ZLexBound{Inf: 1, Ex: true}
			case s[0] == '(':
				return ZLexBound{Value: []byte(s[1:]), Ex: true}
			}
			return ZLexBound{Value: []byte(s[1:])}
		}
		spec := ZRangeSpec{Kind: ZByLex, Lex: ZLexRange{Min: parse(min), Max: parse(max)}, Rev: rev, Limit: cnt != 0, Offset: off, Count: cnt}
		ms, err := db.ZRange([]byte("l"), spec)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%q", m.Member))
		}
		return out
	}
	q := func(ss ...string) []string {
		var out []string
		for _, s := range ss {
			out = append(out, fmt.Sprintf("%q", s))
		}
		return out
	}
	lexCases := []struct {
		min, max string
		rev      bool
		off, cnt int64
		want     []string
	}{
		{"-", "+", false, 0, 0, q("", "a", "a\x00", "b", "\xff", "\xff\xff\xff\xff", "\xff\xff\xff\xff\xff\xff")},
		{"+", "-", true, 0, 0, q("\xff\xff\xff\xff\xff\xff", "\xff\xff\xff\xff", "\xff", "b", "a\x00", "a", "")},
		{"(a", "[b", false, 0, 0, q("a\x00", "b")},
		{"[\xff\xff\xff\xff", "(\xff\xff\xff\xff\xff\xff", false, 0, 0, q("\xff\xff\xff\xff")},
		{"(\xff\xff\xff\xff\xff\xff", "(\xff", true, 0, 0, q("\xff\xff\xff\xff")},
		{"[\xff\xff\xff\xff\xff\xff", "[\xff", true, 0, 0, q("\xff\xff\xff\xff\xff\xff", "\xff\xff\xff\xff", "\xff")},
		{"(a", "-", true, 0, 0, q("")},
		{"[", "(a", false, 0, 0, q("")},
		{"-", "+", false, 2, 2, q("a\x00", "b")},
		{"-", "+", false, -1, 2, nil},
		{"+", "-", true, 1, -1, q("\xff\xff\xff\xff", "\xff", "b", "a\x00", "a", "")},
		{"[b", "[a", false, 0, 0, nil},
		{"-", "-", false, 0, 0, nil},
		{"+", "+", false, 0, 0, nil},
		{"[a", "[a", false, 0, 0, q("a")},
		{"(a", "[a", false, 0, 0, nil},
	}
	for _, c := range lexCases {
		if got := lex(c.min, c.max, c.rev, c.off, c.cnt); !slices.Equal(got, c.want) {
			t.Errorf("lex %q %q rev=%v limit %d %d: %v, want %v", c.min, c.max, c.rev, c.off, c.cnt, got, c.want)
		}
	}
	if n, err := db.ZLexCount([]byte("l"), ZLexRange{Min: ZLexBound{Value: []byte("a")}, Max: ZLexBound{Value: []byte("\xff"), Ex: true}}); err != nil || n != 3 {
		t.Fatalf("zlexcount: %d %v", n, err)
	}

	// Scores: exclusive bounds, infinities, ties.
	ztAdd(t, db, "s", math.Inf(-1), "ninf", 1, "a", 1, "b", 1, "c", 2, "d", math.Inf(1), "pinf", 2, "")
	score := func(r ZScoreRange, rev bool) []string {
		t.Helper()
		ms, err := db.ZRange([]byte("s"), ZRangeSpec{Kind: ZByScore, Score: r, Rev: rev})
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.ZCount([]byte("s"), r)
		if err != nil || n != int64(len(ms)) {
			t.Fatalf("zcount %+v: %d %v, range has %d", r, n, err, len(ms))
		}
		return ztStrs(ms)
	}
	inf := math.Inf(1)
	scoreCases := []struct {
		r    ZScoreRange
		rev  bool
		want []string
	}{
		{ZScoreRange{Min: -inf, Max: inf}, false, []string{"ninf:-Inf", "a:1", "b:1", "c:1", ":2", "d:2", "pinf:+Inf"}},
		{ZScoreRange{Min: -inf, Max: inf, MinEx: true, MaxEx: true}, false, []string{"a:1", "b:1", "c:1", ":2", "d:2"}},
		{ZScoreRange{Min: 1, Max: 2, MinEx: true}, false, []string{":2", "d:2"}},
		{ZScoreRange{Min: 1, Max: 2, MaxEx: true}, true, []string{"c:1", "b:1", "a:1"}},
		{ZScoreRange{Min: 1, Max: 2}, true, []string{"d:2", ":2", "c:1", "b:1", "a:1"}},
		{ZScoreRange{Min: 2, Max: inf, MinEx: true}, true, []string{"pinf:+Inf"}},
		{ZScoreRange{Min: 1, Max: 1, MinEx: true}, false, nil},
		{ZScoreRange{Min: 2, Max: 1}, false, nil},
		{ZScoreRange{Min: inf, Max: inf}, false, []string{"pinf:+Inf"}},
	}
	for _, c := range scoreCases {
		if got := score(c.r, c.rev); !slices.Equal(got, c.want) {
			t.Errorf("score %+v rev=%v: %v, want %v", c.r, c.rev, got, c.want)
		}
	}
	// ZRANGESTORE, and ZREMRANGEBYLEX.
	if n, err := db.ZRangeStore([]byte("dst"), []byte("s"), ZRangeSpec{Kind: ZByScore, Score: ZScoreRange{Min: 1, Max: 1}}); err != nil || n != 3 {
		t.Fatal(n, err)
	}
	if got := ztAll(t, db, "dst"); !slices.Equal(got, []string{"a:1", "b:1", "c:1"}) {
		t.Fatal(got)
	}
	if n, err := db.ZRemRange([]byte("l"), ZRangeSpec{Kind: ZByLex, Lex: ZLexRange{Min: ZLexBound{Value: []byte("\xff")}, Max: ZLexBound{Inf: 1, Ex: true}}}); err != nil || n != 3 {
		t.Fatal(n, err)
	}
	ztCheck(t, db, "l")
	ztCheck(t, db, "s")
	ztCheck(t, db, "dst")
}

func TestZSetRanksBig(t *testing.T) {
	db := ztOpen(t)
	const n = 301
	var pairs []any
	for i := 0; i < n; i++ {
		pairs = append(pairs, i/3, fmt.Sprintf("m%03d", i)) // ties of three
	}
	ztAdd(t, db, "z", pairs...)
	ztCheck(t, db, "z")
	for i := 0; i < n; i++ {
		m := []byte(fmt.Sprintf("m%03d", i))
		r, ok, err := db.ZRank([]byte("z"), m, false)
		if err != nil || !ok || r != int64(i) {
			t.Fatalf("zrank %s: %d %v %v", m, r, ok, err)
		}
		r, ok, err = db.ZRank([]byte("z"), m, true)
		if err != nil || !ok || r != int64(n-1-i) {
			t.Fatalf("zrevrank %s: %d %v %v", m, r, ok, err)
		}
	}
	// Rank windows near both ends (the walk starts at the nearer one).
	for _, c := range [][2]int64{{0, 2}, {-3, -1}, {150, 152}, {290, 400}, {-400, 1}} {
		for _, rev := range []bool{false, true} {
			ms, err := db.ZRange([]byte("z"), ZRangeSpec{Kind: ZByRank, Start: c[0], Stop: c[1], Rev: rev})
			if err != nil {
				t.Fatal(err)
			}
			lo, hi, ok := zrankBounds(n, c[0], c[1], rev)
			if !ok || int64(len(ms)) != hi-lo+1 {
				t.Fatalf("%v rev=%v: %d members", c, rev, len(ms))
			}
			for j, m := range ms {
				want := lo + int64(j)
				if rev {
					want = hi - int64(j)
				}
				if string(m.Member) != fmt.Sprintf("m%03d", want) {
					t.Fatalf("%v rev=%v [%d]: %s, want rank %d", c, rev, j, m.Member, want)
				}
			}
		}
	}
}

func TestZSetEncodingFlag(t *testing.T) {
	db := ztOpen(t)
	big := func(key string) bool {
		m, _ := ztMeta(t, db, key)
		return m.Flags&MetaBig != 0
	}
	var pairs []any
	for i := 0; i < 128; i++ {
		pairs = append(pairs, i, fmt.Sprintf("m%d", i))
	}
	ztAdd(t, db, "z", pairs...)
	if big("z") {
		t.Fatal("128 members: listpack in redis")
	}
	ztAdd(t, db, "z", 1000, "one-more")
	if !big("z") {
		t.Fatal("129 members: skiplist in redis")
	}
	if _, err := db.ZRemRange([]byte("z"), ZRangeSpec{Kind: ZByRank, Start: 0, Stop: -3}); err != nil {
		t.Fatal(err)
	}
	if !big("z") {
		t.Fatal("redis never converts back")
	}
	ztAdd(t, db, "l", 1, string(bytes.Repeat([]byte("x"), 64)))
	if big("l") {
		t.Fatal("64-byte member: listpack")
	}
	ztAdd(t, db, "l", 1, string(bytes.Repeat([]byte("x"), 65)))
	if !big("l") {
		t.Fatal("65-byte member: skiplist")
	}
	// -0: a listpack reads it back as 0, a skiplist keeps it (redis).
	negZero := math.Copysign(0, -1)
	ztAdd(t, db, "small", negZero, "a")
	ztAdd(t, db, "l", negZero, "a")
	for key, neg := range map[string]bool{"small": false, "l": true} {
		s, ok, err := db.ZScore([]byte(key), []byte("a"))
		if err != nil || !ok || math.Signbit(s) != neg {
			t.Errorf("%s: score %v signbit %v", key, s, math.Signbit(s))
		}
	}
	ms, _ := db.ZRange([]byte("l"), ZRangeSpec{Kind: ZByScore, Score: ZScoreRange{Min: 0, Max: 0}})
	if len(ms) != 1 || !math.Signbit(ms[0].Score) {
		t.Fatalf("range lost -0: %v", ztStrs(ms))
	}
	// Stores: the algebra decides on the final size, ZRANGESTORE member by
	// member unless a rank range is known to be long.
	if _, err := db.ZSetOperationStore([]byte("u"), ZUnion, bs("small"), nil, ZAggSum); err != nil || big("u") {
		t.Fatal(err, big("u"))
	}
	if _, err := db.ZSetOperationStore([]byte("u"), ZUnion, bs("z"), nil, ZAggSum); err != nil || big("u") {
		t.Fatal(err, big("u")) // two members left
	}
	ztCheck(t, db, "z")
	ztCheck(t, db, "l")
}

func TestZSetAlgebra(t *testing.T) {
	db := ztOpen(t)
	ztAdd(t, db, "a", 1, "x", 2, "y", 3, "z")
	ztAdd(t, db, "b", 10, "y", 20, "z", 30, "w")
	err := db.update(func(tx *Tx) error { // a plain set
		e, err := tx.load([]byte("s"))
		if err != nil {
			return err
		}
		if err := tx.newCollection(e, TypeSet); err != nil {
			return err
		}
		for _, m := range []string{"y", "w", "v"} {
			if err := tx.setElem(e, tagElement, []byte(m), nil); err != nil {
				return err
			}
		}
		e.Count = 3
		return tx.put(e)
	})
	if err != nil {
		t.Fatal(err)
	}
	op := func(o ZSetOp, keys []string, w []float64, agg ZAggregate) []string {
		t.Helper()
		ms, err := db.ZSetOperation(o, bs(keys...), w, agg)
		if err != nil {
			t.Fatal(err)
		}
		return ztStrs(ms)
	}
	inf := math.Inf(1)
	cases := []struct {
		got, want []string
	}{
		// redis: ZUNION 2 a b WITHSCORES
		{op(ZUnion, []string{"a", "b"}, nil, ZAggSum), []string{"x:1", "y:12", "z:23", "w:30"}},
		{op(ZUnion, []string{"a", "b"}, []float64{2, 3}, ZAggSum), []string{"x:2", "y:34", "z:66", "w:90"}},
		{op(ZUnion, []string{"a", "b"}, nil, ZAggMin), []string{"x:1", "y:2", "z:3", "w:30"}},
		{op(ZUnion, []string{"a", "s"}, nil, ZAggMax), []string{"v:1", "w:1", "x:1", "y:2", "z:3"}},
		{op(ZInter, []string{"a", "b", "s"}, nil, ZAggSum), []string{"y:13"}},
		{op(ZInter, []string{"a", "a"}, nil, ZAggSum), []string{"x:2", "y:4", "z:6"}},
		{op(ZInter, []string{"a", "missing"}, nil, ZAggSum), []string{}},
		{op(ZDiff, []string{"a", "b"}, nil, ZAggSum), []string{"x:1"}},
		{op(ZDiff, []string{"s", "a", "missing"}, nil, ZAggSum), []string{"v:1", "w:1"}},
		{op(ZDiff, []string{"a", "a"}, nil, ZAggSum), []string{}},
		// inf × 0 is 0 in the union (redis).
		{op(ZUnion, []string{"a"}, []float64{0}, ZAggSum), []string{"x:0", "y:0", "z:0"}},
		{op(ZUnion, []string{"a", "b"}, []float64{inf, -inf}, ZAggSum), []string{"w:-Inf", "y:0", "z:0", "x:+Inf"}},
	}
	for i, c := range cases {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("case %d: %v, want %v", i, c.got, c.want)
		}
	}
	for _, c := range []struct {
		limit, want int64
	}{{0, 2}, {1, 1}, {5, 2}} {
		if n, err := db.ZInterCard(bs("a", "b"), c.limit); err != nil || n != c.want {
			t.Errorf("zintercard limit %d: %d %v", c.limit, n, err)
		}
	}
	// STORE with a source as destination; the TTL goes.
	if _, err := db.Expire([]byte("a"), nowMs()+100000, 0); err != nil {
		t.Fatal(err)
	}
	if n, err := db.ZSetOperationStore([]byte("a"), ZUnion, bs("a", "b"), nil, ZAggSum); err != nil || n != 4 {
		t.Fatal(n, err)
	}
	if etTTL(t, db, "a") != 0 {
		t.Fatal("store kept the TTL")
	}
	ztCheck(t, db, "a")
}

func TestZSetTTLKept(t *testing.T) {
	db := ztOpen(t)
	ztAdd(t, db, "z", 1, "a", 2, "b")
	at := nowMs() + 100000
	if ok, err := db.Expire([]byte("z"), at, 0); err != nil || !ok {
		t.Fatal(ok, err)
	}
	ztAdd(t, db, "z", 3, "c")
	if _, err := db.ZRem([]byte("z"), bs("a")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ZPop(bs("z"), false, 1, false); err != nil {
		t.Fatal(err)
	}
	if got := etTTL(t, db, "z"); got != at {
		t.Fatalf("TTL %d, want %d", got, at)
	}
	etCounts(t, db, 1, 1)
}

func TestZSetDumpRestoreHooks(t *testing.T) {
	db := ztOpen(t)
	negZero := math.Copysign(0, -1)
	var pairs []any
	for i := 0; i < 130; i++ {
		pairs = append(pairs, float64(i%7)-3, fmt.Sprintf("m%03d", i))
	}
	pairs = append(pairs, negZero, "negzero", math.Inf(1), "inf", math.Inf(-1), "ninf")
	ztAdd(t, db, "src", pairs...)
	for _, key := range []string{"src", "small"} {
		if key == "small" {
			ztAdd(t, db, "small", 2, "b", 1, "a", negZero, "z")
		}
		var p payload
		if err := db.view(func(tx *Tx) error {
			e, err := tx.load([]byte(key))
			if err != nil {
				return err
			}
			return tx.dumpZSet(e, &p)
		}); err != nil {
			t.Fatal(err)
		}
		if p.typ != TypeZSet || len(p.elems) != len(p.scores) {
			t.Fatalf("payload %v %d %d", p.typ, len(p.elems), len(p.scores))
		}
		for i := 1; i < len(p.elems); i++ {
			a, b := ZMember{p.elems[i-1], p.scores[i-1]}, ZMember{p.elems[i], p.scores[i]}
			if !zless(&a, &b) {
				t.Fatalf("payload not in score order at %d", i)
			}
		}
		// Through the payload codec, then restored under a new name.
		q, err := decodePayload(encodePayload(&p))
		if err != nil {
			t.Fatal(err)
		}
		dst := key + "-copy"
		if err := db.update(func(tx *Tx) error {
			e, err := tx.load([]byte(dst))
			if err != nil {
				return err
			}
			if err := tx.newCollection(e, TypeZSet); err != nil {
				return err
			}
			return tx.restoreZSet(e, &q)
		}); err != nil {
			t.Fatal(err)
		}
		if a, b := ztAll(t, db, key), ztAll(t, db, dst); !slices.Equal(a, b) {
			t.Fatalf("%s: restored %v, want %v", key, b, a)
		}
		ms, _ := ztMeta(t, db, key)
		md, _ := ztMeta(t, db, dst)
		if ms.Count != md.Count || ms.Flags != md.Flags {
			t.Fatalf("%s: meta %+v, want %+v", key, md, ms)
		}
		s, _, _ := db.ZScore([]byte(dst), []byte("negzero"))
		if key == "src" && !math.Signbit(s) {
			t.Fatal("a big set lost -0 through DUMP")
		}
		ztCheck(t, db, dst)
	}
}

func TestZSetScanBig(t *testing.T) {
	for _, mixed := range []bool{false, true} {
		db := ztOpen(t)
		want := map[string]bool{}
		var pairs []any
		for i := 0; i < 400; i++ {
			m := fmt.Sprintf("user:%06d", i*7) // a long shared prefix
			if mixed && i%50 == 0 {
				m = fmt.Sprintf("x%d", i) // members outside it
			}
			want[m] = true
			pairs = append(pairs, i, m)
		}
		ztAdd(t, db, "z", pairs...)
		for _, count := range []int{1, 10, 1000} {
			seen := map[string]bool{}
			cursor, calls := uint64(0), 0
			for {
				next, ms, compact, err := db.ZScan([]byte("z"), cursor, count, nil)
				if err != nil || compact {
					t.Fatal(err, compact)
				}
				calls++
				for _, m := range ms {
					seen[string(m.Member)] = true
				}
				// Members come and go between calls: the guarantee is
				// about those there all along.
				ztAdd(t, db, "z", 1, fmt.Sprintf("user:new:%d:%d", count, calls))
				if next == 0 {
					break
				}
				if calls > 10000 {
					t.Fatal("scan does not end")
				}
				cursor = next
			}
			for m := range want {
				if !seen[m] {
					t.Fatalf("mixed=%v count %d: %q never returned", mixed, count, m)
				}
			}
			// With one shared prefix the cursor tells members apart by
			// the 5 bytes after it: COUNT is honoured within a factor.
			if !mixed && count == 1 && calls < 40 {
				t.Fatalf("count 1 took only %d calls", calls)
			}
		}
	}
	// A small set comes whole, cursor 0, in score order, filtered by match.
	db := ztOpen(t)
	ztAdd(t, db, "small", 2, "b", 1, "a", 3, "ab")
	next, ms, compact, err := db.ZScan([]byte("small"), 12345, 1, func(m []byte) bool { return m[0] == 'a' })
	if err != nil || next != 0 || !compact || !slices.Equal(ztStrs(ms), []string{"a:1", "ab:3"}) {
		t.Fatal(next, ztStrs(ms), compact, err)
	}
}

func TestZSetRandMembers(t *testing.T) {
	db := ztOpen(t)
	var pairs []any
	for i := 0; i < 50; i++ {
		pairs = append(pairs, i, fmt.Sprintf("m%02d", i))
	}
	ztAdd(t, db, "z", pairs...)
	for _, count := range []int64{1, 5, 20, 49} {
		ms, err := db.ZRandMembers([]byte("z"), count)
		if err != nil || int64(len(ms)) != count {
			t.Fatal(count, len(ms), err)
		}
		seen := map[string]bool{}
		for _, m := range ms {
			if seen[string(m.Member)] {
				t.Fatalf("count %d: %s twice", count, m.Member)
			}
			seen[string(m.Member)] = true
			var i int
			fmt.Sscanf(string(m.Member), "m%d", &i)
			if m.Score != float64(i) {
				t.Fatalf("%s scored %v", m.Member, m.Score)
			}
		}
	}
	// count ≥ N: everything, highest score first (redis).
	ms, _ := db.ZRandMembers([]byte("z"), 100)
	if len(ms) != 50 || string(ms[0].Member) != "m49" || string(ms[49].Member) != "m00" {
		t.Fatal(ztStrs(ms))
	}
	ms, _ = db.ZRandMembers([]byte("z"), -200)
	if len(ms) != 200 {
		t.Fatal(len(ms))
	}
	if _, err := db.ZRandMembers([]byte("z"), -ZRandCountMax-1); !errors.Is(err, ErrZRandCountTooLarge) {
		t.Fatal(err)
	}
	if ms, err := db.ZRandMembers([]byte("missing"), -ZRandCountMax-1); err != nil || len(ms) != 0 {
		t.Fatal(ms, err)
	}
	m, ok, err := db.ZRandMember([]byte("z"))
	if err != nil || !ok || len(m) != 3 {
		t.Fatal(m, ok, err)
	}
}
