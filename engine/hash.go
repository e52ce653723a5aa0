package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"

	badger "github.com/dgraph-io/badger/v4"
)

// Hashes. A hash is a meta record (TypeHash, Version, Count, Flags) plus
// one element key per field (DESIGN.md §3):
//
//	slot | 'e' | version | field → value
//
// Fields are therefore kept in byte order, and HGETALL, HKEYS, HVALS and
// HSCAN return them in that order (Redis answers in its listpack's
// insertion order or its hash table's order; neither is promised to
// clients). Point operations (HGET, HSET, HDEL, HEXISTS, HSTRLEN, HINCRBY…)
// read or write one Badger key per field named; only the commands that
// return the whole hash read all of it. Counts below: N is the number of
// fields in the hash, and Badger point reads and seeks count as O(log N).
//
// An empty hash does not exist: the write that removes the last field
// deletes the key. Meta.Count is the exact number of fields. MetaBig is set
// once the hash outgrows Redis' listpack encoding (a field or value longer
// than hash-max-listpack-value, or more than hash-max-listpack-entries
// fields) and is kept while the key lives, as Redis never converts back.

// Redis' default listpack limits for hashes.
const (
	hashMaxListpackEntries = 512 // hash-max-listpack-entries (Redis 7.0: 512, not zsets' 128)
	hashMaxListpackValue   = 64  // hash-max-listpack-value
)

// HashMaxFieldLen is the longest hash field the store accepts: a field is
// part of a Badger key, so the key limit applies.
const HashMaxFieldLen = MaxKeyLen

// hashMaxFloatLen is Redis' MAX_LONG_DOUBLE_CHARS: string2ld refuses
// strings this long or longer, as increments and as stored values.
const hashMaxFloatLen = 5 * 1024

// Errors of the hash operations; the resp package maps each to Redis' text.
var (
	// ErrHashNotInteger: HINCRBY on a field whose value is not an integer.
	ErrHashNotInteger = errors.New("engine: hash value is not an integer")
	// ErrHashNotFloat: HINCRBYFLOAT on a field whose value is not a float.
	ErrHashNotFloat = errors.New("engine: hash value is not a float")
	// ErrHashIncrNotFinite: an HINCRBYFLOAT increment that is infinite.
	ErrHashIncrNotFinite = errors.New("engine: increment is NaN or Infinity")
	// ErrHashFieldTooLarge: a field longer than HashMaxFieldLen.
	ErrHashFieldTooLarge = errors.New("engine: hash field too large")
)

// hashForWrite loads key for a write that creates the hash when it is
// missing (or expired): a live hash comes back as it is, anything else
// becomes a fresh empty hash that the caller must fill and put.
func (tx *Tx) hashForWrite(key []byte) (*Entry, error) {
	e, err := tx.loadType(key, TypeHash)
	if err != nil {
		return nil, err
	}
	if !e.live {
		if err := tx.newCollection(e, TypeHash); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// hashHas reports whether the hash e has field, without reading its value.
func (tx *Tx) hashHas(e *Entry, field []byte) (bool, error) {
	if len(field) > HashMaxFieldLen {
		return false, nil
	}
	_, ok, err := tx.lookup(e.Slot, elemKey(e, tagElement, field), false)
	if err != nil {
		return false, fmt.Errorf("read element: %w", err)
	}
	return ok, nil
}

// hashGet reads one field of the hash e.
func (tx *Tx) hashGet(e *Entry, field []byte) ([]byte, bool, error) {
	if len(field) > HashMaxFieldLen {
		return nil, false, nil
	}
	return tx.getElem(e, field)
}

// hashSetField writes field = val in the hash e, keeping Count and MetaBig
// exact, and reports whether the field is new. The caller puts e.
func (tx *Tx) hashSetField(e *Entry, field, val []byte) (bool, error) {
	if len(field) > HashMaxFieldLen {
		return false, ErrHashFieldTooLarge
	}
	had, err := tx.hashHas(e, field)
	if err != nil {
		return false, err
	}
	if err := tx.setElem(e, tagElement, field, val); err != nil {
		return false, err
	}
	if !had {
		e.Count++
	}
	if len(field) > hashMaxListpackValue || len(val) > hashMaxListpackValue {
		e.Flags |= MetaBig
	}
	hashCheckEntries(e)
	return !had, nil
}

// hashCheckEntries sets MetaBig once the hash has more fields than a
// listpack holds.
func hashCheckEntries(e *Entry) {
	if e.Count > hashMaxListpackEntries {
		e.Flags |= MetaBig
	}
}

// hashLive loads key for a read: nil (and no error) when it is missing.
func (tx *Tx) hashLive(key []byte) (*Entry, error) {
	e, err := tx.loadType(key, TypeHash)
	if err != nil || !e.live {
		return nil, err
	}
	return e, nil
}

// HSet implements HSET and HMSET: it sets the pairs (field, value, field,
// value…) in the hash at key, creating the hash, and returns how many of
// the fields are new. A field named twice takes its last value. As in
// Redis, any field or value longer than 64 bytes makes the hash big, even
// one that does not end up written. Badger keeps the slices until the
// write commits: callers must not modify them. O(P log N) for P pairs.
func (db *DB) HSet(key []byte, pairs [][]byte) (int64, error) {
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return 0, fmt.Errorf("engine: HSet needs field/value pairs, got %d arguments", len(pairs))
	}
	for i := 0; i < len(pairs); i += 2 {
		if len(pairs[i]) > HashMaxFieldLen {
			return 0, ErrHashFieldTooLarge
		}
	}
	var added int64
	err := db.update(func(tx *Tx) error {
		added = 0
		e, err := tx.hashForWrite(key)
		if err != nil {
			return err
		}
		for i := 0; i < len(pairs); i += 2 {
			isNew, err := tx.hashSetField(e, pairs[i], pairs[i+1])
			if err != nil {
				return err
			}
			if isNew {
				added++
			}
		}
		return tx.put(e)
	})
	return added, err
}

// HSetNX implements HSETNX: it sets field only when the hash at key does
// not have it (creating the hash), and reports whether it did. When the
// field exists nothing is written. O(log N).
func (db *DB) HSetNX(key, field, val []byte) (bool, error) {
	if len(field) > HashMaxFieldLen {
		return false, ErrHashFieldTooLarge
	}
	var done bool
	err := db.update(func(tx *Tx) error {
		done = false
		e, err := tx.hashForWrite(key)
		if err != nil {
			return err
		}
		if e.onDisk {
			has, err := tx.hashHas(e, field)
			if err != nil || has {
				return err
			}
		}
		if _, err := tx.hashSetField(e, field, val); err != nil {
			return err
		}
		done = true
		return tx.put(e)
	})
	return done, err
}

// HGet implements HGET: the value of field in the hash at key; ok is false
// when the key or the field is missing. O(log N).
func (db *DB) HGet(key, field []byte) (val []byte, ok bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.hashLive(key)
		if err != nil || e == nil {
			return err
		}
		val, ok, err = tx.hashGet(e, field)
		return err
	})
	return val, ok, err
}

