package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// List operations (DESIGN.md §3).
//
// A list is a meta record (TypeList, with Head and Tail) plus one element
// key per item: slot | 'e' | version | seqKey(seq) → item, where seq runs
// over [Head, Tail) without gaps and Count == Tail-Head. LPUSH writes at
// Head-1, RPUSH at Tail, so both ends are O(1) point writes; an index i
// (0-based from the head) is the point key Head+i. Operations in the
// middle (LINSERT, LREM) keep the sequence contiguous by shifting the
// shorter side. Operations that drop most of a list (LTRIM, LPOP with a
// count, LREM) copy what remains to a fresh version instead, leaving the
// old one to the collector, so their writes stay few: one command's
// writes must fit in one Badger transaction (a few ten thousand keys with
// the default memtable). An empty list is deleted, as in Redis.
//
// Complexities below are in Badger point operations (each O(log N) in the
// LSM) and are given next to Redis' own.

// ErrIndexOutOfRange is LSET's error for an index outside the list.
var ErrIndexOutOfRange = errors.New("engine: index out of range")

var errCorruptList = errors.New("engine: corrupt list")

// seqKey is the element suffix of sequence number seq: 8 bytes big-endian
// of seq with its sign bit flipped, so byte order is numeric order for
// negative sequence numbers too.
func seqKey(seq int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(seq)^(1<<63))
	return b
}

func seqOf(suffix []byte) int64 { return int64(binary.BigEndian.Uint64(suffix) ^ (1 << 63)) }

func corruptList(e *Entry, what string) error {
	return fmt.Errorf("list %q (head %d, tail %d, count %d): %s: %w", e.Key, e.Head, e.Tail, e.Count, what, errCorruptList)
}

// listScan calls fn with the sequence number and item of e's items,
// starting at seq from and walking toward the tail (toward the head when
// reverse), until fn returns false or the list ends. It checks that the
// sequence numbers are contiguous. fn owns the item.
func (tx *Tx) listScan(e *Entry, from int64, reverse bool, fn func(seq int64, item []byte) (bool, error)) error {
	want := from
	return tx.scanElems(e, tagElement, seqKey(from), reverse, func(suffix, val []byte) (bool, error) {
		if len(suffix) != 8 {
			return false, corruptList(e, "bad element key")
		}
		seq := seqOf(suffix)
		if seq != want || seq < e.Head || seq >= e.Tail {
			return false, corruptList(e, fmt.Sprintf("item at seq %d, expected %d", seq, want))
		}
		if reverse {
			want--
		} else {
			want++
		}
		if val == nil {
			val = []byte{}
		}
		return fn(seq, val) // scanElems copied it
	})
}

