package engine

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// TestGroupSharesCommit checks that commands from two connections land in
// one Badger transaction, that neither is visible to others before the
// commit, and that a connection reads its own uncommitted writes.
func TestGroupSharesCommit(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	var a1, a2 Acks
	h1, h2 := db.WithAcks(&a1), db.WithAcks(&a2)
	etSet(t, h1, "k1", "v1", SetOptions{})
	etSet(t, h2, "k2", "v2", SetOptions{})
	if len(a1.groups) != 1 || len(a2.groups) != 1 || a1.groups[0] != a2.groups[0] {
		t.Fatalf("the two writes joined groups %v and %v, want one shared group", a1.groups, a2.groups)
	}
	// Nobody else sees them yet, each writer sees its own.
	if got := etGet(t, db, "k1"); got != "<nil>" {
		t.Fatalf("k1 visible before commit: %q", got)
	}
	// h2 has a write in the same group, so it reads through the group (in
	// the group's serial order h1's write came first), and its reply waits
	// for the same commit.
	if got := etGet(t, h2, "k1"); got != "v1" {
		t.Fatalf("a connection sharing the group reads %q for k1, want v1", got)
	}
	if got := etGet(t, h1, "k1"); got != "v1" {
		t.Fatalf("writer reads %q for its own k1, want v1", got)
	}
	if n := db.KeyCount(); n != 2 {
		t.Fatalf("DBSize = %d after two new keys", n)
	}
	writes := db.stats.Writes.Load()
	if err := a1.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := etGet(t, db, "k2"); got != "v2" {
		t.Fatalf("k2 after commit: %q", got)
	}
	if err := a2.Wait(); err != nil {
		t.Fatal(err)
	}
	if db.stats.Writes.Load() != writes {
		t.Fatalf("Writes moved on Wait")
	}
}

// TestGroupCommandRollback checks that a command failing after it wrote is
// undone without touching the commands before it in its group.
func TestGroupCommandRollback(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	var a Acks
	h := db.WithAcks(&a)
	etSet(t, h, "before", "1", SetOptions{})
	if _, err := h.HSet([]byte("h"), bs("f1", "x")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := h.update(func(tx *Tx) error {
		e, err := tx.load([]byte("before"))
		if err != nil {
			return err
		}
		if err := tx.del(e); err != nil {
			return err
		}
		e2, err := tx.loadType([]byte("h"), TypeHash)
		if err != nil {
			return err
		}
		if err := tx.del(e2); err != nil {
			return err
		}
		n, err := tx.load([]byte("new"))
		if err != nil {
			return err
		}
		n.Type = TypeString
		n.Value = []byte("zzz")
		if err := tx.put(n); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("update returned %v", err)
	}
	// Same group, after the undo: earlier writes intact, the failed
	// command's gone, counters untouched.
	if got := etGet(t, h, "before"); got != "1" {
		t.Fatalf("before = %q after an undone DEL", got)
	}
	if got := etGet(t, h, "new"); got != "<nil>" {
		t.Fatalf("new = %q after an undone SET", got)
	}
	if n := db.KeyCount(); n != 2 {
		t.Fatalf("DBSize = %d, want 2", n)
	}
	etSet(t, h, "after", "2", SetOptions{})
	if err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"before": "1", "after": "2", "new": "<nil>"} {
		if got := etGet(t, db, k); got != want {
			t.Fatalf("%s = %q after commit, want %q", k, got, want)
		}
	}
	v, ok, err := db.HGet([]byte("h"), []byte("f1"))
	if err != nil || !ok || string(v) != "x" {
		t.Fatalf("HGET h f1 = %q %v %v", v, ok, err)
	}
	if n := db.KeyCount(); n != 3 {
		t.Fatalf("DBSize = %d, want 3", n)
	}
}

// TestGroupTooBigCommand checks that a command too big for one Badger
// transaction fails alone while the writes before it in its group commit.
func TestGroupTooBigCommand(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir(), MemTableSize: 2 << 20})
	var a Acks
	h := db.WithAcks(&a)
	etSet(t, h, "small", "v", SetOptions{})
	if _, err := h.ListPush([]byte("big"), make([][]byte, 20000), false, false); !errors.Is(err, badger.ErrTxnTooBig) {
		t.Fatalf("pushing 20000 items: %v, want ErrTxnTooBig", err)
	}
	if err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := etGet(t, db, "small"); got != "v" {
		t.Fatalf("small = %q", got)
	}
	if typ := etType(t, db, "big"); typ != TypeNone {
		t.Fatalf("big has type %v after a failed push", typ)
	}
}

