package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kvnode/kvnode/slots"
)

// Unit tests of the set operations. Expectations about replies and
// encodings follow redis-server 7.0.15 (resp/set_test.go checks the
// replies byte for byte against captures from it).

func stB(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func stStrings(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

func stAdd(t testing.TB, db *DB, key string, members ...string) int64 {
	t.Helper()
	n, err := db.SAdd([]byte(key), stB(members...))
	if err != nil {
		t.Fatalf("SADD %s: %v", key, err)
	}
	return n
}

func stMembers(t testing.TB, db *DB, key string) []string {
	t.Helper()
	ms, err := db.SMembers([]byte(key))
	if err != nil {
		t.Fatalf("SMEMBERS %s: %v", key, err)
	}
	return stStrings(ms)
}

func stEncoding(t testing.TB, db *DB, key string) string {
	t.Helper()
	info, ok, err := db.Object([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "<none>"
	}
	return info.Encoding
}

// stMeta returns the meta record of key and the number of element keys
// under its version.
func stMeta(t testing.TB, db *DB, key string) (Meta, bool, int64) {
	t.Helper()
	var m Meta
	var live bool
	var n int64
	err := db.view(func(tx *Tx) error {
		e, err := tx.load([]byte(key))
		if err != nil || !e.live {
			return err
		}
		m, live = e.Meta, true
		return tx.scanElems(e, tagElement, nil, false, func(_, _ []byte) (bool, error) { n++; return true, nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, live, n
}

func TestSetEngineBasics(t *testing.T) {
	db := openQuiet(t, mem)
	if n := stAdd(t, db, "s", "3", "1", "2", "-5", "2"); n != 4 {
		t.Fatalf("SADD added %d", n)
	}
	if n := stAdd(t, db, "s", "2", "4"); n != 1 {
		t.Fatalf("SADD added %d", n)
	}
	// an intset replies in ascending numeric order
	if got := stMembers(t, db, "s"); !slices.Equal(got, []string{"-5", "1", "2", "3", "4"}) {
		t.Fatalf("SMEMBERS %q", got)
	}
	if enc := stEncoding(t, db, "s"); enc != "intset" {
		t.Fatalf("encoding %s", enc)
	}
	if n, _ := db.SCard([]byte("s")); n != 5 {
		t.Fatalf("SCARD %d", n)
	}
	if ok, _ := db.SIsMember([]byte("s"), []byte("4")); !ok {
		t.Fatal("SISMEMBER 4")
	}
	if ok, _ := db.SIsMember([]byte("s"), []byte("04")); ok {
		t.Fatal("SISMEMBER 04")
	}
	oks, err := db.SMIsMember([]byte("s"), stB("1", "9", "-5"))
	if err != nil || !slices.Equal(oks, []bool{true, false, true}) {
		t.Fatalf("SMISMEMBER %v %v", oks, err)
	}
	oks, err = db.SMIsMember([]byte("nokey"), stB("1", "2"))
	if err != nil || !slices.Equal(oks, []bool{false, false}) {
		t.Fatalf("SMISMEMBER missing %v %v", oks, err)
	}
	// a non-integer converts for good; the order becomes byte order
	stAdd(t, db, "s", "x")
	if enc := stEncoding(t, db, "s"); enc != "hashtable" {
		t.Fatalf("encoding %s", enc)
	}
	if got := stMembers(t, db, "s"); !slices.Equal(got, []string{"-5", "1", "2", "3", "4", "x"}) {
		t.Fatalf("SMEMBERS %q", got)
	}
	if n, err := db.SRem([]byte("s"), stB("x", "nope", "x")); n != 1 || err != nil {
		t.Fatalf("SREM %d %v", n, err)
	}
	if enc := stEncoding(t, db, "s"); enc != "hashtable" {
		t.Fatalf("encoding after SREM %s", enc)
	}
	// all-integer members of at most 512 reply in numeric order whatever
	// the encoding
	if got := stMembers(t, db, "s"); !slices.Equal(got, []string{"-5", "1", "2", "3", "4"}) {
		t.Fatalf("SMEMBERS %q", got)
	}
	// the last member removed deletes the key
	if n, _ := db.SRem([]byte("s"), stB("-5", "1", "2", "3", "4")); n != 5 {
		t.Fatalf("SREM %d", n)
	}
	if ty, _ := db.TypeOf([]byte("s")); ty != TypeNone {
		t.Fatalf("type after emptying: %v", ty)
	}
	if db.KeyCount() != 0 {
		t.Fatalf("KeyCount %d", db.KeyCount())
	}
	if n, err := db.SRem([]byte("s"), stB("1")); n != 0 || err != nil {
		t.Fatalf("SREM missing %d %v", n, err)
	}
	// Redis' integer rules
	for m, want := range map[string]string{
		"1": "intset", "-1": "intset", "0": "intset", "9223372036854775807": "intset",
		"-9223372036854775808": "intset", "9223372036854775808": "hashtable", "01": "hashtable",
		"-0": "hashtable", " 1": "hashtable", "+1": "hashtable", "1.0": "hashtable", "": "hashtable",
	} {
		key := "enc:" + m
		stAdd(t, db, key, m)
		if enc := stEncoding(t, db, key); enc != want {
			t.Errorf("member %q: encoding %s, want %s", m, enc, want)
		}
	}
}

func TestSetEngineIntsetLimit(t *testing.T) {
	db := openQuiet(t, mem)
	var ms []string
	for i := 0; i < 512; i++ {
		ms = append(ms, strconv.Itoa(512-i))
	}
	stAdd(t, db, "s", ms...)
	if enc := stEncoding(t, db, "s"); enc != "intset" {
		t.Fatalf("512 integers: %s", enc)
	}
	got := stMembers(t, db, "s")
	if got[0] != "1" || got[511] != "512" {
		t.Fatalf("order: %s … %s", got[0], got[511])
	}
	stAdd(t, db, "s", "513")
	if enc := stEncoding(t, db, "s"); enc != "hashtable" {
		t.Fatalf("513 integers: %s", enc)
	}
	// more than 512 members: byte order
	got = stMembers(t, db, "s")
	if got[0] != "1" || got[1] != "10" {
		t.Fatalf("order of a big set: %q %q", got[0], got[1])
	}
	if _, err := db.SRem([]byte("s"), stB(ms[:500]...)); err != nil {
		t.Fatal(err)
	}
	if enc := stEncoding(t, db, "s"); enc != "hashtable" {
		t.Fatalf("after shrinking: %s", enc)
	}
}

func TestSetEngineWrongType(t *testing.T) {
	db := openQuiet(t, mem)
	if _, err := db.Set([]byte("str"), []byte("v"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	stAdd(t, db, "s", "a")
	k, s := []byte("str"), []byte("s")
	m := []byte("a")
	calls := map[string]func() error{
		"SADD":        func() error { _, err := db.SAdd(k, stB("a")); return err },
		"SREM":        func() error { _, err := db.SRem(k, stB("a")); return err },
		"SCARD":       func() error { _, err := db.SCard(k); return err },
		"SISMEMBER":   func() error { _, err := db.SIsMember(k, m); return err },
		"SMISMEMBER":  func() error { _, err := db.SMIsMember(k, stB("a")); return err },
		"SMEMBERS":    func() error { _, err := db.SMembers(k); return err },
		"SMOVE src":   func() error { _, err := db.SMove(k, s, m); return err },
		"SMOVE dst":   func() error { _, err := db.SMove(s, k, m); return err },
		"SPOP":        func() error { _, _, err := db.SPop(k); return err },
		"SPOP n":      func() error { _, err := db.SPopN(k, 0); return err },
		"SRANDMEMBER": func() error { _, _, err := db.SRandMember(k); return err },
		"SRANDMEM n":  func() error { _, err := db.SRandMemberN(k, 0); return err },
		"SINTER":      func() error { _, err := db.SInter([][]byte{[]byte("nokey"), k}); return err },
		"SINTERCARD":  func() error { _, err := db.SInterCard([][]byte{s, k}, 1); return err },
		"SUNION":      func() error { _, err := db.SUnion([][]byte{s, k}); return err },
		"SDIFF":       func() error { _, err := db.SDiff([][]byte{[]byte("nokey"), k}); return err },
		"SINTERSTORE": func() error { _, err := db.SInterStore([]byte("d"), [][]byte{k}); return err },
		"SUNIONSTORE": func() error { _, err := db.SUnionStore([]byte("d"), [][]byte{s, k}); return err },
		"SDIFFSTORE":  func() error { _, err := db.SDiffStore([]byte("d"), [][]byte{s, k}); return err },
		"SSCAN":       func() error { _, _, err := db.SScan(k, 0, 10, nil); return err },
	}
	for name, f := range calls {
		if err := f(); !errors.Is(err, ErrWrongType) {
			t.Errorf("%s: %v, want ErrWrongType", name, err)
		}
	}
	if v, _, _ := db.Get(k); string(v) != "v" {
		t.Fatalf("string changed: %q", v)
	}
	// SMOVE from a missing source does not look at the destination
	if ok, err := db.SMove([]byte("nokey"), k, m); ok || err != nil {
		t.Fatalf("SMOVE from a missing key: %v %v", ok, err)
	}
	if ex, _ := db.Exists(stB("d")); ex != 0 {
		t.Fatal("a failed STORE wrote its destination")
	}
}

func TestSetEngineExpired(t *testing.T) {
	db := openQuiet(t, mem)
	stAdd(t, db, "s", "a", "b")
	if ok, err := db.Expire([]byte("s"), time.Now().UnixMilli()+30, ExpireAlways); !ok || err != nil {
		t.Fatalf("EXPIRE %v %v", ok, err)
	}
	time.Sleep(60 * time.Millisecond)
	if n, err := db.SCard([]byte("s")); n != 0 || err != nil {
		t.Fatalf("SCARD of an expired set: %d %v", n, err)
	}
	if ms := stMembers(t, db, "s"); len(ms) != 0 {
		t.Fatalf("SMEMBERS of an expired set: %q", ms)
	}
	if n, _ := db.SRem([]byte("s"), stB("a")); n != 0 {
		t.Fatal("SREM on an expired set")
	}
	if ok, _ := db.SMove([]byte("s"), []byte("d"), []byte("a")); ok {
		t.Fatal("SMOVE from an expired set")
	}
	// a write on the expired key starts a fresh set without TTL
	if n := stAdd(t, db, "s", "c"); n != 1 {
		t.Fatalf("SADD on an expired set added %d", n)
	}
	if ms := stMembers(t, db, "s"); !slices.Equal(ms, []string{"c"}) {
		t.Fatalf("members %q", ms)
	}
	if at, _, _, _ := db.ExpireTime([]byte("s")); at != 0 {
		t.Fatalf("TTL kept: %d", at)
	}
	if db.KeyCount() != 1 {
		t.Fatalf("KeyCount %d", db.KeyCount())
	}
}

func TestSetEngineMemberTooLarge(t *testing.T) {
	db := openQuiet(t, mem)
	huge := bytes.Repeat([]byte("m"), SetMaxMemberLen+1)
	if _, err := db.SAdd([]byte("s"), [][]byte{[]byte("a"), huge}); !errors.Is(err, ErrSetMemberTooLarge) {
		t.Fatalf("SADD huge: %v", err)
	}
	if ex, _ := db.Exists(stB("s")); ex != 0 {
		t.Fatal("a refused SADD wrote")
	}
	stAdd(t, db, "s", "a", string(huge[:SetMaxMemberLen]))
	if ok, err := db.SIsMember([]byte("s"), huge); ok || err != nil {
		t.Fatalf("SISMEMBER huge: %v %v", ok, err)
	}
	if n, err := db.SRem([]byte("s"), [][]byte{huge}); n != 0 || err != nil {
		t.Fatalf("SREM huge: %d %v", n, err)
	}
	if ok, err := db.SMove([]byte("s"), []byte("d"), huge); ok || err != nil {
		t.Fatalf("SMOVE huge: %v %v", ok, err)
	}
}

func TestSetEngineSMove(t *testing.T) {
	db := openQuiet(t, mem)
	stAdd(t, db, "a", "1", "x")
	if ok, err := db.SMove([]byte("a"), []byte("b"), []byte("1")); !ok || err != nil {
		t.Fatalf("SMOVE %v %v", ok, err)
	}
	if enc := stEncoding(t, db, "b"); enc != "intset" {
		t.Fatalf("destination encoding %s", enc)
	}
	if ok, _ := db.SMove([]byte("a"), []byte("b"), []byte("1")); ok {
		t.Fatal("moved a missing member")
	}
	if ok, _ := db.SMove([]byte("a"), []byte("a"), []byte("x")); !ok {
		t.Fatal("SMOVE to itself of a member")
	}
	if got := stMembers(t, db, "a"); !slices.Equal(got, []string{"x"}) {
		t.Fatalf("SMOVE to itself changed the set: %q", got)
	}
	stAdd(t, db, "b", "x")
	if ok, _ := db.SMove([]byte("a"), []byte("b"), []byte("x")); !ok {
		t.Fatal("SMOVE of a member the destination has")
	}
	if ex, _ := db.Exists(stB("a")); ex != 0 {
		t.Fatal("emptied source still exists")
	}
	if got := stMembers(t, db, "b"); !slices.Equal(got, []string{"1", "x"}) {
		t.Fatalf("destination %q", got)
	}
	// A destination with a TTL keeps it.
	stAdd(t, db, "c", "m")
	at := time.Now().UnixMilli() + 100000
	if _, err := db.Expire([]byte("b"), at, ExpireAlways); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.SMove([]byte("c"), []byte("b"), []byte("m")); !ok {
		t.Fatal("SMOVE m")
	}
	if got, _, _, _ := db.ExpireTime([]byte("b")); got != at {
		t.Fatalf("destination TTL %d, want %d", got, at)
	}
}

func TestSetEngineStore(t *testing.T) {
	db := openQuiet(t, mem)
	stAdd(t, db, "a", "1", "2", "3", "x")
	stAdd(t, db, "b", "2", "3", "4")
	if _, err := db.Set([]byte("d"), []byte("v"), SetOptions{ExpireAt: time.Now().UnixMilli() + 100000}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.SInterStore([]byte("d"), stB("a", "b")); n != 2 || err != nil {
		t.Fatalf("SINTERSTORE %d %v", n, err)
	}
	if at, _, _, _ := db.ExpireTime([]byte("d")); at != 0 {
		t.Fatal("SINTERSTORE kept the TTL")
	}
	if got := stMembers(t, db, "d"); !slices.Equal(got, []string{"2", "3"}) {
		t.Fatalf("SINTERSTORE stored %q", got)
	}
	if enc := stEncoding(t, db, "d"); enc != "intset" {
		t.Fatalf("encoding %s", enc)
	}
	if n, _ := db.SUnionStore([]byte("d"), stB("a", "b", "nokey")); n != 5 {
		t.Fatalf("SUNIONSTORE %d", n)
	}
	if enc := stEncoding(t, db, "d"); enc != "hashtable" {
		t.Fatalf("encoding %s", enc)
	}
	if n, _ := db.SDiffStore([]byte("d"), stB("a", "b")); n != 2 {
		t.Fatalf("SDIFFSTORE %d", n)
	}
	if got := stMembers(t, db, "d"); !slices.Equal(got, []string{"1", "x"}) {
		t.Fatalf("SDIFFSTORE stored %q", got)
	}
	// empty results delete the destination, whatever it held
	for _, f := range []func() (int64, error){
		func() (int64, error) { return db.SInterStore([]byte("d"), stB("a", "nokey")) },
		func() (int64, error) { return db.SUnionStore([]byte("d"), stB("nokey")) },
		func() (int64, error) { return db.SDiffStore([]byte("d"), stB("a", "a")) },
	} {
		if _, err := db.Set([]byte("d"), []byte("v"), SetOptions{}); err != nil {
			t.Fatal(err)
		}
		if n, err := f(); n != 0 || err != nil {
			t.Fatalf("empty STORE %d %v", n, err)
		}
		if ex, _ := db.Exists(stB("d")); ex != 0 {
			t.Fatal("empty STORE kept the destination")
		}
	}
	// the destination may be a source
	if n, _ := db.SUnionStore([]byte("a"), stB("a", "b")); n != 5 {
		t.Fatalf("SUNIONSTORE into a source %d", n)
	}
	if got := stMembers(t, db, "a"); !slices.Equal(got, []string{"1", "2", "3", "4", "x"}) {
		t.Fatalf("SUNIONSTORE into a source stored %q", got)
	}
	// SINTERCARD's limit
	for limit, want := range map[int64]int64{0: 3, 1: 1, 2: 2, 3: 3, 10: 3} {
		if n, _ := db.SInterCard(stB("a", "b"), limit); n != want {
			t.Errorf("SINTERCARD LIMIT %d: %d, want %d", limit, n, want)
		}
	}
	if db.KeyCount() != 2 {
		t.Fatalf("KeyCount %d", db.KeyCount())
	}
}

// TestSetEngineModel runs random set operations against a model of the
// sets and checks every reply, every member list, Meta.Count against the
// element keys, and the encoding flag against Redis' rules.
func TestSetEngineModel(t *testing.T) {
	db := openQuiet(t, mem)
	keys := []string{"k1", "k2", "k3", "{x}"}
	model := map[string]map[string]bool{}
	big := map[string]bool{}
	pool := []string{"1", "2", "3", "10", "-4", "a", "b", "c", "", "07"}
	for i := 0; i < 600; i++ {
		pool = append(pool, strconv.Itoa(1000+i))
	}
	member := func() string {
		if rand.IntN(3) == 0 {
			return pool[rand.IntN(10)]
		}
		return pool[rand.IntN(len(pool))]
	}
	noteBig := func(k string) {
		s := model[k]
		if len(s) > 512 {
			big[k] = true
		}
		for m := range s {
			if _, ok := ParseInt([]byte(m)); !ok {
				big[k] = true
			}
		}
		if len(s) == 0 {
			delete(model, k)
			delete(big, k)
		}
	}
	setOf := func(k string) map[string]bool {
		if model[k] == nil {
			model[k] = map[string]bool{}
		}
		return model[k]
	}
	ops := 0
	for i := 0; i < 3000; i++ {
		k := keys[rand.IntN(len(keys))]
		switch op := rand.IntN(8); op {
		case 0, 1:
			n := 1 + rand.IntN(4)
			if rand.IntN(40) == 0 {
				n = 300
			}
			var ms []string
			want := int64(0)
			s := setOf(k)
			for j := 0; j < n; j++ {
				m := member()
				ms = append(ms, m)
				if !s[m] {
					s[m] = true
					want++
				}
			}
			if got := stAdd(t, db, k, ms...); got != want {
				t.Fatalf("SADD %s: %d, want %d", k, got, want)
			}
			noteBig(k)
		case 2, 3:
			n := 1 + rand.IntN(4)
			if rand.IntN(20) == 0 {
				n = 400
			}
			var ms []string
			want := int64(0)
			s := setOf(k)
			for j := 0; j < n; j++ {
				m := member()
				ms = append(ms, m)
				if s[m] {
					delete(s, m)
					want++
				}
			}
			got, err := db.SRem([]byte(k), stB(ms...))
			if err != nil || got != want {
				t.Fatalf("SREM %s: %d %v, want %d", k, got, err, want)
			}
			noteBig(k)
		case 4:
			d := keys[rand.IntN(len(keys))]
			m := member()
			want := model[k][m]
			got, err := db.SMove([]byte(k), []byte(d), []byte(m))
			if err != nil || got != want {
				t.Fatalf("SMOVE %s %s %q: %v %v, want %v", k, d, m, got, err, want)
			}
			if want && k != d {
				delete(model[k], m)
				setOf(d)[m] = true
				noteBig(k)
				noteBig(d)
			}
		case 5:
			d := keys[rand.IntN(len(keys))]
			srcs := []string{keys[rand.IntN(len(keys))], keys[rand.IntN(len(keys))]}
			res := map[string]bool{}
			var fn func([]byte, [][]byte) (int64, error)
			diffAlgo2Big := false
			switch rand.IntN(3) {
			case 0:
				fn = db.SInterStore
				for m := range model[srcs[0]] {
					if model[srcs[1]][m] {
						res[m] = true
					}
				}
			case 1:
				fn = db.SUnionStore
				for _, s := range srcs {
					for m := range model[s] {
						res[m] = true
					}
				}
			default:
				fn = db.SDiffStore
				for m := range model[srcs[0]] {
					if !model[srcs[1]][m] {
						res[m] = true
					}
				}
				// Redis' second SDIFF algorithm (see setDiff)
				if n0, n1 := len(model[srcs[0]]), len(model[srcs[1]]); n0 > 0 {
					one, two := int64(n0), int64(n0)
					if n1 > 0 {
						one, two = 2*int64(n0), int64(n0+n1)
					}
					if one/2 > two {
						for m := range model[srcs[0]] {
							if _, ok := ParseInt([]byte(m)); !ok {
								diffAlgo2Big = true
							}
						}
						diffAlgo2Big = diffAlgo2Big || n0 > 512
					}
				}
			}
			got, err := fn([]byte(d), stB(srcs...))
			if err != nil || got != int64(len(res)) {
				t.Fatalf("STORE %s %v: %d %v, want %d", d, srcs, got, err, len(res))
			}
			model[d] = res
			delete(big, d)
			if diffAlgo2Big && len(res) > 0 {
				big[d] = true
			}
			noteBig(d)
		case 6:
			n := int64(rand.IntN(6))
			s := model[k]
			size := len(s)
			got, err := db.SPopN([]byte(k), n)
			if err != nil || len(got) != min(int(n), size) {
				t.Fatalf("SPOP %s %d: %d %v (size %d)", k, n, len(got), err, size)
			}
			for _, m := range got {
				if !s[string(m)] {
					t.Fatalf("SPOP returned %q, not a member", m)
				}
				delete(s, string(m))
			}
			if rest := size - len(got); len(got) > 0 && rest > 0 && rest*5 <= len(got) {
				delete(big, k) // rebuilt from the rest
			}
			noteBig(k)
		default:
			want := len(model[k])
			if n, _ := db.SCard([]byte(k)); n != int64(want) {
				t.Fatalf("SCARD %s %d, want %d", k, n, want)
			}
		}
		ops++
		for _, key := range keys {
			m, live, n := stMeta(t, db, key)
			want := model[key]
			if live != (len(want) > 0) {
				t.Fatalf("op %d: %s live=%v, model has %d", i, key, live, len(want))
			}
			if !live {
				continue
			}
			if m.Type != TypeSet || m.Count != int64(len(want)) || n != m.Count {
				t.Fatalf("op %d: %s type %v count %d elements %d, model %d", i, key, m.Type, m.Count, n, len(want))
			}
			if (m.Flags&MetaBig != 0) != big[key] {
				t.Fatalf("op %d: %s MetaBig=%v, model %v", i, key, m.Flags&MetaBig != 0, big[key])
			}
		}
	}
	if ops == 0 {
		t.Fatal("no operations generated")
	}
	var live int64
	for _, key := range keys {
		if len(model[key]) > 0 {
			live++
			got := stMembers(t, db, key)
			sort.Strings(got)
			var want []string
			for m := range model[key] {
				want = append(want, m)
			}
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Fatalf("%s: members differ", key)
			}
		}
	}
	if db.KeyCount() != live {
		t.Fatalf("KeyCount %d, want %d", db.KeyCount(), live)
	}
}

func TestSetEngineSPopRebuild(t *testing.T) {
	db := openQuiet(t, mem)
	stAdd(t, db, "h", "x", "1", "2", "3", "4", "5", "6")
	if _, err := db.SRem([]byte("h"), stB("x")); err != nil {
		t.Fatal(err)
	}
	// 4 of 6: 2 left, 2·5 > 4: members removed one by one, still hashtable
	if got, _ := db.SPopN([]byte("h"), 4); len(got) != 4 {
		t.Fatalf("SPOP 4: %q", got)
	}
	if enc := stEncoding(t, db, "h"); enc != "hashtable" {
		t.Fatalf("after SPOP 4: %s", enc)
	}
	stAdd(t, db, "h", "7", "8", "9", "10")
	before, _, _ := stMeta(t, db, "h")
	// 5 of 6: 1 left, 1·5 ≤ 5: the set is rebuilt and is an intset again
	if got, _ := db.SPopN([]byte("h"), 5); len(got) != 5 {
		t.Fatalf("SPOP 5: %q", got)
	}
	after, _, n := stMeta(t, db, "h")
	if after.Version == before.Version || n != 1 || after.Count != 1 {
		t.Fatalf("rebuild: version %d → %d, %d elements, count %d", before.Version, after.Version, n, after.Count)
	}
	if _, err := db.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := 0
	err := db.view(func(tx *Tx) error {
		e := &Entry{Slot: slots.KeySlot([]byte("h")), Meta: Meta{Version: before.Version}}
		return tx.scanElems(e, tagElement, nil, false, func(_, _ []byte) (bool, error) { old++; return true, nil })
	})
	if err != nil || old != 0 {
		t.Fatalf("old version not collected: %d elements, %v", old, err)
	}
	if enc := stEncoding(t, db, "h"); enc != "intset" {
		t.Fatalf("after SPOP 5: %s", enc)
	}
	if n, _ := db.SCard([]byte("h")); n != 1 {
		t.Fatalf("SCARD %d", n)
	}
	// popping everything deletes the key and answers in reply order
	stAdd(t, db, "n", "3", "1", "2")
	if got, _ := db.SPopN([]byte("n"), 10); !slices.Equal(stStrings(got), []string{"1", "2", "3"}) {
		t.Fatalf("SPOP all: %q", got)
	}
	if ex, _ := db.Exists(stB("n")); ex != 0 {
		t.Fatal("SPOP all kept the key")
	}
	if got, err := db.SPopN([]byte("n"), 3); len(got) != 0 || err != nil {
		t.Fatalf("SPOP of a missing key: %q %v", got, err)
	}
	if m, ok, err := db.SPop([]byte("n")); ok || m != nil || err != nil {
		t.Fatalf("SPOP of a missing key: %q %v %v", m, ok, err)
	}
}

func TestSetEngineSRandMemberN(t *testing.T) {
	db := openQuiet(t, mem)
	if got, err := db.SRandMemberN([]byte("s"), -SetRandCountMax-1); got != nil || err != nil {
		t.Fatalf("missing key: %q %v", got, err)
	}
	stAdd(t, db, "s", "b", "a", "c")
	if _, err := db.SRandMemberN([]byte("s"), -SetRandCountMax-1); !errors.Is(err, ErrSetRandCountTooLarge) {
		t.Fatalf("huge negative count: %v", err)
	}
	if got, _ := db.SRandMemberN([]byte("s"), 3); !slices.Equal(stStrings(got), []string{"a", "b", "c"}) {
		t.Fatalf("count = size: %q", got)
	}
	if got, _ := db.SRandMemberN([]byte("s"), 0); len(got) != 0 {
		t.Fatalf("count 0: %q", got)
	}
	got, _ := db.SRandMemberN([]byte("s"), -1000)
	seen := map[string]int{}
	for _, m := range got {
		seen[string(m)]++
	}
	if len(got) != 1000 || len(seen) != 3 {
		t.Fatalf("count -1000: %d picks, %v", len(got), seen)
	}
	for m, n := range seen {
		if n < 250 || n > 420 {
			t.Errorf("member %s picked %d times of 1000", m, n)
		}
	}
}

// stBigSet makes a set of the given members quickly, in batches.
func stBigSet(t testing.TB, db *DB, key string, members []string) {
	t.Helper()
	for i := 0; i < len(members); i += 2000 {
		stAdd(t, db, key, members[i:min(i+2000, len(members))]...)
	}
}

// TestSetEngineSampler checks the seek sampler of big sets: it is used,
// picks are spread evenly over evenly spread members, and distinct picks
// are distinct.
func TestSetEngineSampler(t *testing.T) {
	db := openQuiet(t, mem)
	const n = 3000
	var ms []string
	for i := 0; i < n; i++ {
		ms = append(ms, fmt.Sprintf("user:%08d", i*7919%100000000))
	}
	stBigSet(t, db, "s", ms)
	sort.Strings(ms)
	rank := map[string]int{}
	for i, m := range ms {
		rank[m] = i
	}
	var picks [][]byte
	err := db.view(func(tx *Tx) error {
		e, err := tx.setLive([]byte("s"))
		if err != nil {
			return err
		}
		s, err := tx.newSetSampler(e)
		if err != nil {
			return err
		}
		if s == nil {
			t.Fatal("no sampler for a big, spread set")
		}
		defer s.close()
		for i := 0; i < 9000; i++ {
			m, err := s.pick()
			if err != nil {
				return err
			}
			picks = append(picks, m)
		}
		d, err := s.distinct(300)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, m := range d {
			if seen[string(m)] {
				t.Fatalf("distinct picked %q twice", m)
			}
			seen[string(m)] = true
		}
		if len(d) != 300 {
			t.Fatalf("distinct: %d picks", len(d))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 15 buckets of 200 members by rank: about 600 picks each.
	buckets := make([]int, 15)
	hit := map[int]bool{}
	for _, m := range picks {
		r, ok := rank[string(m)]
		if !ok {
			t.Fatalf("picked %q, not a member", m)
		}
		buckets[r/200]++
		hit[r] = true
	}
	for i, c := range buckets {
		if c < 450 || c > 750 {
			t.Errorf("bucket %d: %d picks of 9000, want about 600", i, c)
		}
	}
	if len(hit) < n*90/100 {
		t.Errorf("only %d of %d members picked in 9000 picks", len(hit), n)
	}
	// Through the API: SPOP of a big set removes what it returns.
	got, err := db.SPopN([]byte("s"), 100)
	if err != nil || len(got) != 100 {
		t.Fatalf("SPOP 100: %d %v", len(got), err)
	}
	for _, m := range got {
		if ok, _ := db.SIsMember([]byte("s"), m); ok {
			t.Fatalf("%q still a member", m)
		}
	}
	if c, _ := db.SCard([]byte("s")); c != n-100 {
		t.Fatalf("SCARD %d", c)
	}
	if r, err := db.SRandMemberN([]byte("s"), 50); err != nil || len(r) != 50 {
		t.Fatalf("SRANDMEMBER 50: %d %v", len(r), err)
	}
	if r, err := db.SRandMemberN([]byte("s"), -50); err != nil || len(r) != 50 {
		t.Fatalf("SRANDMEMBER -50: %d %v", len(r), err)
	}
}

// Members in two tight clusters far apart cannot be sampled evenly by
// seeks: the sampler gives up (or is not built) and picks are exact.
func TestSetEngineSamplerFallback(t *testing.T) {
	db := openQuiet(t, mem)
	var ms []string
	for i := 0; i < 1000; i++ {
		ms = append(ms, fmt.Sprintf("a-%s-%05d", "0123456789abcdefghij", i))
		ms = append(ms, fmt.Sprintf("b-%s-%05d", "0123456789abcdefghij", i))
	}
	stBigSet(t, db, "s", ms)
	gaveUp := 0
	err := db.view(func(tx *Tx) error {
		e, err := tx.setLive([]byte("s"))
		if err != nil {
			return err
		}
		s, err := tx.newSetSampler(e)
		if err != nil || s == nil {
			gaveUp = 10
			return err
		}
		defer s.close()
		for i := 0; i < 10; i++ {
			if _, err := s.pick(); errors.Is(err, errSetSampleGiveUp) {
				gaveUp++
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if gaveUp < 6 {
		t.Fatalf("the sampler picked from clustered members %d times of 10", 10-gaveUp)
	}
	got, err := db.SRandMemberN([]byte("s"), -200)
	if err != nil || len(got) != 200 {
		t.Fatalf("SRANDMEMBER -200: %d %v", len(got), err)
	}
	distinct := map[string]bool{}
	for _, m := range got {
		distinct[string(m)] = true
	}
	if len(distinct) < 180 {
		t.Fatalf("200 picks gave %d members", len(distinct))
	}
	if got, err := db.SRandMemberN([]byte("s"), 30); err != nil || len(got) != 30 {
		t.Fatalf("SRANDMEMBER 30: %d %v", len(got), err)
	}
}

// stScanAll runs a full SSCAN iteration, calling between after each call.
func stScanAll(t testing.TB, db *DB, key string, count int, between func(call int)) (map[string]int, int) {
	t.Helper()
	got := map[string]int{}
	var cursor uint64
	calls := 0
	for {
		next, ms, err := db.SScan([]byte(key), cursor, count, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			got[string(m)]++
		}
		calls++
		if between != nil {
			between(calls)
		}
		if next == 0 {
			return got, calls
		}
		if next >= 1<<63 {
			t.Fatalf("cursor %d above 2^63", next)
		}
		cursor = next
		if calls > 1000000 {
			t.Fatal("SSCAN does not end")
		}
	}
}

func TestSetEngineSScan(t *testing.T) {
	db := openQuiet(t, mem)
	// an intset comes back whole, in numeric order, whatever the cursor
	stAdd(t, db, "i", "10", "9", "-1")
	for _, c := range []uint64{0, 1, 12345, 1 << 62} {
		next, ms, err := db.SScan([]byte("i"), c, 1, nil)
		if err != nil || next != 0 || !slices.Equal(stStrings(ms), []string{"-1", "9", "10"}) {
			t.Fatalf("intset SSCAN from %d: %d %q %v", c, next, ms, err)
		}
	}
	if next, ms, err := db.SScan([]byte("nokey"), 5, 1, nil); next != 0 || ms != nil || err != nil {
		t.Fatalf("missing key: %d %q %v", next, ms, err)
	}
	// members sharing long prefixes need stored bounds
	var ms []string
	for i := 0; i < 2000; i++ {
		ms = append(ms, fmt.Sprintf("a-very-long-common-prefix/%05d", i))
		ms = append(ms, fmt.Sprintf("b%d", i))
	}
	stBigSet(t, db, "s", ms)
	got, calls := stScanAll(t, db, "s", 10, nil)
	if len(got) != len(ms) {
		t.Fatalf("full iteration returned %d of %d", len(got), len(ms))
	}
	for m, n := range got {
		if n != 1 {
			t.Fatalf("%q returned %d times without churn", m, n)
		}
	}
	if calls < len(ms)/10 || calls > len(ms)/10+2 {
		t.Fatalf("%d calls of COUNT 10 for %d members", calls, len(ms))
	}
	// lost stored bounds: every member still comes back and the
	// iteration ends
	got, _ = stScanAll(t, db, "s", 10, func(int) { stClearScanRing() })
	for _, m := range ms {
		if got[m] == 0 {
			t.Fatalf("lost bounds: %q never returned", m)
		}
	}
	// churn: members present throughout come back
	var mu sync.Mutex
	churn := 0
	got, _ = stScanAll(t, db, "s", 7, func(call int) {
		mu.Lock()
		defer mu.Unlock()
		m := fmt.Sprintf("a-very-long-common-prefix/%05d-extra", rand.IntN(3000))
		if call%2 == 0 {
			stAdd(t, db, "s", m)
		} else if _, err := db.SRem([]byte("s"), stB(m)); err != nil {
			t.Fatal(err)
		}
		churn++
	})
	for _, m := range ms {
		if got[m] == 0 {
			t.Fatalf("churn: %q never returned", m)
		}
	}
	// any cursor is accepted and iterations from it end
	for i := 0; i < 200; i++ {
		c := rand.Uint64()
		if i%3 == 0 {
			c &^= 1 << 63
		}
		for calls := 0; c != 0; calls++ {
			next, _, err := db.SScan([]byte("s"), c, 500, nil)
			if err != nil {
				t.Fatal(err)
			}
			c = next
			if calls > 100 {
				t.Fatalf("iteration from a random cursor does not end")
			}
		}
	}
	// a cursor of another key falls back to its prefix
	next, _, err := db.SScan([]byte("s"), 0, 2100, nil)
	if err != nil || next&setScanStoredBit == 0 {
		t.Fatalf("expected a stored cursor: %d %v", next, err)
	}
	stBigSet(t, db, "t", ms)
	got, _ = stScanAll(t, db, "t", 2100, nil)
	if len(got) != len(ms) {
		t.Fatalf("SSCAN of t: %d", len(got))
	}
	// MATCH filters
	next, out, err := db.SScan([]byte("s"), 0, 100000, func(m []byte) bool { return m[0] == 'b' })
	if err != nil || next != 0 || len(out) != 2000 {
		t.Fatalf("MATCH: %d %d %v", next, len(out), err)
	}
}

func stClearScanRing() {
	r := &setScanRing
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.ring {
		r.ring[i] = setScanBound{}
	}
}

func TestSetEngineScanCursorCodec(t *testing.T) {
	for _, b := range []string{"a", "ab", "abcdefg", "\x00", "\xff\xff\xff\xff\xff\xff\xff"} {
		c := setEncodeStateless([]byte(b))
		if c == 0 || c >= 1<<62 {
			t.Fatalf("%q: cursor %d", b, c)
		}
		got, exact := setDecodeCursor([]byte("k"), c)
		if !exact || string(got) != b {
			t.Fatalf("%q: decoded %q %v", b, got, exact)
		}
	}
	long := []byte("0123456789-long-bound")
	c := setEncodeStored([]byte("k"), long)
	if c&setScanStoredBit == 0 || c >= 1<<63 {
		t.Fatalf("stored cursor %d", c)
	}
	if got, exact := setDecodeCursor([]byte("k"), c); !exact || !bytes.Equal(got, long) {
		t.Fatalf("stored: %q %v", got, exact)
	}
	if got, exact := setDecodeCursor([]byte("other"), c); exact || string(got) != "0123" {
		t.Fatalf("other key: %q %v", got, exact)
	}
	stClearScanRing()
	if got, exact := setDecodeCursor([]byte("k"), c); exact || string(got) != "0123" {
		t.Fatalf("lost: %q %v", got, exact)
	}
}

func TestSetEngineDumpRestore(t *testing.T) {
	db := openQuiet(t, mem)
	cases := map[string][]string{
		"ints":  {"3", "1", "-2"},
		"mixed": {"a", "1", ""},
	}
	var many []string
	for i := 0; i < 513; i++ {
		many = append(many, strconv.Itoa(i))
	}
	cases["many"] = many
	wantEnc := map[string]string{"ints": "intset", "mixed": "hashtable", "many": "hashtable"}
	for name, ms := range cases {
		stAdd(t, db, name, ms...)
		var raw []byte
		err := db.view(func(tx *Tx) error {
			e, err := tx.setLive([]byte(name))
			if err != nil {
				return err
			}
			var p payload
			if err := tx.dumpSet(e, &p); err != nil {
				return err
			}
			if p.typ != TypeSet || len(p.elems) != len(ms) {
				t.Fatalf("%s: payload %v with %d members", name, p.typ, len(p.elems))
			}
			raw = encodePayload(&p)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		p, err := decodePayload(raw)
		if err != nil {
			t.Fatal(err)
		}
		dst := "copy:" + name
		err = db.update(func(tx *Tx) error {
			e, err := tx.load([]byte(dst))
			if err != nil {
				return err
			}
			if err := tx.newCollection(e, TypeSet); err != nil {
				return err
			}
			return tx.restoreSet(e, &p)
		})
		if err != nil {
			t.Fatal(err)
		}
		if a, b := stMembers(t, db, name), stMembers(t, db, dst); !slices.Equal(a, b) {
			t.Fatalf("%s: restored %q, want %q", name, b, a)
		}
		if enc := stEncoding(t, db, dst); enc != wantEnc[name] {
			t.Fatalf("%s: restored encoding %s, want %s", name, enc, wantEnc[name])
		}
		if m, _, n := stMeta(t, db, dst); m.Count != int64(len(ms)) || n != m.Count {
			t.Fatalf("%s: count %d, elements %d", name, m.Count, n)
		}
	}
}

// Multi-key writes hold every key's lock: members moved around
// concurrently are never lost or duplicated.
func TestSetEngineSMoveConcurrent(t *testing.T) {
	db := openQuiet(t, mem)
	keys := []string{"a", "b", "{a}c", "d"}
	const n = 200
	var all []string
	for i := 0; i < n; i++ {
		all = append(all, strconv.Itoa(i))
	}
	stAdd(t, db, "a", all...)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				src, dst := keys[rand.IntN(len(keys))], keys[rand.IntN(len(keys))]
				if _, err := db.SMove([]byte(src), []byte(dst), []byte(all[rand.IntN(n)])); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					if _, err := db.SUnionStore([]byte("u"), stB(keys...)); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	var total int64
	for _, k := range keys {
		for _, m := range stMembers(t, db, k) {
			seen[m]++
		}
		c, _ := db.SCard([]byte(k))
		total += c
	}
	if len(seen) != n || total != n {
		t.Fatalf("%d distinct members, %d in all, want %d", len(seen), total, n)
	}
	for m, c := range seen {
		if c != 1 {
			t.Fatalf("member %s in %d sets", m, c)
		}
	}
}
