package engine

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// Unit tests of the list API. Reply semantics were checked against
// redis-server 7.0.15 (resp/list_test.go compares raw replies); here the
// storage invariants are checked after every operation: the element keys
// of a list are exactly seqs [Head, Tail), Count == Tail-Head, and an
// empty list has no meta record.

// listState reads key's meta record and every element key stored under
// its version, in key order.
func listState(t testing.TB, db *DB, key string) (m Meta, onDisk bool, seqs []int64, items []string) {
	t.Helper()
	err := db.view(func(tx *Tx) error {
		e, err := tx.load([]byte(key))
		if err != nil {
			return err
		}
		m, onDisk = e.Meta, e.onDisk
		if !onDisk {
			return nil
		}
		return tx.scanElems(e, tagElement, nil, false, func(suffix, val []byte) (bool, error) {
			if len(suffix) != 8 {
				return false, fmt.Errorf("element suffix of %d bytes", len(suffix))
			}
			seqs = append(seqs, seqOf(suffix))
			items = append(items, string(val))
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, onDisk, seqs, items
}

// checkList checks key's storage against the model (nil: no key).
func checkList(t testing.TB, db *DB, key string, model []string) {
	t.Helper()
	m, onDisk, seqs, items := listState(t, db, key)
	if len(model) == 0 {
		if onDisk {
			t.Fatalf("%s: empty list still has a meta record %+v", key, m)
		}
		return
	}
	if !onDisk || m.Type != TypeList {
		t.Fatalf("%s: no list meta record (onDisk %v, type %v), want %q", key, onDisk, m.Type, model)
	}
	if m.Count != m.Tail-m.Head || m.Count != int64(len(model)) {
		t.Fatalf("%s: head %d tail %d count %d, model has %d items", key, m.Head, m.Tail, m.Count, len(model))
	}
	for i, s := range seqs {
		if s != m.Head+int64(i) {
			t.Fatalf("%s: element seqs %v, want %d..%d", key, seqs, m.Head, m.Tail-1)
		}
	}
	if len(seqs) != len(model) || !slices.Equal(items, model) {
		t.Fatalf("%s: stored %q (seqs %v), want %q", key, items, seqs, model)
	}
}

func strs(b [][]byte) []string {
	out := make([]string, len(b))
	for i, x := range b {
		out[i] = string(x)
	}
	return out
}

func TestListSeqKeyOrder(t *testing.T) {
	seqs := []int64{math.MinInt64, math.MinInt64 + 1, -1 << 40, -257, -256, -2, -1, 0, 1, 255, 256, 1 << 40, math.MaxInt64}
	for i := 1; i < len(seqs); i++ {
		a, b := seqKey(seqs[i-1]), seqKey(seqs[i])
		if bytes.Compare(a, b) >= 0 {
			t.Errorf("seqKey(%d)=%x not below seqKey(%d)=%x", seqs[i-1], a, seqs[i], b)
		}
		if seqOf(b) != seqs[i] {
			t.Errorf("seqOf(seqKey(%d)) = %d", seqs[i], seqOf(b))
		}
	}
	if got := seqKey(0); !bytes.Equal(got, []byte{0x80, 0, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("seqKey(0) = %x", got)
	}
}

// Model versions of Redis' algorithms, written the plain way.

func modelRange(l []string, start, stop int64) []string {
	s, e, ok := clampRange(start, stop, int64(len(l)))
	if !ok {
		return nil
	}
	return l[s : e+1]
}

func modelRem(l []string, count int64, v string) ([]string, int64) {
	var out []string
	var removed int64
	if count >= 0 {
		for _, x := range l {
			if x == v && (count == 0 || removed < count) {
				removed++
				continue
			}
			out = append(out, x)
		}
		return out, removed
	}
	limit := -count
	for i := len(l) - 1; i >= 0; i-- {
		if l[i] == v && (limit < 0 || removed < limit) {
			removed++
			continue
		}
		out = append([]string{l[i]}, out...)
	}
	return out, removed
}

func modelPos(l []string, v string, o ListPosOptions) []int64 {
	rank, dir := o.Rank, 1
	if rank < 0 {
		rank, dir = -rank, -1
	}
	var out []int64
	var matches int64
	for n := 0; n < len(l); n++ {
		if o.MaxLen != 0 && int64(n) >= o.MaxLen {
			break
		}
		i := n
		if dir < 0 {
			i = len(l) - 1 - n
		}
		if l[i] != v {
			continue
		}
		matches++
		if matches >= rank {
			out = append(out, int64(i))
			if o.Count == -1 || (o.Count != 0 && matches-rank+1 >= o.Count) {
				break
			}
		}
	}
	return out
}

// TestListRandomAgainstModel runs random list operations on two keys and
// checks replies and storage against a slice model after each one.
func TestListRandomAgainstModel(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	rng := rand.New(rand.NewPCG(7, 11))
	keys := []string{"la", "lb"}
	model := map[string][]string{}
	vals := []string{"a", "b", "c", ""}
	val := func() string { return vals[rng.IntN(len(vals))] }
	idx := func() int64 { return int64(rng.IntN(24) - 12) }
	ops := map[string]int{}
	maxLen := 0
	for step := 0; step < 4000; step++ {
		k := keys[rng.IntN(2)]
		l := model[k]
		n := int64(len(l))
		var op string
		switch rng.IntN(11) {
		case 0, 1:
			op = "push"
			left := rng.IntN(2) == 0
			var items []string
			for i := rng.IntN(6); i >= 0; i-- {
				items = append(items, val())
			}
			got, err := db.ListPush([]byte(k), bs(items...), left, rng.IntN(5) == 0 && n == 0)
			if err != nil {
				t.Fatal(err)
			}
			if got != 0 || n != 0 || len(items) == 0 {
				for _, it := range items {
					if left {
						l = append([]string{it}, l...)
					} else {
						l = append(l, it)
					}
				}
				if got != int64(len(l)) {
					t.Fatalf("push returned %d, model %d", got, len(l))
				}
			}
		case 2:
			op = "pop"
			left := rng.IntN(2) == 0
			cnt := int64(rng.IntN(4))
			got, exists, err := db.ListPop([]byte(k), left, cnt)
			if err != nil {
				t.Fatal(err)
			}
			take := min(cnt, n)
			var want []string
			for i := int64(0); i < take; i++ {
				if left {
					want = append(want, l[0])
					l = l[1:]
				} else {
					want = append(want, l[len(l)-1])
					l = l[:len(l)-1]
				}
			}
			if exists != (n > 0) || !slices.Equal(strs(got), want) {
				t.Fatalf("pop %v %d: got %q exists %v, want %q", left, cnt, got, exists, want)
			}
		case 3:
			op = "range"
			s, e := idx(), idx()
			got, exists, err := db.ListRange([]byte(k), s, e)
			if err != nil || exists != (n > 0) || !slices.Equal(strs(got), modelRange(l, s, e)) {
				t.Fatalf("lrange %d %d: %q %v %v, want %q", s, e, got, exists, err, modelRange(l, s, e))
			}
		case 4:
			op = "index/set"
			i := idx()
			v := val() + "x"
			err := db.ListSet([]byte(k), i, []byte(v))
			j := i
			if j < 0 {
				j += n
			}
			switch {
			case n == 0:
				if !errors.Is(err, ErrNoSuchKey) {
					t.Fatalf("lset on missing: %v", err)
				}
			case j < 0 || j >= n:
				if !errors.Is(err, ErrIndexOutOfRange) {
					t.Fatalf("lset %d of %d: %v", i, n, err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				l[j] = v
			}
			got, found, _, err := db.ListIndex([]byte(k), i)
			if err != nil || found != (j >= 0 && j < n) || (found && string(got) != l[j]) {
				t.Fatalf("lindex %d: %q %v %v", i, got, found, err)
			}
		case 5, 6:
			op = "insert"
			after := rng.IntN(2) == 0
			pivot, v := val(), val()+"i"
			got, err := db.ListInsert([]byte(k), after, []byte(pivot), []byte(v))
			if err != nil {
				t.Fatal(err)
			}
			p := slices.Index(l, pivot)
			want := int64(-1)
			switch {
			case n == 0:
				want = 0
			case p >= 0:
				if after {
					p++
				}
				l = slices.Insert(l, p, v)
				want = int64(len(l))
			}
			if got != want {
				t.Fatalf("linsert: %d, want %d", got, want)
			}
		case 7, 8:
			op = "rem"
			cnt := int64(rng.IntN(7) - 3)
			if rng.IntN(20) == 0 {
				cnt = math.MinInt64
			}
			v := val()
			got, err := db.ListRem([]byte(k), cnt, []byte(v))
			var want int64
			l, want = modelRem(l, cnt, v)
			if err != nil || got != want {
				t.Fatalf("lrem %d %q: %d %v, want %d", cnt, v, got, err, want)
			}
		case 9:
			op = "trim"
			s, e := idx(), idx()
			if err := db.ListTrim([]byte(k), s, e); err != nil {
				t.Fatal(err)
			}
			l = slices.Clone(modelRange(l, s, e))
		default:
			op = "move/pos"
			dst := keys[rng.IntN(2)]
			fl, tl := rng.IntN(2) == 0, rng.IntN(2) == 0
			got, ok, err := db.ListMove([]byte(k), []byte(dst), fl, tl, false)
			if err != nil || ok != (n > 0) {
				t.Fatal(ok, err)
			}
			if ok {
				var it string
				if fl {
					it, l = l[0], l[1:]
				} else {
					it, l = l[len(l)-1], l[:len(l)-1]
				}
				if string(got) != it {
					t.Fatalf("lmove got %q, want %q", got, it)
				}
				model[k] = l
				d := model[dst]
				if tl {
					d = append([]string{it}, d...)
				} else {
					d = append(slices.Clone(d), it)
				}
				model[dst] = d
				l = model[k]
				checkList(t, db, dst, model[dst])
			}
			o := ListPosOptions{Rank: int64(rng.IntN(5) - 2), Count: int64(rng.IntN(4) - 1), MaxLen: int64(rng.IntN(5))}
			if o.Rank == 0 {
				o.Rank = math.MinInt64
			}
			v := val()
			pos, _, err := db.ListPos([]byte(k), []byte(v), o)
			if want := modelPos(l, v, o); err != nil || !slices.Equal(pos, want) {
				t.Fatalf("lpos %q %+v in %q: %v %v, want %v", v, o, l, pos, err, want)
			}
		}
		ops[op]++
		maxLen = max(maxLen, len(l))
		model[k] = l
		checkList(t, db, k, l)
		if got, err := db.ListLen([]byte(k)); err != nil || got != int64(len(l)) {
			t.Fatalf("llen %d %v, want %d", got, err, len(l))
		}
	}
	if len(ops) != 8 || maxLen < 20 {
		t.Fatalf("not every operation ran (%v) or lists stayed short (longest %d)", ops, maxLen)
	}
	t.Logf("operations %v, longest list %d", ops, maxLen)
}

// TestListShiftsShorterSide checks that LINSERT and LREM move the items on
// the side nearer to the change.
func TestListShiftsShorterSide(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	items := bs("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
	fresh := func() {
		t.Helper()
		if _, err := db.Del(bs("l")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ListPush([]byte("l"), items, false, false); err != nil {
			t.Fatal(err)
		}
	}
	bounds := func() (int64, int64) {
		m, _, _, _ := listState(t, db, "l")
		return m.Head, m.Tail
	}
	fresh()
	if _, err := db.ListInsert([]byte("l"), false, []byte("1"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if h, tl := bounds(); h != -1 || tl != 10 {
		t.Errorf("insert near head: head %d tail %d, want -1 10", h, tl)
	}
	checkList(t, db, "l", []string{"0", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9"})

	fresh()
	if _, err := db.ListInsert([]byte("l"), true, []byte("8"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if h, tl := bounds(); h != 0 || tl != 11 {
		t.Errorf("insert near tail: head %d tail %d, want 0 11", h, tl)
	}
	checkList(t, db, "l", []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "x", "9"})

	// Gaps at 1 and 8: each is closed from its own end.
	fresh()
	if err := db.ListSet([]byte("l"), 8, []byte("1")); err != nil {
		t.Fatal(err)
	}
	if n, err := db.ListRem([]byte("l"), 0, []byte("1")); err != nil || n != 2 {
		t.Fatal(n, err)
	}
	if h, tl := bounds(); h != 1 || tl != 9 {
		t.Errorf("rem at both ends: head %d tail %d, want 1 9", h, tl)
	}
	checkList(t, db, "l", []string{"0", "2", "3", "4", "5", "6", "7", "9"})

	// LTRIM deletes at both ends without moving anything.
	if err := db.ListTrim([]byte("l"), 2, -3); err != nil {
		t.Fatal(err)
	}
	if h, tl := bounds(); h != 3 || tl != 7 {
		t.Errorf("trim: head %d tail %d, want 3 7", h, tl)
	}
	checkList(t, db, "l", []string{"3", "4", "5", "6"})
	if err := db.ListTrim([]byte("l"), 5, 10); err != nil {
		t.Fatal(err)
	}
	checkList(t, db, "l", nil)
}

func TestListTypesAndExpiry(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	etSet(t, db, "s", "v", SetOptions{})
	wrong := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrWrongType) {
			t.Errorf("%s on a string: %v, want ErrWrongType", what, err)
		}
	}
	_, err := db.ListPush([]byte("s"), bs("a"), true, false)
	wrong("lpush", err)
	_, _, err = db.ListPop([]byte("s"), true, 0)
	wrong("lpop count 0", err)
	_, err = db.ListLen([]byte("s"))
	wrong("llen", err)
	_, _, err = db.ListRange([]byte("s"), 0, -1)
	wrong("lrange", err)
	wrong("lset", db.ListSet([]byte("s"), 0, []byte("x")))
	_, err = db.ListRem([]byte("s"), 0, []byte("x"))
	wrong("lrem", err)
	_, _, err = db.ListPos([]byte("s"), []byte("x"), ListPosOptions{Rank: 1, Count: -1})
	wrong("lpos", err)

	// LMOVE checks dst's type only when src has an item.
	if _, ok, err := db.ListMove([]byte("none"), []byte("s"), true, true, false); ok || err != nil {
		t.Errorf("lmove from missing to string: %v %v", ok, err)
	}
	if _, err := db.ListPush([]byte("l"), bs("a"), false, false); err != nil {
		t.Fatal(err)
	}
	_, _, err = db.ListMove([]byte("l"), []byte("s"), true, true, false)
	wrong("lmove to string", err)
	checkList(t, db, "l", []string{"a"})
	_, _, err = db.ListMove([]byte("s"), []byte("l"), true, true, false)
	wrong("lmove from string", err)
	if _, ok, err := db.ListMove([]byte("s"), []byte("l"), true, true, true); ok || err != nil {
		t.Errorf("lmove skipping a string source: %v %v", ok, err)
	}

	// MPOP: a string before the list is an error, unless skipped.
	_, _, err = db.ListMPop(bs("none", "s", "l"), true, 1, false)
	wrong("lmpop", err)
	k, items, err := db.ListMPop(bs("none", "s", "l"), true, 5, true)
	if err != nil || string(k) != "l" || !slices.Equal(strs(items), []string{"a"}) {
		t.Fatalf("lmpop skipping: %q %q %v", k, items, err)
	}
	checkList(t, db, "l", nil)
	if k, _, err := db.ListMPop(bs("none", "l"), true, 1, false); k != nil || err != nil {
		t.Fatalf("lmpop on missing keys: %q %v", k, err)
	}

	// A list that expired is gone: a push starts a fresh one.
	if _, err := db.ListPush([]byte("e"), bs("old1", "old2"), false, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Expire([]byte("e"), nowMs()-1000, 0); err != nil {
		t.Fatal(err)
	}
	if n, err := db.ListPush([]byte("e"), bs("x"), false, true); err != nil || n != 0 {
		t.Fatalf("rpushx on expired: %d %v", n, err)
	}
	if n, err := db.ListPush([]byte("e"), bs("new"), false, false); err != nil || n != 1 {
		t.Fatalf("rpush on expired: %d %v", n, err)
	}
	checkList(t, db, "e", []string{"new"})
	etCounts(t, db, 2, 0)
}

func TestListMoveToItself(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	if _, err := db.ListPush([]byte("l"), bs("a", "b", "c"), false, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		from, to bool
		item     string
		want     []string
	}{
		{false, true, "c", []string{"c", "a", "b"}},
		{true, false, "c", []string{"a", "b", "c"}},
		{true, true, "a", []string{"a", "b", "c"}},
		{false, false, "c", []string{"a", "b", "c"}},
	} {
		v, ok, err := db.ListMove([]byte("l"), []byte("l"), c.from, c.to, false)
		if err != nil || !ok || string(v) != c.item {
			t.Fatalf("lmove %v %v: %q %v %v", c.from, c.to, v, ok, err)
		}
		checkList(t, db, "l", c.want)
	}
	// A one-item list survives being moved onto itself.
	if _, err := db.ListPush([]byte("one"), bs("x"), false, false); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := db.ListMove([]byte("one"), []byte("one"), true, false, false); err != nil || !ok || string(v) != "x" {
		t.Fatalf("lmove one: %q %v %v", v, ok, err)
	}
	checkList(t, db, "one", []string{"x"})
	etCounts(t, db, 2, 0)
}

func TestListDumpRestore(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	want := []string{"a", "", "b", "a"}
	if _, err := db.ListPush([]byte("l"), bs("b", "", "a"), true, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ListPush([]byte("l"), bs("a"), false, false); err != nil {
		t.Fatal(err)
	}
	var p payload
	err := db.view(func(tx *Tx) error {
		e, err := tx.loadType([]byte("l"), TypeList)
		if err != nil {
			return err
		}
		return tx.dumpList(e, &p)
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.typ != TypeList || !slices.Equal(strs(p.elems), want) {
		t.Fatalf("dumpList: %v %q", p.typ, p.elems)
	}
	// Through the payload encoding and back.
	p2, err := decodePayload(encodePayload(&p))
	if err != nil {
		t.Fatal(err)
	}
	err = db.update(func(tx *Tx) error {
		e, err := tx.load([]byte("copy"))
		if err != nil {
			return err
		}
		if err := tx.newCollection(e, TypeList); err != nil {
			return err
		}
		return tx.restoreList(e, &p2)
	})
	if err != nil {
		t.Fatal(err)
	}
	checkList(t, db, "copy", want)
}

// TestListBigTrimPopRem checks that trims, pops and removals that drop
// most of a big list copy the rest to a fresh version instead of deleting
// item by item, so they fit in one Badger transaction, and that the old
// version is collected.
func TestListBigTrimPopRem(t *testing.T) {
	// A 2 MB memtable caps a Badger transaction at a few thousand writes.
	db, err := Open(Options{Dir: t.TempDir(), MemTableSize: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	const n, batch = 6000, 1000
	if _, err := db.ListPush([]byte("too-big"), make([][]byte, n), false, false); !errors.Is(err, badger.ErrTxnTooBig) {
		t.Fatalf("pushing %d items in one transaction: %v, want ErrTxnTooBig", n, err)
	}
	build := func(key string) []string {
		t.Helper()
		var model []string
		for i := 0; i < n; i += batch {
			var items []string
			for j := i; j < i+batch; j++ {
				items = append(items, fmt.Sprint(j%7))
			}
			if _, err := db.ListPush([]byte(key), bs(items...), false, false); err != nil {
				t.Fatal(err)
			}
			model = append(model, items...)
		}
		return model
	}
	version := func(key string) uint64 {
		m, _, _, _ := listState(t, db, key)
		return m.Version
	}

	model := build("t")
	v0 := version("t")
	if err := db.ListTrim([]byte("t"), 100, 109); err != nil {
		t.Fatal(err)
	}
	checkList(t, db, "t", model[100:110])
	if version("t") == v0 {
		t.Error("LTRIM keeping 10 of 6000 items did not rewrite the list")
	}

	model = build("p")
	items, _, err := db.ListPop([]byte("p"), false, n-3)
	if err != nil || len(items) != n-3 || string(items[0]) != model[n-1] {
		t.Fatalf("rpop %d: %d items, %v", n-3, len(items), err)
	}
	checkList(t, db, "p", model[:3])
	if _, _, err := db.ListPop([]byte("p"), true, 100); err != nil {
		t.Fatal(err)
	}
	checkList(t, db, "p", nil)

	// Removing six items of every seven.
	model = build("r")
	var want []string
	for i := range model {
		if model[i] != "6" {
			model[i] = "x"
		} else {
			want = append(want, "6")
		}
	}
	for i := 0; i < n; i += batch {
		if err := db.ListTrim([]byte("r"), batch, -1); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ListPush([]byte("r"), bs(model[i:i+batch]...), false, false); err != nil {
			t.Fatal(err)
		}
	}
	checkList(t, db, "r", model)
	removed, err := db.ListRem([]byte("r"), 0, []byte("x"))
	if err != nil || removed != int64(len(model)-len(want)) {
		t.Fatalf("lrem removed %d, %v", removed, err)
	}
	checkList(t, db, "r", want)

	// Every dead version's items are collected: only the live lists'
	// element keys remain.
	if _, err := db.Collect(t.Context()); err != nil {
		t.Fatal(err)
	}
	var total int
	err = db.view(func(tx *Tx) error {
		it := tx.newIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if k := it.Item().Key(); len(k) > 2 && k[2] == tagElement {
				total++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total != 10+len(want) {
		t.Errorf("%d element keys left, want %d", total, 10+len(want))
	}
}
