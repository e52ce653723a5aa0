package engine

import badger "github.com/dgraph-io/badger/v4"

// MemoryUsage estimates the bytes key and its value take, in the spirit of
// Redis' MEMORY USAGE: the key, its meta record and, for collections, the
// element keys under its version (sampled up to samples elements, 0 = all,
// and extrapolated). ok is false when the key does not exist.
func (db *DB) MemoryUsage(key []byte, samples int) (n int64, ok bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.load(key)
		if err != nil || !e.live {
			return err
		}
		ok = true
		// Badger keeps each entry's key, value and about 40 bytes of
		// skiplist/table metadata; the expiry index adds one more entry.
		const entryOverhead = 40
		n = int64(3+len(key)) + int64(len(encodeMeta(&e.Meta))) + entryOverhead
		if e.ExpireAt != 0 {
			n += int64(11+len(key)) + entryOverhead
		}
		if e.Type == TypeString || e.Count == 0 {
			return nil
		}
		perElem, sampled, err := tx.sampleElements(e, samples)
		if err != nil || sampled == 0 {
			return err
		}
		n += perElem * e.Count / sampled
		return nil
	})
	return n, ok, err
}

// sampleElements sums the stored size of up to limit (0 = all) element
// keys of collection e and returns the sum and how many it read.
func (tx *Tx) sampleElements(e *Entry, limit int) (sum, count int64, err error) {
	p := elementPrefix(e.Slot, tagElement, e.Version)
	it := tx.newIterator(iterOpts(p))
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		sum += int64(len(item.Key())) + item.ValueSize() + 40
		count++
		if limit > 0 && count >= int64(limit) {
			break
		}
	}
	return sum, count, nil
}

// iterOpts returns iterator options for a key-only prefix scan.
func iterOpts(prefix []byte) badger.IteratorOptions {
	return badger.IteratorOptions{Prefix: prefix, PrefetchValues: false}
}
