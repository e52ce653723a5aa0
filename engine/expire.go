package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/kvnode/kvnode/slots"
)

// Active expiry: a background cycle walks the slots whose earliest indexed
// expire-at has passed and deletes the due keys through the normal write
// path, so the deletion is an ordinary committed write.

const (
	expirePeriod  = 100 * time.Millisecond
	expireBudget  = 2000 // keys deleted per cycle at most
	expireSlotMax = 500  // keys deleted per slot transaction at most
)

func (db *DB) expireLoop(ctx context.Context) {
	db.every(ctx, expirePeriod, nil, func() {
		if _, err := db.ExpireCycle(expireBudget); err != nil {
			db.log.Warn("active expiry failed", "err", err)
		}
	})
}

// ExpireCycle deletes up to budget expired keys and returns how many it
// deleted.
func (db *DB) ExpireCycle(budget int) (int, error) {
	now := nowMs()
	total := 0
	for s := 0; s < slots.Count && total < budget; s++ {
		ne := db.nextExpiry[s].Load()
		if ne == 0 || ne > now {
			continue
		}
		n, err := db.expireSlot(s, now, min(expireSlotMax, budget-total))
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func (db *DB) expireSlot(slot int, now int64, limit int) (int, error) {
	n := 0
	err := db.update(func(tx *Tx) error {
		n = 0
		type due struct {
			at  int64
			key []byte
		}
		var list []due
		next := int64(0)
		it := tx.newIterator(badger.IteratorOptions{Prefix: slotPrefix(slot, tagExpire)})
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			at := int64(binary.BigEndian.Uint64(k[3:11]))
			if at > now || len(list) >= limit {
				next = at
				break
			}
			list = append(list, due{at, append([]byte(nil), k[11:]...)})
		}
		it.Close()
		for _, d := range list {
			e, err := tx.load(d.key)
			if err != nil {
				return err
			}
			if e.onDisk && e.ExpireAt == d.at {
				if err := tx.del(e); err != nil {
					return err
				}
				n++
				continue
			}
			// An index entry that no longer matches its key: drop it.
			if err := tx.delete(expireKey(slot, d.at, d.key)); err != nil {
				return fmt.Errorf("drop stale expire index: %w", err)
			}
		}
		db.nextExpiry[slot].Store(next)
		return nil
	})
	if err == nil {
		db.stats.ExpiredKeys.Add(int64(n))
	}
	return n, err
}

// loadCounters counts the keys and TTLs of every slot, finds each slot's
// earliest expiry and marks slots holding dead collection versions; run
// once at Open. It is one pass over the meta, expiry and garbage keys,
// seeking past element ranges (seeking once per slot would skip the same
// deleted keys over and over).
func (db *DB) loadCounters() error {
	return db.view(func(tx *Tx) error {
		it := tx.newIterator(badger.IteratorOptions{PrefetchValues: false})
		defer it.Close()
		it.Rewind()
		for it.Valid() {
			k := it.Item().Key()
			if len(k) < 3 || k[0] >= slots.Count>>8 {
				break // system keys sort after every slot
			}
			s := keySlot(k)
			switch k[2] {
			case tagMeta:
				db.keys[s].Add(1)
			case tagExpire:
				if len(k) >= 11 {
					at := int64(binary.BigEndian.Uint64(k[3:11]))
					if db.expires[s].Add(1) == 1 {
						db.nextExpiry[s].Store(at)
					}
					db.expireSecs[s].Add(at / 1000)
				}
			case tagGarbage:
				db.garbageHint[s].Store(true)
			default:
				// Element or score keys: jump to the slot's next tag.
				it.Seek([]byte{k[0], k[1], k[2] + 1})
				continue
			}
			it.Next()
		}
		return nil
	})
}

// KeyCount returns the number of keys in the store (DBSIZE), counting keys
// that expired but are not yet collected, as Redis does.
func (db *DB) KeyCount() int64 {
	var n int64
	for s := range db.keys {
		n += db.keys[s].Load()
	}
	return n
}

// ExpiresCount returns the number of keys with a TTL.
func (db *DB) ExpiresCount() int64 {
	var n int64
	for s := range db.expires {
		n += db.expires[s].Load()
	}
	return n
}

// AvgTTL returns the average remaining time to live, in ms, of the keys
// with a TTL (0 when there are none), as INFO's avg_ttl reports it.
func (db *DB) AvgTTL() int64 {
	var n, secs int64
	for s := range db.expires {
		n += db.expires[s].Load()
		secs += db.expireSecs[s].Load()
	}
	if n <= 0 {
		return 0
	}
	return max((secs/n)*1000-nowMs(), 0)
}

// SlotKeyCount returns the number of keys in one slot.
func (db *DB) SlotKeyCount(slot int) int64 { return db.keys[slot].Load() }
