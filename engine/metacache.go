package engine

import (
	"sync"
	"sync/atomic"

	"github.com/kvnode/kvnode/slots"
)

// metaCache keeps recently used meta records in memory so that reads of
// hot keys (and the read-before-write of every write command) skip
// Badger's memtable and table lookups. Strings live inline in their meta
// record, so for a cache workload a hit serves GET entirely.
//
// Coherence: every meta write goes through Tx.put/del/delMetaOnly inside
// the write gate, and when its group's commit is issued the group stores
// the new record (or its absence) in the cache, overwriting whatever was
// there; until then only the group itself sees it (Tx.meta). A reader that missed fills the cache with what its
// snapshot read only if no write to that slot happened since its
// transaction began (writeSeq/lastWrite), so a slow reader never puts back
// a record a writer has replaced. A commit that later fails invalidates
// the keys it had cached.
type metaCache struct {
	shards [cacheShards]cacheShard
	limit  int64 // bytes per shard
	// writeSeq counts write commits; lastWrite[slot] is the writeSeq of the
	// slot's latest write.
	writeSeq  atomic.Uint64
	lastWrite [slots.Count]atomic.Uint64
	hits      atomic.Int64
	misses    atomic.Int64
}

const (
	cacheShards = 64
	// cacheMaxValue: larger records are not cached.
	cacheMaxValue = 16 << 10
	// cacheEntryOverhead approximates a map entry's own cost.
	cacheEntryOverhead = 64
)

type cacheShard struct {
	mu    sync.Mutex
	m     map[string]cacheEntry
	bytes int64
}

// cacheEntry is a cached record (or its absence) and the Badger timestamp
// it is valid from: a reader whose snapshot is older must not use it.
type cacheEntry struct {
	raw    []byte
	ts     uint64
	exists bool
}

func newMetaCache(limit int64) *metaCache {
	c := &metaCache{limit: limit / cacheShards}
	for i := range c.shards {
		c.shards[i].m = make(map[string]cacheEntry)
	}
	return c
}

func (c *metaCache) shard(mk []byte) *cacheShard {
	var h uint32 = 2166136261
	for _, b := range mk {
		h = (h ^ uint32(b)) * 16777619
	}
	return &c.shards[h%cacheShards]
}

// get returns the cached record under k as a snapshot at readTs sees it
// (a copy, when value is set): hit is false on a miss (or an entry newer
// than the snapshot), exists false when the key is cached as absent.
func (c *metaCache) get(k []byte, readTs uint64, value bool) (raw []byte, exists, hit bool) {
	s := c.shard(k)
	s.mu.Lock()
	v, ok := s.m[string(k)]
	hit = ok && v.ts <= readTs
	if hit && v.exists {
		if value {
			raw = append(make([]byte, 0, len(v.raw)), v.raw...)
		}
		exists = true
	}
	s.mu.Unlock()
	if hit {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return raw, exists, hit
}

// fill stores what a reader's snapshot at readTs (begun at writeSeq g0)
// found, unless the slot was written since.
func (c *metaCache) fill(slot int, mk, raw []byte, exists bool, g0, readTs uint64) {
	if len(raw) > cacheMaxValue {
		return
	}
	s := c.shard(mk)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.lastWrite[slot].Load() > g0 {
		return
	}
	if _, ok := s.m[string(mk)]; ok {
		return
	}
	s.setLocked(mk, raw, exists, readTs, c.limit)
}

// store records a write of mk applied at Badger timestamp ts (exists
// false: a deletion).
func (c *metaCache) store(mk, raw []byte, exists bool, ts uint64) {
	s := c.shard(mk)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(raw) > cacheMaxValue {
		s.deleteLocked(mk)
		return
	}
	s.setLocked(mk, raw, exists, ts, c.limit)
}

// invalidate drops mk.
func (c *metaCache) invalidate(mk []byte) {
	s := c.shard(mk)
	s.mu.Lock()
	s.deleteLocked(mk)
	s.mu.Unlock()
}

// clear drops everything (FLUSHALL).
func (c *metaCache) clear() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		s.m = make(map[string]cacheEntry)
		s.bytes = 0
		s.mu.Unlock()
	}
}

func (s *cacheShard) setLocked(mk, raw []byte, exists bool, ts uint64, limit int64) {
	s.deleteLocked(mk)
	var v []byte
	if exists {
		v = append(make([]byte, 0, len(raw)), raw...)
	}
	size := int64(len(mk)+len(v)) + cacheEntryOverhead
	// Evict arbitrary entries (map order) until the new one fits.
	if s.bytes+size > limit {
		for k := range s.m {
			if s.bytes+size <= limit {
				break
			}
			s.deleteLocked([]byte(k))
		}
	}
	if s.bytes+size > limit {
		return
	}
	s.m[string(mk)] = cacheEntry{v, ts, exists}
	s.bytes += size
}

func (s *cacheShard) deleteLocked(mk []byte) {
	if v, ok := s.m[string(mk)]; ok {
		s.bytes -= int64(len(mk)+len(v.raw)) + cacheEntryOverhead
		delete(s.m, string(mk))
	}
}
