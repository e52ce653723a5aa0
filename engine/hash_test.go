package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kvnode/kvnode/slots"
)

// Unit tests of the hash API. Expectations marked "redis" were checked
// against redis-server 7.0.15.

func htSet(t testing.TB, db *DB, key string, pairs ...string) int64 {
	t.Helper()
	n, err := db.HSet([]byte(key), htBytes(pairs...))
	if err != nil {
		t.Fatalf("HSet %s %q: %v", key, pairs, err)
	}
	return n
}

func htBytes(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// htAll returns the hash at key as a map (nil when missing).
func htAll(t testing.TB, db *DB, key string) map[string]string {
	t.Helper()
	pairs, err := db.HGetAll([]byte(key))
	if err != nil {
		t.Fatalf("HGetAll %s: %v", key, err)
	}
	if len(pairs) == 0 {
		return nil
	}
	m := make(map[string]string, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		m[string(pairs[i])] = string(pairs[i+1])
	}
	return m
}

// htMeta returns key's meta record as stored (zero Meta when missing).
func htMeta(t testing.TB, db *DB, key string) Meta {
	t.Helper()
	var m Meta
	err := db.view(func(tx *Tx) error {
		e, err := tx.load([]byte(key))
		if err == nil && e.live {
			m = e.Meta
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func htEncoding(t testing.TB, db *DB, key string) string {
	t.Helper()
	info, ok, err := db.Object([]byte(key))
	if err != nil || !ok {
		t.Fatalf("Object %s = %v, %v", key, ok, err)
	}
	return info.Encoding
}

func TestHashBasics(t *testing.T) {
	db := openQuiet(t, mem)
	k := []byte("h")
	if n := htSet(t, db, "h", "a", "1", "b", "2", "a", "3"); n != 2 { // redis: 2
		t.Fatalf("HSet = %d, want 2", n)
	}
	if n := htSet(t, db, "h", "b", "4", "c", ""); n != 1 {
		t.Fatalf("HSet = %d, want 1", n)
	}
	if got, want := htAll(t, db, "h"), map[string]string{"a": "3", "b": "4", "c": ""}; !maps.Equal(got, want) {
		t.Fatalf("HGetAll = %v, want %v", got, want)
	}
	if v, ok, err := db.HGet(k, []byte("a")); err != nil || !ok || string(v) != "3" {
		t.Fatalf("HGet a = %q, %v, %v", v, ok, err)
	}
	if v, ok, err := db.HGet(k, []byte("c")); err != nil || !ok || len(v) != 0 {
		t.Fatalf("HGet c = %q, %v, %v", v, ok, err)
	}
	if _, ok, err := db.HGet(k, []byte("zz")); err != nil || ok {
		t.Fatalf("HGet zz = %v, %v", ok, err)
	}
	vals, err := db.HMGet(k, htBytes("a", "zz", "c"))
	if err != nil || string(vals[0]) != "3" || vals[1] != nil || vals[2] == nil || len(vals[2]) != 0 {
		t.Fatalf("HMGet = %q, %v", vals, err)
	}
	vals, err = db.HMGet([]byte("nokey"), htBytes("a", "b"))
	if err != nil || len(vals) != 2 || vals[0] != nil || vals[1] != nil {
		t.Fatalf("HMGet missing key = %q, %v", vals, err)
	}
	if ok, err := db.HExists(k, []byte("b")); err != nil || !ok {
		t.Fatalf("HExists b = %v, %v", ok, err)
	}
	if ok, err := db.HExists(k, []byte("x")); err != nil || ok {
		t.Fatalf("HExists x = %v, %v", ok, err)
	}
	if n, err := db.HLen(k); err != nil || n != 3 {
		t.Fatalf("HLen = %d, %v", n, err)
	}
	if n, err := db.HStrLen(k, []byte("b")); err != nil || n != 1 {
		t.Fatalf("HStrLen = %d, %v", n, err)
	}
	if n, err := db.HStrLen([]byte("nokey"), []byte("b")); err != nil || n != 0 {
		t.Fatalf("HStrLen missing = %d, %v", n, err)
	}
	keys, _ := db.HKeys(k)
	hv, _ := db.HVals(k)
	if fmt.Sprintf("%q %q", keys, hv) != `["a" "b" "c"] ["3" "4" ""]` {
		t.Fatalf("HKeys %q HVals %q: want field order", keys, hv)
	}
	if ok, err := db.HSetNX(k, []byte("a"), []byte("x")); err != nil || ok {
		t.Fatalf("HSetNX existing = %v, %v", ok, err)
	}
	if ok, err := db.HSetNX(k, []byte("d"), []byte("x")); err != nil || !ok {
		t.Fatalf("HSetNX new = %v, %v", ok, err)
	}
	if ok, err := db.HSetNX([]byte("h2"), []byte("d"), []byte("x")); err != nil || !ok {
		t.Fatalf("HSetNX new key = %v, %v", ok, err)
	}
	if m := htMeta(t, db, "h"); m.Count != 4 || m.Type != TypeHash {
		t.Fatalf("meta %+v, want a hash of 4", m)
	}
	if db.KeyCount() != 2 {
		t.Fatalf("KeyCount = %d, want 2", db.KeyCount())
	}

	// HDEL: duplicates count once; deleting nothing is 0; the last field
	// takes the key with it.
	if n, err := db.HDel(k, htBytes("a", "a", "zz")); err != nil || n != 1 {
		t.Fatalf("HDel = %d, %v", n, err)
	}
	if n, err := db.HDel(k, htBytes("zz")); err != nil || n != 0 {
		t.Fatalf("HDel none = %d, %v", n, err)
	}
	if n, err := db.HDel([]byte("nokey"), htBytes("zz")); err != nil || n != 0 {
		t.Fatalf("HDel missing key = %d, %v", n, err)
	}
	if m := htMeta(t, db, "h"); m.Count != 3 {
		t.Fatalf("Count = %d after HDel, want 3", m.Count)
	}
	if n, err := db.HDel(k, htBytes("b", "c", "d")); err != nil || n != 3 {
		t.Fatalf("HDel rest = %d, %v", n, err)
	}
	if ty := htMeta(t, db, "h").Type; ty != TypeNone {
		t.Fatalf("emptied hash still exists as %v", ty)
	}
	if n, err := db.Exists([][]byte{k}); err != nil || n != 0 {
		t.Fatalf("Exists = %d, %v", n, err)
	}
	if db.KeyCount() != 1 {
		t.Fatalf("KeyCount = %d after emptying a hash, want 1", db.KeyCount())
	}
	if all := htAll(t, db, "h"); all != nil {
		t.Fatalf("HGetAll of deleted hash = %v", all)
	}
}

func TestHashWrongType(t *testing.T) {
	db := openQuiet(t, mem)
	if _, err := db.Set([]byte("s"), []byte("x"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	s, f := []byte("s"), []byte("f")
	errs := map[string]error{}
	_, errs["HSet"] = db.HSet(s, htBytes("f", "v"))
	_, errs["HSetNX"] = db.HSetNX(s, f, f)
	_, _, errs["HGet"] = db.HGet(s, f)
	_, errs["HMGet"] = db.HMGet(s, htBytes("f"))
	_, errs["HDel"] = db.HDel(s, htBytes("f"))
	_, errs["HExists"] = db.HExists(s, f)
	_, errs["HLen"] = db.HLen(s)
	_, errs["HStrLen"] = db.HStrLen(s, f)
	_, errs["HIncrBy"] = db.HIncrBy(s, f, 1)
	_, errs["HIncrByFloat"] = db.HIncrByFloat(s, f, []byte("1"))
	_, errs["HGetAll"] = db.HGetAll(s)
	_, errs["HKeys"] = db.HKeys(s)
	_, errs["HVals"] = db.HVals(s)
	_, _, errs["HScan"] = db.HScan(s, 0, 10, nil)
	errs["HRandField"] = db.HRandField(s, 1, false, func(int64) {}, func(_, _ []byte) {})
	for op, err := range errs {
		if !errors.Is(err, ErrWrongType) {
			t.Errorf("%s on a string: %v, want ErrWrongType", op, err)
		}
	}
	if v := htMeta(t, db, "s"); v.Type != TypeString || string(v.Value) != "x" {
		t.Fatalf("the string changed: %+v", v)
	}
	// And the other way round: string commands refuse a hash.
	htSet(t, db, "h", "f", "v")
	if _, _, err := db.Get([]byte("h")); !errors.Is(err, ErrWrongType) {
		t.Fatalf("GET on a hash: %v", err)
	}
	// Errors checked before the type, as in Redis.
	if _, err := db.HIncrByFloat(s, f, []byte("x")); !errors.Is(err, ErrNotFloat) {
		t.Fatalf("HIncrByFloat bad increment on a string: %v", err)
	}
	if _, err := db.HIncrByFloat(s, f, []byte("inf")); !errors.Is(err, ErrHashIncrNotFinite) {
		t.Fatalf("HIncrByFloat inf on a string: %v", err)
	}
}

func TestHashTTLKept(t *testing.T) {
	db := openQuiet(t, mem)
	k := []byte("h")
	htSet(t, db, "h", "a", "1", "b", "2")
	at := nowMs() + 100_000
	if ok, err := db.Expire(k, at, ExpireAlways); err != nil || !ok {
		t.Fatal(ok, err)
	}
	check := func(step string) {
		t.Helper()
		if m := htMeta(t, db, "h"); m.ExpireAt != at {
			t.Fatalf("after %s: expire-at %d, want %d", step, m.ExpireAt, at)
		}
		if db.ExpiresCount() != 1 {
			t.Fatalf("after %s: ExpiresCount %d", step, db.ExpiresCount())
		}
	}
	htSet(t, db, "h", "c", "3")
	check("HSet")
	if _, err := db.HSetNX(k, []byte("d"), []byte("4")); err != nil {
		t.Fatal(err)
	}
	check("HSetNX")
	if _, err := db.HIncrBy(k, []byte("a"), 5); err != nil {
		t.Fatal(err)
	}
	check("HIncrBy")
	if _, err := db.HIncrByFloat(k, []byte("a"), []byte("0.5")); err != nil {
		t.Fatal(err)
	}
	check("HIncrByFloat")
	if _, err := db.HDel(k, htBytes("b")); err != nil {
		t.Fatal(err)
	}
	check("HDel")
	// Removing the last field removes the key and its TTL.
	if _, err := db.HDel(k, htBytes("a", "c", "d")); err != nil {
		t.Fatal(err)
	}
	if db.ExpiresCount() != 0 || db.KeyCount() != 0 {
		t.Fatalf("emptied hash left keys=%d expires=%d", db.KeyCount(), db.ExpiresCount())
	}

	// An expired hash is missing to every read, and a write starts a new
	// hash without the old fields or TTL.
	htSet(t, db, "h", "old", "1")
	past := nowMs() - 1
	if err := db.update(func(tx *Tx) error {
		e, err := tx.load(k)
		if err != nil {
			return err
		}
		e.ExpireAt = past
		return tx.put(e)
	}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.HLen(k); n != 0 {
		t.Fatalf("HLen of expired hash = %d", n)
	}
	if _, ok, _ := db.HGet(k, []byte("old")); ok {
		t.Fatal("HGet sees a field of an expired hash")
	}
	if n := htSet(t, db, "h", "new", "1"); n != 1 {
		t.Fatalf("HSet on expired hash = %d", n)
	}
	if got := htAll(t, db, "h"); !maps.Equal(got, map[string]string{"new": "1"}) {
		t.Fatalf("hash after re-creation = %v", got)
	}
	if m := htMeta(t, db, "h"); m.ExpireAt != 0 || m.Count != 1 {
		t.Fatalf("re-created hash meta %+v", m)
	}
	if db.KeyCount() != 1 || db.ExpiresCount() != 0 {
		t.Fatalf("keys=%d expires=%d", db.KeyCount(), db.ExpiresCount())
	}
}

func TestHashIncr(t *testing.T) {
	db := openQuiet(t, mem)
	k := []byte("h")
	incr := func(f string, d int64) (int64, error) { return db.HIncrBy(k, []byte(f), d) }
	if n, err := incr("n", 5); err != nil || n != 5 {
		t.Fatalf("HIncrBy new = %d, %v", n, err)
	}
	if n, err := incr("n", -7); err != nil || n != -2 {
		t.Fatalf("HIncrBy = %d, %v", n, err)
	}
	htSet(t, db, "h", "max", "9223372036854775807", "min", "-9223372036854775808",
		"s", "abc", "z", "007", "sp", " 1", "f", "1.5", "e", "")
	for _, c := range []struct {
		f    string
		d    int64
		want error
	}{
		{"max", 1, ErrOverflow}, {"min", -1, ErrOverflow}, {"s", 1, ErrHashNotInteger},
		{"z", 1, ErrHashNotInteger}, {"sp", 1, ErrHashNotInteger}, {"f", 1, ErrHashNotInteger},
		{"e", 1, ErrHashNotInteger},
	} {
		if _, err := incr(c.f, c.d); !errors.Is(err, c.want) {
			t.Errorf("HIncrBy %s %d: %v, want %v", c.f, c.d, err, c.want)
		}
	}
	if n, err := incr("max", 0); err != nil || n != 1<<63-1 {
		t.Fatalf("HIncrBy max 0 = %d, %v", n, err)
	}
	if v, _, _ := db.HGet(k, []byte("s")); string(v) != "abc" {
		t.Fatalf("a failed HIncrBy changed the value: %q", v)
	}

	fl := func(f, d string) (string, error) {
		v, err := db.HIncrByFloat(k, []byte(f), []byte(d))
		return string(v), err
	}
	for _, c := range []struct{ f, d, want string }{ // redis
		{"x", "10.5", "10.5"},
		{"x", "0.1", "10.6"},
		{"x", "-5.0e3", "-4989.39999999999999991"},
		{"y", "0x10", "16"},
		{"y", "3.0e3", "3016"},
		{"n", "1.5", "-0.5"},
		{"n", "0.5", "0"},
		{"u", "1e-4940", "0"},
		{"w", "1.5e-20", "0"},
		{"f", "0.1234567890123456789012345678901234567890", "1.62345678901234568"},
	} {
		if got, err := fl(c.f, c.d); err != nil || got != c.want {
			t.Errorf("HIncrByFloat %s %s = %q, %v; want %q", c.f, c.d, got, err, c.want)
		}
	}
	htSet(t, db, "h", "inf", "inf", "long", "1."+strings.Repeat("0", 5120), "ok", "1."+strings.Repeat("0", 5116))
	for _, c := range []struct {
		f, d string
		want error
	}{ // redis
		{"x", "abc", ErrNotFloat},
		{"x", "nan", ErrNotFloat},
		{"x", "", ErrNotFloat},
		{"x", " 1", ErrNotFloat},
		{"x", "1e5000", ErrNotFloat},
		{"x", "1e-4960", ErrNotFloat},
		{"x", "1." + strings.Repeat("0", 5120), ErrNotFloat},
		{"x", "inf", ErrHashIncrNotFinite},
		{"x", "-inf", ErrHashIncrNotFinite},
		{"s", "1", ErrHashNotFloat},
		{"sp", "1", ErrHashNotFloat},
		{"long", "1", ErrHashNotFloat},
		{"inf", "1", ErrNaNOrInfinity},
	} {
		if _, err := fl(c.f, c.d); !errors.Is(err, c.want) {
			t.Errorf("HIncrByFloat %s %.20q: %v, want %v", c.f, c.d, err, c.want)
		}
	}
	if got, err := fl("ok", "1"); err != nil || got != "2" {
		t.Fatalf("HIncrByFloat on a 5118-byte value = %q, %v", got, err)
	}
	if got, err := fl("z", "1"); err != nil || got != "8" { // "007" is a float
		t.Fatalf("HIncrByFloat 007 = %q, %v", got, err)
	}
	// The last finite sums, then overflow.
	if _, err := fl("big", "1e4932"); err != nil {
		t.Fatal(err)
	}
	if _, err := fl("big", "1e4932"); !errors.Is(err, ErrNaNOrInfinity) {
		t.Fatalf("overflowing HIncrByFloat: %v", err)
	}
	// Errors create nothing.
	if _, err := db.HIncrByFloat([]byte("nokey"), []byte("f"), []byte("nan")); !errors.Is(err, ErrNotFloat) {
		t.Fatal(err)
	}
	if n, _ := db.Exists([][]byte{[]byte("nokey")}); n != 0 {
		t.Fatal("a failed HIncrByFloat created its key")
	}
}

func TestHashMetaBig(t *testing.T) {
	db := openQuiet(t, mem)
	l64, l65 := strings.Repeat("x", 64), strings.Repeat("x", 65)

	// redis: a value or field of 64 bytes stays listpack, 65 converts.
	htSet(t, db, "v", "a", l64, l64, "b")
	if enc := htEncoding(t, db, "v"); enc != "listpack" {
		t.Fatalf("64-byte value and field: %s", enc)
	}
	htSet(t, db, "v", "b", l65)
	if enc := htEncoding(t, db, "v"); enc != "hashtable" {
		t.Fatalf("65-byte value: %s", enc)
	}
	htSet(t, db, "f", l65, "1")
	if enc := htEncoding(t, db, "f"); enc != "hashtable" {
		t.Fatalf("65-byte field: %s", enc)
	}
	// redis: HSETNX on an existing field converts nothing.
	htSet(t, db, "nx", "a", "1")
	if _, err := db.HSetNX([]byte("nx"), []byte("a"), []byte(l65)); err != nil {
		t.Fatal(err)
	}
	if enc := htEncoding(t, db, "nx"); enc != "listpack" {
		t.Fatalf("HSETNX on an existing field: %s", enc)
	}
	if _, err := db.HSetNX([]byte("nx"), []byte("b"), []byte(l65)); err != nil {
		t.Fatal(err)
	}
	if enc := htEncoding(t, db, "nx"); enc != "hashtable" {
		t.Fatalf("HSETNX of a long value: %s", enc)
	}
	// redis: HINCRBY of a long field converts.
	if _, err := db.HIncrBy([]byte("i"), []byte(l65), 1); err != nil {
		t.Fatal(err)
	}
	if enc := htEncoding(t, db, "i"); enc != "hashtable" {
		t.Fatalf("HINCRBY of a long field: %s", enc)
	}

	// redis: 512 fields stay listpack; the 513th converts, for good.
	var pairs []string
	for i := 0; i < 512; i++ {
		pairs = append(pairs, fmt.Sprintf("f%03d", i), "1")
	}
	htSet(t, db, "n", pairs...)
	if m := htMeta(t, db, "n"); m.Count != 512 || m.Flags&MetaBig != 0 {
		t.Fatalf("512 fields: %+v", m)
	}
	if _, err := db.HIncrBy([]byte("n"), []byte("new"), 1); err != nil {
		t.Fatal(err)
	}
	if m := htMeta(t, db, "n"); m.Count != 513 || m.Flags&MetaBig == 0 {
		t.Fatalf("513 fields: %+v", m)
	}
	if _, err := db.HDel([]byte("n"), htBytes("new", "f000", "f001")); err != nil {
		t.Fatal(err)
	}
	if enc := htEncoding(t, db, "n"); enc != "hashtable" {
		t.Fatalf("shrunk hash: %s, want hashtable kept", enc)
	}
	// A re-created key starts small again.
	if _, err := db.Del([][]byte{[]byte("n")}); err != nil {
		t.Fatal(err)
	}
	htSet(t, db, "n", "a", "1")
	if enc := htEncoding(t, db, "n"); enc != "listpack" {
		t.Fatalf("re-created hash: %s", enc)
	}
}

func TestHashFieldTooLarge(t *testing.T) {
	db := openQuiet(t, mem)
	huge := strings.Repeat("f", HashMaxFieldLen+1)
	if _, err := db.HSet([]byte("h"), htBytes("ok", "1", huge, "v")); !errors.Is(err, ErrHashFieldTooLarge) {
		t.Fatalf("HSet of a huge field: %v", err)
	}
	if n, _ := db.Exists([][]byte{[]byte("h")}); n != 0 {
		t.Fatal("a refused HSet wrote its key")
	}
	if _, err := db.HIncrBy([]byte("h"), []byte(huge), 1); !errors.Is(err, ErrHashFieldTooLarge) {
		t.Fatalf("HIncrBy of a huge field: %v", err)
	}
	htSet(t, db, "h", strings.Repeat("f", HashMaxFieldLen), "max")
	if _, ok, err := db.HGet([]byte("h"), []byte(huge)); err != nil || ok {
		t.Fatalf("HGet of a huge field = %v, %v", ok, err)
	}
	if v, ok, err := db.HGet([]byte("h"), []byte(huge[1:])); err != nil || !ok || string(v) != "max" {
		t.Fatalf("HGet of the longest field = %q, %v, %v", v, ok, err)
	}
}

func TestHashDelCollectsElements(t *testing.T) {
	db := openQuiet(t, mem)
	var pairs []string
	for i := 0; i < 1500; i++ {
		pairs = append(pairs, fmt.Sprintf("field:%05d", i), "v")
	}
	htSet(t, db, "h", pairs...)
	n, ver := elemCount(t, db, "h")
	if n != 1500 || htMeta(t, db, "h").Count != 1500 {
		t.Fatalf("hash has %d elements", n)
	}
	slot := slots.KeySlot([]byte("h"))
	if d, err := db.Del([][]byte{[]byte("h")}); err != nil || d != 1 {
		t.Fatalf("Del = %d, %v", d, err)
	}
	if _, err := db.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rawPrefixCount(t, db, slot, ver); got != 0 {
		t.Fatalf("%d element keys remain after DEL and collection", got)
	}
	// Overwriting with a string collects too; so does emptying by HDEL.
	htSet(t, db, "h", "a", "1", "b", "2")
	_, ver = elemCount(t, db, "h")
	if _, err := db.Set([]byte("h"), []byte("s"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rawPrefixCount(t, db, slot, ver); got != 0 {
		t.Fatalf("%d element keys remain after SET over the hash", got)
	}
	if n, _ := db.Del([][]byte{[]byte("h")}); n != 1 {
		t.Fatal("DEL of the string")
	}
	htSet(t, db, "h", "a", "1", "b", "2")
	_, ver = elemCount(t, db, "h")
	if _, err := db.HDel([]byte("h"), htBytes("a", "b")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rawPrefixCount(t, db, slot, ver); got != 0 {
		t.Fatalf("%d element keys remain after HDEL of every field", got)
	}
	if n := rawGarbageCount(t, db); n != 0 {
		t.Fatalf("%d garbage markers left", n)
	}
}

func TestHashTouchHook(t *testing.T) {
	db := openQuiet(t, mem)
	var mu sync.Mutex
	var touched []string
	db.SetTouchHook(func(keys [][]byte) {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range keys {
			touched = append(touched, string(k))
		}
	})
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := touched
		touched = nil
		return out
	}
	k := []byte("h")
	htSet(t, db, "h", "a", "1")
	if got := take(); len(got) == 0 {
		t.Fatal("HSET touched nothing")
	}
	_, _ = db.HSetNX(k, []byte("a"), []byte("2"))
	_, _ = db.HDel(k, htBytes("zz"))
	_, _ = db.HIncrBy(k, []byte("a"), 1<<62)
	_, _ = db.HIncrBy(k, []byte("a"), 1<<62) // overflows: no write
	take()
	_, _ = db.HIncrBy(k, []byte("a"), 1<<62)
	_, _ = db.HSetNX(k, []byte("a"), []byte("2"))
	_, _ = db.HDel(k, htBytes("zz"))
	if got := take(); len(got) != 0 {
		t.Fatalf("writes that changed nothing touched %q", got)
	}
	_, _ = db.HDel(k, htBytes("a"))
	if got := take(); !slices.Equal(got, []string{"h"}) {
		t.Fatalf("HDEL of the last field touched %q", got)
	}
}

// htScanAll runs a whole HSCAN iteration, calling between after each call.
func htScanAll(t *testing.T, db *DB, key string, count int, match func([]byte) bool, between func()) (map[string]string, int) {
	t.Helper()
	got := map[string]string{}
	var cursor uint64
	calls := 0
	for {
		next, pairs, err := db.HScan([]byte(key), cursor, count, match)
		if err != nil {
			t.Fatal(err)
		}
		calls++
		for i := 0; i < len(pairs); i += 2 {
			got[string(pairs[i])] = string(pairs[i+1])
		}
		if next == 0 {
			return got, calls
		}
		if calls > 100000 {
			t.Fatal("HSCAN does not finish")
		}
		cursor = next
		if between != nil {
			between()
		}
	}
}

func TestHashScan(t *testing.T) {
	db := openQuiet(t, mem)
	// A small hash comes back whole, whatever the cursor and count.
	htSet(t, db, "small", "b", "2", "a", "1", "c", "3")
	for _, cur := range []uint64{0, 1, 12345, ^uint64(0)} {
		next, pairs, err := db.HScan([]byte("small"), cur, 1, nil)
		if err != nil || next != 0 || fmt.Sprintf("%q", pairs) != `["a" "1" "b" "2" "c" "3"]` {
			t.Fatalf("HScan small from %d = %d %q %v", cur, next, pairs, err)
		}
	}
	next, pairs, err := db.HScan([]byte("small"), 0, 10, func(f []byte) bool { return string(f) != "b" })
	if err != nil || next != 0 || len(pairs) != 4 {
		t.Fatalf("HScan small with a filter = %d %q %v", next, pairs, err)
	}
	if next, pairs, err := db.HScan([]byte("nokey"), 0, 10, nil); err != nil || next != 0 || len(pairs) != 0 {
		t.Fatalf("HScan missing = %d %q %v", next, pairs, err)
	}

	// A big hash whose fields share long prefixes (longer than the 7
	// bytes a cursor holds) and include an empty field.
	want := map[string]string{"": "empty"}
	pairsIn := []string{"", "empty"}
	for i := 0; i < 3000; i++ {
		f := fmt.Sprintf("user:profile:%05d", i)
		if i%3 == 0 {
			f = fmt.Sprintf("u%d", i)
		}
		want[f] = fmt.Sprint(i)
		pairsIn = append(pairsIn, f, fmt.Sprint(i))
	}
	htSet(t, db, "big", pairsIn...)
	for _, count := range []int{1, 10, 100, 5000} {
		got, calls := htScanAll(t, db, "big", count, nil, nil)
		if !maps.Equal(got, want) {
			t.Fatalf("COUNT %d: %d fields back, want %d", count, len(got), len(want))
		}
		if count == 10 && calls < 10 {
			t.Fatalf("COUNT 10 over 3001 fields finished in %d calls", calls)
		}
	}
	// MATCH filters but the iteration still covers everything.
	got, _ := htScanAll(t, db, "big", 50, func(f []byte) bool { return strings.HasPrefix(string(f), "u1") }, nil)
	for f := range want {
		_, in := got[f]
		if in != strings.HasPrefix(f, "u1") {
			t.Fatalf("MATCH u1*: field %q returned=%v", f, in)
		}
	}

	// Fields that exist for the whole iteration come back although
	// others are added and removed between calls.
	rng := rand.New(rand.NewPCG(1, 2))
	stable := maps.Clone(want)
	var churn []string
	got, _ = htScanAll(t, db, "big", 20, nil, func() {
		f := fmt.Sprintf("user:profile:%05d", rng.IntN(3000))
		if rng.IntN(2) == 0 {
			if _, err := db.HDel([]byte("big"), htBytes(f)); err != nil {
				t.Fatal(err)
			}
			delete(stable, f)
		} else {
			nf := fmt.Sprintf("new:%d", rng.IntN(1_000_000))
			htSet(t, db, "big", nf, "x")
			churn = append(churn, nf)
		}
	})
	if len(churn) == 0 {
		t.Fatal("the churn added nothing")
	}
	for f, v := range stable {
		if got[f] != v {
			t.Fatalf("field %q present throughout was not returned", f)
		}
	}
	if n, _ := db.HLen([]byte("big")); n == 0 {
		t.Fatal("empty")
	}
}

func TestHashScanCommonPrefix(t *testing.T) {
	db := openQuiet(t, mem)
	want := map[string]string{}
	var pairs []string
	for i := 0; i < 1200; i++ {
		f := fmt.Sprintf("session:user:%06d", i*7)
		want[f] = fmt.Sprint(i)
		pairs = append(pairs, f, want[f])
	}
	htSet(t, db, "h", pairs...)
	// Fields sharing a 13-byte prefix still advance in small steps.
	got, calls := htScanAll(t, db, "h", 10, nil, nil)
	if !maps.Equal(got, want) || calls < 100 {
		t.Fatalf("COUNT 10: %d fields in %d calls", len(got), calls)
	}

	// The common prefix shrinks (fields outside it come) and grows back
	// (they go) during iterations: fields present throughout come back,
	// and the steps stay small.
	rng := rand.New(rand.NewPCG(5, 6))
	for round := 0; round < 4; round++ {
		stable := maps.Clone(want)
		var added []string
		step := 0
		maxPairs := 0
		got := map[string]string{}
		var cursor uint64
		for {
			next, pairs, err := db.HScan([]byte("h"), cursor, 25, nil)
			if err != nil {
				t.Fatal(err)
			}
			maxPairs = max(maxPairs, len(pairs)/2)
			for i := 0; i < len(pairs); i += 2 {
				got[string(pairs[i])] = string(pairs[i+1])
			}
			if next == 0 {
				break
			}
			cursor = next
			step++
			switch rng.IntN(6) {
			case 0: // an outlier before or after everything
				f := []string{"a", "zzz", "", "\xff", "session:a"}[rng.IntN(5)]
				htSet(t, db, "h", f, "out")
				added = append(added, f)
			case 1: // outliers go
				if len(added) > 0 {
					if _, err := db.HDel([]byte("h"), htBytes(added...)); err != nil {
						t.Fatal(err)
					}
					for _, f := range added {
						delete(stable, f)
					}
					added = nil
				}
			case 2: // a regular field goes
				f := fmt.Sprintf("session:user:%06d", rng.IntN(1200)*7)
				if _, err := db.HDel([]byte("h"), htBytes(f)); err != nil {
					t.Fatal(err)
				}
				delete(stable, f)
			}
		}
		for f, v := range stable {
			if got[f] != v {
				t.Fatalf("round %d: field %q present throughout was not returned", round, f)
			}
		}
		if maxPairs > 400 {
			t.Fatalf("round %d: one call returned %d fields with COUNT 25", round, maxPairs)
		}
		if _, err := db.HDel([]byte("h"), htBytes(added...)); err != nil {
			t.Fatal(err)
		}
		// Put back what was removed.
		var back []string
		for f, v := range want {
			back = append(back, f, v)
		}
		htSet(t, db, "h", back...)
		if step < 30 {
			t.Fatalf("round %d: %d steps", round, step)
		}
	}

	// Many distinct prefixes appearing mid-iteration make the position
	// unrecoverable: the iteration starts over, still missing nothing.
	first, cursor := map[string]string{}, uint64(0)
	for i := 0; i < 3; i++ {
		next, pairs, err := db.HScan([]byte("h"), cursor, 10, nil)
		if err != nil || next == 0 {
			t.Fatal(next, err)
		}
		for j := 0; j < len(pairs); j += 2 {
			first[string(pairs[j])] = string(pairs[j+1])
		}
		cursor = next
	}
	var noise []string
	for i := 0; i < 200; i++ {
		noise = append(noise, fmt.Sprintf("%c%c", 'A'+i%26, 'A'+i/26), "n")
	}
	htSet(t, db, "h", noise...)
	rest := map[string]string{}
	for cursor != 0 {
		next, pairs, err := db.HScan([]byte("h"), cursor, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < len(pairs); j += 2 {
			rest[string(pairs[j])] = string(pairs[j+1])
		}
		cursor = next
	}
	for f, v := range want {
		if first[f] != v && rest[f] != v {
			t.Fatalf("field %q missed after the prefix was lost", f)
		}
	}
}

func TestHashScanCursor(t *testing.T) {
	for _, c := range []struct {
		f    string
		plen int
	}{{"a", 0}, {"abcdefg", 0}, {"user:12345", 5}, {"\x00", 0}, {"p\xff\xff\xff\xff\xff", 1}, {strings.Repeat("p", 127) + "x", 127}} {
		cur := encodeHashCursor([]byte(c.f), c.plen)
		if cur == 0 {
			t.Fatalf("cursor of %q is 0", c.f)
		}
		plen, h, tail := decodeHashCursor(cur)
		if plen != c.plen || h != hscanHash([]byte(c.f[:c.plen])) || c.f[:plen]+string(tail) != c.f[:min(len(c.f), plen+4)] {
			t.Fatalf("cursor of %q/%d decodes to %d %x %q", c.f, c.plen, plen, h, tail)
		}
	}
	// Any 64-bit value decodes to some position.
	for _, c := range []uint64{1, 0xff00000000000000, ^uint64(0)} {
		if plen, _, tail := decodeHashCursor(c); plen > 127 || len(tail) > 4 {
			t.Fatalf("cursor %x decodes to %d %q", c, plen, tail)
		}
	}
}

// htRand runs HRandField and returns the picks.
func htRand(t *testing.T, db *DB, key string, count int64, withValues bool) (fields, values []string) {
	t.Helper()
	var n int64 = -1
	err := db.HRandField([]byte(key), count, withValues, func(c int64) {
		if n != -1 {
			t.Fatal("start called twice")
		}
		n = c
	}, func(f, v []byte) {
		fields = append(fields, string(f))
		if withValues {
			values = append(values, string(v))
		} else if v != nil {
			t.Fatalf("a value without WITHVALUES: %q", v)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == -1 && len(fields) > 0 || n != -1 && int64(len(fields)) != n {
		t.Fatalf("start(%d) then %d picks", n, len(fields))
	}
	return fields, values
}

func TestHashRandField(t *testing.T) {
	db := openQuiet(t, mem)
	if f, _ := htRand(t, db, "nokey", 5, false); f != nil {
		t.Fatalf("missing key: %q", f)
	}
	want := map[string]string{}
	var pairs []string
	for i := 0; i < 50; i++ {
		f := fmt.Sprintf("f%02d", i)
		want[f] = fmt.Sprint(i * 7)
		pairs = append(pairs, f, want[f])
	}
	htSet(t, db, "h", pairs...)
	if f, _ := htRand(t, db, "h", 0, false); f != nil {
		t.Fatalf("count 0: %q", f)
	}
	// count ≥ size: the whole hash.
	f, v := htRand(t, db, "h", 1000, true)
	got := map[string]string{}
	for i := range f {
		got[f[i]] = v[i]
	}
	if !maps.Equal(got, want) || len(f) != 50 {
		t.Fatalf("count 1000: %d picks", len(f))
	}
	// Positive counts are distinct; values belong to their fields.
	for _, c := range []int64{1, 5, 20, 49} {
		f, v := htRand(t, db, "h", c, true)
		if int64(len(f)) != c {
			t.Fatalf("count %d: %d picks", c, len(f))
		}
		seen := map[string]bool{}
		for i := range f {
			if seen[f[i]] || want[f[i]] != v[i] {
				t.Fatalf("count %d: pick %q=%q (repeat %v)", c, f[i], v[i], seen[f[i]])
			}
			seen[f[i]] = true
		}
	}
	// Negative counts: exactly -count picks, roughly uniform.
	hits := map[string]int{}
	f, v = htRand(t, db, "h", -50000, true)
	if len(f) != 50000 {
		t.Fatalf("count -50000: %d picks", len(f))
	}
	for i := range f {
		if want[f[i]] != v[i] {
			t.Fatalf("pick %q=%q", f[i], v[i])
		}
		hits[f[i]]++
	}
	for fl, n := range hits {
		if n < 700 || n > 1300 {
			t.Fatalf("field %s picked %d times of 50000 over 50 fields", fl, n)
		}
	}
	if len(hits) != 50 {
		t.Fatalf("only %d of 50 fields ever picked", len(hits))
	}
	// Positive counts pick every field about equally often too.
	hits = map[string]int{}
	for i := 0; i < 2000; i++ {
		f, _ := htRand(t, db, "h", 5, false)
		for _, x := range f {
			hits[x]++
		}
	}
	for fl, n := range hits {
		if n < 120 || n > 280 {
			t.Fatalf("count 5: field %s picked %d times of 10000", fl, n)
		}
	}
}

func TestHashRandFieldBig(t *testing.T) {
	db := openQuiet(t, mem)
	const size = 6000 // well above hrandExactMax: small counts use the sampler
	want := map[string]string{}
	var pairs []string
	for i := 0; i < size; i++ {
		f := fmt.Sprintf("item:%06d", i*13)
		if i%500 == 0 {
			f = fmt.Sprintf("z%d", i) // a far cluster
		}
		want[f] = fmt.Sprint(i)
		pairs = append(pairs, f, want[f])
	}
	htSet(t, db, "big", pairs...)
	// Sampler (|count| < size/32) and exact passes.
	for _, count := range []int64{1, 10, 150, -1, -150, 300, -300, 2500, -2500} {
		f, v := htRand(t, db, "big", count, true)
		n := count
		if n < 0 {
			n = -n
		}
		if int64(len(f)) != n {
			t.Fatalf("count %d: %d picks", count, len(f))
		}
		seen := map[string]bool{}
		for i := range f {
			if want[f[i]] != v[i] {
				t.Fatalf("count %d: pick %q=%q, want %q", count, f[i], v[i], want[f[i]])
			}
			if count > 0 && seen[f[i]] {
				t.Fatalf("count %d: %q picked twice", count, f[i])
			}
			seen[f[i]] = true
		}
	}
	// A skewed layout (one field far beyond the rest, the sampler's worst
	// case) still gives distinct picks, through the exact fallback if need
	// be.
	htSet(t, db, "big", "\xff\xff\xff\xff\xff\xff\xff\xff\xff", "last")
	f, _ := htRand(t, db, "big", 100, false)
	if len(f) != 100 || len(slices.Compact(slices.Sorted(slices.Values(f)))) != 100 {
		t.Fatalf("distinct picks from a skewed hash: %d", len(f))
	}
	// 120 lone fields, 120 more one level down, then a group of 8000: the
	// sampler lands on the lone ones nearly always, so 250 distinct picks
	// come from the exact pass it falls back to.
	pairs = nil
	for i := 1; i <= 120; i++ {
		pairs = append(pairs, string([]byte{byte(i)}), "lone", string([]byte{0xff, byte(i)}), "lone")
	}
	for i := 0; i < 8000; i++ {
		pairs = append(pairs, fmt.Sprintf("\xff\xff%05d", i), "grouped")
	}
	htSet(t, db, "skew", pairs...)
	f, _ = htRand(t, db, "skew", 250, false)
	if len(f) != 250 || len(slices.Compact(slices.Sorted(slices.Values(f)))) != 250 {
		t.Fatalf("distinct picks from a skewed hash: %d", len(f))
	}
}

// htSampleSpread draws picks with the sampler of key and returns how many
// landed in each of buckets equal slices of the field order.
func htSampleSpread(t *testing.T, db *DB, key string, picks, buckets int) []int {
	t.Helper()
	keys, err := db.HKeys([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	rank := make(map[string]int, len(keys))
	for i, k := range keys {
		rank[string(k)] = i
	}
	hist := make([]int, buckets)
	err = db.view(func(tx *Tx) error {
		e, err := tx.load([]byte(key))
		if err != nil {
			return err
		}
		s, err := tx.newHashSampler(e, true)
		if err != nil {
			return err
		}
		defer s.close()
		for i := 0; i < picks; i++ {
			f, v, err := s.pick()
			if err != nil {
				return err
			}
			r, ok := rank[string(f)]
			if !ok || v == nil {
				return fmt.Errorf("picked %q (value %q), not a field", f, v)
			}
			hist[r*buckets/len(keys)]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hist
}

func TestHashRandFieldSamplerSpread(t *testing.T) {
	db := openQuiet(t, mem)
	rng := rand.New(rand.NewPCG(3, 4))
	const size, picks, buckets = 3000, 4000, 4
	// Layouts with sibling groups of equal size: about uniform.
	balanced := map[string]func(i int) string{
		"counter": func(i int) string { return fmt.Sprintf("item:%06d", i) },
		"hex":     func(int) string { return fmt.Sprintf("%016x", rng.Uint64()) },
		"uuid": func(int) string {
			u := rng.Uint64()
			return fmt.Sprintf("%08x-%04x-4%03x-%016x", u>>32, u>>16&0xffff, u&0xfff, rng.Uint64())
		},
		"binary": func(int) string { return string(binary.BigEndian.AppendUint64(nil, rng.Uint64())) },
	}
	for name, mk := range balanced {
		var pairs []string
		for i := 0; i < size; i++ {
			pairs = append(pairs, mk(i), "v")
		}
		htSet(t, db, name, pairs...)
		hist := htSampleSpread(t, db, name, picks, buckets)
		exp := picks / buckets
		for b, n := range hist {
			if n < exp*3/4 || n > exp*5/4 {
				t.Errorf("%s: bucket %d of %d got %d picks, expected about %d (%v)", name, b, buckets, n, exp, hist)
				break
			}
		}
	}
	// Skewed layouts: every pick is a field, and no region starves.
	skewed := map[string]func(i int) string{
		"partial": func(i int) string { return fmt.Sprintf("user:%d", i) },
		"nested":  func(i int) string { return []string{"user", "user:", fmt.Sprintf("user:%d", i)}[min(i, 2)] },
		"edges": func(i int) string {
			return []string{"", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", fmt.Sprint(i)}[min(i, 2)]
		},
	}
	for name, mk := range skewed {
		var pairs []string
		for i := 0; i < size; i++ {
			pairs = append(pairs, mk(i), "v")
		}
		htSet(t, db, name, pairs...)
		hist := htSampleSpread(t, db, name, picks, buckets)
		for b, n := range hist {
			if n < picks/buckets/10 {
				t.Errorf("%s: bucket %d of %d got %d picks (%v)", name, b, buckets, n, hist)
				break
			}
		}
	}
}

func TestHashDumpRestoreHooks(t *testing.T) {
	db := openQuiet(t, mem)
	l65 := strings.Repeat("v", 65)
	cases := map[string][]string{
		"small": {"a", "1", "", "empty", "b", ""},
		"long":  {"a", l65},
	}
	var many []string
	for i := 0; i < 600; i++ {
		many = append(many, fmt.Sprintf("f%04d", i), "x")
	}
	cases["many"] = many
	for name, pairs := range cases {
		htSet(t, db, name, pairs...)
		src := htMeta(t, db, name)
		var data []byte
		err := db.view(func(tx *Tx) error {
			e, err := tx.load([]byte(name))
			if err != nil {
				return err
			}
			var p payload
			if err := tx.dumpHash(e, &p); err != nil {
				return err
			}
			if p.typ != TypeHash || len(p.elems) != len(pairs) {
				return fmt.Errorf("payload %v with %d elems", p.typ, len(p.elems))
			}
			for i := 2; i < len(p.elems); i += 2 {
				if string(p.elems[i-2]) >= string(p.elems[i]) {
					return fmt.Errorf("fields out of order: %q then %q", p.elems[i-2], p.elems[i])
				}
			}
			data = encodePayload(&p)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: dump: %v", name, err)
		}
		p, err := decodePayload(data)
		if err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		dst := []byte(name + ":copy")
		at := nowMs() + 50_000
		err = db.update(func(tx *Tx) error {
			e, err := tx.load(dst)
			if err != nil {
				return err
			}
			if err := tx.newCollection(e, TypeHash); err != nil {
				return err
			}
			e.ExpireAt = at
			return tx.restoreHash(e, &p)
		})
		if err != nil {
			t.Fatalf("%s: restore: %v", name, err)
		}
		if got, want := htAll(t, db, string(dst)), htAll(t, db, name); !maps.Equal(got, want) {
			t.Fatalf("%s: restored %v, want %v", name, got, want)
		}
		m := htMeta(t, db, string(dst))
		if m.Count != src.Count || m.Flags != src.Flags || m.ExpireAt != at || m.Version == src.Version {
			t.Fatalf("%s: restored meta %+v, source %+v", name, m, src)
		}
	}
	if enc := htEncoding(t, db, "many:copy"); enc != "hashtable" {
		t.Fatalf("restored 600 fields: %s", enc)
	}
	if enc := htEncoding(t, db, "small:copy"); enc != "listpack" {
		t.Fatalf("restored small: %s", enc)
	}
	if db.ExpiresCount() != 3 {
		t.Fatalf("ExpiresCount = %d", db.ExpiresCount())
	}
}

// TestHashModel drives random operations against a map model.
func TestHashModel(t *testing.T) {
	db := openQuiet(t, mem)
	rng := rand.New(rand.NewPCG(7, 7))
	model := map[string]map[string]string{}
	keys := []string{"a", "b", "{a}c"}
	ops := 0
	for i := 0; i < 4000; i++ {
		k := keys[rng.IntN(len(keys))]
		f := fmt.Sprintf("f%d", rng.IntN(40))
		m := model[k]
		switch rng.IntN(5) {
		case 0, 1:
			v := fmt.Sprint(rng.IntN(100))
			isNew := m == nil || m[f] == ""
			n := htSet(t, db, k, f, v)
			if (n == 1) != isNew {
				t.Fatalf("HSet %s %s = %d, new=%v", k, f, n, isNew)
			}
			if m == nil {
				m = map[string]string{}
				model[k] = m
			}
			m[f] = v
		case 2:
			n, err := db.HDel([]byte(k), htBytes(f))
			if err != nil || (n == 1) != (m[f] != "") {
				t.Fatalf("HDel %s %s = %d, %v", k, f, n, err)
			}
			delete(m, f)
			if len(m) == 0 {
				delete(model, k)
			}
		case 3:
			d := int64(rng.IntN(10))
			n, err := db.HIncrBy([]byte(k), []byte(f), d)
			if err != nil {
				t.Fatal(err)
			}
			if m == nil {
				m = map[string]string{}
				model[k] = m
			}
			var cur int64
			fmt.Sscan(m[f], &cur)
			if n != cur+d {
				t.Fatalf("HIncrBy = %d, want %d", n, cur+d)
			}
			m[f] = fmt.Sprint(n)
		case 4:
			if got := htAll(t, db, k); !maps.Equal(got, m) {
				t.Fatalf("step %d: %s = %v, model %v", i, k, got, m)
			}
		}
		ops++
		if c := htMeta(t, db, k).Count; c != int64(len(model[k])) {
			t.Fatalf("step %d: Count %d, model has %d", i, c, len(model[k]))
		}
	}
	if ops == 0 {
		t.Fatal("no operations ran")
	}
	if db.KeyCount() != int64(len(model)) {
		t.Fatalf("KeyCount %d, model %d", db.KeyCount(), len(model))
	}
}
