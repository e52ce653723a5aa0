package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/skl"

	"github.com/kvnode/kvnode/slots"
)

// Group commit.
//
// Write commands run one at a time through the store's gate, the way Redis
// runs them on its one thread, and every one of them writes into the open
// group: a single Badger transaction that many commands, from many
// connections, share until it is committed. A Badger commit costs far more
// than the writes in it (oracle, watermarks and a write request per
// transaction: BenchmarkBadgerEntriesPerTxn), so committing a few hundred
// commands at once instead of one at a time is where the write throughput
// comes from.
//
// A command sees the writes of the commands before it in its group (they
// share the transaction) and of every earlier group. Groups are pipelined
// two deep: while one group is being applied by Badger, the next one runs
// commands. The open group reads at the in-flight group's timestamp, so
// it sees that group's writes once they are applied; before that, point
// reads find them in the in-flight group's write set (Tx.get), and an
// iterator waits for the apply (Tx.newIterator). A group commits only once
// the one before it is applied. Reads outside the gate see a group's
// writes only once it is applied (a connection's own reads go through its
// open group, or wait for its group's apply: DB.view), and no connection
// replies to a write before its group is applied (Acks).
//
// Each command is a savepoint: the group logs every write, and a command
// that fails after writing is undone by replaying the log up to the
// command's start into a fresh transaction, so a failed command writes
// nothing and its neighbours keep theirs.
//
// When a group commits: a connection waiting for its acknowledgements
// commits it unless another command is queued at the gate, in which case
// the last command through the gate does (leaveGate), and never while the
// group before it is still being applied: until then it stays open (its
// waiters wait for that group outside the gate), so a group holds
// whatever arrived while the previous one was being applied, a pipeline's
// worth per connection under load and a single command when idle. A group
// also closes at groupMaxOps writes or groupMaxBytes (or a sixteenth of
// what Badger allows one transaction, whichever is less, so a command that
// fits in a transaction of its own almost always fits in a group), and a
// ticker commits one nobody waits for (a client that disconnected without
// reading its replies).

const (
	groupMaxOps   = 1024
	groupMaxBytes = 1 << 20
	// groupMaxAge: the ticker commits an open group older than this.
	groupMaxAge = 10 * time.Millisecond
)

// groupLimits returns the caps of a group for a memtable of mem bytes:
// Badger refuses a transaction of 15% of a memtable, or that many bytes
// divided by the size of a skiplist node in entries.
func groupLimits(mem int64) (ops, bytes int) {
	maxSize := 15 * mem / 100
	maxCount := maxSize / int64(skl.MaxNodeSize)
	return int(min(groupMaxOps, maxCount/16)), int(min(groupMaxBytes, maxSize/16))
}

// groupOp is one write of a group, kept so a failed command can be undone.
type groupOp struct {
	k, v []byte
	del  bool
	// nocache: once applied, drop k from the cache instead of storing it
	// (list items, which are read back rarely and would crowd out the
	// meta records and fields that are).
	nocache bool
}

// cacheable reports whether k is read by point lookups through the cache
// (Tx.get): meta records and element values.
func cacheable(k []byte) bool {
	return len(k) > 2 && k[0] < slots.Count>>8 && (k[2] == tagMeta || k[2] == tagElement)
}

// group is a batch of commands sharing one Badger transaction.
type group struct {
	db  *DB
	txn *badger.Txn
	// g0 is the cache's write sequence when the group opened; readTs its
	// snapshot (the previous group's commit) and ts its commit timestamp.
	g0, readTs, ts uint64
	opened         time.Time
	ops            []groupOp
	bytes          int
	// pend indexes the cacheable keys the group wrote, for
	// read-your-writes and for the cache once the group is applied.
	pend writeSet
	// deltas are the counter changes already applied for the group's
	// commands, undone if the commit fails.
	deltas []slotDelta
	// garbage lists the slots where the group marked a dead version.
	garbage []int
	// prev is the group that was in flight when this one opened (nil if
	// none); this one reads at its timestamp and commits after it.
	prev *group
	// prevDone is prev's done channel (nil if none), kept after prev is
	// dropped, for waiters that read it outside the gate.
	prevDone <-chan struct{}

	closed  atomic.Bool  // committed (or failed); set under the gate
	waiters atomic.Int32 // connections waiting for the commit
	done    chan struct{}
	err     error // set before done is closed
}

