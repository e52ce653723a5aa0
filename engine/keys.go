package engine

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/kvnode/kvnode/slots"
)

// Keyspace operations that work on keys of any type.

// Del deletes keys and returns how many existed.
func (db *DB) Del(keys [][]byte) (int64, error) {
	var n int64
	err := db.update(func(tx *Tx) error {
		n = 0
		for _, k := range keys {
			e, err := tx.load(k)
			if err != nil {
				return err
			}
			if e.live {
				n++
			}
			if err := tx.del(e); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// Exists counts how many of keys exist (a key named twice counts twice).
func (db *DB) Exists(keys [][]byte) (int64, error) {
	var n int64
	err := db.view(func(tx *Tx) error {
		for _, k := range keys {
			e, err := tx.load(k)
			if err != nil {
				return err
			}
			if e.live {
				n++
			}
		}
		return nil
	})
	return n, err
}

// TypeOf returns the type of key (TypeNone when missing).
func (db *DB) TypeOf(key []byte) (Type, error) {
	var t Type
	err := db.view(func(tx *Tx) error {
		e, err := tx.load(key)
		if err == nil && e.live {
			t = e.Type
		}
		return err
	})
	return t, err
}

// ExpireCond is EXPIRE's NX/XX/GT/LT option.
type ExpireCond int

// Expire conditions.
const (
	ExpireAlways ExpireCond = iota
	ExpireNX                // only when the key has no TTL
	ExpireXX                // only when the key has a TTL
	ExpireGT                // only when the new TTL is greater (no TTL = infinite)
	ExpireLT                // only when the new TTL is less (no TTL = infinite)
	ExpireXXLT              // XX and LT: a TTL exists and the new one is less
)

// Expire sets key's expire time to at (unix ms). A time not in the future
// deletes the key. It reports whether the key existed and the condition held.
func (db *DB) Expire(key []byte, at int64, cond ExpireCond) (bool, error) {
	var ok bool
	err := db.update(func(tx *Tx) error {
		ok = false
		e, err := tx.load(key)
		if err != nil || !e.live {
			return err
		}
		cur := e.ExpireAt
		switch cond {
		case ExpireNX:
			if cur != 0 {
				return nil
			}
		case ExpireXX:
			if cur == 0 {
				return nil
			}
		case ExpireGT:
			if cur == 0 || at <= cur {
				return nil
			}
		case ExpireLT:
			if cur != 0 && at >= cur {
				return nil
			}
		case ExpireXXLT:
			if cur == 0 || at >= cur {
				return nil
			}
		}
		ok = true
		if at <= tx.now {
			return tx.del(e)
		}
		e.ExpireAt = at
		return tx.put(e)
	})
	return ok, err
}

// ExpireTime returns key's expire time in unix ms and the current time used
// to judge it; exists is false for a missing key and at is 0 for no TTL.
func (db *DB) ExpireTime(key []byte) (at, now int64, exists bool, err error) {
	err = db.view(func(tx *Tx) error {
		now = tx.now
		e, err := tx.load(key)
		if err != nil || !e.live {
			return err
		}
		exists, at = true, e.ExpireAt
		return nil
	})
	return at, now, exists, err
}

// Persist removes key's TTL and reports whether it had one.
func (db *DB) Persist(key []byte) (bool, error) {
	var ok bool
	err := db.update(func(tx *Tx) error {
		e, err := tx.load(key)
		if err != nil || !e.live || e.ExpireAt == 0 {
			return err
		}
		ok = true
		e.ExpireAt = 0
		return tx.put(e)
	})
	return ok, err
}

// Touch counts the existing keys among keys.
func (db *DB) Touch(keys [][]byte) (int64, error) { return db.Exists(keys) }

// Rename moves src to dst, keeping its TTL. With nx it does nothing and
// returns false when dst exists. A missing src is ErrNoSuchKey.
func (db *DB) Rename(src, dst []byte, nx bool) (bool, error) {
	var ok bool
	err := db.update(func(tx *Tx) error {
		s, err := tx.load(src)
		if err != nil {
			return err
		}
		if !s.live {
			return ErrNoSuchKey
		}
		if string(src) == string(dst) {
			ok = !nx
			return nil
		}
		d, err := tx.load(dst)
		if err != nil {
			return err
		}
		if nx && d.live {
			return nil
		}
		if err := tx.moveValue(s, d, true); err != nil {
			return err
		}
		ok = true
		return nil
	})
	return ok, err
}

// Copy copies src to dst (with its TTL). Without replace an existing dst
// makes it return false.
func (db *DB) Copy(src, dst []byte, replace bool) (bool, error) {
	var ok bool
	err := db.update(func(tx *Tx) error {
		s, err := tx.load(src)
		if err != nil || !s.live {
			return err
		}
		if string(src) == string(dst) {
			return nil
		}
		d, err := tx.load(dst)
		if err != nil {
			return err
		}
		if d.live && !replace {
			return nil
		}
		if err := tx.moveValue(s, d, false); err != nil {
			return err
		}
		ok = true
		return nil
	})
	return ok, err
}

// moveValue writes src's value and TTL into dst (replacing it) and, when
// move is set, deletes src. A collection moved within its slot keeps its
// version, so only meta records are written; otherwise its elements are
// copied under a new version.
func (tx *Tx) moveValue(src, dst *Entry, move bool) error {
	if dst.onDisk {
		if err := tx.del(dst); err != nil {
			return err
		}
	}
	switch {
	case src.Type == TypeString:
		dst.Meta = Meta{Type: TypeString, ExpireAt: src.ExpireAt, Value: src.Value, Flags: src.Flags}
	case move && src.Slot == dst.Slot:
		dst.Meta = src.Meta
		if err := tx.put(dst); err != nil {
			return err
		}
		return tx.delMetaOnly(src)
	default:
		if err := tx.copyElements(src, dst); err != nil {
			return err
		}
	}
	if err := tx.put(dst); err != nil {
		return err
	}
	if move {
		return tx.del(src)
	}
	return nil
}

// FlushAll deletes every key.
func (db *DB) FlushAll() error {
	db.gate.mu.Lock()
	defer db.gate.mu.Unlock()
	if err := db.commitAndWaitLocked(); err != nil {
		return fmt.Errorf("flushall: %w", err)
	}
	if err := db.bdb.DropAll(); err != nil {
		return fmt.Errorf("flushall: %w", err)
	}
	// Readers that began before now must not refill the cache with what
	// their snapshots saw.
	g := db.cache.writeSeq.Add(1)
	for s := range db.cache.lastWrite {
		db.cache.lastWrite[s].Store(g)
	}
	db.cache.clear()
	// DropAll removed the version ceiling too: persist it again.
	if err := db.persistCeiling(db.version.Load() + versionBlock); err != nil {
		return err
	}
	for s := range db.garbageHint {
		db.garbageHint[s].Store(false)
	}
	if h := db.touchHook.Load(); h != nil {
		(*h)(nil)
	}
	for s := range db.keys {
		db.keys[s].Store(0)
		db.expires[s].Store(0)
		db.expireSecs[s].Store(0)
		db.nextExpiry[s].Store(0)
	}
	return nil
}

// ScanFilter decides whether SCAN/KEYS returns a key of type t.
type ScanFilter func(key []byte, t Type) bool

// Scan returns about count live keys from cursor on, and the cursor to
// continue with (0 when done). A cursor names a slot and the first bytes of
// the next key, so keys that exist for the whole iteration are returned at
// least once even when others are added or removed.
//
// Cursor bits: slot (14) | prefix length (3) | up to 5 prefix bytes (40).
func (db *DB) Scan(cursor uint64, count int, filter ScanFilter) (uint64, [][]byte, error) {
	slot := int(cursor >> 43)
	if slot >= slots.Count {
		return 0, nil, nil
	}
	plen := int(cursor>>40) & 7
	if plen > 5 {
		plen = 5
	}
	var pbuf [5]byte
	binary.BigEndian.PutUint32(pbuf[1:], uint32(cursor))
	pbuf[0] = byte(cursor >> 32)
	start := pbuf[:plen]
	var out [][]byte
	var next uint64
	err := db.view(func(tx *Tx) error {
		it := tx.newIterator(badger.IteratorOptions{PrefetchValues: false})
		defer it.Close()
		seen := 0
		for ; slot < slots.Count; slot, start = slot+1, nil {
			if db.keys[slot].Load() == 0 {
				continue
			}
			p := slotPrefix(slot, tagMeta)
			seek := append(append([]byte{}, p...), start...)
			for it.Seek(seek); it.ValidForPrefix(p); it.Next() {
				key := it.Item().Key()[3:]
				if seen >= count {
					// Stop here unless the cursor could not move forward.
					np := key[:min(len(key), 5)]
					if len(np) > len(start) || string(np) != string(start) {
						next = encodeScanCursor(slot, np)
						return nil
					}
				}
				seen++
				if err := tx.scanOne(it.Item(), key, filter, &out); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return next, out, err
}

func encodeScanCursor(slot int, p []byte) uint64 {
	var v uint64
	for i := 0; i < 5; i++ {
		v <<= 8
		if i < len(p) {
			v |= uint64(p[i])
		}
	}
	c := uint64(slot)<<43 | uint64(len(p))<<40 | v
	if c == 0 {
		// slot 0 with an empty prefix is the start; can't happen as a
		// continuation since a non-empty key was seen, but keep it safe.
		c = 1 << 40
	}
	return c
}

func (tx *Tx) scanOne(item *badger.Item, key []byte, filter ScanFilter, out *[][]byte) error {
	raw, err := item.ValueCopy(nil)
	if err != nil {
		return err
	}
	m, err := decodeMeta(raw)
	if err != nil {
		return err
	}
	if m.ExpireAt != 0 && m.ExpireAt <= tx.now {
		return nil
	}
	if filter != nil && !filter(key, m.Type) {
		return nil
	}
	*out = append(*out, append([]byte(nil), key...))
	return nil
}

// Keys returns every live key that filter accepts.
func (db *DB) Keys(filter ScanFilter) ([][]byte, error) {
	var out [][]byte
	err := db.view(func(tx *Tx) error {
		it := tx.newIterator(badger.IteratorOptions{PrefetchValues: false})
		defer it.Close()
		for s := 0; s < slots.Count; s++ {
			if db.keys[s].Load() == 0 {
				continue
			}
			p := slotPrefix(s, tagMeta)
			for it.Seek(p); it.ValidForPrefix(p); it.Next() {
				if err := tx.scanOne(it.Item(), it.Item().Key()[3:], filter, &out); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// SlotKeys returns up to count live keys of one slot.
func (db *DB) SlotKeys(slot, count int) ([][]byte, error) {
	var out [][]byte
	err := db.view(func(tx *Tx) error {
		p := slotPrefix(slot, tagMeta)
		it := tx.newIterator(badger.IteratorOptions{Prefix: p})
		defer it.Close()
		for it.Rewind(); it.Valid() && len(out) < count; it.Next() {
			if err := tx.scanOne(it.Item(), it.Item().Key()[3:], nil, &out); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// RandomKey returns a random live key, or nil when there is none.
func (db *DB) RandomKey() ([]byte, error) {
	total := db.KeyCount()
	if total == 0 {
		return nil, nil
	}
	for attempt := 0; attempt < 16; attempt++ {
		pick := rand.Int64N(total)
		slot := 0
		for ; slot < slots.Count; slot++ {
			n := db.keys[slot].Load()
			if pick < n {
				break
			}
			pick -= n
		}
		if slot == slots.Count {
			continue
		}
		var out [][]byte
		err := db.view(func(tx *Tx) error {
			p := slotPrefix(slot, tagMeta)
			it := tx.newIterator(badger.IteratorOptions{Prefix: p})
			defer it.Close()
			var i int64
			for it.Rewind(); it.Valid(); it.Next() {
				if i == pick {
					return tx.scanOne(it.Item(), it.Item().Key()[3:], nil, &out)
				}
				i++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(out) == 1 {
			return out[0], nil
		}
	}
	// Many expired keys: fall back to the first live key of a scan.
	_, keys, err := db.Scan(0, 100, nil)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	return keys[rand.IntN(len(keys))], nil
}
