package engine

import (
	"context"
	"fmt"
	"testing"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/kvnode/kvnode/slots"
)

// makeSet creates a set-typed collection with n members through the
// internal collection API (the set commands build on the same calls).
func makeSet(t *testing.T, db *DB, key string, n int) {
	t.Helper()
	err := db.update(func(tx *Tx) error {
		e, err := tx.load([]byte(key))
		if err != nil {
			return err
		}
		if err := tx.newCollection(e, TypeSet); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := tx.setElem(e, tagElement, []byte(fmt.Sprintf("m%05d", i)), nil); err != nil {
				return err
			}
		}
		e.Count = int64(n)
		return tx.put(e)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// elemCount counts element keys of key's current version.
func elemCount(t *testing.T, db *DB, key string) (int, uint64) {
	t.Helper()
	n := 0
	var ver uint64
	err := db.view(func(tx *Tx) error {
		e, err := tx.load([]byte(key))
		if err != nil || !e.live {
			return err
		}
		ver = e.Version
		return tx.scanElems(e, tagElement, nil, false, func(_, _ []byte) (bool, error) { n++; return true, nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, ver
}

// rawPrefixCount counts every Badger key under slot|tag|version.
func rawPrefixCount(t *testing.T, db *DB, slot int, version uint64) int {
	t.Helper()
	n := 0
	err := db.view(func(tx *Tx) error {
		e := &Entry{Slot: slot, Meta: Meta{Version: version}}
		return tx.scanElems(e, tagElement, nil, false, func(_, _ []byte) (bool, error) { n++; return true, nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeleteCollectsDeadVersion(t *testing.T) {
	db := openLive(t, Options{Dir: t.TempDir()})
	makeSet(t, db, "s", 2500)
	n, ver := elemCount(t, db, "s")
	if n != 2500 {
		t.Fatalf("set has %d elements, want 2500", n)
	}
	slot := slots.KeySlot([]byte("s"))
	if d, err := db.Del([][]byte{[]byte("s")}); err != nil || d != 1 {
		t.Fatalf("Del = %d, %v", d, err)
	}
	// The background collector may already have run; between it and this
	// explicit pass, every element is removed exactly once.
	if _, err := db.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := db.Stats().CollectedElements.Load(); got != 2500 {
		t.Fatalf("collected %d element keys, want 2500", got)
	}
	if got := rawPrefixCount(t, db, slot, ver); got != 0 {
		t.Fatalf("after collection %d element keys remain", got)
	}
	if n := rawGarbageCount(t, db); n != 0 {
		t.Fatal("garbage marker left behind")
	}
}

func TestRenameWithinSlotKeepsVersionCopyDoesNot(t *testing.T) {
	db := openLive(t, Options{Dir: t.TempDir()})
	makeSet(t, db, "{t}a", 10)
	_, v1 := elemCount(t, db, "{t}a")
	if ok, err := db.Rename([]byte("{t}a"), []byte("{t}b"), false); err != nil || !ok {
		t.Fatalf("Rename = %v, %v", ok, err)
	}
	n, v2 := elemCount(t, db, "{t}b")
	if n != 10 || v2 != v1 {
		t.Fatalf("renamed set: %d elements, version %d (was %d)", n, v2, v1)
	}
	if ok, err := db.Copy([]byte("{t}b"), []byte("other"), false); err != nil || !ok {
		t.Fatalf("Copy = %v, %v", ok, err)
	}
	n, v3 := elemCount(t, db, "other")
	if n != 10 || v3 == v2 {
		t.Fatalf("copy: %d elements, version %d (source %d)", n, v3, v2)
	}
	// Cross-slot rename copies, and the source version is collected.
	if ok, err := db.Rename([]byte("{t}b"), []byte("far"), false); err != nil || !ok {
		t.Fatalf("Rename = %v, %v", ok, err)
	}
	if n, _ := elemCount(t, db, "far"); n != 10 {
		t.Fatalf("far has %d elements", n)
	}
	if _, err := db.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rawPrefixCount(t, db, slots.KeySlot([]byte("{t}b")), v2); got != 0 {
		t.Fatalf("%d elements of the moved-away version remain", got)
	}
	if n, _ := elemCount(t, db, "other"); n != 10 {
		t.Fatalf("copy lost elements: %d", n)
	}
}

func TestVersionsIncreaseAcrossReopenAndFlush(t *testing.T) {
	dir := t.TempDir()
	db := openLive(t, Options{Dir: dir})
	v1, err := db.nextVersion()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FlushAll(); err != nil {
		t.Fatal(err)
	}
	v2, _ := db.nextVersion()
	if v2 <= v1 {
		t.Fatalf("version went back after FLUSHALL: %d then %d", v1, v2)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Pretend the clock went far back: the persisted ceiling still wins.
	db2 := openLive(t, Options{Dir: dir})
	v3, _ := db2.nextVersion()
	if v3 <= v2 {
		t.Fatalf("version went back after reopen: %d then %d", v2, v3)
	}
	if c := db2.ceiling.Load(); c <= v3 {
		t.Fatalf("ceiling %d not above handed-out version %d", c, v3)
	}
}

// rawGarbageCount counts garbage markers in every slot.
func rawGarbageCount(t *testing.T, db *DB) int {
	t.Helper()
	n := 0
	err := db.view(func(tx *Tx) error {
		it := tx.newIterator(badger.IteratorOptions{PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if k := it.Item().Key(); len(k) > 2 && k[0] < 0x40 && k[2] == tagGarbage {
				n++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCollectorResumesAfterRestart(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	makeSet(t, db, "s", 100)
	// Close right after DEL: the marker may or may not have been collected;
	// after reopening, the collector must finish the job.
	if _, err := db.Del([][]byte{[]byte("s")}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2 := openLive(t, Options{Dir: dir})
	if _, err := db2.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := rawGarbageCount(t, db2); n != 0 {
		t.Fatalf("%d garbage markers survive a restart and a collection", n)
	}
	if n := db2.KeyCount(); n != 0 {
		t.Fatalf("KeyCount after reopen = %d", n)
	}
}
