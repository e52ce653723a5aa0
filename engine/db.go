// Package engine is kvnode's data store: Redis values encoded on Badger keys
// (one file per data type), typed operations with no RESP in them, expiry,
// a write gate with group commit (group.go) and slot-scoped operations.
// See DESIGN.md §3.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/kvnode/kvnode/slots"
)

// SyncMode says when writes reach the disk, mirroring redis' appendfsync.
type SyncMode int

const (
	// SyncEverySec syncs the write-ahead log in the background once a second.
	// A process crash loses nothing acknowledged; an OS crash may lose ~1 s.
	SyncEverySec SyncMode = iota
	// SyncAlways syncs before a write is acknowledged.
	SyncAlways
	// SyncNo leaves syncing to the operating system.
	SyncNo
)

// Options configure Open.
type Options struct {
	// Dir is the data directory; it is created when missing.
	Dir string
	// InMemory keeps everything in memory (tests only).
	InMemory bool
	// Sync is the durability mode.
	Sync SyncMode
	// Logger receives Badger's and the engine's logs. Nil discards them.
	Logger *slog.Logger
	// MemTableSize overrides the memtable size (bytes); 0 picks the
	// low-memory default.
	MemTableSize int64
	// BlockCacheSize overrides the block cache (bytes); 0 picks the default.
	BlockCacheSize int64
	// MetaCacheSize bounds the in-memory cache of meta records (bytes); 0
	// picks 64 MiB, negative disables it.
	MetaCacheSize int64
}

// DB is an open kvnode store. All methods are safe for concurrent use.
//
// A DB value is a cheap handle on the shared store: WithAcks returns another
// handle whose writes are acknowledged through an Acks instead of waited for.
type DB struct {
	*store
	acks *Acks
}

// WithAcks returns a handle on the same store whose writes do not wait for
// their commit; a.Wait reports them.
func (db *DB) WithAcks(a *Acks) *DB { return &DB{store: db.store, acks: a} }

// store is the state shared by every handle of one open DB.
type store struct {
	bdb  *badger.DB
	opts Options
	log  *slog.Logger

	// gate runs write commands one at a time into the open group of
	// commands committed together (group.go).
	gate gate
	// Badger runs in managed mode: clock hands out commit timestamps and
	// applied is where every read snapshot is taken (group.go), so no
	// Badger watermark is consulted per read or per commit.
	clock   clock
	applied atomic.Uint64
	// commitFault, set only by tests, replaces Badger's commit of a group:
	// it gets the group's transaction, its commit timestamp and the
	// callback Badger would call.
	commitFault atomic.Pointer[func(txn *badger.Txn, ts uint64, applied func(error))]

	// keys and expires count the meta records (and those with a TTL) per
	// slot; they change under the gate when a command succeeds, and a group
	// whose commit fails takes its changes back.
	keys    [slots.Count]atomic.Int64
	expires [slots.Count]atomic.Int64
	// expireSecs sums the expire-at (unix seconds) of the keys with a TTL
	// per slot, so INFO's avg_ttl is exact without a scan.
	expireSecs [slots.Count]atomic.Int64
	// nextExpiry is the earliest expire-at (ms) indexed in each slot, 0 when
	// the slot has no key with a TTL. Written under the gate.
	nextExpiry [slots.Count]atomic.Int64

	version   atomic.Uint64 // last collection version handed out
	ceiling   atomic.Uint64 // versions below this are covered by the persisted ceiling
	versionMu sync.Mutex    // serializes ceiling updates

	// garbageHint marks slots that may hold dead versions awaiting the
	// collector; collectWake wakes it.
	garbageHint [slots.Count]atomic.Bool
	collectWake chan struct{}
	collectMu   sync.Mutex // one collector pass at a time

	stats Stats

	touchHook atomic.Pointer[TouchFunc]
	cache     *metaCache

	closeOnce sync.Once
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

// Stats are engine counters reported by INFO.
type Stats struct {
	ExpiredKeys atomic.Int64 // keys removed by expiry
	Writes      atomic.Int64 // committed write transactions
	// Commits counts the groups handed to Badger (group.go), so
	// Writes/Commits is the mean number of commands per Badger commit.
	Commits atomic.Int64
	// CollectedElements counts element keys of dead versions removed.
	CollectedElements atomic.Int64
	LastSave          atomic.Int64 // unix seconds of the last full sync to disk
	// SavedWrites is Writes as it was when the last sync started, so
	// Writes-SavedWrites is INFO's rdb_changes_since_last_save.
	SavedWrites atomic.Int64
}

// ErrClosed is returned by operations on a closed DB.
var ErrClosed = errors.New("engine: closed")

// Open opens (or creates) the store in opts.Dir.
func Open(opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bo := lowMemoryOptions(opts)
	bo = bo.WithLogger(badgerLogger{log.With("component", "badger")}).WithLoggingLevel(badger.WARNING)
	bdb, err := badger.OpenManaged(bo)
	if err != nil {
		return nil, fmt.Errorf("open badger in %q: %w", opts.Dir, err)
	}
	cacheSize := opts.MetaCacheSize
	if cacheSize == 0 {
		cacheSize = 64 << 20
	}
	db := &DB{store: &store{bdb: bdb, opts: opts, log: log, collectWake: make(chan struct{}, 1), cache: newMetaCache(cacheSize)}}
	db.stats.LastSave.Store(time.Now().Unix())
	db.gate.maxOps, db.gate.maxBytes = groupLimits(bo.MemTableSize)
	db.clock.last = bdb.MaxVersion()
	db.applied.Store(db.clock.last)
	if err := db.initVersions(); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	if err := db.loadCounters(); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	db.cancel = cancel
	db.wg.Add(4)
	go db.groupLoop(ctx)
	go db.expireLoop(ctx)
	go db.maintenanceLoop(ctx)
	go db.collectLoop(ctx)
	return db, nil
}

// lowMemoryOptions sizes Badger so that six nodes fit comfortably on one
// machine (see shared/notes/dependencies.md §3 for the measurements).
func lowMemoryOptions(o Options) badger.Options {
	// A memtable of 64 MiB bounds one command's atomic transaction at
	// about 96k element writes (Badger allows 15% of a memtable per
	// transaction); two of them plus the caches keep a node near 250 MB.
	mem := o.MemTableSize
	if mem == 0 {
		mem = 64 << 20
	}
	cache := o.BlockCacheSize
	if cache == 0 {
		cache = 16 << 20
	}
	bo := badger.DefaultOptions(o.Dir)
	if o.InMemory {
		bo = badger.DefaultOptions("").WithInMemory(true)
	}
	bo = bo.WithMemTableSize(mem).
		WithNumMemtables(2).
		WithNumLevelZeroTables(3).
		WithNumLevelZeroTablesStall(10).
		WithBaseTableSize(8 << 20).
		WithBaseLevelSize(64 << 20).
		WithBlockCacheSize(cache).
		WithIndexCacheSize(8 << 20).
		WithValueThreshold(1 << 10).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithMetricsEnabled(false).
		WithDetectConflicts(false). // the write gate serializes writers
		WithCompression(options.Snappy).
		WithSyncWrites(o.Sync == SyncAlways)
	if o.InMemory {
		// Values at or above the threshold crash InMemory mode; keep the
		// default log size (not used) and a safe threshold.
		bo = bo.WithValueThreshold(1 << 20)
	}
	return bo
}

// Close stops background work and closes Badger. It is idempotent.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		db.cancel()
		db.wg.Wait()
		db.gate.mu.Lock()
		if cerr := db.commitAndWaitLocked(); cerr != nil {
			db.log.Warn("final commit failed", "err", cerr)
		}
		db.gate.mu.Unlock()
		if db.opts.Sync != SyncNo && !db.opts.InMemory {
			if serr := db.bdb.Sync(); serr != nil {
				db.log.Warn("final sync failed", "err", serr)
			}
		}
		err = db.bdb.Close()
	})
	if err != nil {
		return fmt.Errorf("close badger: %w", err)
	}
	return nil
}

