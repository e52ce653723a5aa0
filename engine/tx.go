package engine

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/kvnode/kvnode/slots"
)

// MaxKeyLen is the longest user key the store accepts: Badger keys are at
// most 65000 bytes and the layout adds a prefix.
const MaxKeyLen = 65000 - 64

// Acks collects the outcome of writes that one connection committed without
// waiting: the connection calls Wait before it flushes replies, so nothing
// is acknowledged before it is applied, while a pipeline's writes share
// Badger's group commit.
type Acks struct {
	wg  sync.WaitGroup
	mu  sync.Mutex
	err error
}

// Wait blocks until every write issued so far is applied and returns the
// first commit error since the previous Wait.
func (a *Acks) Wait() error {
	a.wg.Wait()
	a.mu.Lock()
	defer a.mu.Unlock()
	err := a.err
	a.err = nil
	return err
}

func (a *Acks) done(err error) {
	if err != nil {
		a.mu.Lock()
		if a.err == nil {
			a.err = err
		}
		a.mu.Unlock()
	}
	a.wg.Done()
}

// Entry is one key's metadata as loaded by a Tx.
type Entry struct {
	Key  []byte
	Slot int
	Meta
	// live: the key exists and has not expired at the tx's time.
	live bool
	// onDisk: a meta record exists in the store (perhaps expired).
	onDisk     bool
	diskExpire int64
}

// Live reports whether the key exists (and has not expired).
func (e *Entry) Live() bool { return e.live }

type slotDelta struct {
	slot          int
	keys, expires int64
	expireSecs    int64 // change of the sum of expire-at seconds
}

// Tx is one command's consistent view of the store; write transactions hold
// the locks of every slot they may touch.
type Tx struct {
	db     *DB
	txn    *badger.Txn
	now    int64 // unix ms, fixed for the whole command
	write  bool
	wrote  bool
	deltas []slotDelta
	// garbage lists the slots where the transaction marked a dead
	// collection version.
	garbage []int
	// touched lists the keys written, when a touch hook is installed.
	touched [][]byte
	hook    *TouchFunc
	// g0 is the cache's write sequence when the transaction began.
	g0 uint64
	// metaWrites are the meta records this transaction wrote (raw nil:
	// deleted), for read-your-writes and the cache after commit.
	metaWrites []metaWrite
	metaIndex  map[string]int
}

type metaWrite struct {
	mk, raw []byte
}

// metaIndexFrom is the number of meta writes from which a transaction
// indexes them in a map; below it a linear search is cheaper.
const metaIndexFrom = 8

// findMeta returns the index of this transaction's write of mk, or -1.
func (tx *Tx) findMeta(mk []byte) int {
	if tx.metaIndex != nil {
		if i, ok := tx.metaIndex[string(mk)]; ok {
			return i
		}
		return -1
	}
	for i := range tx.metaWrites {
		if string(tx.metaWrites[i].mk) == string(mk) {
			return i
		}
	}
	return -1
}

// recordMeta notes a meta write of this transaction.
func (tx *Tx) recordMeta(mk, raw []byte) {
	if i := tx.findMeta(mk); i >= 0 {
		tx.metaWrites[i].raw = raw
		return
	}
	tx.metaWrites = append(tx.metaWrites, metaWrite{mk, raw})
	switch n := len(tx.metaWrites); {
	case n == metaIndexFrom:
		tx.metaIndex = make(map[string]int, 2*n)
		for i, w := range tx.metaWrites {
			tx.metaIndex[string(w.mk)] = i
		}
	case n > metaIndexFrom:
		tx.metaIndex[string(mk)] = n - 1
	}
}

// TouchFunc is called after a commit with the keys it wrote (their meta
// record was put or deleted), so WATCH and blocked clients learn of it.
// FLUSHALL calls it with nil: every key changed. It must not block.
type TouchFunc func(keys [][]byte)

// SetTouchHook installs f (nil removes it).
func (db *DB) SetTouchHook(f TouchFunc) {
	if f == nil {
		db.touchHook.Store(nil)
		return
	}
	db.touchHook.Store(&f)
}

// touch records that e's key was written.
func (tx *Tx) touch(e *Entry) {
	if tx.hook != nil {
		tx.touched = append(tx.touched, e.Key)
	}
}

