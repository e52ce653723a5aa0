package engine

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvnode/kvnode/slots"
)

// Unit tests of the string and keyspace API on a disk store. Expectations
// marked "redis" were checked against redis-server 7.0.15.

func etSet(t testing.TB, db *DB, k, v string, o SetOptions) SetResult {
	t.Helper()
	r, err := db.Set([]byte(k), []byte(v), o)
	if err != nil {
		t.Fatalf("set %q: %v", k, err)
	}
	return r
}

// etGet returns the value of k, or "<nil>" when it is missing.
func etGet(t testing.TB, db *DB, k string) string {
	t.Helper()
	v, ok, err := db.Get([]byte(k))
	if err != nil {
		t.Fatalf("get %q: %v", k, err)
	}
	if !ok {
		return "<nil>"
	}
	return string(v)
}

// etTTL returns k's expire-at (0: none, -2: missing key).
func etTTL(t testing.TB, db *DB, k string) int64 {
	t.Helper()
	at, _, ok, err := db.ExpireTime([]byte(k))
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return -2
	}
	return at
}

// etHash makes key an (empty-bodied) hash through the collection API, so
// type checks have a non-string to refuse.
func etHash(t testing.TB, db *DB, key string) {
	t.Helper()
	err := db.update(func(tx *Tx) error {
		e, err := tx.load([]byte(key))
		if err != nil {
			return err
		}
		if err := tx.newCollection(e, TypeHash); err != nil {
			return err
		}
		if err := tx.setElem(e, tagElement, []byte("field"), []byte("value")); err != nil {
			return err
		}
		e.Count = 1
		return tx.put(e)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// etCounts checks KeyCount and ExpiresCount.
func etCounts(t testing.TB, db *DB, keys, expires int64) {
	t.Helper()
	if k, e := db.KeyCount(), db.ExpiresCount(); k != keys || e != expires {
		t.Fatalf("KeyCount=%d ExpiresCount=%d, want %d and %d", k, e, keys, expires)
	}
}

func etType(t testing.TB, db *DB, k string) Type {
	t.Helper()
	ty, err := db.TypeOf([]byte(k))
	if err != nil {
		t.Fatal(err)
	}
	return ty
}

func bs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func TestEngineSetOptions(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	at := nowMs() + 1_000_000
	steps := []struct {
		key, val string
		o        SetOptions
		want     SetResult
		after    string // value of key afterwards
		ttl      int64  // expire-at of key afterwards
	}{
		{"k", "v1", SetOptions{}, SetResult{Done: true}, "v1", 0},
		{"k", "v2", SetOptions{NX: true}, SetResult{}, "v1", 0},
		{"n", "x", SetOptions{XX: true}, SetResult{}, "<nil>", -2},
		{"k", "v3", SetOptions{XX: true}, SetResult{Done: true}, "v3", 0},
		{"k", "v4", SetOptions{Get: true}, SetResult{Done: true, Old: []byte("v3"), HadOld: true}, "v4", 0},
		{"m", "v", SetOptions{Get: true}, SetResult{Done: true}, "v", 0},
		{"k", "v5", SetOptions{NX: true, Get: true}, SetResult{Old: []byte("v4"), HadOld: true}, "v4", 0},
		{"n", "v", SetOptions{XX: true, Get: true}, SetResult{}, "<nil>", -2},
		{"t", "v", SetOptions{ExpireAt: at}, SetResult{Done: true}, "v", at},
		{"t", "v2", SetOptions{KeepTTL: true}, SetResult{Done: true}, "v2", at},
		{"t", "v3", SetOptions{XX: true, KeepTTL: true, Get: true}, SetResult{Done: true, Old: []byte("v2"), HadOld: true}, "v3", at},
		{"t", "v4", SetOptions{}, SetResult{Done: true}, "v4", 0},
		{"t", "v5", SetOptions{KeepTTL: true}, SetResult{Done: true}, "v5", 0},
		{"t", "v6", SetOptions{ExpireAt: at + 1}, SetResult{Done: true}, "v6", at + 1},
		{"t", "v7", SetOptions{ExpireAt: at + 2, XX: true}, SetResult{Done: true}, "v7", at + 2},
		{"e", "", SetOptions{}, SetResult{Done: true}, "", 0},
		{"bin\x00\xff", "\r\n\x00", SetOptions{}, SetResult{Done: true}, "\r\n\x00", 0},
	}
	for i, s := range steps {
		r := etSet(t, db, s.key, s.val, s.o)
		if r.Done != s.want.Done || r.HadOld != s.want.HadOld || string(r.Old) != string(s.want.Old) || (r.Old == nil) != (s.want.Old == nil) {
			t.Errorf("step %d: Set(%q, %q, %+v) = %+v, want %+v", i, s.key, s.val, s.o, r, s.want)
		}
		if got := etGet(t, db, s.key); got != s.after {
			t.Errorf("step %d: value %q, want %q", i, got, s.after)
		}
		if got := etTTL(t, db, s.key); got != s.ttl {
			t.Errorf("step %d: expire-at %d, want %d", i, got, s.ttl)
		}
	}
	etCounts(t, db, 5, 1) // k m t e bin

	// wrong type: GET refuses and writes nothing; NX keeps; plain SET replaces
	etHash(t, db, "h")
	etCounts(t, db, 6, 1)
	if _, err := db.Set([]byte("h"), []byte("x"), SetOptions{Get: true}); !errors.Is(err, ErrWrongType) {
		t.Fatalf("SET GET on a hash: %v", err)
	}
	if r := etSet(t, db, "h", "x", SetOptions{NX: true}); r.Done {
		t.Fatal("SET NX replaced a hash")
	}
	if ty := etType(t, db, "h"); ty != TypeHash {
		t.Fatalf("type %v after refused sets", ty)
	}
	if _, _, err := db.Get([]byte("h")); !errors.Is(err, ErrWrongType) {
		t.Fatalf("GET on a hash: %v", err)
	}
	if r := etSet(t, db, "h", "x", SetOptions{XX: true}); !r.Done {
		t.Fatal("SET XX did not replace a hash")
	}
	if ty, v := etType(t, db, "h"), etGet(t, db, "h"); ty != TypeString || v != "x" {
		t.Fatalf("after SET on a hash: %v %q", ty, v)
	}
	etCounts(t, db, 6, 1)

	// a time already past: the key is written but reads as absent
	etSet(t, db, "past", "v", SetOptions{ExpireAt: nowMs() - 1})
	if v := etGet(t, db, "past"); v != "<nil>" {
		t.Fatalf("expired key reads %q", v)
	}
	etCounts(t, db, 7, 2) // not collected yet, as in redis' DBSIZE
	if r := etSet(t, db, "past", "w", SetOptions{NX: true}); !r.Done {
		t.Fatal("SET NX refused on an expired key")
	}
	etCounts(t, db, 7, 1)
}

func TestEngineMGetMSet(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	if ok, err := db.MSet(bs("a", "1", "b", "2", "a", "3"), false); err != nil || !ok {
		t.Fatalf("MSet: %v %v", ok, err)
	}
	etCounts(t, db, 2, 0)
	etSet(t, db, "e", "", SetOptions{})
	etHash(t, db, "h")
	vals, err := db.MGet(bs("a", "missing", "b", "h", "e", "a"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"3", "<nil>", "2", "<nil>", "", "3"}
	for i, v := range vals {
		got := "<nil>"
		if v != nil {
			got = string(v)
		}
		if got != want[i] {
			t.Errorf("MGet[%d] = %q, want %q", i, got, want[i])
		}
	}

	// MSETNX: nothing when any key exists
	if ok, err := db.MSet(bs("c", "1", "a", "9"), true); err != nil || ok {
		t.Fatalf("MSETNX over an existing key: %v %v", ok, err)
	}
	if v := etGet(t, db, "c"); v != "<nil>" {
		t.Fatalf("MSETNX wrote c=%q", v)
	}
	if v := etGet(t, db, "a"); v != "3" {
		t.Fatalf("MSETNX changed a to %q", v)
	}
	if ok, err := db.MSet(bs("c", "1", "d", "2", "c", "5"), true); err != nil || !ok {
		t.Fatalf("MSETNX: %v %v", ok, err)
	}
	if c, d := etGet(t, db, "c"), etGet(t, db, "d"); c != "5" || d != "2" {
		t.Fatalf("c=%q d=%q", c, d)
	}
	etCounts(t, db, 6, 0) // a b e h c d

	// MSET clears TTLs and replaces other types
	etSet(t, db, "a", "t", SetOptions{ExpireAt: nowMs() + 100_000})
	etCounts(t, db, 6, 1)
	if _, err := db.MSet(bs("a", "x", "h", "y"), false); err != nil {
		t.Fatal(err)
	}
	if ttl, ty := etTTL(t, db, "a"), etType(t, db, "h"); ttl != 0 || ty != TypeString {
		t.Fatalf("after MSET: ttl %d, type %v", ttl, ty)
	}
	etCounts(t, db, 6, 0)
}

func TestEngineGetDelGetEx(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	at := nowMs() + 1_000_000
	if _, ok, err := db.GetDel([]byte("k")); ok || err != nil {
		t.Fatalf("GETDEL missing: %v %v", ok, err)
	}
	etSet(t, db, "k", "v", SetOptions{ExpireAt: at})
	etCounts(t, db, 1, 1)
	if v, ok, err := db.GetDel([]byte("k")); string(v) != "v" || !ok || err != nil {
		t.Fatalf("GETDEL: %q %v %v", v, ok, err)
	}
	if v := etGet(t, db, "k"); v != "<nil>" {
		t.Fatalf("after GETDEL: %q", v)
	}
	etCounts(t, db, 0, 0)
	etHash(t, db, "h")
	if _, _, err := db.GetDel([]byte("h")); !errors.Is(err, ErrWrongType) {
		t.Fatalf("GETDEL hash: %v", err)
	}
	if _, _, err := db.GetEx([]byte("h"), 0, true); !errors.Is(err, ErrWrongType) {
		t.Fatalf("GETEX hash: %v", err)
	}
	etCounts(t, db, 1, 0)

	etSet(t, db, "k", "v", SetOptions{})
	steps := []struct {
		at      int64
		persist bool
		ttl     int64
	}{
		{0, false, 0},
		{at, false, at},
		{0, false, at},
		{at + 5, false, at + 5},
		{0, true, 0},
		{0, true, 0},
		{at, false, at},
		{at + 10, true, 0}, // PERSIST wins (the resp layer never sends both)
	}
	for i, s := range steps {
		v, ok, err := db.GetEx([]byte("k"), s.at, s.persist)
		if string(v) != "v" || !ok || err != nil {
			t.Fatalf("step %d: GETEX = %q %v %v", i, v, ok, err)
		}
		if got := etTTL(t, db, "k"); got != s.ttl {
			t.Fatalf("step %d: expire-at %d, want %d", i, got, s.ttl)
		}
	}
	etCounts(t, db, 2, 0)
	etSet(t, db, "k", "v", SetOptions{ExpireAt: at})
	etCounts(t, db, 2, 1)
	if v, ok, err := db.GetEx([]byte("k"), nowMs()-1, false); string(v) != "v" || !ok || err != nil {
		t.Fatalf("GETEX with a past time: %q %v %v", v, ok, err)
	}
	if v := etGet(t, db, "k"); v != "<nil>" {
		t.Fatalf("GETEX with a past time left %q", v)
	}
	etCounts(t, db, 1, 0)
	if _, ok, err := db.GetEx([]byte("k"), at, false); ok || err != nil {
		t.Fatalf("GETEX missing: %v %v", ok, err)
	}
	etCounts(t, db, 1, 0)
}

func TestEngineAppendStrLen(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	for _, s := range []struct {
		val  string
		want int64
	}{{"Hello", 5}, {" World", 11}, {"", 11}, {"\x00", 12}} {
		n, err := db.Append([]byte("a"), []byte(s.val))
		if err != nil || n != s.want {
			t.Fatalf("APPEND %q = %d %v, want %d", s.val, n, err, s.want)
		}
	}
	if v := etGet(t, db, "a"); v != "Hello World\x00" {
		t.Fatalf("value %q", v)
	}
	if n, err := db.StrLen([]byte("a")); n != 12 || err != nil {
		t.Fatalf("STRLEN %d %v", n, err)
	}
	if n, err := db.StrLen([]byte("missing")); n != 0 || err != nil {
		t.Fatalf("STRLEN missing %d %v", n, err)
	}
	// APPEND "" creates an empty string (redis)
	if n, err := db.Append([]byte("empty"), nil); n != 0 || err != nil {
		t.Fatalf("APPEND empty: %d %v", n, err)
	}
	if ty := etType(t, db, "empty"); ty != TypeString {
		t.Fatalf("APPEND \"\" made type %v", ty)
	}
	at := nowMs() + 1_000_000
	etSet(t, db, "t", "x", SetOptions{ExpireAt: at})
	if _, err := db.Append([]byte("t"), []byte("y")); err != nil {
		t.Fatal(err)
	}
	if v, ttl := etGet(t, db, "t"), etTTL(t, db, "t"); v != "xy" || ttl != at {
		t.Fatalf("APPEND kept %q / %d", v, ttl)
	}
	// an expired key is a new one: no old value, no TTL
	etSet(t, db, "x", "old", SetOptions{ExpireAt: nowMs() - 1})
	etCounts(t, db, 4, 2)
	if n, err := db.Append([]byte("x"), []byte("new")); n != 3 || err != nil {
		t.Fatalf("APPEND on expired: %d %v", n, err)
	}
	if v, ttl := etGet(t, db, "x"), etTTL(t, db, "x"); v != "new" || ttl != 0 {
		t.Fatalf("APPEND on expired: %q / %d", v, ttl)
	}
	etCounts(t, db, 4, 1)
	etHash(t, db, "h")
	if _, err := db.Append([]byte("h"), []byte("y")); !errors.Is(err, ErrWrongType) {
		t.Fatalf("APPEND hash: %v", err)
	}
	if _, err := db.StrLen([]byte("h")); !errors.Is(err, ErrWrongType) {
		t.Fatalf("STRLEN hash: %v", err)
	}
}

func TestEngineIncrBy(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	for _, s := range []struct {
		delta, want int64
	}{{1, 1}, {-5, -4}, {0, -4}, {math.MaxInt64, math.MaxInt64 - 4}} {
		n, err := db.IncrBy([]byte("n"), s.delta)
		if err != nil || n != s.want {
			t.Fatalf("INCRBY %d = %d %v, want %d", s.delta, n, err, s.want)
		}
	}
	if v := etGet(t, db, "n"); v != "9223372036854775803" {
		t.Fatalf("stored %q", v)
	}
	cases := []struct {
		start string
		delta int64
		want  int64
		err   error
	}{
		{"9223372036854775806", 1, math.MaxInt64, nil},
		{"9223372036854775807", 1, 0, ErrOverflow},
		{"9223372036854775807", math.MinInt64, -1, nil},
		{"-9223372036854775807", -1, math.MinInt64, nil},
		{"-9223372036854775808", -1, 0, ErrOverflow},
		{"-9223372036854775808", 0, math.MinInt64, nil},
		{"-9223372036854775808", math.MaxInt64, -1, nil},
		{"0", math.MinInt64, math.MinInt64, nil},
		{"-1", math.MinInt64, 0, ErrOverflow},
		{"1", math.MaxInt64, 0, ErrOverflow},
		{"-1", math.MaxInt64, math.MaxInt64 - 1, nil},
		{"-10", 3, -7, nil},
		{"0", 0, 0, nil},
		// not integers (redis: string2ll)
		{"abc", 1, 0, ErrNotInteger},
		{"", 1, 0, ErrNotInteger},
		{" 1", 1, 0, ErrNotInteger},
		{"1 ", 1, 0, ErrNotInteger},
		{"01", 1, 0, ErrNotInteger},
		{"+1", 1, 0, ErrNotInteger},
		{"-0", 1, 0, ErrNotInteger},
		{"-", 1, 0, ErrNotInteger},
		{"1.0", 1, 0, ErrNotInteger},
		{"1e3", 1, 0, ErrNotInteger},
		{"0x10", 1, 0, ErrNotInteger},
		{"9223372036854775808", -1, 0, ErrNotInteger},
		{"-9223372036854775809", 1, 0, ErrNotInteger},
		{"99999999999999999999", 1, 0, ErrNotInteger},
	}
	for _, c := range cases {
		etSet(t, db, "n", c.start, SetOptions{})
		n, err := db.IncrBy([]byte("n"), c.delta)
		if !errors.Is(err, c.err) || (c.err == nil && err != nil) || n != c.want {
			t.Errorf("%q INCRBY %d = %d %v, want %d %v", c.start, c.delta, n, err, c.want, c.err)
		}
		wantVal := c.start
		if c.err == nil {
			wantVal = fmt.Sprint(c.want)
		}
		if v := etGet(t, db, "n"); v != wantVal {
			t.Errorf("%q INCRBY %d stored %q, want %q", c.start, c.delta, v, wantVal)
		}
	}
	at := nowMs() + 1_000_000
	etSet(t, db, "c", "10", SetOptions{ExpireAt: at})
	if n, err := db.IncrBy([]byte("c"), 1); n != 11 || err != nil || etTTL(t, db, "c") != at {
		t.Fatalf("INCR with TTL: %d %v ttl %d", n, err, etTTL(t, db, "c"))
	}
	etHash(t, db, "h")
	if _, err := db.IncrBy([]byte("h"), 1); !errors.Is(err, ErrWrongType) {
		t.Fatalf("INCR hash: %v", err)
	}
	etCounts(t, db, 3, 1)
}

// TestEngineIncrByFloat compares with redis-server 7.0.15's replies.
func TestEngineIncrByFloat(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	e1e308 := "99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048"
	cases := []struct {
		start, delta string // start "<nil>": key missing
		want         string // the reply, or the error
		err          error
	}{
		{"10.5", "0.1", "10.6", nil},
		{"5.0e3", "200", "5200", nil},
		{"3.0e3", "2.0e2", "3200", nil},
		{"0.1", "0.2", "0.3", nil},
		{"1", "-1", "0", nil},
		{"-1", "0.5", "-0.5", nil},
		{"1e17", "1", "100000000000000001", nil},
		{"1.5", "-1.5", "0", nil},
		{"0", "1e-17", "0.00000000000000001", nil},
		{"0", "1e-18", "0", nil},
		{"0", "123456789012345678", "123456789012345678", nil},
		{"0", "0.30000000000000004", "0.30000000000000004", nil},
		{"0", ".5", "0.5", nil},
		{"0", "5.", "5", nil},
		{"0", "+5", "5", nil},
		{"0", "-0", "0", nil},
		{"0", "-0.0", "0", nil},
		{"1.0", "1.0", "2", nil},
		{"3", "1.1e1", "14", nil},
		{"0", "1E3", "1000", nil},
		{"7", "-7.000", "0", nil},
		{"<nil>", "2.5", "2.5", nil},
		{"0", "1e308", e1e308, nil},
		{"10", "0x10", "26", nil},
		{"0x1p3", "1", "9", nil},
		{"0", "0X1.8p1", "3", nil},
		{"0", "0x.8", "0.5", nil},
		{"0", "0x1P-1", "0.5", nil},
		{"0", "-0X10", "-16", nil},
		{"0", "+0x10", "16", nil},
		{"0", "0x1.8", "1.5", nil},
		{"0", "0x1e3", "483", nil},
		{"0", "0x1p+2", "4", nil},
		{"0", "1e+2", "100", nil},
		{"0", "1e-2", "0.01", nil},
		{"0", "0x", "", ErrNotFloat},
		{"0", "0xp1", "", ErrNotFloat},
		{"0", "0x1p", "", ErrNotFloat},
		{"0", "0x1g", "", ErrNotFloat},
		{"0", "0x-1", "", ErrNotFloat},
		{"0", "1e", "", ErrNotFloat},
		{"0", ".", "", ErrNotFloat},
		{"0", "1e5000", "", ErrNotFloat},
		{"0", "1e-5000", "", ErrNotFloat},
		{"0", "inf", "", ErrNaNOrInfinity},
		{"0", "Infinity", "", ErrNaNOrInfinity},
		{"0", "+-inf", "", ErrNotFloat},
		{"0", "nan", "", ErrNotFloat},
		{"0", " 1", "", ErrNotFloat},
		{"0", "1 ", "", ErrNotFloat},
		{"0", "1_0", "", ErrNotFloat},
		{"0", "0b101", "", ErrNotFloat},
		{"0", "", "", ErrNotFloat},
		{"abc", "1", "", ErrNotFloat},
		{"1e4932", "1e4932", "", ErrNaNOrInfinity},
	}
	for _, c := range cases {
		if c.start == "<nil>" {
			if _, err := db.Del(bs("f")); err != nil {
				t.Fatal(err)
			}
		} else {
			etSet(t, db, "f", c.start, SetOptions{})
		}
		got, err := db.IncrByFloat([]byte("f"), []byte(c.delta))
		if !errors.Is(err, c.err) || (c.err == nil && err != nil) || string(got) != c.want {
			t.Errorf("%q INCRBYFLOAT %q = %q %v, want %q %v", c.start, c.delta, got, err, c.want, c.err)
			continue
		}
		stored := c.want
		if c.err != nil {
			stored = c.start
		}
		if v := etGet(t, db, "f"); v != stored {
			t.Errorf("%q INCRBYFLOAT %q stored %q, want %q", c.start, c.delta, v, stored)
		}
	}
	// 1e4932 prints all 4933 digits, as redis does
	etSet(t, db, "f", "0", SetOptions{})
	got, err := db.IncrByFloat([]byte("f"), []byte("1e4932"))
	if err != nil || len(got) != 4933 || !strings.HasPrefix(string(got), "10000000000000000000060189493879638913238") ||
		!strings.HasSuffix(string(got), "38418113791886622720") {
		t.Fatalf("1e4932: %d digits %.45s… %v", len(got), got, err)
	}
}

func TestEngineGetRangeSetRange(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	etSet(t, db, "s", "This is a string", SetOptions{})
	for _, c := range []struct {
		start, end int64
		want       string
	}{ // redis
		{0, 3, "This"}, {-3, -1, "ing"}, {0, -1, "This is a string"}, {10, 100, "string"},
		{-100, -50, "T"}, {-1, -5, ""}, {5, 3, ""}, {16, 20, ""}, {15, 15, "g"}, {-16, 0, "T"},
		{-17, -17, "T"}, {0, 0, "T"}, {math.MinInt64, math.MaxInt64, "This is a string"},
		{math.MaxInt64, math.MinInt64, ""}, {3, -100, ""},
	} {
		got, err := db.GetRange([]byte("s"), c.start, c.end)
		if err != nil || string(got) != c.want {
			t.Errorf("GETRANGE %d %d = %q %v, want %q", c.start, c.end, got, err, c.want)
		}
	}
	if got, err := db.GetRange([]byte("missing"), 0, -1); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("GETRANGE missing = %q %v", got, err)
	}
	etSet(t, db, "e", "", SetOptions{})
	if got, err := db.GetRange([]byte("e"), 0, -1); err != nil || len(got) != 0 {
		t.Fatalf("GETRANGE empty = %q %v", got, err)
	}

	at := nowMs() + 1_000_000
	for i, c := range []struct {
		key    string
		offset int64
		val    string
		want   int64
		err    error
		after  string
	}{ // redis
		{"m", 0, "", 0, nil, "<nil>"}, // nothing on a missing key: not created
		{"m", 3, "ab", 5, nil, "\x00\x00\x00ab"},
		{"m", 1, "X", 5, nil, "\x00X\x00ab"},
		{"m", 4, "YZ", 6, nil, "\x00X\x00aYZ"},
		{"m", 100, "", 6, nil, "\x00X\x00aYZ"},
		{"m", 0, "abcdefgh", 8, nil, "abcdefgh"},
		{"m", math.MaxInt64, "x", 0, ErrStringTooLong, "abcdefgh"},
		{"m", MaxStringLen, "x", 0, ErrStringTooLong, "abcdefgh"},
		{"m", MaxStringLen - 1, "xy", 0, ErrStringTooLong, "abcdefgh"},
		{"n", math.MaxInt64 - 1, "xy", 0, ErrStringTooLong, "<nil>"},
		{"n", math.MaxInt64, "", 0, nil, "<nil>"},
		{"t", 0, "v", 1, nil, "v"},
	} {
		if c.key == "t" {
			etSet(t, db, "t", "w", SetOptions{ExpireAt: at})
		}
		n, err := db.SetRange([]byte(c.key), c.offset, []byte(c.val))
		if !errors.Is(err, c.err) || (c.err == nil && err != nil) || n != c.want {
			t.Errorf("%d: SETRANGE %s %d %q = %d %v, want %d %v", i, c.key, c.offset, c.val, n, err, c.want, c.err)
		}
		if v := etGet(t, db, c.key); v != c.after {
			t.Errorf("%d: after SETRANGE %q, want %q", i, v, c.after)
		}
	}
	if ttl := etTTL(t, db, "t"); ttl != at {
		t.Fatalf("SETRANGE dropped the TTL: %d", ttl)
	}
	etHash(t, db, "h")
	if _, err := db.GetRange([]byte("h"), 0, -1); !errors.Is(err, ErrWrongType) {
		t.Fatalf("GETRANGE hash: %v", err)
	}
	if _, err := db.SetRange([]byte("h"), 0, []byte("x")); !errors.Is(err, ErrWrongType) {
		t.Fatalf("SETRANGE hash: %v", err)
	}
	if _, err := db.SetRange([]byte("h"), 0, nil); !errors.Is(err, ErrWrongType) {
		t.Fatalf("SETRANGE hash with empty value: %v", err)
	}
	etCounts(t, db, 5, 1)
}

func TestEngineExpireConditions(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	base := nowMs() + 1_000_000
	past := nowMs() - 1
	cases := []struct {
		ttl  int64 // the key's expire-at before (0: none, -2: no key)
		cond ExpireCond
		at   int64
		ok   bool
		want int64 // expire-at after (-2: key gone)
	}{
		{0, ExpireAlways, base + 10, true, base + 10},
		{base, ExpireAlways, base - 10, true, base - 10},
		{0, ExpireNX, base + 10, true, base + 10},
		{base, ExpireNX, base + 10, false, base},
		{0, ExpireXX, base + 10, false, 0},
		{base, ExpireXX, base + 10, true, base + 10},
		{base, ExpireGT, base + 10, true, base + 10},
		{base, ExpireGT, base, false, base},
		{base, ExpireGT, base - 10, false, base},
		{0, ExpireGT, base + 10, false, 0}, // no TTL is infinite (redis)
		{base, ExpireLT, base - 10, true, base - 10},
		{base, ExpireLT, base, false, base},
		{base, ExpireLT, base + 10, false, base},
		{0, ExpireLT, base + 10, true, base + 10},
		{base, ExpireXXLT, base - 10, true, base - 10},
		{base, ExpireXXLT, base + 10, false, base},
		{0, ExpireXXLT, base - 10, false, 0},
		{base, ExpireAlways, past, true, -2}, // a past time deletes
		{0, ExpireAlways, past, true, -2},
		{0, ExpireLT, past, true, -2},
		{base, ExpireGT, past, false, base},
		{0, ExpireNX, past, true, -2},
		{-2, ExpireAlways, base, false, -2},
		{-2, ExpireNX, base, false, -2},
		{-2, ExpireLT, base, false, -2},
	}
	for i, c := range cases {
		k := fmt.Sprintf("k%d", i)
		if c.ttl != -2 {
			etSet(t, db, k, "v", SetOptions{ExpireAt: c.ttl})
		}
		ok, err := db.Expire([]byte(k), c.at, c.cond)
		if err != nil || ok != c.ok {
			t.Errorf("%d: Expire = %v %v, want %v", i, ok, err, c.ok)
		}
		if got := etTTL(t, db, k); got != c.want {
			t.Errorf("%d: expire-at %d, want %d", i, got, c.want)
		}
	}
	// 25 cases: 22 keys created, 4 deleted; TTLs on all but cases 4, 9, 16
	etCounts(t, db, 18, 15)

	// PERSIST
	etSet(t, db, "p", "v", SetOptions{ExpireAt: base})
	etCounts(t, db, 19, 16)
	for i, want := range []bool{true, false} {
		ok, err := db.Persist([]byte("p"))
		if err != nil || ok != want {
			t.Fatalf("PERSIST %d: %v %v", i, ok, err)
		}
	}
	if ttl := etTTL(t, db, "p"); ttl != 0 {
		t.Fatalf("after PERSIST: %d", ttl)
	}
	if ok, err := db.Persist([]byte("missing")); ok || err != nil {
		t.Fatalf("PERSIST missing: %v %v", ok, err)
	}
	etCounts(t, db, 19, 15)
	at, now, ok, err := db.ExpireTime([]byte("k0"))
	if err != nil || !ok || at != base+10 || now < base-1_000_010 || now > nowMs() {
		t.Fatalf("ExpireTime = %d %d %v %v", at, now, ok, err)
	}
}

func TestEngineRenameCopy(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	T := nowMs() + 1_000_000
	etSet(t, db, "a", "1", SetOptions{ExpireAt: T})
	if slots.KeySlot([]byte("a")) == slots.KeySlot([]byte("b")) {
		t.Fatal("a and b should be in different slots")
	}
	mustRename := func(src, dst string, nx, want bool) {
		t.Helper()
		ok, err := db.Rename([]byte(src), []byte(dst), nx)
		if err != nil || ok != want {
			t.Fatalf("RENAME %s %s nx=%v = %v %v, want %v", src, dst, nx, ok, err, want)
		}
	}
	mustCopy := func(src, dst string, replace, want bool) {
		t.Helper()
		ok, err := db.Copy([]byte(src), []byte(dst), replace)
		if err != nil || ok != want {
			t.Fatalf("COPY %s %s replace=%v = %v %v, want %v", src, dst, replace, ok, err, want)
		}
	}
	mustRename("a", "b", false, true)
	if a, b, ttl := etGet(t, db, "a"), etGet(t, db, "b"), etTTL(t, db, "b"); a != "<nil>" || b != "1" || ttl != T {
		t.Fatalf("after RENAME: a=%q b=%q ttl=%d", a, b, ttl)
	}
	etCounts(t, db, 1, 1)
	if _, err := db.Rename([]byte("a"), []byte("b"), false); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("RENAME missing: %v", err)
	}
	if _, err := db.Rename([]byte("a"), []byte("b"), true); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("RENAMENX missing: %v", err)
	}
	mustRename("b", "b", false, true)
	mustRename("b", "b", true, false)
	etSet(t, db, "c", "2", SetOptions{})
	mustRename("b", "c", true, false)
	if b, c := etGet(t, db, "b"), etGet(t, db, "c"); b != "1" || c != "2" {
		t.Fatalf("RENAMENX changed b=%q c=%q", b, c)
	}
	etCounts(t, db, 2, 1)
	mustRename("b", "c", false, true)
	if c, ttl := etGet(t, db, "c"), etTTL(t, db, "c"); c != "1" || ttl != T {
		t.Fatalf("RENAME over c: %q %d", c, ttl)
	}
	etCounts(t, db, 1, 1)
	// a key without TTL renamed over one with a TTL: no TTL
	etSet(t, db, "e", "no ttl", SetOptions{})
	etSet(t, db, "f", "ttl", SetOptions{ExpireAt: T + 1})
	etCounts(t, db, 3, 2)
	mustRename("e", "f", false, true)
	if f, ttl := etGet(t, db, "f"), etTTL(t, db, "f"); f != "no ttl" || ttl != 0 {
		t.Fatalf("RENAME no-TTL over TTL: %q %d", f, ttl)
	}
	etCounts(t, db, 2, 1)
	// same slot (hash tag)
	etSet(t, db, "{t}x", "tx", SetOptions{ExpireAt: T + 2})
	mustRename("{t}x", "{t}y", false, true)
	if y, ttl := etGet(t, db, "{t}y"), etTTL(t, db, "{t}y"); y != "tx" || ttl != T+2 {
		t.Fatalf("same-slot RENAME: %q %d", y, ttl)
	}
	etCounts(t, db, 3, 2)
	// RENAMENX onto an expired key succeeds
	etSet(t, db, "dead", "x", SetOptions{ExpireAt: nowMs() - 1})
	etCounts(t, db, 4, 3)
	mustRename("{t}y", "dead", true, true)
	if d, ttl := etGet(t, db, "dead"), etTTL(t, db, "dead"); d != "tx" || ttl != T+2 {
		t.Fatalf("RENAMENX onto expired: %q %d", d, ttl)
	}
	etCounts(t, db, 3, 2)

	// COPY keeps the TTL and the source
	mustCopy("c", "d", false, true)
	if c, d, ttl := etGet(t, db, "c"), etGet(t, db, "d"), etTTL(t, db, "d"); c != "1" || d != "1" || ttl != T {
		t.Fatalf("COPY: c=%q d=%q ttl=%d", c, d, ttl)
	}
	etCounts(t, db, 4, 3)
	mustCopy("c", "d", false, false)
	etSet(t, db, "d", "x", SetOptions{})
	etCounts(t, db, 4, 2)
	mustCopy("c", "d", true, true)
	if d, ttl := etGet(t, db, "d"), etTTL(t, db, "d"); d != "1" || ttl != T {
		t.Fatalf("COPY REPLACE: %q %d", d, ttl)
	}
	etCounts(t, db, 4, 3)
	mustCopy("missing", "d", true, false)
	mustCopy("c", "c", true, false)
	mustCopy("f", "g", false, true) // no TTL
	if g, ttl := etGet(t, db, "g"), etTTL(t, db, "g"); g != "no ttl" || ttl != 0 {
		t.Fatalf("COPY without TTL: %q %d", g, ttl)
	}
	etCounts(t, db, 5, 3)
}

// etScanAll runs a full SCAN with count and returns how often each key came.
func etScanAll(t testing.TB, db *DB, count int, filter ScanFilter) (map[string]int, int) {
	t.Helper()
	seen := map[string]int{}
	calls := 0
	var cursor uint64
	for {
		next, keys, err := db.Scan(cursor, count, filter)
		if err != nil {
			t.Fatal(err)
		}
		calls++
		for _, k := range keys {
			seen[string(k)]++
		}
		if next == 0 {
			return seen, calls
		}
		if calls > 1_000_000 {
			t.Fatal("SCAN does not end")
		}
		cursor = next
	}
}

// TestEngineScanConcurrent: keys that exist for the whole iteration are
// returned at least once while others are added and deleted meanwhile.
func TestEngineScanConcurrent(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	const n = 3000
	stable := map[string]bool{}
	pairs := [][]byte{}
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("stable:%d", i)
		stable[k] = true
		pairs = append(pairs, []byte(k), []byte("v"))
		if len(pairs) == 200 {
			// MSET's keys may span slots outside cluster mode
			if _, err := db.MSet(pairs, false); err != nil {
				t.Fatal(err)
			}
			pairs = pairs[:0]
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	added := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			k := fmt.Sprintf("churn:%d", i)
			if _, err := db.Set([]byte(k), []byte("x"), SetOptions{}); err != nil {
				t.Error(err)
				return
			}
			if i%2 == 1 {
				if _, err := db.Del(bs(fmt.Sprintf("churn:%d", i-1))); err != nil {
					t.Error(err)
					return
				}
			}
			added++
		}
	}()
	seen, calls := etScanAll(t, db, 10, nil)
	close(stop)
	wg.Wait()
	if added == 0 || calls < n/10 {
		t.Fatalf("no concurrency: %d keys added during %d SCAN calls", added, calls)
	}
	missing := 0
	for k := range stable {
		if seen[k] == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d stable keys never returned", missing, n)
	}
	for k := range seen {
		if !stable[k] && !strings.HasPrefix(k, "churn:") {
			t.Fatalf("SCAN returned unknown key %q", k)
		}
	}
	t.Logf("%d SCAN calls, %d keys added meanwhile", calls, added)
}