// writeSet is a set of key writes in write order.
type writeSet struct {
	writes []keyWrite
	index  map[string]int
}

type keyWrite struct {
	k, raw  []byte
	del     bool
	nocache bool
}

// writeIndexFrom is the number of writes from which a writeSet indexes
// them in a map; below it a linear search is cheaper.
const writeIndexFrom = 8

// find returns the index of the write of mk, or -1.
func (m *writeSet) find(mk []byte) int {
	if m == nil {
		return -1
	}
	if m.index != nil {
		if i, ok := m.index[string(mk)]; ok {
			return i
		}
		return -1
	}
	for i := range m.writes {
		if string(m.writes[i].k) == string(mk) {
			return i
		}
	}
	return -1
}

// record notes a write of k.
func (m *writeSet) record(k, raw []byte, del, nocache bool) {
	if i := m.find(k); i >= 0 {
		w := &m.writes[i]
		w.raw, w.del, w.nocache = raw, del, w.nocache || nocache
		return
	}
	m.writes = append(m.writes, keyWrite{k, raw, del, nocache})
	switch n := len(m.writes); {
	case n == writeIndexFrom:
		m.index = make(map[string]int, 2*n)
		for i, w := range m.writes {
			m.index[string(w.k)] = i
		}
	case n > writeIndexFrom:
		m.index[string(k)] = n - 1
	}
}

// Acks collects the groups that one connection's writes joined: the
// connection calls Wait before it flushes replies, so nothing is
// acknowledged before it is applied. An Acks belongs to one goroutine.
type Acks struct {
	groups []*group
}

// Wait commits (if need be) and waits for every group joined since the
// previous Wait, and returns the first commit error.
func (a *Acks) Wait() error {
	var first error
	for i, g := range a.groups {
		if err := g.await(); err != nil && first == nil {
			first = err
		}
		a.groups[i] = nil
	}
	a.groups = a.groups[:0]
	return first
}

func (a *Acks) join(g *group) {
	if n := len(a.groups); n == 0 || a.groups[n-1] != g {
		a.groups = append(a.groups, g)
	}
}

// last returns the group holding this connection's latest write not yet
// waited for, or nil.
func (a *Acks) last() *group {
	if n := len(a.groups); n > 0 {
		return a.groups[n-1]
	}
	return nil
}

// gate serializes write commands (see Group commit above).
type gate struct {
	mu       sync.Mutex
	entering atomic.Int32 // goroutines waiting in enter
	cur      *group       // the open group; guarded by mu
	inflight *group       // the last group committed; guarded by mu
	// maxOps and maxBytes close a group (groupLimits); set at Open.
	maxOps, maxBytes int
}

func (db *DB) enterGate() {
	g := &db.gate
	g.entering.Add(1)
	g.mu.Lock()
	g.entering.Add(-1)
}

// leaveGate commits the open group if a connection waits for it and no
// other command is queued to join it, then releases the gate.
func (db *DB) leaveGate() {
	g := &db.gate
	if c := g.cur; c != nil && c.waiters.Load() > 0 && g.entering.Load() == 0 && c.prevApplied() {
		db.commitLocked()
	}
	g.mu.Unlock()
}

// prevApplied reports whether the group before c (if any) is done.
func (c *group) prevApplied() bool {
	if c.prevDone == nil {
		return true
	}
	select {
	case <-c.prevDone:
		return true
	default:
		return false
	}
}