// Now is the transaction's clock (unix ms); expiry decisions use it.
func (tx *Tx) Now() int64 { return tx.now }

func nowMs() int64 { return time.Now().UnixMilli() }

// view runs fn on a read-only snapshot.
func (db *DB) view(fn func(tx *Tx) error) error {
	g0 := db.cache.writeSeq.Load()
	txn := db.bdb.NewTransaction(false)
	defer txn.Discard()
	return fn(&Tx{db: db, txn: txn, now: nowMs(), g0: g0})
}

// update runs fn in a write transaction holding the locks of the slots of
// keys, and commits what fn wrote when fn returns nil. An error from fn
// discards every write of the transaction.
func (db *DB) update(keys [][]byte, fn func(tx *Tx) error) error {
	var one [1]int
	ss := one[:0]
	for _, k := range keys {
		ss = append(ss, slots.KeySlot(k))
	}
	return db.updateSlots(ss, fn)
}

func (db *DB) updateSlots(ss []int, fn func(tx *Tx) error) error {
	if len(ss) > 1 {
		ss = slices.Clone(ss)
		slices.Sort(ss)
		ss = slices.Compact(ss)
	}
	for _, s := range ss {
		db.locks[s].Lock()
	}
	defer func() {
		for _, s := range ss {
			db.locks[s].Unlock()
		}
	}()
	g0 := db.cache.writeSeq.Load()
	txn := db.bdb.NewTransaction(true)
	tx := &Tx{db: db, txn: txn, now: nowMs(), write: true, hook: db.touchHook.Load(), g0: g0}
	if err := fn(tx); err != nil {
		txn.Discard()
		return err
	}
	if !tx.wrote {
		txn.Discard()
		return nil
	}
	var err error
	if db.acks != nil {
		db.acks.wg.Add(1)
		mw := tx.metaWrites
		txn.CommitWith(func(err error) {
			if err != nil {
				// The cache may already hold what failed to commit.
				for _, w := range mw {
					db.cache.invalidate(w.mk)
				}
			}
			db.acks.done(err)
		})
	} else {
		err = txn.Commit()
	}
	if err != nil {
		for _, w := range tx.metaWrites {
			db.cache.invalidate(w.mk)
		}
		return fmt.Errorf("commit: %w", err)
	}
	if len(tx.metaWrites) > 0 {
		g := db.cache.writeSeq.Add(1)
		for _, s := range ss {
			db.cache.lastWrite[s].Store(g)
		}
		for _, w := range tx.metaWrites {
			db.cache.store(w.mk, w.raw)
		}
	}
	// Counters move right after the commit is issued, still under the slot
	// locks, so the next command of this connection sees them.
	for _, d := range tx.deltas {
		db.keys[d.slot].Add(d.keys)
		db.expires[d.slot].Add(d.expires)
		db.expireSecs[d.slot].Add(d.expireSecs)
	}
	db.stats.Writes.Add(1)
	if len(tx.garbage) > 0 {
		db.wakeCollector(tx.garbage)
	}
	if tx.hook != nil && len(tx.touched) > 0 {
		(*tx.hook)(tx.touched)
	}
	return nil
}

func (tx *Tx) delta(slot int, keys, expires, expireSecs int64) {
	for i := range tx.deltas {
		if tx.deltas[i].slot == slot {
			tx.deltas[i].keys += keys
			tx.deltas[i].expires += expires
			tx.deltas[i].expireSecs += expireSecs
			return
		}
	}
	tx.deltas = append(tx.deltas, slotDelta{slot, keys, expires, expireSecs})
}

// ErrKeyTooLarge is returned for keys longer than MaxKeyLen.
var ErrKeyTooLarge = errors.New("engine: key too large")

// load reads key's meta record.
func (tx *Tx) load(key []byte) (*Entry, error) {
	if len(key) > MaxKeyLen {
		return nil, ErrKeyTooLarge
	}
	e := &Entry{Key: key, Slot: slots.KeySlot(key)}
	raw, err := tx.readMeta(e.Slot, metaKey(e.Slot, key))
	if err != nil || raw == nil {
		return e, err
	}
	m, err := decodeMeta(raw)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", key, err)
	}
	e.Meta = m
	e.onDisk = true
	e.diskExpire = m.ExpireAt
	e.live = m.ExpireAt == 0 || m.ExpireAt > tx.now
	return e, nil
}