// TestEngineScanSharedPrefix: keys of one slot sharing the cursor's 5-byte
// prefix are returned in one call rather than looping.
func TestEngineScanSharedPrefix(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	want := map[string]bool{}
	for i := 0; i < 300; i++ {
		k := fmt.Sprintf("{tag}%03d", i)
		want[k] = true
		etSet(t, db, k, "v", SetOptions{})
	}
	for _, k := range []string{"{tag", "{ta", "", "\x00"} { // shorter keys, same slot or not
		want[k] = true
		etSet(t, db, k, "v", SetOptions{})
	}
	for _, count := range []int{1, 10, 1000} {
		seen, _ := etScanAll(t, db, count, nil)
		if len(seen) != len(want) {
			t.Fatalf("count %d: %d keys returned, want %d", count, len(seen), len(want))
		}
		for k := range want {
			if seen[k] == 0 {
				t.Fatalf("count %d: %q not returned", count, k)
			}
		}
	}
	// a cursor past the last slot ends the iteration
	if next, keys, err := db.Scan(uint64(slots.Count)<<43, 10, nil); next != 0 || len(keys) != 0 || err != nil {
		t.Fatalf("SCAN past the end: %d %q %v", next, keys, err)
	}
}

func TestEngineScanKeysFilterExpired(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	etSet(t, db, "s1", "v", SetOptions{})
	etSet(t, db, "s2", "v", SetOptions{ExpireAt: nowMs() + 1_000_000})
	etSet(t, db, "gone", "v", SetOptions{ExpireAt: nowMs() - 1})
	etHash(t, db, "h1")
	all := []string{"h1", "s1", "s2"}
	seen, _ := etScanAll(t, db, 2, nil)
	if got := slices.Sorted(maps.Keys(seen)); !slices.Equal(got, all) {
		t.Fatalf("SCAN: %q, want %q", got, all)
	}
	ofType := func(t Type) ScanFilter { return func(_ []byte, ty Type) bool { return ty == t } }
	seen, _ = etScanAll(t, db, 2, ofType(TypeHash))
	if got := slices.Sorted(maps.Keys(seen)); !slices.Equal(got, []string{"h1"}) {
		t.Fatalf("SCAN TYPE hash: %q", got)
	}
	keys, err := db.Keys(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedStrings(keys); !slices.Equal(got, all) {
		t.Fatalf("KEYS: %q, want %q", got, all)
	}
	keys, err = db.Keys(func(k []byte, _ Type) bool { return strings.HasPrefix(string(k), "s") })
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedStrings(keys); !slices.Equal(got, []string{"s1", "s2"}) {
		t.Fatalf("KEYS s*: %q", got)
	}
	etCounts(t, db, 4, 2) // "gone" is counted until collected
}

func sortedStrings(b [][]byte) []string {
	out := make([]string, len(b))
	for i := range b {
		out[i] = string(b[i])
	}
	slices.Sort(out)
	return out
}

func TestEngineRandomKey(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	if k, err := db.RandomKey(); k != nil || err != nil {
		t.Fatalf("RANDOMKEY on empty: %q %v", k, err)
	}
	for _, k := range []string{"x", "y", "z"} {
		etSet(t, db, k, "v", SetOptions{})
	}
	seen := map[string]int{}
	for i := 0; i < 300; i++ {
		k, err := db.RandomKey()
		if err != nil {
			t.Fatal(err)
		}
		seen[string(k)]++
	}
	if len(seen) != 3 || seen["x"] == 0 || seen["y"] == 0 || seen["z"] == 0 {
		t.Fatalf("RANDOMKEY picks: %v", seen)
	}
	// mostly expired keys: only the live one may come back
	db2 := openQuiet(t, Options{Dir: t.TempDir()})
	for i := 0; i < 50; i++ {
		etSet(t, db2, fmt.Sprintf("dead%d", i), "v", SetOptions{ExpireAt: nowMs() - 1})
	}
	etSet(t, db2, "live", "v", SetOptions{})
	for i := 0; i < 50; i++ {
		k, err := db2.RandomKey()
		if err != nil || string(k) != "live" {
			t.Fatalf("RANDOMKEY among expired keys: %q %v", k, err)
		}
	}
	// only expired keys: none
	db3 := openQuiet(t, Options{Dir: t.TempDir()})
	etSet(t, db3, "dead", "v", SetOptions{ExpireAt: nowMs() - 1})
	if k, err := db3.RandomKey(); k != nil || err != nil {
		t.Fatalf("RANDOMKEY with only expired keys: %q %v", k, err)
	}
}

// TestEngineCountersExact runs every kind of write and checks the counters
// after each, then that a reopen (which recounts from disk) agrees.
func TestEngineCountersExact(t *testing.T) {
	dir := t.TempDir()
	db := openQuiet(t, Options{Dir: dir})
	T := nowMs() + 1_000_000
	ops := []struct {
		name          string
		fn            func() error
		keys, expires int64
	}{
		{"set", func() error { _, err := db.Set([]byte("a"), []byte("1"), SetOptions{}); return err }, 1, 0},
		{"overwrite", func() error { _, err := db.Set([]byte("a"), []byte("2"), SetOptions{}); return err }, 1, 0},
		{"set ttl", func() error { _, err := db.Set([]byte("a"), []byte("3"), SetOptions{ExpireAt: T}); return err }, 1, 1},
		{"set ttl again", func() error { _, err := db.Set([]byte("a"), []byte("3"), SetOptions{ExpireAt: T + 1}); return err }, 1, 1},
		{"keepttl", func() error { _, err := db.Set([]byte("a"), []byte("4"), SetOptions{KeepTTL: true}); return err }, 1, 1},
		{"overwrite drops ttl", func() error { _, err := db.Set([]byte("a"), []byte("5"), SetOptions{}); return err }, 1, 0},
		{"expire", func() error { _, err := db.Expire([]byte("a"), T, ExpireAlways); return err }, 1, 1},
		{"persist", func() error { _, err := db.Persist([]byte("a")); return err }, 1, 0},
		{"mset dup", func() error { _, err := db.MSet(bs("b", "1", "c", "2", "b", "3"), false); return err }, 3, 0},
		{"incr new", func() error { _, err := db.IncrBy([]byte("n"), 1); return err }, 4, 0},
		{"append new", func() error { _, err := db.Append([]byte("ap"), []byte("x")); return err }, 5, 0},
		{"setrange new", func() error { _, err := db.SetRange([]byte("sr"), 2, []byte("x")); return err }, 6, 0},
		{"setrange nothing", func() error { _, err := db.SetRange([]byte("sr2"), 2, nil); return err }, 6, 0},
		{"hash", func() error { etHash(t, db, "h"); return nil }, 7, 0},
		{"set over hash", func() error { _, err := db.Set([]byte("h"), []byte("s"), SetOptions{ExpireAt: T}); return err }, 7, 1},
		{"rename ttl", func() error { _, err := db.Rename([]byte("h"), []byte("h2"), false); return err }, 7, 1},
		{"copy ttl", func() error { _, err := db.Copy([]byte("h2"), []byte("h3"), false); return err }, 8, 2},
		{"copy replace", func() error { _, err := db.Copy([]byte("a"), []byte("h3"), true); return err }, 8, 1},
		{"del two and missing", func() error { _, err := db.Del(bs("b", "c", "nope")); return err }, 6, 1},
		{"getdel ttl", func() error { _, _, err := db.GetDel([]byte("h2")); return err }, 5, 0},
		{"set expired", func() error {
			_, err := db.Set([]byte("x"), []byte("v"), SetOptions{ExpireAt: nowMs() - 1})
			return err
		}, 6, 1},
		{"expire in the past", func() error { _, err := db.Expire([]byte("a"), nowMs()-1, ExpireAlways); return err }, 5, 1},
		{"getex in the past", func() error { _, _, err := db.GetEx([]byte("n"), nowMs()-1, false); return err }, 4, 1},
		{"msetnx refused", func() error { _, err := db.MSet(bs("ap", "1", "new", "2"), true); return err }, 4, 1},
		{"expire cycle", func() error { _, err := db.ExpireCycle(100); return err }, 3, 0},
		{"del expired-collected", func() error { _, err := db.Del(bs("x")); return err }, 3, 0},
	}
	for _, op := range ops {
		if err := op.fn(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		if k, e := db.KeyCount(), db.ExpiresCount(); k != op.keys || e != op.expires {
			t.Fatalf("after %s: KeyCount=%d ExpiresCount=%d, want %d %d", op.name, k, e, op.keys, op.expires)
		}
	}
	keys, err := db.Keys(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedStrings(keys); !slices.Equal(got, []string{"ap", "h3", "sr"}) {
		t.Fatalf("keys left: %q", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openQuiet(t, Options{Dir: dir})
	etCounts(t, db, 3, 0)
	if v := etGet(t, db, "h3"); v != "5" {
		t.Fatalf("h3 after reopen: %q", v)
	}
}

func TestEngineExpireCycle(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	past, future := nowMs()-1, nowMs()+1_000_000
	for i := 0; i < 50; i++ {
		etSet(t, db, fmt.Sprintf("due%d", i), "v", SetOptions{ExpireAt: past - int64(i)})
	}
	for i := 0; i < 5; i++ {
		etSet(t, db, fmt.Sprintf("later%d", i), "v", SetOptions{ExpireAt: future})
		etSet(t, db, fmt.Sprintf("none%d", i), "v", SetOptions{})
	}
	// many due keys in one slot
	for i := 0; i < 30; i++ {
		etSet(t, db, fmt.Sprintf("{one}due%d", i), "v", SetOptions{ExpireAt: past})
	}
	etCounts(t, db, 90, 85)
	before := db.Stats().ExpiredKeys.Load()
	for i, want := range []int{25, 25, 25, 5, 0} {
		n, err := db.ExpireCycle(25)
		if err != nil || n != want {
			t.Fatalf("cycle %d: %d %v, want %d", i, n, err, want)
		}
	}
	etCounts(t, db, 10, 5)
	if d := db.Stats().ExpiredKeys.Load() - before; d != 80 {
		t.Fatalf("ExpiredKeys grew by %d", d)
	}
	// an index entry whose key changed TTL meanwhile is not a deletion
	etSet(t, db, "moved", "v", SetOptions{ExpireAt: nowMs() + 20})
	if _, err := db.Expire([]byte("moved"), future, ExpireAlways); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	if n, err := db.ExpireCycle(100); n != 0 || err != nil {
		t.Fatalf("cycle after re-expire: %d %v", n, err)
	}
	if v := etGet(t, db, "moved"); v != "v" {
		t.Fatalf("moved: %q", v)
	}
	etCounts(t, db, 11, 6)
}

// TestEngineLazyExpiry: an expired key reads as absent everywhere before
// any collection, and the active cycle then removes it.
func TestEngineLazyExpiry(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	etSet(t, db, "k", "v", SetOptions{ExpireAt: nowMs() + 40})
	etSet(t, db, "keep", "v", SetOptions{})
	if v := etGet(t, db, "k"); v != "v" {
		t.Fatalf("before expiry: %q", v)
	}
	time.Sleep(60 * time.Millisecond)
	if v := etGet(t, db, "k"); v != "<nil>" {
		t.Fatalf("after expiry GET: %q", v)
	}
	if n, err := db.Exists(bs("k", "keep", "k")); n != 1 || err != nil {
		t.Fatalf("EXISTS: %d %v", n, err)
	}
	if ty := etType(t, db, "k"); ty != TypeNone {
		t.Fatalf("TYPE: %v", ty)
	}
	if vals, err := db.MGet(bs("k")); err != nil || vals[0] != nil {
		t.Fatalf("MGET: %q %v", vals, err)
	}
	if got := etTTL(t, db, "k"); got != -2 {
		t.Fatalf("ExpireTime: %d", got)
	}
	if ok, err := db.Persist([]byte("k")); ok || err != nil {
		t.Fatalf("PERSIST on expired: %v %v", ok, err)
	}
	if ok, err := db.Expire([]byte("k"), nowMs()+100_000, ExpireAlways); ok || err != nil {
		t.Fatalf("EXPIRE on expired: %v %v", ok, err)
	}
	if n, err := db.Del(bs("keep")); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	etCounts(t, db, 1, 1) // k awaits collection
	if n, err := db.ExpireCycle(10); n != 1 || err != nil {
		t.Fatalf("cycle: %d %v", n, err)
	}
	etCounts(t, db, 0, 0)

	// with the background loop running, nobody needs to touch the key
	live := openLive(t, Options{Dir: t.TempDir()})
	etSet(t, live, "k", "v", SetOptions{ExpireAt: nowMs() + 50})
	waitFor(t, "active expiry to remove the key", func() bool { return live.KeyCount() == 0 })
	etCounts(t, live, 0, 0)
}

// TestEnginePersistence: data, TTLs and counters survive Close and Open.
func TestEnginePersistence(t *testing.T) {
	dir := t.TempDir()
	db := openQuiet(t, Options{Dir: dir})
	T := nowMs() + 1_000_000
	soon := nowMs() + 300
	for i := 0; i < 100; i++ {
		o := SetOptions{}
		if i%10 < 3 {
			o.ExpireAt = T + int64(i)
		}
		etSet(t, db, fmt.Sprintf("key:%d", i), fmt.Sprintf("val:%d", i), o)
	}
	for i := 0; i < 10; i++ {
		etSet(t, db, fmt.Sprintf("soon:%d", i), "v", SetOptions{ExpireAt: soon})
	}
	etHash(t, db, "h")
	etCounts(t, db, 111, 40)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(time.UnixMilli(soon + 20)))

	db = openQuiet(t, Options{Dir: dir})
	etCounts(t, db, 111, 40) // the expired ones are counted until collected
	for i := 0; i < 100; i++ {
		k := fmt.Sprintf("key:%d", i)
		if v := etGet(t, db, k); v != fmt.Sprintf("val:%d", i) {
			t.Fatalf("%s = %q", k, v)
		}
		want := int64(0)
		if i%10 < 3 {
			want = T + int64(i)
		}
		if ttl := etTTL(t, db, k); ttl != want {
			t.Fatalf("%s expire-at %d, want %d", k, ttl, want)
		}
	}
	if v := etGet(t, db, "soon:3"); v != "<nil>" {
		t.Fatalf("expired key after reopen: %q", v)
	}
	if ty := etType(t, db, "h"); ty != TypeHash {
		t.Fatalf("hash after reopen: %v", ty)
	}
	if n, err := db.ExpireCycle(100); n != 10 || err != nil {
		t.Fatalf("cycle after reopen: %d %v", n, err)
	}
	etCounts(t, db, 101, 30)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openQuiet(t, Options{Dir: dir})
	etCounts(t, db, 101, 30)
	if err := db.FlushAll(); err != nil {
		t.Fatal(err)
	}
	etCounts(t, db, 0, 0)
	etSet(t, db, "after", "flush", SetOptions{ExpireAt: T})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openQuiet(t, Options{Dir: dir})
	etCounts(t, db, 1, 1)
	if v := etGet(t, db, "after"); v != "flush" {
		t.Fatalf("after flush and reopen: %q", v)
	}
}

func TestEngineFlushAll(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	for i := 0; i < 50; i++ {
		etSet(t, db, fmt.Sprintf("k%d", i), "v", SetOptions{ExpireAt: nowMs() + int64(i+1)*1_000_000})
	}
	etHash(t, db, "h")
	etCounts(t, db, 51, 50)
	if err := db.FlushAll(); err != nil {
		t.Fatal(err)
	}
	etCounts(t, db, 0, 0)
	if v := etGet(t, db, "k1"); v != "<nil>" {
		t.Fatalf("after FLUSHALL: %q", v)
	}
	if keys, err := db.Keys(nil); len(keys) != 0 || err != nil {
		t.Fatalf("KEYS after FLUSHALL: %q %v", keys, err)
	}
	if seen, _ := etScanAll(t, db, 10, nil); len(seen) != 0 {
		t.Fatalf("SCAN after FLUSHALL: %v", seen)
	}
	if n, err := db.ExpireCycle(100); n != 0 || err != nil {
		t.Fatalf("cycle after FLUSHALL: %d %v", n, err)
	}
	etSet(t, db, "k1", "again", SetOptions{})
	etCounts(t, db, 1, 0)
	if v := etGet(t, db, "k1"); v != "again" {
		t.Fatalf("set after FLUSHALL: %q", v)
	}
}

// waitFor polls cond every millisecond for up to 5 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