// listGet reads the item at sequence number seq, which must exist.
func (tx *Tx) listGet(e *Entry, seq int64) ([]byte, error) {
	v, ok, err := tx.getElem(e, seqKey(seq))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, corruptList(e, fmt.Sprintf("missing item at seq %d", seq))
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// listFinish ends every list write: an empty list is deleted, anything
// else gets its meta record written.
func (tx *Tx) listFinish(e *Entry) error {
	if e.Count == 0 {
		return tx.del(e)
	}
	return tx.put(e)
}

// listPush adds items one by one at the head (left) or tail of e.
func (tx *Tx) listPush(e *Entry, left bool, items ...[]byte) error {
	for _, it := range items {
		if left {
			if err := tx.setElem(e, tagElement, seqKey(e.Head-1), it); err != nil {
				return err
			}
			e.Head--
		} else {
			if err := tx.setElem(e, tagElement, seqKey(e.Tail), it); err != nil {
				return err
			}
			e.Tail++
		}
		e.Count++
	}
	return nil
}

// listPop removes up to n items from the head (left) or tail of e and
// returns them in the order they were popped. The caller finishes e; with
// dropAll it promises to delete e if it empties, so the popped items need
// no deletes of their own.
func (tx *Tx) listPop(e *Entry, left bool, n int64, dropAll bool) ([][]byte, error) {
	n = min(n, e.Count)
	if n <= 0 {
		return nil, nil
	}
	from := e.Head
	if !left {
		from = e.Tail - 1
	}
	var out [][]byte
	if n == 1 {
		v, err := tx.listGet(e, from)
		if err != nil {
			return nil, err
		}
		out = [][]byte{v}
	} else {
		out = make([][]byte, 0, min(n, 1024))
		err := tx.listScan(e, from, !left, func(_ int64, item []byte) (bool, error) {
			out = append(out, item)
			return int64(len(out)) < n, nil
		})
		if err != nil {
			return nil, err
		}
		if int64(len(out)) != n {
			return nil, corruptList(e, "short list")
		}
	}
	rest := e.Count - n
	switch {
	case rest == 0 && dropAll:
		// e is deleted next; the collector removes the items.
		e.Head, e.Count = e.Tail, 0
		return out, nil
	case rest+1 < n: // the +1 is the garbage marker
		// Copying the rest to a fresh version writes fewer keys than
		// deleting the popped items.
		s := int64(0)
		if left {
			s = n
		}
		return out, tx.listRewrite(e, s, rest, nil)
	}
	for i := int64(0); i < n; i++ {
		seq := from + i
		if !left {
			seq = from - i
		}
		if err := tx.delElem(e, tagElement, seqKey(seq)); err != nil {
			return nil, err
		}
	}
	if left {
		e.Head += n
	} else {
		e.Tail -= n
	}
	e.Count -= n
	return out, nil
}

// listRewrite replaces e's items by those at indexes [s, s+n) except the
// ascending indexes skip, copied to a fresh version at sequence numbers
// from 0; the old version goes to the collector. O(n) writes: callers use
// it when that is fewer than the deletes and moves of changing e in
// place, which keeps big trims and pops within one Badger transaction.
func (tx *Tx) listRewrite(e *Entry, s, n int64, skip []int64) error {
	v, err := tx.db.nextVersion()
	if err != nil {
		return err
	}
	ne := &Entry{Key: e.Key, Slot: e.Slot}
	ne.Version = v
	var w int64
	if n > 0 {
		err = tx.listScan(e, e.Head+s, false, func(seq int64, it []byte) (bool, error) {
			idx := seq - e.Head
			if idx >= s+n {
				return false, nil
			}
			if len(skip) > 0 && skip[0] == idx {
				skip = skip[1:]
				return true, nil
			}
			w++
			return true, tx.setElem(ne, tagElement, seqKey(w-1), it)
		})
		if err != nil {
			return err
		}
	}
	if err := tx.scheduleCollect(e); err != nil {
		return err
	}
	e.Version, e.Head, e.Tail, e.Count = v, 0, w, w
	return nil
}

// clampRange turns Redis start/stop indexes (negative from the end) into
// an inclusive range within a list of n items, as LRANGE and LTRIM do; ok
// is false when the range is empty.
func clampRange(start, stop, n int64) (int64, int64, bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= n {
		return 0, 0, false
	}
	if stop >= n {
		stop = n - 1
	}
	return start, stop, true
}

// ListPush implements LPUSH/RPUSH (left selects the head) and, with
// onlyIfExists, LPUSHX/RPUSHX. It returns the list's new length (0 when
// onlyIfExists and there is no list).
// O(N) for N items, like Redis' O(1) per item.
func (db *DB) ListPush(key []byte, items [][]byte, left, onlyIfExists bool) (int64, error) {
	var n int64
	err := db.update(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeList)
		if err != nil {
			return err
		}
		if !e.live {
			if onlyIfExists {
				return nil
			}
			if err := tx.newCollection(e, TypeList); err != nil {
				return err
			}
		}
		if err := tx.listPush(e, left, items...); err != nil {
			return err
		}
		n = e.Count
		return tx.put(e)
	})
	return n, err
}