// readMeta returns the encoded meta record under mk (nil when absent):
// this transaction's own writes first, then the cache, then Badger (and
// the cache is filled with what Badger said).
func (tx *Tx) readMeta(slot int, mk []byte) ([]byte, error) {
	if i := tx.findMeta(mk); i >= 0 {
		if raw := tx.metaWrites[i].raw; raw != nil {
			return append([]byte(nil), raw...), nil
		}
		return nil, nil
	}
	c := tx.db.cache
	if raw, ok := c.get(mk); ok {
		return raw, nil
	}
	item, err := tx.txn.Get(mk)
	if errors.Is(err, badger.ErrKeyNotFound) {
		c.fill(slot, mk, nil, tx.g0)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read meta: %w", err)
	}
	raw, err := item.ValueCopy(nil)
	if err != nil {
		return nil, fmt.Errorf("read meta value: %w", err)
	}
	c.fill(slot, mk, raw, tx.g0)
	return raw, nil
}

// loadType loads key and checks that a live key has type t.
func (tx *Tx) loadType(key []byte, t Type) (*Entry, error) {
	e, err := tx.load(key)
	if err != nil {
		return nil, err
	}
	if e.live && e.Type != t {
		return nil, ErrWrongType
	}
	return e, nil
}

// put writes e's meta record, maintaining the expiry index and counters.
func (tx *Tx) put(e *Entry) error {
	if !tx.write {
		panic("engine: put in a read-only transaction")
	}
	mk, raw := metaKey(e.Slot, e.Key), encodeMeta(&e.Meta)
	if err := tx.txn.Set(mk, raw); err != nil {
		return fmt.Errorf("write meta: %w", err)
	}
	tx.recordMeta(mk, raw)
	if err := tx.reindexExpire(e, e.ExpireAt); err != nil {
		return err
	}
	if !e.onDisk {
		tx.delta(e.Slot, 1, 0, 0)
	}
	e.onDisk, e.live = true, true
	tx.wrote = true
	tx.touch(e)
	return nil
}

// del removes e's meta record (live or expired). Elements of collections are
// left under their dead version for the background collector.
func (tx *Tx) del(e *Entry) error {
	if !e.onDisk {
		return nil
	}
	if e.Type != TypeString && e.Type != TypeNone {
		// scheduleCollect only reads e's slot and version, which
		// delMetaOnly clears.
		if err := tx.scheduleCollect(e); err != nil {
			return err
		}
	}
	return tx.delMetaOnly(e)
}

// delMetaOnly removes e's meta record without collecting its elements:
// they now belong to another key (RENAME within a slot).
func (tx *Tx) delMetaOnly(e *Entry) error {
	mk := metaKey(e.Slot, e.Key)
	if err := tx.txn.Delete(mk); err != nil {
		return fmt.Errorf("delete meta: %w", err)
	}
	tx.recordMeta(mk, nil)
	if err := tx.reindexExpire(e, 0); err != nil {
		return err
	}
	tx.delta(e.Slot, -1, 0, 0)
	tx.touch(e)
	e.onDisk, e.live = false, false
	e.Meta = Meta{}
	tx.wrote = true
	return nil
}

// reindexExpire moves e's expiry index entry from its on-disk expire-at to at.
func (tx *Tx) reindexExpire(e *Entry, at int64) error {
	old := e.diskExpire
	if !e.onDisk {
		old = 0
	}
	if old == at {
		return nil
	}
	if old != 0 {
		if err := tx.txn.Delete(expireKey(e.Slot, old, e.Key)); err != nil {
			return fmt.Errorf("delete expire index: %w", err)
		}
		tx.delta(e.Slot, 0, -1, -old/1000)
	}
	if at != 0 {
		if err := tx.txn.Set(expireKey(e.Slot, at, e.Key), nil); err != nil {
			return fmt.Errorf("write expire index: %w", err)
		}
		tx.delta(e.Slot, 0, 1, at/1000)
		ne := &tx.db.nextExpiry[e.Slot]
		if cur := ne.Load(); cur == 0 || at < cur {
			ne.Store(at)
		}
	}
	e.diskExpire = at
	return nil
}
