package engine

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/kvnode/kvnode/slots"
)

// metaCache keeps recently used meta records (and element values) in
// memory so that reads of hot keys, and the read-before-write of every
// write command, skip Badger's memtable and table lookups. Strings live
// inline in their meta record, so for a cache workload a hit serves GET
// entirely.
//
// Coherence: every write of a cacheable key goes through the write gate,
// and once its group is applied the group stores the new record (or its
// absence) here, overwriting whatever was there, with the group's commit
// timestamp; a reader whose snapshot is older than an entry misses. A
// reader that missed fills the cache with what its snapshot read only if
// no write to that slot happened since its transaction began
// (writeSeq/lastWrite), so a slow reader never puts back a record a writer
// has replaced.
//
// Layout: a shard maps the 64-bit hash of a key to one byte slice holding
// the entry's timestamp, flags, key and value (cacheRec), so a lookup
// touches the map slot and one contiguous record. Two keys with the same
// hash share the slot: the key stored in the record decides, and the
// other key simply misses.
type metaCache struct {
	shards [cacheShards]cacheShard
	limit  int64 // bytes per shard
	seed   maphash.Seed
	// writeSeq counts write commits; lastWrite[slot] is the writeSeq of the
	// slot's latest write.
	writeSeq  atomic.Uint64
	lastWrite [slots.Count]atomic.Uint64
}

const (
	cacheShards = 64
	// cacheMaxValue: larger records are not cached.
	cacheMaxValue = 16 << 10
	// cacheEntryOverhead approximates a map slot's and an allocation's
	// own cost.
	cacheEntryOverhead = 48
)

type cacheShard struct {
	mu           sync.Mutex
	m            map[uint64]cacheRec
	bytes        int64
	hits, misses int64
}

// cacheRec is one cache entry: the Badger timestamp it is valid from
// (8 bytes), whether the key exists (1), the key's length (4), the key,
// then the value.
type cacheRec []byte

const cacheRecHeader = 13

func newCacheRec(k, raw []byte, exists bool, ts uint64) cacheRec {
	r := make([]byte, cacheRecHeader+len(k)+len(raw))
	binary.LittleEndian.PutUint64(r, ts)
	if exists {
		r[8] = 1
	}
	binary.LittleEndian.PutUint32(r[9:], uint32(len(k)))
	copy(r[cacheRecHeader:], k)
	copy(r[cacheRecHeader+len(k):], raw)
	return r
}

func (r cacheRec) ts() uint64    { return binary.LittleEndian.Uint64(r) }
func (r cacheRec) exists() bool  { return r[8] == 1 }
func (r cacheRec) keyLen() int   { return int(binary.LittleEndian.Uint32(r[9:])) }
func (r cacheRec) key() []byte   { return r[cacheRecHeader : cacheRecHeader+r.keyLen()] }
func (r cacheRec) value() []byte { return r[cacheRecHeader+r.keyLen():] }
func (r cacheRec) size() int64   { return int64(len(r)) + cacheEntryOverhead }

func newMetaCache(limit int64) *metaCache {
	c := &metaCache{limit: limit / cacheShards, seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[uint64]cacheRec)
	}
	return c
}

// slot returns k's hash and shard.
func (c *metaCache) slot(k []byte) (uint64, *cacheShard) {
	h := maphash.Bytes(c.seed, k)
	return h, &c.shards[h>>58] // cacheShards == 1<<6
}

// get returns the cached record under k as a snapshot at readTs sees it
// (a copy, when value is set): hit is false on a miss (or an entry newer
// than the snapshot), exists false when the key is cached as absent.
func (c *metaCache) get(k []byte, readTs uint64, value bool) (raw []byte, exists, hit bool) {
	h, s := c.slot(k)
	s.mu.Lock()
	r, ok := s.m[h]
	hit = ok && string(r.key()) == string(k) && r.ts() <= readTs
	if hit {
		s.hits++
		if exists = r.exists(); exists && value {
			v := r.value()
			raw = append(make([]byte, 0, len(v)), v...)
		}
	} else {
		s.misses++
	}
	s.mu.Unlock()
	return raw, exists, hit
}

// fill stores what a reader's snapshot at readTs (begun at writeSeq g0)
// found, unless the slot was written since or k's place is taken.
func (c *metaCache) fill(slot int, mk, raw []byte, exists bool, g0, readTs uint64) {
	if len(raw) > cacheMaxValue {
		return
	}
	r := newCacheRec(mk, raw, exists, readTs)
	h, s := c.slot(mk)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.lastWrite[slot].Load() > g0 {
		return
	}
	if _, ok := s.m[h]; ok {
		return
	}
	s.setLocked(h, r, c.limit)
}

// store records a write of mk applied at Badger timestamp ts (exists
// false: a deletion).
func (c *metaCache) store(mk, raw []byte, exists bool, ts uint64) {
	h, s := c.slot(mk)
	if len(raw) > cacheMaxValue {
		s.mu.Lock()
		s.deleteLocked(h)
		s.mu.Unlock()
		return
	}
	r := newCacheRec(mk, raw, exists, ts)
	s.mu.Lock()
	s.setLocked(h, r, c.limit)
	s.mu.Unlock()
}

// invalidate drops mk (and whatever shares its hash).
func (c *metaCache) invalidate(mk []byte) {
	h, s := c.slot(mk)
	s.mu.Lock()
	s.deleteLocked(h)
	s.mu.Unlock()
}

// clear drops everything (FLUSHALL).
func (c *metaCache) clear() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		s.m = make(map[uint64]cacheRec)
		s.bytes = 0
		s.mu.Unlock()
	}
}

// stats returns the hits and misses so far.
func (c *metaCache) stats() (hits, misses int64) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		hits, misses = hits+s.hits, misses+s.misses
		s.mu.Unlock()
	}
	return hits, misses
}

// setLocked puts r under h, replacing what was there and evicting
// arbitrary entries (map order) until it fits.
func (s *cacheShard) setLocked(h uint64, r cacheRec, limit int64) {
	size := r.size()
	if old, ok := s.m[h]; ok {
		s.bytes -= old.size()
	}
	if s.bytes+size > limit {
		delete(s.m, h)
		for k, v := range s.m {
			if s.bytes+size <= limit {
				break
			}
			s.bytes -= v.size()
			delete(s.m, k)
		}
		if s.bytes+size > limit {
			return
		}
	}
	s.m[h] = r
	s.bytes += size
}

func (s *cacheShard) deleteLocked(h uint64) {
	if v, ok := s.m[h]; ok {
		s.bytes -= v.size()
		delete(s.m, h)
	}
}