// ListPop implements LPOP/RPOP: it removes up to n items from the head
// (left) or tail and returns them in pop order. exists is false when
// there is no list. n == 0 only checks the key's type and existence.
// O(N) reads for N popped items and O(min(N, R)) writes for R remaining
// ones (when fewer remain, they are copied to a fresh version); Redis:
// O(N).
func (db *DB) ListPop(key []byte, left bool, n int64) (items [][]byte, exists bool, err error) {
	err = db.update(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeList)
		if err != nil || !e.live {
			return err
		}
		exists = true
		if n == 0 {
			return nil
		}
		if items, err = tx.listPop(e, left, n, true); err != nil {
			return err
		}
		return tx.listFinish(e)
	})
	return items, exists, err
}

// ListLen implements LLEN (0 when there is no list). O(1), as in Redis.
func (db *DB) ListLen(key []byte) (int64, error) {
	var n int64
	err := db.view(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeList)
		if err != nil || !e.live {
			return err
		}
		n = e.Count
		return nil
	})
	return n, err
}

// ListRange implements LRANGE: the items from index start to stop
// inclusive (negative indexes count from the tail). exists is false when
// there is no list. Seeks to start and walks only the range: O(log N + M)
// for M returned items; Redis: O(S+M), S the distance of start from the
// nearer end.
func (db *DB) ListRange(key []byte, start, stop int64) (items [][]byte, exists bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeList)
		if err != nil || !e.live {
			return err
		}
		exists = true
		s, t, ok := clampRange(start, stop, e.Count)
		if !ok {
			return nil
		}
		n := t - s + 1
		items = make([][]byte, 0, min(n, 1024))
		err = tx.listScan(e, e.Head+s, false, func(_ int64, item []byte) (bool, error) {
			items = append(items, item)
			return int64(len(items)) < n, nil
		})
		if err == nil && int64(len(items)) != n {
			err = corruptList(e, "short range")
		}
		return err
	})
	return items, exists, err
}

// ListIndex implements LINDEX: the item at index (negative from the
// tail). found is false when the index is outside the list, exists when
// there is no list. O(1) point read; Redis: O(N).
func (db *DB) ListIndex(key []byte, index int64) (item []byte, found, exists bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeList)
		if err != nil || !e.live {
			return err
		}
		exists = true
		if index < 0 {
			index += e.Count
		}
		if index < 0 || index >= e.Count {
			return nil
		}
		item, err = tx.listGet(e, e.Head+index)
		found = err == nil
		return err
	})
	return item, found, exists, err
}

// ListSet implements LSET: ErrNoSuchKey when there is no list,
// ErrIndexOutOfRange when index is outside it. O(1) point write; Redis:
// O(N).
func (db *DB) ListSet(key []byte, index int64, item []byte) error {
	return db.update(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeList)
		if err != nil {
			return err
		}
		if !e.live {
			return ErrNoSuchKey
		}
		if index < 0 {
			index += e.Count
		}
		if index < 0 || index >= e.Count {
			return ErrIndexOutOfRange
		}
		if err := tx.setElem(e, tagElement, seqKey(e.Head+index), item); err != nil {
			return err
		}
		return tx.put(e)
	})
}

