package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/kvnode/kvnode/slots"
)

// The machinery shared by every collection type (hash, list, set, zset):
// versions, element keys, iteration, copying and the background collector
// of dead versions. DESIGN.md §3: a collection is a meta record plus one
// Badger key per element, keyed under the collection's version; deleting
// or overwriting it writes only the meta record and a garbage marker, and
// the collector removes the dead version's elements later.

// System keys live outside the slot space: a slot prefix's first byte is
// at most 0x3f.
var versionCeilingKey = []byte("\xffsys:version-ceiling")

// versionBlock is how many versions are handed out per persisted ceiling.
const versionBlock = 1 << 20

// initVersions starts version allocation above every version this store
// may have used: above the persisted ceiling and above the clock.
func (db *DB) initVersions() error {
	var ceiling uint64
	err := db.bdb.View(func(txn *badger.Txn) error {
		item, err := txn.Get(versionCeilingKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("corrupt version ceiling (%d bytes)", len(v))
			}
			ceiling = binary.BigEndian.Uint64(v)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("read version ceiling: %w", err)
	}
	start := max(ceiling, uint64(time.Now().UnixNano()))
	db.version.Store(start)
	return db.persistCeiling(start + versionBlock)
}

func (db *DB) persistCeiling(c uint64) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], c)
	if err := db.sysUpdate(func(txn *badger.Txn) error { return txn.Set(versionCeilingKey, b[:]) }); err != nil {
		return fmt.Errorf("persist version ceiling: %w", err)
	}
	db.ceiling.Store(c)
	return nil
}

// nextVersion returns a version no collection of this store has used.
func (db *DB) nextVersion() (uint64, error) {
	v := db.version.Add(1)
	if v < db.ceiling.Load() {
		return v, nil
	}
	db.versionMu.Lock()
	defer db.versionMu.Unlock()
	if v >= db.ceiling.Load() {
		if err := db.persistCeiling(v + versionBlock); err != nil {
			return 0, err
		}
	}
	return v, nil
}

// newCollection turns e into an empty collection of type t under a fresh
// version, dropping whatever e held (its elements go to the collector).
// The caller adds elements and then calls put (or del when none remain).
func (tx *Tx) newCollection(e *Entry, t Type) error {
	if e.onDisk {
		if err := tx.del(e); err != nil {
			return err
		}
	}
	v, err := tx.db.nextVersion()
	if err != nil {
		return err
	}
	e.Meta = Meta{Type: t, Version: v}
	return nil
}

// elemKey is slot | tag | version | suffix.
func elemKey(e *Entry, tag byte, suffix []byte) []byte {
	b := elementPrefix(e.Slot, tag, e.Version)
	return append(b, suffix...)
}

// getElem reads the element of e stored under suffix.
func (tx *Tx) getElem(e *Entry, suffix []byte) (val []byte, ok bool, err error) {
	val, ok, err = tx.lookup(e.Slot, elemKey(e, tagElement, suffix), true)
	if err != nil {
		return nil, false, fmt.Errorf("read element: %w", err)
	}
	return val, ok, nil
}

// setElem writes an element key of e (tag 'e' or 'z').
func (tx *Tx) setElem(e *Entry, tag byte, suffix, val []byte) error {
	// List items are rarely read back by point lookups: keep them out of
	// the cache.
	o := groupOp{k: elemKey(e, tag, suffix), v: val, nocache: e.Type == TypeList}
	if err := tx.g.write(o); err != nil {
		return fmt.Errorf("write element: %w", err)
	}
	return nil
}

// delElem deletes an element key of e (tag 'e' or 'z').
func (tx *Tx) delElem(e *Entry, tag byte, suffix []byte) error {
	if err := tx.delete(elemKey(e, tag, suffix)); err != nil {
		return fmt.Errorf("delete element: %w", err)
	}
	return nil
}

