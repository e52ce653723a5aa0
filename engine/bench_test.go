package engine

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/skl"
	"github.com/dgraph-io/badger/v4/y"

	"github.com/kvnode/kvnode/slots"
)

// Hot-path benchmarks on a disk store (appendfsync everysec, background
// loops running), as kvnode runs. 100-byte values and a 100k key space,
// like redis-benchmark -d 100 -r 100000.

const benchKeys = 100_000

func benchOpen(b *testing.B) *DB {
	b.Helper()
	db, err := Open(Options{Dir: b.TempDir(), Sync: SyncEverySec})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

func benchKey(i int) []byte { return []byte("key:" + strconv.Itoa(i%benchKeys)) }

var benchVal = []byte("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789")

// benchFill writes every bench key once.
func benchFill(b *testing.B, db *DB) {
	b.Helper()
	pairs := make([][]byte, 0, 2000)
	for i := 0; i < benchKeys; i++ {
		pairs = append(pairs, benchKey(i), benchVal)
		if len(pairs) == cap(pairs) || i == benchKeys-1 {
			if _, err := db.MSet(pairs, false); err != nil {
				b.Fatal(err)
			}
			pairs = pairs[:0]
		}
	}
}

func BenchmarkSet(b *testing.B) {
	db := benchOpen(b)
	b.SetBytes(int64(len(benchVal)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.Set(benchKey(i*7919), benchVal, SetOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetParallel(b *testing.B) {
	db := benchOpen(b)
	var n atomic.Int64
	b.SetBytes(int64(len(benchVal)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.Set(benchKey(int(n.Add(7919))), benchVal, SetOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSetAcks is SET as a pipelining connection issues it: the commit
// is not waited for, only acknowledged at the end.
func BenchmarkSetAcks(b *testing.B) {
	var acks Acks
	db := benchOpen(b).WithAcks(&acks)
	b.SetBytes(int64(len(benchVal)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.Set(benchKey(i*7919), benchVal, SetOptions{}); err != nil {
			b.Fatal(err)
		}
		if i%16 == 15 {
			if err := acks.Wait(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := acks.Wait(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSetClients is SET from 50 connections at once, each waiting for
// its replies every depth writes (redis-benchmark -c 50 -P depth): the
// commands of many connections share each group commit.
func BenchmarkSetClients(b *testing.B) {
	for _, depth := range []int{1, 16} {
		b.Run(fmt.Sprint("P", depth), func(b *testing.B) {
			db := benchOpen(b)
			var n atomic.Int64
			b.SetBytes(int64(len(benchVal)))
			b.SetParallelism((50 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var acks Acks
				h := db.WithAcks(&acks)
				for i := 1; pb.Next(); i++ {
					if _, err := h.Set(benchKey(int(n.Add(7919))), benchVal, SetOptions{}); err != nil {
						b.Error(err)
						return
					}
					if i%depth == 0 {
						if err := acks.Wait(); err != nil {
							b.Error(err)
							return
						}
					}
				}
				if err := acks.Wait(); err != nil {
					b.Error(err)
				}
			})
			b.ReportMetric(float64(db.stats.Writes.Load())/float64(db.stats.Commits.Load()), "cmds/commit")
		})
	}
}

func BenchmarkGet(b *testing.B) {
	db := benchOpen(b)
	benchFill(b, db)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, ok, err := db.Get(benchKey(i * 7919))
		if err != nil || !ok || len(v) != len(benchVal) {
			b.Fatalf("get: %v %v %d", ok, err, len(v))
		}
	}
}

func BenchmarkGetParallel(b *testing.B) {
	db := benchOpen(b)
	benchFill(b, db)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			v, ok, err := db.Get(benchKey(int(n.Add(7919))))
			if err != nil || !ok || len(v) != len(benchVal) {
				b.Errorf("get: %v %v %d", ok, err, len(v))
				return
			}
		}
	})
}

func BenchmarkIncrBy(b *testing.B) {
	db := benchOpen(b)
	for i := 0; i < b.N; i++ {
		if _, err := db.IncrBy(benchKey(i%1000), 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIncrByParallel(b *testing.B) {
	db := benchOpen(b)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.IncrBy(benchKey(int(n.Add(1)%1000)), 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkIncrByHotKey: every goroutine increments one key, so all of
// them queue on one slot lock.
func BenchmarkIncrByHotKey(b *testing.B) {
	db := benchOpen(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.IncrBy([]byte("counter"), 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkDelMillionElementHash measures DEL of a hash with 1M fields:
// one meta write and a garbage marker, whatever the size (the elements
// are collected in the background). Building the hash is not timed.
//
//	go test ./engine -run x -bench DelMillion -benchtime 3x
func BenchmarkDelMillionElementHash(b *testing.B) {
	db, err := Open(Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const fields = 1_000_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		key := []byte(fmt.Sprintf("big%d", i))
		// The elements go in through a write batch, then one transaction
		// publishes the meta record that points at their version.
		v, err := db.nextVersion()
		if err != nil {
			b.Fatal(err)
		}
		e := &Entry{Key: key, Slot: slots.KeySlot(key), Meta: Meta{Type: TypeHash, Version: v, Count: fields, Flags: MetaBig}}
		ts := db.issueTs()
		wb := db.bdb.NewWriteBatchAt(ts)
		for f := 0; f < fields; f++ {
			if err := wb.Set(elemKey(e, tagElement, []byte(fmt.Sprintf("field:%07d", f))), []byte("v")); err != nil {
				b.Fatal(err)
			}
		}
		if err := wb.Flush(); err != nil {
			b.Fatal(err)
		}
		db.doneTs(ts, false)
		err = db.update(func(tx *Tx) error {
			cur, err := tx.load(key)
			if err != nil {
				return err
			}
			cur.Meta = e.Meta
			return tx.put(cur)
		})
		if err != nil {
			b.Fatal(err)
		}
		// Let the previous iteration's elements be collected first, so the
		// timed DEL does not compete with that background work.
		if _, err := db.Collect(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if n, err := db.Del([][]byte{key}); err != nil || n != 1 {
			b.Fatalf("Del = %d, %v", n, err)
		}
	}
	b.StopTimer()
	if _, err := db.Collect(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(db.Stats().CollectedElements.Load())/float64(b.N), "collected/op")
}

// BenchmarkBadgerEntriesPerTxn is raw Badger in its normal (unmanaged)
// mode with this store's options, 50 goroutines committing transactions
// of n 100-byte entries: the per-transaction cost group commit amortizes
// (engine/group.go). ns/op is per entry; cpu-ns/entry is the process's
// CPU time (every core: Badger's writer, memtable flushes, compaction)
// per entry, the floor under the CPU cost of any write command that
// writes one entry (compare scripts/bench-cpu's redis-server column).
func BenchmarkBadgerEntriesPerTxn(b *testing.B) {
	for _, n := range []int{1, 16, 256} {
		b.Run(fmt.Sprint("n", n), func(b *testing.B) { benchBadgerTxns(b, Options{}, n) })
	}
}

// BenchmarkBadgerMemtableSize is BenchmarkBadgerEntriesPerTxn's load in
// transactions of 64 entries with memtables of several sizes: a smaller
// skiplist takes fewer cache misses per insert (BENCHMARKS.md).
func BenchmarkBadgerMemtableSize(b *testing.B) {
	for _, mb := range []int64{8, 16, 32, 64} {
		b.Run(fmt.Sprint("mb", mb), func(b *testing.B) { benchBadgerTxns(b, Options{MemTableSize: mb << 20}, 64) })
	}
}

// benchBadgerTxns opens raw Badger with this store's options for o and
// has 50 goroutines commit transactions of n 100-byte entries over the
// bench keys.
func benchBadgerTxns(b *testing.B, o Options, n int) {
	o.Dir = b.TempDir()
	bdb, err := badger.Open(lowMemoryOptions(o).WithLogger(nil))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = bdb.Close() })
	var next atomic.Int64
	b.SetBytes(int64(len(benchVal)))
	b.SetParallelism((50 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	defer reportCPU(b, "cpu-ns/entry")()
	b.RunParallel(func(pb *testing.PB) {
		txn, k := bdb.NewTransaction(true), 0
		for pb.Next() {
			if err := txn.Set(benchKey(int(next.Add(7919))), benchVal); err != nil {
				b.Error(err)
				return
			}
			if k++; k == n {
				if err := txn.Commit(); err != nil {
					b.Error(err)
					return
				}
				txn, k = bdb.NewTransaction(true), 0
			}
		}
		if err := txn.Commit(); err != nil {
			b.Error(err)
		}
	})
}

// BenchmarkSkiplistInsertOrder inserts batches of 1024 random keys (over
// the bench key space, a new version each batch) into one Badger
// skiplist already holding 300 batches, in random or in sorted order: the
// question being whether sorting a group's keys before commit would make
// memtable inserts cheaper (it does not, BENCHMARKS.md). ns/op is per key.
func BenchmarkSkiplistInsertOrder(b *testing.B) {
	for _, sorted := range []bool{false, true} {
		b.Run(fmt.Sprint("sorted=", sorted), func(b *testing.B) {
			sl := skl.NewSkiplist(256 << 20)
			defer sl.DecrRef()
			r := rand.New(rand.NewPCG(1, 2))
			val := y.ValueStruct{Value: benchVal}
			batch := make([][]byte, 1024)
			ts := uint64(0)
			insert := func() {
				b.StopTimer()
				for i := range batch {
					batch[i] = metaKey(0, benchKey(r.IntN(benchKeys)))
				}
				if sorted {
					slices.SortFunc(batch, bytes.Compare)
				}
				ts++
				b.StartTimer()
				for _, k := range batch {
					sl.Put(y.KeyWithTs(k, ts), val)
				}
			}
			for range 300 {
				insert()
			}
			b.ResetTimer()
			for i := 0; i < b.N; i += len(batch) {
				insert()
			}
		})
	}
}

// reportCPU starts measuring the process's CPU time (user + system, all
// threads); the function it returns reports it per b.N as unit.
func reportCPU(b *testing.B, unit string) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64(cpu()-start)/float64(b.N), unit)
	}
}
