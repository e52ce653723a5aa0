package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/kvnode/kvnode/slots"
)

// badgerMeta reads key's meta record straight from Badger, bypassing the
// cache.
func badgerMeta(t *testing.T, db *DB, key string) []byte {
	t.Helper()
	var out []byte
	err := db.bdb.View(func(txn *badger.Txn) error {
		item, err := txn.Get(metaKey(slots.KeySlot([]byte(key)), []byte(key)))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMetaCacheCoherent hammers a small key space with writers, deleters,
// renamers and readers (readers fill the cache while writers replace
// records), then checks that what the cache serves equals Badger for
// every key.
func TestMetaCacheCoherent(t *testing.T) {
	db := openLive(t, Options{Dir: t.TempDir()})
	keys := make([]string, 40)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d", i)
	}
	var wg sync.WaitGroup
	ops := 0
	var mu sync.Mutex
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			n := 0
			for i := 0; i < 1500; i++ {
				k := []byte(keys[r.IntN(len(keys))])
				var err error
				switch r.IntN(8) {
				case 6:
					// Hash fields: element values go through the cache too.
					f := []byte(fmt.Sprint("f", r.IntN(4)))
					if r.IntN(3) == 0 {
						_, err = db.HDel([]byte("h"), [][]byte{f})
					} else {
						_, err = db.HSet([]byte("h"), [][]byte{f, []byte(fmt.Sprintf("v%d-%d", g, i))})
					}
				case 7:
					_, _, err = db.HGet([]byte("h"), []byte(fmt.Sprint("f", r.IntN(4))))
				case 0, 1:
					_, err = db.Set(k, []byte(fmt.Sprintf("v%d-%d", g, i)), SetOptions{})
				case 2:
					_, err = db.Del([][]byte{k})
				case 3:
					_, err = db.IncrBy([]byte(fmt.Sprintf("n%d", r.IntN(5))), 1)
				case 4:
					_, err = db.Rename(k, []byte(keys[r.IntN(len(keys))]), false)
					if errors.Is(err, ErrNoSuchKey) {
						err = nil
					}
				default:
					_, _, err = db.Get(k)
					if errors.Is(err, ErrWrongType) {
						err = nil
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
				n++
			}
			mu.Lock()
			ops += n
			mu.Unlock()
		}(g)
	}
	wg.Wait()
	if ops != 6*1500 {
		t.Fatalf("ran %d operations, want %d", ops, 6*1500)
	}
	for _, k := range append(keys, "n0", "n1", "n2", "n3", "n4") {
		var cached []byte
		err := db.view(func(tx *Tx) error {
			raw, err := tx.readMeta(slots.KeySlot([]byte(k)), metaKey(slots.KeySlot([]byte(k)), []byte(k)))
			cached = raw
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if disk := badgerMeta(t, db, k); string(cached) != string(disk) {
			t.Errorf("key %s: cache serves %q, Badger has %q", k, cached, disk)
		}
	}
	// Every cached element equals what Badger holds.
	checked := 0
	for i := range db.cache.shards {
		sh := &db.cache.shards[i]
		sh.mu.Lock()
		entries := make(map[string]cacheRec, len(sh.m))
		for _, v := range sh.m {
			entries[string(v.key())] = v
		}
		sh.mu.Unlock()
		for k, v := range entries {
			if k[2] != tagElement {
				continue
			}
			var disk []byte
			found := false
			err := db.bdb.View(func(txn *badger.Txn) error {
				item, err := txn.Get([]byte(k))
				if errors.Is(err, badger.ErrKeyNotFound) {
					return nil
				}
				if err != nil {
					return err
				}
				found = true
				disk, err = item.ValueCopy(nil)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if found != v.exists() || string(disk) != string(v.value()) {
				t.Errorf("element %q: cache has %q (exists %v), Badger %q (exists %v)", k, v.value(), v.exists(), disk, found)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Error("no element was cached")
	}
	if hits, _ := db.cache.stats(); hits == 0 {
		t.Error("the cache never served a read")
	}
}

func TestMetaCacheFlushAllAndLimit(t *testing.T) {
	db := openLive(t, Options{Dir: t.TempDir()})
	if _, err := db.Set([]byte("a"), []byte("1"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := db.FlushAll(); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.Get([]byte("a")); ok {
		t.Fatal("GET after FLUSHALL served a cached value")
	}
	c := newMetaCache(cacheShards * 1024) // 1 KiB a shard
	for i := 0; i < 10000; i++ {
		c.store([]byte(fmt.Sprintf("key-%d", i)), make([]byte, 100), true, 1)
	}
	for i := range c.shards {
		if b := c.shards[i].bytes; b > 1024 {
			t.Fatalf("shard %d holds %d bytes over its 1024 limit", i, b)
		}
	}
}

// TestMetaCacheStaleFillRefused: a reader whose snapshot predates a write
// must not put the old record back into the cache.
func TestMetaCacheStaleFillRefused(t *testing.T) {
	db := openLive(t, Options{Dir: t.TempDir()})
	k := []byte("k")
	if _, err := db.Set(k, []byte("old"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	mk := metaKey(slots.KeySlot(k), k)
	db.cache.invalidate(mk)
	err := db.view(func(tx *Tx) error {
		// A write lands after this snapshot began…
		if _, err := db.Set(k, []byte("new"), SetOptions{}); err != nil {
			return err
		}
		db.cache.invalidate(mk) // force the old reader to miss
		// …and the old reader, missing, reads its snapshot's record.
		raw, err := tx.readMeta(slots.KeySlot(k), mk)
		if err != nil {
			return err
		}
		if m, _ := decodeMeta(raw); string(m.Value) != "old" {
			t.Errorf("snapshot read %q, want old", m.Value)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _, _ := db.Get(k); string(v) != "new" {
		t.Fatalf("GET = %q after a stale reader: the cache took its record", v)
	}
}

// TestMetaCacheNewerEntryIgnored: a reader whose snapshot predates a write
// must not be served the write's record from the cache (it would see a
// meta record whose elements its snapshot lacks).
func TestMetaCacheNewerEntryIgnored(t *testing.T) {
	db := openLive(t, Options{Dir: t.TempDir()})
	k := []byte("h")
	if _, err := db.HSet(k, bs("f", "old")); err != nil {
		t.Fatal(err)
	}
	err := db.view(func(tx *Tx) error {
		// The hash is replaced by a new version after this snapshot began;
		// the cache now holds the new meta record.
		if _, err := db.Del(bs("h")); err != nil {
			return err
		}
		if _, err := db.HSet(k, bs("g", "new")); err != nil {
			return err
		}
		e, err := tx.loadType(k, TypeHash)
		if err != nil {
			return err
		}
		v, ok, err := tx.getElem(e, []byte("f"))
		if err != nil {
			return err
		}
		if !ok || string(v) != "old" {
			t.Errorf("old snapshot reads field f = %q %v, want old", v, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	v, ok, err := db.HGet(k, []byte("g"))
	if err != nil || !ok || string(v) != "new" {
		t.Fatalf("HGET h g = %q %v %v", v, ok, err)
	}
}

// TestMetaCacheHashCollision: a key whose hash slot holds another key's
// record misses instead of being served that record.
func TestMetaCacheHashCollision(t *testing.T) {
	c := newMetaCache(1 << 20)
	a, b := []byte("key-a"), []byte("key-b")
	h, s := c.slot(a)
	s.mu.Lock()
	s.setLocked(h, newCacheRec(b, []byte("b's value"), true, 1), c.limit)
	s.mu.Unlock()
	if raw, _, hit := c.get(a, 10, true); hit {
		t.Fatalf("key-a was served key-b's record %q", raw)
	}
	c.store(a, []byte("a's value"), true, 2)
	if raw, ok, hit := c.get(a, 10, true); !hit || !ok || string(raw) != "a's value" {
		t.Fatalf("after a store: %q exists=%v hit=%v", raw, ok, hit)
	}
	if _, _, hit := c.get(a, 1, true); hit {
		t.Fatal("a snapshot older than the entry was served it")
	}
}