// ListInsert implements LINSERT: item goes before (or, with after, after)
// the first occurrence of pivot from the head. It returns the new length,
// 0 when there is no list and -1 when pivot is not in it.
// O(P + min(P, N-P)) for pivot index P: the scan to the pivot, then the
// shorter side is shifted by one; Redis: O(N).
func (db *DB) ListInsert(key []byte, after bool, pivot, item []byte) (int64, error) {
	var n int64
	err := db.update(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeList)
		if err != nil || !e.live {
			return err
		}
		pos := int64(-1)
		err = tx.listScan(e, e.Head, false, func(seq int64, it []byte) (bool, error) {
			if bytes.Equal(it, pivot) {
				pos = seq - e.Head
				return false, nil
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		if pos < 0 {
			n = -1
			return nil
		}
		if after {
			pos++
		}
		// item becomes index pos: shift [0, pos) left or [pos, Count)
		// right, whichever is shorter.
		if pos < e.Count-pos {
			err = tx.listScan(e, e.Head, false, func(seq int64, it []byte) (bool, error) {
				if seq-e.Head >= pos {
					return false, nil
				}
				return true, tx.setElem(e, tagElement, seqKey(seq-1), it)
			})
			if err == nil {
				err = tx.setElem(e, tagElement, seqKey(e.Head+pos-1), item)
			}
			e.Head--
		} else {
			err = tx.listScan(e, e.Tail-1, true, func(seq int64, it []byte) (bool, error) {
				if seq-e.Head < pos {
					return false, nil
				}
				return true, tx.setElem(e, tagElement, seqKey(seq+1), it)
			})
			if err == nil {
				err = tx.setElem(e, tagElement, seqKey(e.Head+pos), item)
			}
			e.Tail++
		}
		if err != nil {
			return err
		}
		e.Count++
		n = e.Count
		return tx.put(e)
	})
	return n, err
}

// ListRem implements LREM: it removes the first count occurrences of item
// from the head (count > 0), the last -count from the tail (count < 0) or
// all of them (count == 0), and returns how many it removed.
// O(S + min(G + M, N - M)) for S the items scanned to find the M removed
// ones and G the items between them and the nearer end, shifted to close
// the gaps (or the N-M survivors copied to a fresh version, when fewer);
// Redis: O(N+M).
func (db *DB) ListRem(key []byte, count int64, item []byte) (int64, error) {
	var removed int64
	err := db.update(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeList)
		if err != nil || !e.live {
			return err
		}
		limit := count
		from, reverse := e.Head, false
		if count < 0 {
			limit = -count // -MinInt64 stays negative: no limit, as in Redis
			from, reverse = e.Tail-1, true
		}
		var pos []int64 // indexes of the items to remove
		err = tx.listScan(e, from, reverse, func(seq int64, it []byte) (bool, error) {
			if bytes.Equal(it, item) {
				pos = append(pos, seq-e.Head)
				if limit > 0 && int64(len(pos)) >= limit {
					return false, nil
				}
			}
			return true, nil
		})
		if err != nil || len(pos) == 0 {
			return err
		}
		removed = int64(len(pos))
		if removed == e.Count {
			e.Count = 0
			return tx.listFinish(e)
		}
		if reverse {
			for i, j := 0, len(pos)-1; i < j; i, j = i+1, j-1 {
				pos[i], pos[j] = pos[j], pos[i]
			}
		}
		if err := tx.listCloseGaps(e, pos); err != nil {
			return err
		}
		return tx.listFinish(e)
	})
	return removed, err
}