// HMGet implements HMGET: the values of fields in the hash at key, nil for
// a missing field (all nil for a missing key). O(F log N) for F fields.
func (db *DB) HMGet(key []byte, fields [][]byte) ([][]byte, error) {
	out := make([][]byte, len(fields))
	err := db.view(func(tx *Tx) error {
		e, err := tx.hashLive(key)
		if err != nil || e == nil {
			return err
		}
		for i, f := range fields {
			v, ok, err := tx.hashGet(e, f)
			if err != nil {
				return err
			}
			if ok {
				if v == nil {
					v = []byte{}
				}
				out[i] = v
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HDel implements HDEL: it removes fields from the hash at key and returns
// how many existed. Removing the last field deletes the key; removing none
// writes nothing. O(F log N) for F fields.
func (db *DB) HDel(key []byte, fields [][]byte) (int64, error) {
	var n int64
	err := db.update(func(tx *Tx) error {
		n = 0
		e, err := tx.loadType(key, TypeHash)
		if err != nil || !e.live {
			return err
		}
		for _, f := range fields {
			has, err := tx.hashHas(e, f)
			if err != nil {
				return err
			}
			if !has {
				continue
			}
			if err := tx.delElem(e, tagElement, f); err != nil {
				return err
			}
			e.Count--
			n++
		}
		switch {
		case n == 0:
			return nil
		case e.Count <= 0:
			return tx.del(e)
		default:
			return tx.put(e)
		}
	})
	return n, err
}

// HExists implements HEXISTS. O(log N).
func (db *DB) HExists(key, field []byte) (bool, error) {
	var ok bool
	err := db.view(func(tx *Tx) error {
		e, err := tx.hashLive(key)
		if err != nil || e == nil {
			return err
		}
		ok, err = tx.hashHas(e, field)
		return err
	})
	return ok, err
}

// HLen implements HLEN: the number of fields of the hash at key, 0 when
// it is missing. O(1): it reads the meta record only.
func (db *DB) HLen(key []byte) (int64, error) {
	var n int64
	err := db.view(func(tx *Tx) error {
		e, err := tx.hashLive(key)
		if err != nil || e == nil {
			return err
		}
		n = e.Count
		return nil
	})
	return n, err
}

// HStrLen implements HSTRLEN: the length of the value of field, 0 when the
// key or the field is missing. O(log N).
func (db *DB) HStrLen(key, field []byte) (int64, error) {
	v, _, err := db.HGet(key, field)
	return int64(len(v)), err
}

// HIncrBy implements HINCRBY: it adds delta to the integer in field
// (missing counts as 0), creating the hash, and returns the new value.
// A value that is not an integer is ErrHashNotInteger, an out-of-range
// result ErrOverflow; on error nothing is written. O(log N).
func (db *DB) HIncrBy(key, field []byte, delta int64) (int64, error) {
	if len(field) > HashMaxFieldLen {
		return 0, ErrHashFieldTooLarge
	}
	var n int64
	err := db.update(func(tx *Tx) error {
		e, err := tx.hashForWrite(key)
		if err != nil {
			return err
		}
		var cur int64
		if e.onDisk {
			old, ok, err := tx.hashGet(e, field)
			if err != nil {
				return err
			}
			if ok {
				v, isInt := ParseInt(old)
				if !isInt {
					return ErrHashNotInteger
				}
				cur = v
			}
		}
		if (delta < 0 && cur < 0 && delta < -1<<63-cur) || (delta > 0 && cur > 0 && delta > 1<<63-1-cur) {
			return ErrOverflow
		}
		n = cur + delta
		if _, err := tx.hashSetField(e, field, strconv.AppendInt(nil, n, 10)); err != nil {
			return err
		}
		return tx.put(e)
	})
	return n, err
}

// hashParseFloat parses a float as Redis' string2ld: like strtold, but
// refusing strings of hashMaxFloatLen bytes or more.
func hashParseFloat(b []byte) (*big.Float, bool) {
	if len(b) >= hashMaxFloatLen {
		return nil, false
	}
	return parseLongDouble(b)
}

// HIncrByFloat implements HINCRBYFLOAT: it adds delta (a decimal string)
// to the number in field (missing counts as 0), creating the hash, and
// returns the stored result, formatted like INCRBYFLOAT. Errors, in Redis'
// order: ErrNotFloat for a delta that does not parse, ErrHashIncrNotFinite
// for an infinite delta, ErrWrongType, ErrHashNotFloat for a stored value
// that does not parse, ErrNaNOrInfinity for an infinite result. On error
// nothing is written. O(log N).
func (db *DB) HIncrByFloat(key, field, delta []byte) ([]byte, error) {
	d, ok := hashParseFloat(delta)
	if !ok {
		return nil, ErrNotFloat
	}
	if d.IsInf() {
		return nil, ErrHashIncrNotFinite
	}
	if len(field) > HashMaxFieldLen {
		return nil, ErrHashFieldTooLarge
	}
	var out []byte
	err := db.update(func(tx *Tx) error {
		e, err := tx.hashForWrite(key)
		if err != nil {
			return err
		}
		cur := newLongDouble()
		if e.onDisk {
			old, ok, err := tx.hashGet(e, field)
			if err != nil {
				return err
			}
			if ok {
				v, isFloat := hashParseFloat(old)
				if !isFloat {
					return ErrHashNotFloat
				}
				cur = v
			}
		}
		sum, ok := addLongDouble(cur, d)
		if !ok {
			return ErrNaNOrInfinity
		}
		out = formatLongDouble(sum)
		if _, err := tx.hashSetField(e, field, out); err != nil {
			return err
		}
		return tx.put(e)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hashCollect returns the fields and/or values of the hash at key, in
// field order.
func (db *DB) hashCollect(key []byte, fields, values bool) ([][]byte, error) {
	var out [][]byte
	err := db.view(func(tx *Tx) error {
		e, err := tx.hashLive(key)
		if err != nil || e == nil {
			return err
		}
		n := e.Count
		if fields && values {
			n *= 2
		}
		out = make([][]byte, 0, n)
		return tx.scanElems(e, tagElement, nil, false, func(f, v []byte) (bool, error) {
			if fields {
				out = append(out, append([]byte{}, f...))
			}
			if values {
				out = append(out, hashNonNil(v))
			}
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hashNonNil turns a nil value (an empty one, as Badger returns it) into an
// empty slice, so callers can tell empty values from missing ones.
func hashNonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}

// HGetAll implements HGETALL: field, value, field, value… of the hash at
// key in field order; empty when the key is missing. O(N).
func (db *DB) HGetAll(key []byte) ([][]byte, error) { return db.hashCollect(key, true, true) }

// HKeys implements HKEYS: the fields of the hash at key in order. O(N).
func (db *DB) HKeys(key []byte) ([][]byte, error) { return db.hashCollect(key, true, false) }

// HVals implements HVALS: the values of the hash at key, in field order.
// O(N).
func (db *DB) HVals(key []byte) ([][]byte, error) { return db.hashCollect(key, false, true) }

// HSCAN cursors. A cursor names a position in field order, so every
// field that exists for the whole iteration is returned (some perhaps
// twice), whatever is added or removed meanwhile. Fields usually share a
// long prefix ("user:…"), so the position is written relative to the
// prefix P common to the hash's first and last field: up to 4 bytes of
// the next field after P, with P's length and a 22-bit hash of P to find
// P again on the next call.
//
//	bits 63-61  n, the number of bytes after P (1…4)
//	bits 60-54  len(P) (P is cut at 127 bytes)
//	bits 53-32  FNV-1a hash of P, low 22 bits
//	bits 31-0   the n bytes after P, left-aligned
//
// 0 starts and ends an iteration; n ≥ 1 makes every other cursor
// non-zero. On the next call P is the current first and last field's
// common prefix cut to len(P) when both still share it; otherwise (a
// field outside P was added) the distinct len(P)-byte prefixes of the
// fields are searched for the one with P's hash, and when that is not a
// single one the iteration starts over: duplicates, never misses.
const (
	hscanTail  = 4   // bytes after P a cursor holds
	hscanMaxP  = 127 // longest P a cursor names
	hscanProbe = 64  // prefixes tried when looking for P again
)

func hscanHash(p []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range p {
		h ^= uint32(c)
		h *= 16777619
	}
	return h & (1<<22 - 1)
}

// encodeHashCursor names the position of field f, whose first plen bytes
// are the common prefix P.
func encodeHashCursor(f []byte, plen int) uint64 {
	tail := f[plen:min(len(f), plen+hscanTail)]
	var t [4]byte
	copy(t[:], tail)
	return uint64(len(tail))<<61 | uint64(plen)<<54 | uint64(hscanHash(f[:plen]))<<32 | uint64(binary.BigEndian.Uint32(t[:]))
}

// decodeHashCursor splits a cursor. Cursors kvnode did not make decode to
// some position too; nothing is invalid.
func decodeHashCursor(c uint64) (plen int, hash uint32, tail []byte) {
	n := min(int(c>>61), hscanTail)
	var t [4]byte
	binary.BigEndian.PutUint32(t[:], uint32(c))
	return int(c>>54) & hscanMaxP, uint32(c>>32) & (1<<22 - 1), t[:n]
}

// hashBounds returns the first and last field of e.
func (tx *Tx) hashBounds(e *Entry) (first, last []byte, err error) {
	err = tx.scanElems(e, tagElement, nil, false, func(f, _ []byte) (bool, error) {
		first = append([]byte{}, f...)
		return false, nil
	})
	if err != nil {
		return nil, nil, err
	}
	err = tx.scanElems(e, tagElement, nil, true, func(f, _ []byte) (bool, error) {
		last = append([]byte{}, f...)
		return false, nil
	})
	return first, last, err
}

func hashCommonPrefix(a, b []byte) []byte {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}

// hashFindPrefix looks for the one plen-byte prefix of e's fields whose
// hash is h, trying at most hscanProbe distinct prefixes; nil when there
// is none, more than one, or too many to try.
func (tx *Tx) hashFindPrefix(e *Entry, plen int, h uint32) ([]byte, error) {
	p := elementPrefix(e.Slot, tagElement, e.Version)
	it := tx.newIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
	defer it.Close()
	var found []byte
	matches, steps := 0, 0
	for it.Seek(p); it.ValidForPrefix(p) && steps < hscanProbe; steps++ {
		f := it.Item().Key()[len(p):]
		if len(f) < plen {
			it.Next()
			continue
		}
		cand := append([]byte{}, f[:plen]...)
		if hscanHash(cand) == h {
			matches++
			found = cand
		}
		end := hashPrefixEnd(cand)
		if end == nil {
			return hashOneMatch(found, matches), nil
		}
		it.Seek(append(append([]byte{}, p...), end...))
	}
	if it.ValidForPrefix(p) {
		return nil, nil // too many prefixes to tell
	}
	return hashOneMatch(found, matches), nil
}

func hashOneMatch(found []byte, matches int) []byte {
	if matches != 1 {
		return nil
	}
	return found
}

// hashPrefixEnd returns the smallest string above every string with prefix p
// (p without its trailing 0xff bytes, last byte incremented), or nil when
// there is none (p is all 0xff bytes).
func hashPrefixEnd(p []byte) []byte {
	end := append([]byte{}, p...)
	for len(end) > 0 && end[len(end)-1] == 0xff {
		end = end[:len(end)-1]
	}
	if len(end) == 0 {
		return nil
	}
	end[len(end)-1]++
	return end
}

// HScan implements HSCAN: from cursor on, it examines about count fields
// and returns the pairs (field, value, …) whose field match accepts (nil
// accepts all), and the cursor to continue with (0 when done). A hash
// Redis would keep as a listpack is returned whole in one call, with
// cursor 0, whatever the cursor and count, as Redis does. Fields that
// share the 4 bytes after the common prefix with the cursor's position
// are examined in one call however many there are, so the cursor always
// moves forward. O((count + 3) log N) per call; O(N) for a small hash,
// whose N ≤ 512.
func (db *DB) HScan(key []byte, cursor uint64, count int, match func(field []byte) bool) (next uint64, pairs [][]byte, err error) {
	count = max(count, 1)
	err = db.view(func(tx *Tx) error {
		next, pairs = 0, nil
		e, err := tx.hashLive(key)
		if err != nil || e == nil {
			return err
		}
		add := func(f, v []byte) {
			if match == nil || match(f) {
				pairs = append(pairs, append([]byte{}, f...), hashNonNil(v))
			}
		}
		if e.Flags&MetaBig == 0 {
			return tx.scanElems(e, tagElement, nil, false, func(f, v []byte) (bool, error) {
				add(f, v)
				return true, nil
			})
		}
		first, last, err := tx.hashBounds(e)
		if err != nil || first == nil {
			return err
		}
		P := hashCommonPrefix(first, last)
		P = P[:min(len(P), hscanMaxP)]
		var start, base []byte
		if cursor != 0 {
			plen, h, tail := decodeHashCursor(cursor)
			switch {
			case len(first) >= plen && len(last) >= plen && string(first[:plen]) == string(last[:plen]) && hscanHash(first[:plen]) == h:
				base = first[:plen]
			default:
				if base, err = tx.hashFindPrefix(e, plen, h); err != nil {
					return err
				}
			}
			if base != nil {
				start = append(append([]byte{}, base...), tail...)
			}
			// else: P is lost; start over.
		}
		seen := 0
		return tx.scanElems(e, tagElement, start, false, func(f, v []byte) (bool, error) {
			if seen >= count {
				// The next cursor is written against P, or against the
				// longer prefix this call started from while f has it.
				plen := len(P)
				if len(base) > plen && len(f) >= len(base) && string(f[:len(base)]) == string(base) {
					plen = len(base)
				}
				pos := f[:min(len(f), plen+hscanTail)]
				if len(f) > plen && string(pos) > string(start) {
					next = encodeHashCursor(f, plen)
					return false, nil
				}
			}
			seen++
			add(f, v)
			return true, nil
		})
	})
	if err != nil {
		return 0, nil, err
	}
	return next, pairs, nil
}

// HRANDFIELD sampling. Exact (uniform) sampling needs the positions of
// fields, which only a pass over the hash gives; it is used when the hash
// is small, or when the count is large enough that a pass costs less than
// seeking for every pick. Otherwise each pick descends the hash's fields
// like a trie with a few seeks per level (see hashSampler).
const (
	// hrandExactMax is the largest hash sampled exactly whatever the
	// count: Redis' listpack limit, below which Redis also reads it all.
	hrandExactMax = hashMaxListpackEntries
	// hrandSeekCost is about how many fields a pass reads in the time one
	// pick by seeks takes: with size ≤ |count|·hrandSeekCost a pass wins.
	hrandSeekCost = 32
	// hrandSeekTries bounds the picks spent looking for distinct fields,
	// per field wanted, before falling back to an exact pass.
	hrandSeekTries = 8
)

// HRandField implements HRANDFIELD with a count. count > 0 asks for that
// many distinct fields (the whole hash when it has fewer); count < 0 for
// -count fields drawn independently, repeats allowed; 0 for none. Nothing
// is called when the key is missing (or count is 0); otherwise start is
// called once with the number of picks, then emit once per pick, with the
// value when withValues is set (nil otherwise). The slices passed to emit
// are valid only during the call. count must not be math.MinInt64.
//
// Picks are uniform when the hash has at most 512 fields (a listpack in
// Redis, which reads it all too) or size ≤ 32·|count|; then one pass
// reads the hash: O(N + |count|).
// Otherwise each pick costs O(L log N) seeks, L the depth at which the
// fields' common prefixes split into groups of 16 or fewer, and picks are
// uniform among fields only as far as sibling groups are of equal size
// (true of counters, UUIDs, hex and random fields; skewed layouts favour
// fields in small groups).
func (db *DB) HRandField(key []byte, count int64, withValues bool, start func(n int64), emit func(field, value []byte)) error {
	if count == 0 {
		// Redis checks the key's type before it serves a zero count.
		return db.view(func(tx *Tx) error {
			_, err := tx.hashLive(key)
			return err
		})
	}
	return db.view(func(tx *Tx) error {
		e, err := tx.hashLive(key)
		if err != nil || e == nil {
			return err
		}
		size := e.Count
		want := count
		if want < 0 {
			want = -want
		}
		exact := size <= hrandExactMax || want >= size/hrandSeekCost
		switch {
		case count < 0 && (size <= hrandExactMax || want >= size):
			// Picks are drawn from the whole hash held in memory, so a
			// huge count costs its reply and no more.
			fields, values, err := tx.hashLoad(e, withValues)
			if err != nil || len(fields) == 0 {
				return err
			}
			start(want)
			for i := int64(0); i < want; i++ {
				j := rand.IntN(len(fields))
				emit(fields[j], hashValueAt(values, j))
			}
			return nil
		case count < 0 && exact:
			fields, values, err := tx.hashRepeatExact(e, size, want, withValues)
			if err != nil {
				return err
			}
			hashEmitAll(fields, values, start, emit)
			return nil
		case count < 0:
			s, err := tx.newHashSampler(e, withValues)
			if err != nil || s == nil {
				return err
			}
			defer s.close()
			start(want)
			for i := int64(0); i < want; i++ {
				f, v, err := s.pick()
				if err != nil {
					return err
				}
				emit(f, v)
			}
			return nil
		case want >= size:
			fields, values, err := tx.hashLoad(e, withValues)
			if err != nil {
				return err
			}
			hashEmitAll(fields, values, start, emit)
			return nil
		case exact:
			fields, values, err := tx.hashPickExact(e, size, want, withValues)
			if err != nil {
				return err
			}
			hashEmitAll(fields, values, start, emit)
			return nil
		default:
			fields, values, err := tx.hashPickSeek(e, size, want, withValues)
			if err != nil {
				return err
			}
			hashEmitAll(fields, values, start, emit)
			return nil
		}
	})
}

func hashValueAt(values [][]byte, i int) []byte {
	if values == nil {
		return nil
	}
	return values[i]
}

func hashEmitAll(fields, values [][]byte, start func(int64), emit func(f, v []byte)) {
	if len(fields) == 0 {
		return
	}
	start(int64(len(fields)))
	for i, f := range fields {
		emit(f, hashValueAt(values, i))
	}
}

// hashLoad reads every field (and value) of e. O(N).
func (tx *Tx) hashLoad(e *Entry, withValues bool) (fields, values [][]byte, err error) {
	fields = make([][]byte, 0, e.Count)
	if withValues {
		values = make([][]byte, 0, e.Count)
	}
	err = tx.scanElems(e, tagElement, nil, false, func(f, v []byte) (bool, error) {
		fields = append(fields, append([]byte{}, f...))
		if withValues {
			values = append(values, hashNonNil(v))
		}
		return true, nil
	})
	return fields, values, err
}

// hashRepeatExact draws want positions uniformly with repeats and reads
// them in one pass, keeping only the fields drawn; the picks come back in
// the order drawn. O(N + want log want).
func (tx *Tx) hashRepeatExact(e *Entry, size, want int64, withValues bool) (fields, values [][]byte, err error) {
	picks := make([]int64, want)
	for i := range picks {
		picks[i] = rand.Int64N(size)
	}
	need := slices.Clone(picks)
	slices.Sort(need)
	need = slices.Compact(need)
	at := make(map[int64]int, len(need)) // position → index in got
	var gotF, gotV [][]byte
	var i int64
	next := 0
	err = tx.scanElems(e, tagElement, nil, false, func(f, v []byte) (bool, error) {
		if i == need[next] {
			at[i] = len(gotF)
			gotF = append(gotF, append([]byte{}, f...))
			if withValues {
				gotV = append(gotV, hashNonNil(v))
			}
			next++
		}
		i++
		return next < len(need), nil
	})
	if err != nil {
		return nil, nil, err
	}
	fields = make([][]byte, 0, want)
	if withValues {
		values = make([][]byte, 0, want)
	}
	for _, p := range picks {
		j, ok := at[p]
		if !ok {
			continue // Count was above the fields found: never expected
		}
		fields = append(fields, gotF[j])
		if withValues {
			values = append(values, gotV[j])
		}
	}
	return fields, values, nil
}

// hashPickExact picks want distinct fields of e uniformly (Floyd's
// algorithm over positions) and reads them in one pass, then shuffles
// them. O(N).
func (tx *Tx) hashPickExact(e *Entry, size, want int64, withValues bool) (fields, values [][]byte, err error) {
	chosen := make([]uint64, (size+63)/64)
	isSet := func(i int64) bool { return chosen[i/64]&(1<<(i%64)) != 0 }
	for j := size - want; j < size; j++ {
		t := rand.Int64N(j + 1)
		if isSet(t) {
			t = j
		}
		chosen[t/64] |= 1 << (t % 64)
	}
	fields = make([][]byte, 0, want)
	if withValues {
		values = make([][]byte, 0, want)
	}
	var i int64
	err = tx.scanElems(e, tagElement, nil, false, func(f, v []byte) (bool, error) {
		if i >= size {
			return false, nil
		}
		if isSet(i) {
			fields = append(fields, append([]byte{}, f...))
			if withValues {
				values = append(values, hashNonNil(v))
			}
		}
		i++
		return int64(len(fields)) < want, nil
	})
	if err != nil {
		return nil, nil, err
	}
	rand.Shuffle(len(fields), func(a, b int) {
		fields[a], fields[b] = fields[b], fields[a]
		if values != nil {
			values[a], values[b] = values[b], values[a]
		}
	})
	return fields, values, nil
}

// hashPickSeek picks want distinct fields of e with the sampler, falling
// back to an exact pass when too many picks land on fields already taken.
// O(want · L log N) normally.
func (tx *Tx) hashPickSeek(e *Entry, size, want int64, withValues bool) (fields, values [][]byte, err error) {
	s, err := tx.newHashSampler(e, withValues)
	if err != nil || s == nil {
		return nil, nil, err
	}
	defer s.close()
	seen := make(map[string]struct{}, want)
	for tries := want * hrandSeekTries; int64(len(fields)) < want && tries > 0; tries-- {
		f, v, err := s.pick()
		if err != nil {
			return nil, nil, err
		}
		if _, dup := seen[string(f)]; dup {
			continue
		}
		seen[string(f)] = struct{}{}
		fields = append(fields, f)
		if withValues {
			values = append(values, v)
		}
	}
	if int64(len(fields)) < want {
		s.close()
		return tx.hashPickExact(e, size, want, withValues)
	}
	return fields, values, nil
}

// Sampler limits.
const (
	// hashLeafMax: a group of fields sharing a prefix is picked from
	// directly (uniformly) once it has at most this many.
	hashLeafMax = 16
	// hashChildTries bounds the draws for one level's next byte.
	hashChildTries = 64
)

// hashSampler picks random fields of one hash without reading it all. It
// walks the fields as a trie: from the prefix P all fields share, when at
// most 16 fields start with P one of them is taken uniformly; otherwise
// the next byte is drawn uniformly between the smallest and largest next
// byte under P, redrawn until it is a byte some field has there, so every
// existing next byte is equally likely (P itself, when it is a field, is
// one more choice taken at one chance in 17), and the walk goes on one
// level down. Sibling groups of equal size (counters over whole decades,
// UUIDs, hex, random bytes) make picks uniform; a small group among big
// ones (the last, partial decade of a counter) is picked as often as each
// big one.
//
// What a walk learns of a prefix (its byte range, which next bytes exist
// or not, its fields when they are few) is kept for the sampler's later
// picks, so the top levels cost no seek after the first picks. A level
// seen for the first time costs a forward seek with up to 17 steps, a
// reverse seek and a forward seek per unknown byte drawn.
type hashSampler struct {
	fwd, rev   *badger.Iterator
	prefix     []byte // element prefix of the hash's version
	root       []byte // the prefix every field shares
	last       []byte // the last field
	withValues bool
	closed     bool
	nodes      map[string]*hashNode
}

// hashNode is what the sampler knows of the fields with one prefix P.
type hashNode struct {
	leaf   [][]byte // all the fields, when there are at most hashLeafMax
	self   bool     // P itself is a field
	lo, hi byte     // the smallest and largest next byte under P
	// present and absent mark next bytes known to exist, or not, under P.
	present, absent [4]uint64
}

func hashBitIs(set *[4]uint64, b byte) bool { return set[b>>6]&(1<<(b&63)) != 0 }
func hashBitSet(set *[4]uint64, b byte)     { set[b>>6] |= 1 << (b & 63) }

// newHashSampler returns a sampler over e, or nil when e has no field.
func (tx *Tx) newHashSampler(e *Entry, withValues bool) (*hashSampler, error) {
	first, last, err := tx.hashBounds(e)
	if err != nil || first == nil || last == nil {
		return nil, err
	}
	p := elementPrefix(e.Slot, tagElement, e.Version)
	return &hashSampler{
		fwd:        tx.newIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false}),
		rev:        tx.newIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false, Reverse: true}),
		prefix:     p,
		root:       hashCommonPrefix(first, last),
		last:       last,
		withValues: withValues,
		nodes:      make(map[string]*hashNode),
	}, nil
}

// key returns the Badger key of the concatenated field parts.
func (s *hashSampler) key(parts ...[]byte) []byte {
	k := append([]byte{}, s.prefix...)
	for _, part := range parts {
		k = append(k, part...)
	}
	return k
}

// node returns what is known of prefix P, reading it the first time.
func (s *hashSampler) node(P []byte) (*hashNode, error) {
	if n, ok := s.nodes[string(P)]; ok {
		return n, nil
	}
	kp := s.key(P)
	var group [][]byte
	for s.fwd.Seek(kp); s.fwd.ValidForPrefix(kp) && len(group) <= hashLeafMax; s.fwd.Next() {
		group = append(group, append([]byte{}, s.fwd.Item().Key()[len(s.prefix):]...))
	}
	if len(group) == 0 {
		return nil, fmt.Errorf("engine: hash sampler lost prefix %q", P)
	}
	n := &hashNode{}
	if len(group) <= hashLeafMax {
		n.leaf = group
	} else {
		d := len(P)
		n.self = len(group[0]) == d
		if n.self {
			n.lo = group[1][d]
		} else {
			n.lo = group[0][d]
		}
		hi, err := s.lastByte(P)
		if err != nil {
			return nil, err
		}
		n.hi = hi
		for _, f := range group {
			if len(f) > d {
				hashBitSet(&n.present, f[d])
			}
		}
	}
	s.nodes[string(P)] = n
	return n, nil
}

// pick returns one random field (and its value), as copies.
func (s *hashSampler) pick() (field, value []byte, err error) {
	P := append([]byte{}, s.root...)
	for {
		n, err := s.node(P)
		if err != nil {
			return nil, nil, err
		}
		if n.leaf != nil {
			return s.read(n.leaf[rand.IntN(len(n.leaf))])
		}
		choice := -1
		for try := 0; try < hashChildTries && choice < 0; try++ {
			r := int(n.lo) + rand.IntN(int(n.hi)-int(n.lo)+2) - 1 // lo-1 stands for P itself
			if r < int(n.lo) {
				// P itself is one field against more than hashLeafMax
				// under it: take it at one chance in hashLeafMax+1.
				if n.self && rand.IntN(hashLeafMax+1) == 0 {
					return s.read(P)
				}
				continue
			}
			b := byte(r)
			switch {
			case hashBitIs(&n.present, b):
				choice = r
				continue
			case hashBitIs(&n.absent, b) && try < hashChildTries-1:
				continue
			}
			c, err := s.nextByte(P, b)
			if err != nil {
				return nil, nil, err
			}
			// No field has a next byte in [b, c).
			for x := r; x < int(c); x++ {
				hashBitSet(&n.absent, byte(x))
			}
			hashBitSet(&n.present, c)
			if c == b || try == hashChildTries-1 {
				choice = int(c)
			}
		}
		if choice < 0 { // only draws of P itself
			choice = int(n.lo)
		}
		P = append(P, byte(choice))
	}
}

// nextByte returns the byte at len(P) of the first field ≥ P+b, which
// exists and has prefix P when b is at most the largest such byte.
func (s *hashSampler) nextByte(P []byte, b byte) (byte, error) {
	kp := s.key(P)
	s.fwd.Seek(s.key(P, []byte{b}))
	if !s.fwd.ValidForPrefix(kp) || len(s.fwd.Item().Key()) <= len(kp) {
		return 0, fmt.Errorf("engine: hash sampler found no field under %q at byte %d", P, b)
	}
	return s.fwd.Item().Key()[len(kp)], nil
}

// lastByte returns the byte at len(P) of the last field with prefix P
// (which has more than one field, so that field is longer than P).
func (s *hashSampler) lastByte(P []byte) (byte, error) {
	kp := s.key(P)
	if end := hashPrefixEnd(P); end == nil {
		// P is all 0xff: its last field is the hash's last field.
		s.rev.Seek(s.key(s.last))
	} else {
		ke := s.key(end)
		s.rev.Seek(ke)
		if s.rev.Valid() && string(s.rev.Item().Key()) == string(ke) {
			s.rev.Next()
		}
	}
	if !s.rev.ValidForPrefix(kp) || len(s.rev.Item().Key()) <= len(kp) {
		return 0, fmt.Errorf("engine: hash sampler found no last field under %q", P)
	}
	return s.rev.Item().Key()[len(kp)], nil
}

// read returns field f and, when wanted, its value.
func (s *hashSampler) read(f []byte) ([]byte, []byte, error) {
	f = append([]byte{}, f...)
	if !s.withValues {
		return f, nil, nil
	}
	k := s.key(f)
	s.fwd.Seek(k)
	if !s.fwd.Valid() || string(s.fwd.Item().Key()) != string(k) {
		return nil, nil, fmt.Errorf("engine: hash sampler lost field %q", f)
	}
	v, err := s.fwd.Item().ValueCopy(nil)
	if err != nil {
		return nil, nil, fmt.Errorf("read element value: %w", err)
	}
	return f, hashNonNil(v), nil
}

func (s *hashSampler) close() {
	if !s.closed {
		s.closed = true
		s.fwd.Close()
		s.rev.Close()
	}
}

// dumpHash fills p with the hash e for DUMP: p.typ = TypeHash and p.elems
// = field, value, field, value… in field order. O(N).
func (tx *Tx) dumpHash(e *Entry, p *payload) error {
	p.typ = TypeHash
	p.elems = make([][]byte, 0, 2*e.Count)
	return tx.scanElems(e, tagElement, nil, false, func(f, v []byte) (bool, error) {
		p.elems = append(p.elems, append([]byte{}, f...), hashNonNil(v))
		return true, nil
	})
}

// restoreHash writes the hash of a RESTORE payload (field, value, … with
// distinct fields, as decodePayload guarantees) into e, a fresh empty
// collection from newCollection, sets its Count and MetaBig as Redis'
// RDB loading would, and puts it (keeping whatever TTL the caller set).
// A field longer than HashMaxFieldLen is ErrHashFieldTooLarge. The
// payload's slices are kept until commit. O(N).
func (tx *Tx) restoreHash(e *Entry, p *payload) error {
	if p.typ != TypeHash || len(p.elems) == 0 || len(p.elems)%2 != 0 {
		return fmt.Errorf("restore hash: %w", ErrBadDataFormat)
	}
	e.Type = TypeHash
	e.Count = 0
	for i := 0; i < len(p.elems); i += 2 {
		f, v := p.elems[i], p.elems[i+1]
		if len(f) > HashMaxFieldLen {
			return ErrHashFieldTooLarge
		}
		if err := tx.setElem(e, tagElement, f, v); err != nil {
			return err
		}
		e.Count++
		if len(f) > hashMaxListpackValue || len(v) > hashMaxListpackValue {
			e.Flags |= MetaBig
		}
	}
	hashCheckEntries(e)
	return tx.put(e)
}