// Sync flushes the write-ahead log to disk (SAVE).
func (db *DB) Sync() error {
	if db.opts.InMemory {
		return nil
	}
	w := db.stats.Writes.Load()
	// Writes already executed (a SAVE's own client's among them) are in
	// the open or in-flight group: get them into the log first, without
	// holding the gate while Badger applies them. A group that fails
	// reports to its own clients.
	db.gate.mu.Lock()
	db.commitLocked()
	last := db.gate.inflight
	db.gate.mu.Unlock()
	if last != nil {
		<-last.done
	}
	if err := db.bdb.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	db.stats.SavedWrites.Store(w)
	db.stats.LastSave.Store(time.Now().Unix())
	return nil
}

// Stats returns the engine's counters.
func (db *DB) Stats() *Stats { return &db.stats }

// DiskSize returns Badger's LSM and value-log sizes in bytes.
func (db *DB) DiskSize() (lsm, vlog int64) { return db.bdb.Size() }

// every runs fn once a period, and whenever wake (if not nil) fires, until
// ctx ends; it is the body of a background goroutine counted in db.wg.
func (db *DB) every(ctx context.Context, period time.Duration, wake <-chan struct{}, fn func()) {
	defer db.wg.Done()
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
		fn()
	}
}

// maintenanceLoop syncs once a second (appendfsync everysec) and runs
// value-log garbage collection now and then.
func (db *DB) maintenanceLoop(ctx context.Context) {
	defer db.wg.Done()
	sync := time.NewTicker(time.Second)
	defer sync.Stop()
	gc := time.NewTicker(5 * time.Minute)
	defer gc.Stop()
	// Versions older than discardLag seconds' worth of commits may be
	// dropped by compaction: no read snapshot lives that long.
	const discardLag = 10
	var applied [discardLag]uint64
	tick := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-sync.C:
			if old := applied[tick%discardLag]; old > 0 {
				db.bdb.SetDiscardTs(old)
			}
			applied[tick%discardLag] = db.applied.Load()
			tick++
			if db.opts.Sync == SyncEverySec && !db.opts.InMemory {
				if err := db.Sync(); err != nil {
					db.log.Warn("background sync failed", "err", err)
				}
			}
		case <-gc.C:
			if db.opts.InMemory {
				continue
			}
			for db.bdb.RunValueLogGC(0.5) == nil {
				if ctx.Err() != nil {
					return
				}
			}
		}
	}
}

// badgerLogger routes Badger's logs into slog.
type badgerLogger struct{ l *slog.Logger }

func trim(format string, args []any) string {
	s := fmt.Sprintf(format, args...)
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == ' ') {
		s = s[:len(s)-1]
	}
	return s
}

func (b badgerLogger) Errorf(f string, a ...any)   { b.l.Error(trim(f, a)) }
func (b badgerLogger) Warningf(f string, a ...any) { b.l.Warn(trim(f, a)) }
func (b badgerLogger) Infof(f string, a ...any)    { b.l.Info(trim(f, a)) }
func (b badgerLogger) Debugf(f string, a ...any)   { b.l.Debug(trim(f, a)) }