// TestGroupCaps checks that a group closes at its size cap, so a long
// pipeline commits in several transactions.
func TestGroupCaps(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	var a Acks
	h := db.WithAcks(&a)
	n := db.gate.maxOps*2 + 10
	for i := range n {
		etSet(t, h, fmt.Sprint("k", i), "v", SetOptions{})
	}
	if len(a.groups) < 3 {
		t.Fatalf("%d writes joined %d groups, want at least 3 (cap %d)", n, len(a.groups), db.gate.maxOps)
	}
	if err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := db.KeyCount(); got != int64(n) {
		t.Fatalf("DBSize = %d, want %d", got, n)
	}
}

// TestGroupStaleCommit checks that a group nobody waits for (a client gone
// without reading its replies) is committed by the ticker.
func TestGroupStaleCommit(t *testing.T) {
	db := openLive(t, Options{Dir: t.TempDir()})
	var a Acks
	etSet(t, db.WithAcks(&a), "orphan", "v", SetOptions{})
	waitFor(t, "the ticker to commit an unwaited group", func() bool { return etGet(t, db, "orphan") == "v" })
}

// TestGroupConcurrentIncr runs many pipelining connections incrementing
// shared counters and hash fields (read-modify-write of meta records and
// of element values, across pipelined groups); every increment must count
// exactly once.
func TestGroupConcurrentIncr(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	const conns, per, depth = 16, 600, 8
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var a Acks
			h := db.WithAcks(&a)
			for i := range per {
				var err error
				if i%2 == 0 {
					_, err = h.IncrBy([]byte(fmt.Sprint("ctr", i%3)), 1)
				} else {
					_, err = h.HIncrBy([]byte("h"), []byte(fmt.Sprint("f", i%3)), 1)
				}
				if err != nil {
					errs <- err
					return
				}
				if i%depth == depth-1 || (c+i)%5 == 0 {
					if err := a.Wait(); err != nil {
						errs <- err
						return
					}
				}
			}
			errs <- a.Wait()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for i := range 3 {
		var n int
		if _, err := fmt.Sscan(etGet(t, db, fmt.Sprint("ctr", i)), &n); err != nil {
			t.Fatal(err)
		}
		total += n
		v, _, err := db.HGet([]byte("h"), []byte(fmt.Sprint("f", i)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fmt.Sscan(string(v), &n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total != conns*per {
		t.Fatalf("counters and fields sum to %d, want %d", total, conns*per)
	}
}

// TestGroupCloseCommits checks that Close commits an open group.
func TestGroupCloseCommits(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var a Acks
	etSet(t, db.WithAcks(&a), "k", "v", SetOptions{})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openQuiet(t, Options{Dir: dir})
	if got := etGet(t, db, "k"); got != "v" {
		t.Fatalf("k = %q after reopen", got)
	}
}

// TestGroupIncrNoLostUpdate is INCR from 50 connections each waiting for
// every reply (redis-benchmark -P 1): groups open while the one before is
// being applied, and no increment may read a stale value.
func TestGroupIncrNoLostUpdate(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	var wg sync.WaitGroup
	seen := make(map[int64]int)
	var mu sync.Mutex
	for c := 0; c < 50; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var a Acks
			h := db.WithAcks(&a)
			for i := 0; i < 200; i++ {
				v, err := h.IncrBy([]byte("hits"), 1)
				if err != nil {
					t.Error(err)
					return
				}
				if err := a.Wait(); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[v]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	dup := 0
	for _, n := range seen {
		if n > 1 {
			dup++
		}
	}
	if dup > 0 || len(seen) != 10000 {
		t.Fatalf("%d INCR replies seen twice, %d distinct replies; want 0 and 10000", dup, len(seen))
	}
}

// TestGroupSyncCommitsFirst checks that Sync (SAVE) first commits the
// writes already executed, so a client's SAVE covers its own writes.
func TestGroupSyncCommitsFirst(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	var a Acks
	etSet(t, db.WithAcks(&a), "k", "v", SetOptions{})
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	if got := etGet(t, db, "k"); got != "v" {
		t.Fatalf("k = %q after Sync, want the executed write applied", got)
	}
	if err := a.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestGroupReadOwnCommittedWrite checks that a connection reading right
// after its write's group was committed (by someone else) but perhaps not
// yet applied sees the write: a pipeline's SET then GET.
func TestGroupReadOwnCommittedWrite(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	var a, other Acks
	h, o := db.WithAcks(&a), db.WithAcks(&other)
	for i := range 300 {
		k, v := fmt.Sprint("k", i%7), fmt.Sprint("v", i)
		etSet(t, h, k, v, SetOptions{})
		// Another connection's write joins the same group, which is then
		// committed without waiting for Badger to apply it.
		etSet(t, o, "o", v, SetOptions{})
		db.gate.mu.Lock()
		db.commitLocked()
		db.gate.mu.Unlock()
		if got := etGet(t, h, k); got != v {
			t.Fatalf("round %d: GET %s after its own SET reads %q, want %q", i, k, got, v)
		}
		if i%10 == 9 {
			if err := a.Wait(); err != nil {
				t.Fatal(err)
			}
			if err := other.Wait(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestGroupCommitFailure injects a failed Badger commit: every command of
// the group reports the error to its connection, nothing of the group is
// readable (through Badger or the cache), the key counters are taken
// back, and the store keeps working once commits succeed again.
func TestGroupCommitFailure(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	etSet(t, db, "kept", "old", SetOptions{})
	if _, err := db.HSet([]byte("h"), [][]byte{[]byte("f"), []byte("1")}); err != nil {
		t.Fatal(err)
	}
	keys, expires := db.KeyCount(), db.ExpiresCount()

	injected := errors.New("injected commit failure")
	fault := func(txn *badger.Txn, _ uint64, applied func(error)) {
		txn.Discard()
		go applied(injected)
	}
	db.commitFault.Store(&fault)
	var a Acks
	h := db.WithAcks(&a)
	etSet(t, h, "kept", "new", SetOptions{})
	etSet(t, h, "fresh", "v", SetOptions{ExpireAt: nowMs() + 60_000})
	if _, err := h.HSet([]byte("h"), [][]byte{[]byte("f"), []byte("2"), []byte("g"), []byte("3")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ListPush([]byte("l"), [][]byte{[]byte("a"), []byte("b")}, true, false); err != nil {
		t.Fatal(err)
	}
	if err := a.Wait(); !errors.Is(err, injected) {
		t.Fatalf("Wait after a failed commit: %v, want the injected error", err)
	}
	db.commitFault.Store(nil)

	if got := etGet(t, db, "kept"); got != "old" {
		t.Errorf("kept = %q after its overwrite failed, want old", got)
	}
	if got := etGet(t, db, "fresh"); got != "<nil>" {
		t.Errorf("fresh = %q, want missing", got)
	}
	if typ := etType(t, db, "l"); typ != TypeNone {
		t.Errorf("l has type %v, want none", typ)
	}
	fields, err := db.HGetAll([]byte("h"))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%q", fields) != `["f" "1"]` {
		t.Errorf("h = %q, want only f=1", fields)
	}
	if got := db.KeyCount(); got != keys {
		t.Errorf("KeyCount = %d after the failed group, want %d", got, keys)
	}
	if got := db.ExpiresCount(); got != expires {
		t.Errorf("ExpiresCount = %d after the failed group, want %d", got, expires)
	}

	// Commits work again, and they see the state before the failure.
	etSet(t, db, "fresh", "w", SetOptions{})
	if n, err := db.HSet([]byte("h"), [][]byte{[]byte("g"), []byte("4")}); err != nil || n != 1 {
		t.Fatalf("HSET h g after recovery: %d, %v (want 1 new field)", n, err)
	}
	if got := etGet(t, db, "fresh"); got != "w" {
		t.Errorf("fresh = %q, want w", got)
	}
	if got := db.KeyCount(); got != keys+1 {
		t.Errorf("KeyCount = %d, want %d", got, keys+1)
	}
}

// TestGroupFailureFailsTheNext: a group that ran while the one before it
// was in flight read that group's writes, so when that commit fails it
// fails too, and neither group's writes survive.
func TestGroupFailureFailsTheNext(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	keys := db.KeyCount()
	injected := errors.New("injected commit failure")
	release := make(chan struct{})
	var calls int // under the gate
	fault := func(txn *badger.Txn, ts uint64, applied func(error)) {
		if calls++; calls > 1 { // only the first commit fails
			if err := txn.CommitAt(ts, applied); err != nil {
				t.Error(err)
			}
			return
		}
		txn.Discard()
		go func() { <-release; applied(injected) }()
	}
	db.commitFault.Store(&fault)

	var a1, a2 Acks
	h1, h2 := db.WithAcks(&a1), db.WithAcks(&a2)
	if n, err := h1.IncrBy([]byte("n"), 1); err != nil || n != 1 {
		t.Fatalf("first INCR: %d, %v", n, err)
	}
	errs1 := make(chan error, 1)
	go func() { errs1 <- a1.Wait() }()
	waitFor(t, "the first group to be committed and in flight", func() bool {
		db.gate.mu.Lock()
		defer db.gate.mu.Unlock()
		return db.gate.cur == nil && db.gate.inflight != nil
	})
	if n, err := h2.IncrBy([]byte("n"), 1); err != nil || n != 2 {
		t.Fatalf("second INCR (reading the group in flight): %d, %v, want 2", n, err)
	}
	errs2 := make(chan error, 1)
	go func() { errs2 <- a2.Wait() }()
	close(release)
	if err := <-errs1; !errors.Is(err, injected) {
		t.Fatalf("first group: %v, want the injected error", err)
	}
	if err := <-errs2; !errors.Is(err, injected) {
		t.Fatalf("second group: %v, want it to fail with the first", err)
	}
	db.commitFault.Store(nil)
	if got := etGet(t, db, "n"); got != "<nil>" {
		t.Errorf("n = %q after both groups failed, want missing", got)
	}
	if got := db.KeyCount(); got != keys {
		t.Errorf("KeyCount = %d, want %d", got, keys)
	}
	if n, err := db.IncrBy([]byte("n"), 1); err != nil || n != 1 {
		t.Fatalf("INCR after recovery: %d, %v, want 1", n, err)
	}
}

// TestGroupStaysOpenWhileOneIsInFlight: a connection that waits for a group
// while the group before it is still being applied does not close it, so
// commands that arrive meanwhile join the same group instead of queueing
// at the gate behind its commit.
func TestGroupStaysOpenWhileOneIsInFlight(t *testing.T) {
	db := openQuiet(t, Options{Dir: t.TempDir()})
	release := make(chan struct{})
	var calls int // under the gate
	fault := func(txn *badger.Txn, ts uint64, applied func(error)) {
		calls++
		if calls == 1 { // hold the first group in flight until released
			go func() {
				<-release
				if err := txn.CommitAt(ts, applied); err != nil {
					t.Error(err)
				}
			}()
			return
		}
		if err := txn.CommitAt(ts, applied); err != nil {
			t.Error(err)
		}
	}
	db.commitFault.Store(&fault)

	var a1, a2, a3 Acks
	h1, h2, h3 := db.WithAcks(&a1), db.WithAcks(&a2), db.WithAcks(&a3)
	etSet(t, h1, "k1", "v1", SetOptions{})
	g1 := a1.last()
	errs := make(chan error, 3)
	go func() { errs <- a1.Wait() }()
	waitFor(t, "the first group to be in flight", func() bool { return g1.closed.Load() })

	etSet(t, h2, "k2", "v2", SetOptions{})
	g2 := a2.last()
	if g2 == g1 || g2.prev != g1 {
		t.Fatal("the second write did not open a group behind the one in flight")
	}
	go func() { errs <- a2.Wait() }()
	waitFor(t, "a waiter on the second group", func() bool { return g2.waiters.Load() == 1 })

	wrote := make(chan struct{})
	go func() {
		etSet(t, h3, "k3", "v3", SetOptions{})
		close(wrote)
	}()
	select {
	case <-wrote:
	case <-time.After(2 * time.Second):
		close(release)
		t.Fatal("a write queued behind a commit waiting for the group in flight")
	}
	if a3.last() != g2 {
		t.Error("the third write did not join the open second group")
	}
	go func() { errs <- a3.Wait() }()
	close(release)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"k1", "k2", "k3"} {
		if got := etGet(t, db, k); got != "v"+k[1:] {
			t.Errorf("%s = %q", k, got)
		}
	}
	if calls != 2 {
		t.Errorf("%d commits, want 2 (the second group held both later writes)", calls)
	}
}