// scanElems calls fn with the suffix and value of e's element keys under
// tag in key order (descending when reverse), starting at the first suffix
// ≥ from (≤ from when reverse; nil = from the end it starts at), until fn
// returns false. suffix is valid only during the call; val (read for the
// 'e' tag only) is a fresh copy fn may keep.
func (tx *Tx) scanElems(e *Entry, tag byte, from []byte, reverse bool, fn func(suffix, val []byte) (bool, error)) error {
	p := elementPrefix(e.Slot, tag, e.Version)
	it := tx.newIterator(badger.IteratorOptions{Prefix: p, Reverse: reverse, PrefetchValues: false})
	defer it.Close()
	seek := append([]byte(nil), p...)
	switch {
	case from != nil:
		seek = append(seek, from...)
		if reverse {
			// Badger seeks in reverse to the largest key ≤ seek; a key
			// longer than seek with it as prefix is larger, so pad.
			seek = append(seek, 0xff, 0xff, 0xff, 0xff)
		}
	case reverse:
		seek = append(seek, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	}
	for it.Seek(seek); it.ValidForPrefix(p); it.Next() {
		item := it.Item()
		var val []byte
		if tag == tagElement {
			v, err := item.ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("read element value: %w", err)
			}
			val = v
		}
		more, err := fn(item.Key()[len(p):], val)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// scheduleCollect marks e's version dead in the same transaction that
// deletes or replaces it; the collector removes its elements later.
func (tx *Tx) scheduleCollect(e *Entry) error {
	if e.Type == TypeString || e.Type == TypeNone {
		return nil
	}
	if err := tx.set(garbageKey(e.Slot, e.Version), nil); err != nil {
		return fmt.Errorf("schedule collection: %w", err)
	}
	tx.garbage = append(tx.garbage, e.Slot)
	return nil
}

// copyElements gives dst a fresh version holding a copy of src's
// elements, and src's type, count, list bounds and TTL.
func (tx *Tx) copyElements(src, dst *Entry) error {
	v, err := tx.db.nextVersion()
	if err != nil {
		return err
	}
	dst.Meta = src.Meta
	dst.Version = v
	for _, tag := range []byte{tagElement, tagScore} {
		err := tx.scanElems(src, tag, nil, false, func(suffix, val []byte) (bool, error) {
			return true, tx.setElem(dst, tag, append([]byte(nil), suffix...), val)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Collector.

const (
	collectPeriod = time.Second
	collectBatch  = 1000 // element deletions per write batch
)

// collectLoop runs the collector when woken after a commit that scheduled
// garbage, and once a period in case a wake-up was missed.
func (db *DB) collectLoop(ctx context.Context) {
	db.every(ctx, collectPeriod, db.collectWake, func() {
		if _, err := db.Collect(ctx); err != nil && ctx.Err() == nil {
			db.log.Warn("collecting dead collection versions failed", "err", err)
		}
	})
}

// wakeCollector marks slots as holding dead versions and nudges the
// collector without blocking.
func (db *DB) wakeCollector(ss []int) {
	for _, s := range ss {
		db.garbageHint[s].Store(true)
	}
	select {
	case db.collectWake <- struct{}{}:
	default:
	}
}

// Collect removes the elements of every dead version and their garbage
// markers, and returns how many element keys it deleted.
func (db *DB) Collect(ctx context.Context) (int64, error) {
	db.collectMu.Lock()
	defer db.collectMu.Unlock()
	var total int64
	defer func() { db.stats.CollectedElements.Add(total) }()
	for s := 0; s < slots.Count; s++ {
		if !db.garbageHint[s].Swap(false) {
			continue
		}
		var versions []uint64
		err := db.view(func(tx *Tx) error {
			p := slotPrefix(s, tagGarbage)
			it := tx.newIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				k := it.Item().Key()
				if len(k) == 11 {
					versions = append(versions, binary.BigEndian.Uint64(k[3:]))
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		for _, v := range versions {
			if ctx.Err() != nil {
				return total, ctx.Err()
			}
			n, err := db.collectVersion(s, v)
			total += n
			if err != nil {
				db.garbageHint[s].Store(true) // retry later
				return total, err
			}
		}
	}
	return total, nil
}

// collectVersion deletes the element and score keys of one dead version in
// batches, then its garbage marker. No lock is needed: no live meta record
// points at a dead version, so nothing else reads or writes these keys.
func (db *DB) collectVersion(slot int, version uint64) (int64, error) {
	var n int64
	for _, tag := range []byte{tagElement, tagScore} {
		p := elementPrefix(slot, tag, version)
		// One snapshot iterator walks the whole dead version once while
		// batches of deletions are flushed behind it (restarting the walk
		// per batch would skip the same fresh tombstones again and again).
		err := db.view(func(tx *Tx) error {
			it := tx.newIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
			defer it.Close()
			// Each batch is one transaction outside the write gate: no
			// command reads a dead version.
			batch := make([][]byte, 0, collectBatch)
			flush := func() error {
				err := db.sysUpdate(func(txn *badger.Txn) error {
					for _, k := range batch {
						if err := txn.Delete(k); err != nil {
							return err
						}
					}
					return nil
				})
				batch = batch[:0]
				if err != nil {
					return fmt.Errorf("collect: %w", err)
				}
				return nil
			}
			for it.Rewind(); it.Valid(); it.Next() {
				batch = append(batch, it.Item().KeyCopy(nil))
				n++
				if len(batch) == collectBatch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if len(batch) > 0 {
				return flush()
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	err := db.sysUpdate(func(txn *badger.Txn) error { return txn.Delete(garbageKey(slot, version)) })
	if err != nil {
		return n, fmt.Errorf("drop garbage marker: %w", err)
	}
	return n, nil
}

// sysUpdate commits fn's writes to keys no command reads (the version
// ceiling, garbage markers) outside the write gate, and waits for them.
func (db *DB) sysUpdate(fn func(txn *badger.Txn) error) error {
	txn := db.bdb.NewTransactionAt(db.applied.Load(), true)
	defer txn.Discard()
	if err := fn(txn); err != nil {
		return err
	}
	ts := db.issueTs()
	defer db.doneTs(ts, false)
	return txn.CommitAt(ts, nil)
}
