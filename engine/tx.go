package engine

import (
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/kvnode/kvnode/slots"
)

// MaxKeyLen is the longest user key the store accepts: Badger keys are at
// most 65000 bytes and the layout adds a prefix.
const MaxKeyLen = 65000 - 64

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

// Tx is one command's consistent view of the store. A write transaction
// runs inside the open group (group.go) and sees its earlier commands'
// writes.
type Tx struct {
	db  *DB
	txn *badger.Txn // a read opens it on first use (badgerTxn)
	g   *group      // the group a write transaction writes into (nil: a read)
	now int64       // unix ms, fixed for the whole command
	// deltas are the command's counter changes, applied when it succeeds.
	deltas []slotDelta
	// garbage lists the slots where the command marked a dead collection
	// version.
	garbage []int
	// touched lists the keys written, when a touch hook is installed.
	touched [][]byte
	hook    *TouchFunc
	// g0 is the cache's write sequence when the snapshot was taken, readTs
	// the snapshot's Badger timestamp.
	g0, readTs uint64
	// pend holds the cacheable keys written and not yet committed, for
	// read-your-writes (the group's; nil for a plain read), and prev the
	// group in flight below it (see group.go).
	pend *writeSet
	prev *group
	// mkBuf backs the meta keys load builds (they are only looked up).
	mkBuf [48]byte
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

// view runs fn on a read-only snapshot. A connection reads its own writes:
// through the group while its latest write sits in the open group, after
// that group is applied once it has been committed.
func (db *DB) view(fn func(tx *Tx) error) error {
	if db.acks != nil {
		if c := db.acks.last(); c != nil {
			if !c.closed.Load() {
				db.enterGate()
				if db.gate.cur == c {
					err := fn(c.newTx(db))
					db.leaveGate()
					return err
				}
				db.leaveGate()
			}
			<-c.done
		}
	}
	g0 := db.cache.writeSeq.Load()
	tx := &Tx{db: db, now: nowMs(), g0: g0, readTs: db.applied.Load()}
	err := fn(tx)
	if tx.txn != nil {
		tx.txn.Discard()
	}
	return err
}

// badgerTxn returns the transaction's Badger transaction. A read opens it
// on first use: reads the cache serves need none.
func (tx *Tx) badgerTxn() *badger.Txn {
	if tx.txn == nil {
		tx.txn = tx.db.bdb.NewTransactionAt(tx.readTs, false)
	}
	return tx.txn
}

// update runs fn as one write command in the open group. An error from fn
// undoes every write fn made. A handle with Acks returns once the command
// has run (the connection waits before replying); any other waits for the
// commit.
func (db *DB) update(fn func(tx *Tx) error) error {
	db.enterGate()
	c := db.openLocked()
	mark := len(c.ops)
	tx := c.newTx(db)
	tx.g, tx.hook = c, db.touchHook.Load()
	if err := fn(tx); err != nil {
		if len(c.ops) > mark {
			db.rollbackLocked(c, mark)
		}
		db.leaveGate()
		return err
	}
	if len(c.ops) == mark {
		db.leaveGate()
		return nil
	}
	for _, d := range tx.deltas {
		db.keys[d.slot].Add(d.keys)
		db.expires[d.slot].Add(d.expires)
		db.expireSecs[d.slot].Add(d.expireSecs)
	}
	c.deltas = append(c.deltas, tx.deltas...)
	c.garbage = append(c.garbage, tx.garbage...)
	db.stats.Writes.Add(1)
	if tx.hook != nil && len(tx.touched) > 0 {
		(*tx.hook)(tx.touched)
	}
	if db.acks != nil {
		db.acks.join(c)
		db.leaveGate()
		return nil
	}
	db.leaveGate()
	return c.await()
}

// set writes k = v in the command's group.
func (tx *Tx) set(k, v []byte) error { return tx.g.write(groupOp{k: k, v: v}) }

// delete deletes k in the command's group.
func (tx *Tx) delete(k []byte) error { return tx.g.write(groupOp{k: k, del: true}) }

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
	raw, err := tx.readMeta(e.Slot, appendMetaKey(tx.mkBuf[:0], e.Slot, key))
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

// readMeta returns the encoded meta record under mk (nil when absent).
func (tx *Tx) readMeta(slot int, mk []byte) ([]byte, error) {
	raw, ok, err := tx.lookup(slot, mk, true)
	if err != nil {
		return nil, fmt.Errorf("read meta: %w", err)
	}
	if !ok {
		return nil, nil
	}
	return raw, nil
}

// lookup reports whether the cacheable key k of slot exists and, when
// value is set, returns a copy of its value: this transaction's group's
// writes first, then those of the group in flight below it, then the
// cache, then Badger (and the cache is filled with what Badger said).
func (tx *Tx) lookup(slot int, k []byte, value bool) (val []byte, ok bool, err error) {
	for _, ws := range [2]*writeSet{tx.pend, tx.prevWrites()} {
		if i := ws.find(k); i >= 0 {
			w := ws.writes[i]
			if w.del {
				return nil, false, nil
			}
			if value {
				val = append([]byte{}, w.raw...)
			}
			return val, true, nil
		}
	}
	c := tx.db.cache
	if raw, exists, hit := c.get(k, tx.readTs, value); hit {
		return raw, exists, nil
	}
	item, err := tx.badgerTxn().Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		c.fill(slot, k, nil, false, tx.g0, tx.readTs)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	val, err = item.ValueCopy(nil)
	if err != nil {
		return nil, false, fmt.Errorf("value: %w", err)
	}
	c.fill(slot, k, val, true, tx.g0, tx.readTs)
	return val, true, nil
}

// prevWrites returns the write set of the group in flight below this
// transaction's, or nil. Once that group is applied its writes are in the
// cache and Badger at the transaction's timestamp too, so reading them
// here is right before and after.
func (tx *Tx) prevWrites() *writeSet {
	if tx.prev == nil {
		return nil
	}
	return &tx.prev.pend
}

// newIterator opens a Badger iterator on the transaction's snapshot,
// first waiting for the group in flight below it to be applied (an
// iterator cannot merge its write set).
func (tx *Tx) newIterator(opt badger.IteratorOptions) *badger.Iterator {
	if tx.prev != nil {
		<-tx.prev.done
	}
	return tx.badgerTxn().NewIterator(opt)
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
	if tx.g == nil {
		panic("engine: put in a read-only transaction")
	}
	mk, raw := metaKey(e.Slot, e.Key), encodeMeta(&e.Meta)
	if err := tx.set(mk, raw); err != nil {
		return fmt.Errorf("write meta: %w", err)
	}
	if err := tx.reindexExpire(e, e.ExpireAt); err != nil {
		return err
	}
	if !e.onDisk {
		tx.delta(e.Slot, 1, 0, 0)
	}
	e.onDisk, e.live = true, true
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
	if err := tx.delete(mk); err != nil {
		return fmt.Errorf("delete meta: %w", err)
	}
	if err := tx.reindexExpire(e, 0); err != nil {
		return err
	}
	tx.delta(e.Slot, -1, 0, 0)
	tx.touch(e)
	e.onDisk, e.live = false, false
	e.Meta = Meta{}
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
		if err := tx.delete(expireKey(e.Slot, old, e.Key)); err != nil {
			return fmt.Errorf("delete expire index: %w", err)
		}
		tx.delta(e.Slot, 0, -1, -old/1000)
	}
	if at != 0 {
		if err := tx.set(expireKey(e.Slot, at, e.Key), nil); err != nil {
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

// keySlot is the hash slot of a slot-prefixed Badger key.
func keySlot(k []byte) int { return int(k[0])<<8 | int(k[1]) }

// base returns a handle on the store without Acks.
func (db *DB) base() *DB { return &DB{store: db.store} }