// openLocked returns the open group, first committing it when full, or
// opens a new one.
func (db *DB) openLocked() *group {
	if c := db.gate.cur; c != nil {
		if len(c.ops) < db.gate.maxOps && c.bytes < db.gate.maxBytes {
			return c
		}
		db.commitLocked()
	}
	c := &group{db: db.base(), g0: db.cache.writeSeq.Load(), opened: time.Now(), done: make(chan struct{})}
	if f := db.gate.inflight; f != nil {
		select {
		case <-f.done:
		default:
			c.prev, c.prevDone = f, f.done
		}
		// Whether or not f is applied yet, this group reads at or above
		// it (and applied, loaded after f's state was seen, covers it
		// once it is).
		c.readTs = f.ts
	}
	c.readTs = max(c.readTs, db.applied.Load())
	c.txn = db.bdb.NewTransactionAt(c.readTs, true)
	db.gate.cur = c
	return c
}

// commitLocked closes the open group and issues its commit.
func (db *DB) commitLocked() {
	c := db.gate.cur
	if c == nil {
		return
	}
	db.gate.cur = nil
	c.closed.Store(true)
	if len(c.ops) == 0 {
		c.txn.Discard()
		close(c.done)
		return
	}
	if p := c.prev; p != nil {
		// One group in flight at a time: this one read p's writes.
		<-p.done
		if p.err != nil {
			c.txn.Discard()
			c.fail(fmt.Errorf("the group before failed: %w", p.err))
			close(c.done)
			return
		}
		c.prev = nil
	}
	c.ts = db.issueTs()
	db.stats.Commits.Add(1)
	db.gate.inflight = c
	// The cache and the read timestamp move only once the group is
	// applied, so no reader sees a meta record before its elements.
	applied := func(err error) {
		if err != nil {
			c.fail(fmt.Errorf("commit: %w", err))
			db.doneTs(c.ts, false)
			close(c.done)
			return
		}
		if len(c.pend.writes) > 0 {
			seq := db.cache.writeSeq.Add(1)
			for _, w := range c.pend.writes {
				db.cache.lastWrite[keySlot(w.k)].Store(seq)
				if w.nocache {
					db.cache.invalidate(w.k)
				} else {
					db.cache.store(w.k, w.raw, !w.del, c.ts)
				}
			}
		}
		db.doneTs(c.ts, true)
		// The collector reads the garbage markers at the read timestamp.
		if len(c.garbage) > 0 {
			db.wakeCollector(c.garbage)
		}
		close(c.done)
	}
	if f := db.commitFault.Load(); f != nil {
		(*f)(c.txn, c.ts, applied)
		return
	}
	if err := c.txn.CommitAt(c.ts, applied); err != nil { // CommitAt reports errors through the callback
		db.log.Error("commit", "err", err)
	}
}

// fail undoes what the group already published: its counters. The
// caller closes done.
func (c *group) fail(err error) {
	db := c.db
	for _, d := range c.deltas {
		db.keys[d.slot].Add(-d.keys)
		db.expires[d.slot].Add(-d.expires)
		db.expireSecs[d.slot].Add(-d.expireSecs)
	}
	c.err = err
	db.log.Error("write group failed; its clients are disconnected", "writes", len(c.ops), "err", err)
}

// rollbackLocked undoes the writes of the open group from op mark on by
// replaying the ones before it into a fresh transaction. If that fails the
// whole group fails.
func (db *DB) rollbackLocked(c *group, mark int) {
	c.txn.Discard()
	c.txn = db.bdb.NewTransactionAt(c.readTs, true)
	// Replaying op i appends it at index ≤ i, after it was read.
	ops := c.ops[:mark]
	c.ops, c.bytes, c.pend = ops[:0], 0, writeSet{}
	for _, o := range ops {
		if err := c.write(o); err != nil {
			db.gate.cur = nil
			c.closed.Store(true)
			c.txn.Discard()
			c.fail(fmt.Errorf("undo a failed command: %w", err))
			close(c.done)
			return
		}
	}
}

func opBytes(k, v []byte) int { return len(k) + len(v) + 16 }