// listCloseGaps removes the items at the ascending indexes pos from e: the
// first c gaps are closed by moving the items before them toward the
// tail, the others by moving the items after them toward the head, with c
// chosen to move the fewest items; when that and the deletes write more
// keys than the survivors number, they are copied to a fresh version.
func (tx *Tx) listCloseGaps(e *Entry, pos []int64) error {
	k := int64(len(pos))
	n := e.Count
	best, bestCost := int64(0), int64(-1)
	for c := int64(0); c <= k; c++ {
		var cost int64
		if c > 0 {
			cost += pos[c-1] - (c - 1) // survivors before gap c-1
		}
		if c < k {
			cost += (n - 1 - pos[c]) - (k - 1 - c) // survivors after gap c
		}
		if bestCost < 0 || cost < bestCost {
			best, bestCost = c, cost
		}
	}
	if survivors := n - k; survivors+1 < bestCost+k {
		// Moving and deleting would write more keys than copying the
		// survivors to a fresh version.
		return tx.listRewrite(e, 0, n, pos)
	}
	c := best
	if c > 0 {
		// Walk from gap c-1 toward the head; each survivor moves up by
		// the number of gaps passed.
		shift, g := int64(0), c-1
		err := tx.listScan(e, e.Head+pos[c-1], true, func(seq int64, it []byte) (bool, error) {
			idx := seq - e.Head
			if g >= 0 && idx == pos[g] {
				shift++
				g--
				return true, nil
			}
			return true, tx.setElem(e, tagElement, seqKey(seq+shift), it)
		})
		if err != nil {
			return err
		}
		for s := e.Head; s < e.Head+c; s++ {
			if err := tx.delElem(e, tagElement, seqKey(s)); err != nil {
				return err
			}
		}
		e.Head += c
	}
	if c < k {
		shift, g := int64(0), c
		err := tx.listScan(e, e.Head-c+pos[c], false, func(seq int64, it []byte) (bool, error) {
			idx := seq - (e.Head - c)
			if g < k && idx == pos[g] {
				shift++
				g++
				return true, nil
			}
			return true, tx.setElem(e, tagElement, seqKey(seq-shift), it)
		})
		if err != nil {
			return err
		}
		for s := e.Tail - (k - c); s < e.Tail; s++ {
			if err := tx.delElem(e, tagElement, seqKey(s)); err != nil {
				return err
			}
		}
		e.Tail -= k - c
	}
	e.Count -= k
	return nil
}

// ListTrim implements LTRIM: only the items from start to stop inclusive
// remain. Items outside the range are point deletes, without reads, unless
// fewer items remain than go, which are then copied to a fresh version:
// O(min(R, K)) writes for R removed and K kept items; Redis: O(R).
func (db *DB) ListTrim(key []byte, start, stop int64) error {
	return db.update(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeList)
		if err != nil || !e.live {
			return err
		}
		s, t, ok := clampRange(start, stop, e.Count)
		if !ok {
			e.Count = 0 // everything goes; del hands the elements to the collector
			return tx.listFinish(e)
		}
		ltrim, rtrim := s, e.Count-1-t
		if kept := t - s + 1; kept+1 < ltrim+rtrim {
			if err := tx.listRewrite(e, s, kept, nil); err != nil {
				return err
			}
			return tx.put(e)
		}
		for i := int64(0); i < ltrim; i++ {
			if err := tx.delElem(e, tagElement, seqKey(e.Head+i)); err != nil {
				return err
			}
		}
		for i := int64(1); i <= rtrim; i++ {
			if err := tx.delElem(e, tagElement, seqKey(e.Tail-i)); err != nil {
				return err
			}
		}
		e.Head += ltrim
		e.Tail -= rtrim
		e.Count = e.Tail - e.Head
		return tx.put(e)
	})
}

// ListPosOptions are LPOS's options.
type ListPosOptions struct {
	Rank   int64 // non-zero; negative searches from the tail
	Count  int64 // -1: not given (one position or none); 0: all matches
	MaxLen int64 // 0: no limit on compared items
}

// ListPos implements LPOS: the indexes of item's matches, as Redis' lposCommand
// computes them (for Count -1 at most one). exists is false when there is
// no list. O(M) for M compared items (at most MaxLen), as in Redis.
func (db *DB) ListPos(key, item []byte, o ListPosOptions) (positions []int64, exists bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeList)
		if err != nil || !e.live {
			return err
		}
		exists = true
		rank, reverse := o.Rank, false
		if rank < 0 {
			rank = -rank // -MinInt64 stays negative, as in Redis
			reverse = true
		}
		from := e.Head
		if reverse {
			from = e.Tail - 1
		}
		var index, matches int64
		return tx.listScan(e, from, reverse, func(seq int64, it []byte) (bool, error) {
			if o.MaxLen != 0 && index >= o.MaxLen {
				return false, nil
			}
			index++
			if !bytes.Equal(it, item) {
				return true, nil
			}
			matches++
			if matches < rank {
				return true, nil
			}
			positions = append(positions, seq-e.Head)
			if o.Count == -1 {
				return false, nil
			}
			return o.Count == 0 || matches-rank+1 < o.Count, nil
		})
	})
	return positions, exists, err
}