// apply performs o on txn.
func (o groupOp) apply(txn *badger.Txn) error {
	if o.del {
		return txn.Delete(o.k)
	}
	return txn.Set(o.k, o.v)
}

// write performs o in the group's transaction and logs it.
func (c *group) write(o groupOp) error {
	if err := o.apply(c.txn); err != nil {
		return err
	}
	c.log(o)
	return nil
}

// log notes o, done in the group's transaction.
func (c *group) log(o groupOp) {
	c.ops = append(c.ops, o)
	c.bytes += opBytes(o.k, o.v)
	if cacheable(o.k) {
		c.pend.record(o.k, o.v, o.del, o.nocache)
	}
}

// newTx returns a read transaction on the group for db's handle; update
// makes it a write transaction by setting g.
func (c *group) newTx(db *DB) *Tx {
	return &Tx{db: db, txn: c.txn, now: nowMs(), g0: c.g0, readTs: c.readTs, pend: &c.pend, prev: c.prev}
}

// await commits c if nobody else is about to, and waits until it is
// applied.
func (c *group) await() error {
	select {
	case <-c.done:
		return c.err
	default:
	}
	c.waiters.Add(1)
	db := c.db
	if c.prevDone != nil {
		// The group cannot commit before the one in flight is applied:
		// until then it stays open to the commands still arriving.
		<-c.prevDone
	}
	if !c.closed.Load() && db.gate.entering.Load() == 0 {
		db.gate.mu.Lock()
		if db.gate.cur == c {
			db.commitLocked()
		}
		db.gate.mu.Unlock()
	}
	<-c.done
	return c.err
}

// groupLoop commits groups nobody waits for.
func (db *DB) groupLoop(ctx context.Context) {
	db.every(ctx, groupMaxAge, nil, db.commitStale)
}

// commitStale commits the open group if it has been open for groupMaxAge
// (its writers went away without waiting); run by a ticker.
func (db *DB) commitStale() {
	if !db.gate.mu.TryLock() {
		return
	}
	// Not while the group before is being applied: committing would hold
	// the gate until it is; a later tick commits it.
	if c := db.gate.cur; c != nil && time.Since(c.opened) >= groupMaxAge && c.prevApplied() {
		db.commitLocked()
	}
	db.gate.mu.Unlock()
}

// commitAndWaitLocked commits the open group and waits until every group
// is applied (Close, FLUSHALL); the caller holds the gate.
func (db *DB) commitAndWaitLocked() error {
	db.commitLocked()
	c := db.gate.inflight
	if c == nil {
		return nil
	}
	<-c.done
	return c.err
}

// Timestamps (Badger managed mode). Group commits and the few writes made
// outside the gate (collector batches, the version ceiling, garbage
// markers) take commit timestamps from one counter. Read snapshots are
// taken at applied: at least every timestamp below which all commits are
// applied, and at least the newest applied group (groups are serialized,
// so anything below it still in progress is an outside write, which no
// command reads).
type clock struct {
	mu      sync.Mutex
	last    uint64   // last timestamp handed out
	pending []uint64 // handed out, not yet applied (or failed)
}

// issueTs hands out the next commit timestamp.
func (db *DB) issueTs() uint64 {
	c := &db.clock
	c.mu.Lock()
	c.last++
	ts := c.last
	c.pending = append(c.pending, ts)
	c.mu.Unlock()
	return ts
}

// doneTs retires ts (applied or failed) and moves the read timestamp on;
// group: ts was a group commit that was applied.
func (db *DB) doneTs(ts uint64, group bool) {
	c := &db.clock
	c.mu.Lock()
	for i, p := range c.pending {
		if p == ts {
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			break
		}
	}
	next := c.last
	for _, p := range c.pending {
		next = min(next, p-1)
	}
	if group {
		next = max(next, ts)
	}
	if next > db.applied.Load() {
		db.applied.Store(next)
	}
	c.mu.Unlock()
}