// ListMove implements LMOVE and RPOPLPUSH: it pops an item from the head
// (fromLeft) or tail of src and pushes it at the head (toLeft) or tail of
// dst, atomically; src and dst may be the same list. ok is false when
// there is no src list. A dst of another type is ErrWrongType, checked
// only when src has an item, as in Redis. With skipWrongSrc a src of
// another type counts as missing (a blocked BLMOVE is served only by a
// list). O(1), as in Redis.
func (db *DB) ListMove(src, dst []byte, fromLeft, toLeft, skipWrongSrc bool) (item []byte, ok bool, err error) {
	err = db.update(func(tx *Tx) error {
		se, err := tx.loadType(src, TypeList)
		if errors.Is(err, ErrWrongType) && skipWrongSrc {
			return nil
		}
		if err != nil || !se.live {
			return err
		}
		de := se
		if !bytes.Equal(src, dst) {
			if de, err = tx.loadType(dst, TypeList); err != nil {
				return err
			}
		}
		items, err := tx.listPop(se, fromLeft, 1, de != se)
		if err != nil {
			return err
		}
		if len(items) != 1 {
			return corruptList(se, "empty list")
		}
		item, ok = items[0], true
		if !de.live {
			if err := tx.newCollection(de, TypeList); err != nil {
				return err
			}
		}
		if err := tx.listPush(de, toLeft, item); err != nil {
			return err
		}
		if de != se {
			if err := tx.listFinish(se); err != nil {
				return err
			}
		}
		return tx.put(de)
	})
	return item, ok, err
}

// ListMPop implements LMPOP, BLPOP and BRPOP: it pops up to count items
// from the head (left) or tail of the first of keys holding a list, and
// returns that key (nil when none does) with the items in pop order. A
// key of another type met before that list is ErrWrongType, unless
// skipWrongType, which makes it count as missing (blocked clients are
// served only by lists). O(K + C) for K keys looked at and C popped
// items, as in Redis.
func (db *DB) ListMPop(keys [][]byte, left bool, count int64, skipWrongType bool) (key []byte, items [][]byte, err error) {
	err = db.update(func(tx *Tx) error {
		for _, k := range keys {
			e, err := tx.loadType(k, TypeList)
			if errors.Is(err, ErrWrongType) && skipWrongType {
				continue
			}
			if err != nil {
				return err
			}
			if !e.live {
				continue
			}
			if items, err = tx.listPop(e, left, count, true); err != nil {
				return err
			}
			key = k
			return tx.listFinish(e)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return key, items, nil
}

// dumpList fills p with e's items, head to tail, for DUMP. O(N).
func (tx *Tx) dumpList(e *Entry, p *payload) error {
	p.typ = TypeList
	p.elems = make([][]byte, 0, min(e.Count, 1<<16))
	err := tx.listScan(e, e.Head, false, func(_ int64, item []byte) (bool, error) {
		p.elems = append(p.elems, item)
		return true, nil
	})
	if err != nil {
		return err
	}
	if int64(len(p.elems)) != e.Count {
		return corruptList(e, fmt.Sprintf("%d items found", len(p.elems)))
	}
	return nil
}

// restoreList writes p's items into e, fresh from newCollection, for
// RESTORE, and finishes e. O(N).
func (tx *Tx) restoreList(e *Entry, p *payload) error {
	if err := tx.listPush(e, false, p.elems...); err != nil {
		return err
	}
	return tx.listFinish(e)
}
