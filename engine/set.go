package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
)

// Sets. A set is a meta record (TypeSet, Version, Count, Flags) plus one
// element key per member, with an empty value (DESIGN.md §3):
//
//	slot | 'e' | version | member → (empty)
//
// Members are therefore kept in byte order. Membership tests, adds and
// removes are point reads and writes. Below, N is the number of members of
// the set, and a Badger point read, write or seek counts as O(log N).
//
// An empty set does not exist: the write that removes the last member
// deletes the key. Meta.Count is the exact number of members. MetaBig is
// set when Redis 7.0 would hold the set as a hashtable rather than an
// intset: once a member is not an integer (Redis' string2ll rules,
// ParseInt) or the set has more than 512 members (set-max-intset-entries).
// Like Redis, a set never converts back while it lives, with one exception
// Redis also makes: SPOP with a count that leaves few members rebuilds the
// set from the members left (see SPopN).
//
// Reply order. Redis answers in its intset's order (ascending numbers) or
// its hashtable's order (unspecified). kvnode answers a set of at most 512
// members that are all integers in ascending numeric order, so every reply
// Redis orders deterministically comes out the same; any other set comes
// out in member byte order (stored order). SPOP and SRANDMEMBER with a
// count answer in random order, as Redis does for large sets.

// setMaxIntsetEntries is Redis' set-max-intset-entries default.
const setMaxIntsetEntries = 512

// SetMaxMemberLen is the longest set member the store accepts: a member is
// part of a Badger key, so the key limit applies.
const SetMaxMemberLen = MaxKeyLen

// SetRandCountMax bounds the number of members SRANDMEMBER with a negative
// count returns: Redis builds such replies whatever their size (and runs
// out of memory on a huge count); kvnode refuses counts below
// -SetRandCountMax on an existing set with ErrSetRandCountTooLarge.
const SetRandCountMax = 1 << 24

// Errors of the set operations; the resp package maps each to Redis' text.
var (
	// ErrSetMemberTooLarge: a member longer than SetMaxMemberLen.
	ErrSetMemberTooLarge = errors.New("engine: set member too large")
	// ErrSetRandCountTooLarge: SRANDMEMBER with a count below
	// -SetRandCountMax on an existing set.
	ErrSetRandCountTooLarge = errors.New("engine: SRANDMEMBER count too large")
)

// setLive loads key for a read: nil when it does not exist, ErrWrongType
// when it is not a set. O(1).
func (tx *Tx) setLive(key []byte) (*Entry, error) {
	e, err := tx.loadType(key, TypeSet)
	if err != nil || !e.live {
		return nil, err
	}
	return e, nil
}

// setForWrite loads key for a write that creates the set when it is
// missing (or expired): a live set comes back as it is, anything else
// becomes a fresh empty set that the caller must fill and finish. O(1).
func (tx *Tx) setForWrite(key []byte) (*Entry, error) {
	e, err := tx.loadType(key, TypeSet)
	if err != nil {
		return nil, err
	}
	if !e.live {
		if err := tx.newCollection(e, TypeSet); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// setHas reports whether the set e has member. O(log N).
func (tx *Tx) setHas(e *Entry, member []byte) (bool, error) {
	if len(member) > SetMaxMemberLen {
		return false, nil
	}
	_, ok, err := tx.lookup(e.Slot, elemKey(e, tagElement, member), false)
	if err != nil {
		return false, fmt.Errorf("read element: %w", err)
	}
	return ok, nil
}

// setAdd adds member to the set e, keeping Count and MetaBig exact, and
// reports whether it is new. The caller finishes e. O(log N).
func (tx *Tx) setAdd(e *Entry, member []byte) (bool, error) {
	if len(member) > SetMaxMemberLen {
		return false, ErrSetMemberTooLarge
	}
	had, err := tx.setHas(e, member)
	if err != nil || had {
		return false, err
	}
	if err := tx.setElem(e, tagElement, member, nil); err != nil {
		return false, err
	}
	e.Count++
	setNoteMember(e, member)
	return true, nil
}

// setNoteMember sets MetaBig when member or the size of e takes the set
// out of Redis' intset encoding.
func setNoteMember(e *Entry, member []byte) {
	if e.Count > setMaxIntsetEntries {
		e.Flags |= MetaBig
	} else if _, isInt := ParseInt(member); !isInt {
		e.Flags |= MetaBig
	}
}

// setRemove removes member from the set e and reports whether it was
// there. The caller finishes e. O(log N).
func (tx *Tx) setRemove(e *Entry, member []byte) (bool, error) {
	had, err := tx.setHas(e, member)
	if err != nil || !had {
		return false, err
	}
	if err := tx.delElem(e, tagElement, member); err != nil {
		return false, err
	}
	e.Count--
	return true, nil
}

// setFinish ends a write to the set e: it puts its meta record, or deletes
// the key when no member is left. O(1).
func (tx *Tx) setFinish(e *Entry) error {
	if e.Count <= 0 {
		return tx.del(e)
	}
	return tx.put(e)
}

// setLoad reads every member of e in byte order. O(N).
func (tx *Tx) setLoad(e *Entry) ([][]byte, error) {
	out := make([][]byte, 0, e.Count)
	err := tx.scanElems(e, tagElement, nil, false, func(m, _ []byte) (bool, error) {
		out = append(out, append([]byte{}, m...))
		return true, nil
	})
	return out, err
}

// setReplyOrder puts members (distinct, in byte order or not) in reply
// order: ascending numeric order when there are at most 512 and all are
// integers (Redis' intset order), else byte order. O(M log M).
func setReplyOrder(ms [][]byte) {
	if len(ms) <= setMaxIntsetEntries {
		nums := make([]int64, len(ms))
		allInt := true
		for i, m := range ms {
			n, ok := ParseInt(m)
			if !ok {
				allInt = false
				break
			}
			nums[i] = n
		}
		if allInt {
			sort.Sort(setByNum{ms, nums})
			return
		}
	}
	if !slices.IsSortedFunc(ms, bytes.Compare) {
		slices.SortFunc(ms, bytes.Compare)
	}
}

type setByNum struct {
	ms   [][]byte
	nums []int64
}

func (s setByNum) Len() int           { return len(s.ms) }
func (s setByNum) Less(i, j int) bool { return s.nums[i] < s.nums[j] }
func (s setByNum) Swap(i, j int) {
	s.ms[i], s.ms[j] = s.ms[j], s.ms[i]
	s.nums[i], s.nums[j] = s.nums[j], s.nums[i]
}

// SAdd adds members to the set at key, creating it, and returns how many
// were not there yet. A member longer than SetMaxMemberLen is
// ErrSetMemberTooLarge and nothing is written. O(M log N) for M members.
func (db *DB) SAdd(key []byte, members [][]byte) (int64, error) {
	for _, m := range members {
		if len(m) > SetMaxMemberLen {
			return 0, ErrSetMemberTooLarge
		}
	}
	var added int64
	err := db.update(func(tx *Tx) error {
		e, err := tx.setForWrite(key)
		if err != nil {
			return err
		}
		for _, m := range members {
			ok, err := tx.setAdd(e, m)
			if err != nil {
				return err
			}
			if ok {
				added++
			}
		}
		if added == 0 {
			return nil // nothing changed: no write, no touch
		}
		return tx.put(e)
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// SRem removes members from the set at key and returns how many were
// there; the key is deleted when it empties. O(M log N).
func (db *DB) SRem(key []byte, members [][]byte) (int64, error) {
	var removed int64
	err := db.update(func(tx *Tx) error {
		e, err := tx.setLive(key)
		if err != nil || e == nil {
			return err
		}
		for _, m := range members {
			ok, err := tx.setRemove(e, m)
			if err != nil {
				return err
			}
			if ok {
				removed++
			}
		}
		if removed == 0 {
			return nil
		}
		return tx.setFinish(e)
	})
	if err != nil {
		return 0, err
	}
	return removed, nil
}

// SCard returns the number of members of the set at key (0 when missing).
// O(1).
func (db *DB) SCard(key []byte) (int64, error) {
	var n int64
	err := db.view(func(tx *Tx) error {
		e, err := tx.setLive(key)
		if err != nil || e == nil {
			return err
		}
		n = e.Count
		return nil
	})
	return n, err
}

// SIsMember reports whether member is in the set at key. O(log N).
func (db *DB) SIsMember(key, member []byte) (bool, error) {
	var ok bool
	err := db.view(func(tx *Tx) error {
		e, err := tx.setLive(key)
		if err != nil || e == nil {
			return err
		}
		ok, err = tx.setHas(e, member)
		return err
	})
	if err != nil {
		return false, err
	}
	return ok, nil
}

// SMIsMember reports for each of members whether it is in the set at key
// (all false when the key is missing). O(M log N).
func (db *DB) SMIsMember(key []byte, members [][]byte) ([]bool, error) {
	out := make([]bool, len(members))
	err := db.view(func(tx *Tx) error {
		e, err := tx.setLive(key)
		if err != nil || e == nil {
			return err
		}
		for i, m := range members {
			if out[i], err = tx.setHas(e, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SMembers returns the members of the set at key in reply order (see the
// top of this file); nil when the key is missing. O(N).
func (db *DB) SMembers(key []byte) ([][]byte, error) {
	var out [][]byte
	err := db.view(func(tx *Tx) error {
		e, err := tx.setLive(key)
		if err != nil || e == nil {
			return err
		}
		out, err = tx.setLoad(e)
		return err
	})
	if err != nil {
		return nil, err
	}
	setReplyOrder(out)
	return out, nil
}

// SMove moves member from the set at src to the set at dst (created when
// missing) and reports whether src had it. As in Redis: a missing src is
// false whatever dst holds; then src and dst must be sets (ErrWrongType);
// src equal to dst changes nothing and reports membership. O(log N).
func (db *DB) SMove(src, dst, member []byte) (bool, error) {
	var moved bool
	err := db.update(func(tx *Tx) error {
		es, err := tx.load(src)
		if err != nil || !es.live {
			return err
		}
		if es.Type != TypeSet {
			return ErrWrongType
		}
		ed, err := tx.load(dst)
		if err != nil {
			return err
		}
		if ed.live && ed.Type != TypeSet {
			return ErrWrongType
		}
		if bytes.Equal(src, dst) {
			moved, err = tx.setHas(es, member)
			return err
		}
		if moved, err = tx.setRemove(es, member); err != nil || !moved {
			return err
		}
		if err := tx.setFinish(es); err != nil {
			return err
		}
		if !ed.live {
			if err := tx.newCollection(ed, TypeSet); err != nil {
				return err
			}
		}
		added, err := tx.setAdd(ed, member)
		if err != nil || !added {
			return err
		}
		return tx.put(ed)
	})
	if err != nil {
		return false, err
	}
	return moved, nil
}

// Multi-key operations: SINTER, SUNION, SDIFF, their STORE forms and
// SINTERCARD. Every key is loaded (and type-checked) first, as Redis does,
// so a WRONGTYPE key anywhere in the list is an error even when another
// key is missing. The read forms run on one snapshot; the STORE forms run
// as one write command.

// setLoadAll loads keys as sets: nil entries for missing keys.
func (tx *Tx) setLoadAll(keys [][]byte) ([]*Entry, error) {
	es := make([]*Entry, len(keys))
	for i, k := range keys {
		e, err := tx.setLive(k)
		if err != nil {
			return nil, err
		}
		es[i] = e
	}
	return es, nil
}

// setInter computes the intersection of the sets of keys: it walks the
// smallest set and tests each member against the others. With limit > 0
// it stops after limit members. With collect unset it only counts.
// O(N·K log M) for the smallest set's N members and K sets.
func (tx *Tx) setInter(keys [][]byte, limit int64, collect bool) (n int64, out [][]byte, err error) {
	es, err := tx.setLoadAll(keys)
	if err != nil {
		return 0, nil, err
	}
	for _, e := range es {
		if e == nil {
			return 0, nil, nil // an empty set: empty intersection
		}
	}
	order := make([]int, len(es))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return es[order[a]].Count < es[order[b]].Count })
	small := es[order[0]]
	err = tx.scanElems(small, tagElement, nil, false, func(m, _ []byte) (bool, error) {
		for _, j := range order[1:] {
			if bytes.Equal(keys[j], keys[order[0]]) {
				continue // the same set
			}
			ok, err := tx.setHas(es[j], m)
			if err != nil || !ok {
				return err == nil, err
			}
		}
		n++
		if collect {
			out = append(out, append([]byte{}, m...))
		}
		return limit <= 0 || n < limit, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return n, out, nil
}

// setUnion computes the union of the sets of keys in byte order. O(T log
// T) for T members in all.
func (tx *Tx) setUnion(keys [][]byte) ([][]byte, error) {
	es, err := tx.setLoadAll(keys)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	seen := make(map[string]struct{})
	nonEmpty := 0
	for _, e := range es {
		if e != nil {
			nonEmpty++
		}
	}
	for i, e := range es {
		if e == nil || slices.ContainsFunc(keys[:i], func(k []byte) bool { return bytes.Equal(k, keys[i]) }) {
			continue
		}
		if nonEmpty == 1 {
			return tx.setLoad(e) // one set: already distinct and ordered
		}
		err := tx.scanElems(e, tagElement, nil, false, func(m, _ []byte) (bool, error) {
			if _, dup := seen[string(m)]; !dup {
				c := append([]byte{}, m...)
				seen[string(c)] = struct{}{}
				out = append(out, c)
			}
			return true, nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, bytes.Compare)
	return out, nil
}

// setDiff computes the members of the first key's set that are in none of
// the others, in byte order. Like Redis it picks the cheaper of two
// algorithms: testing each member of the first set against the others
// (O(N·K log M)), or reading every set (O(T) for T members in all). The
// second starts from a copy of the whole first set, so, as in Redis, its
// result is a hashtable (big is set) when the first set holds a
// non-integer or more than 512 members, whatever is left.
func (tx *Tx) setDiff(keys [][]byte) (out [][]byte, big bool, err error) {
	es, err := tx.setLoadAll(keys)
	if err != nil {
		return nil, false, err
	}
	first := es[0]
	if first == nil {
		return nil, false, nil
	}
	var one, two int64
	for _, e := range es {
		if e != nil {
			one += first.Count
			two += e.Count
		}
	}
	one /= 2 // Redis' advantage to the first algorithm
	if one <= two {
		err := tx.scanElems(first, tagElement, nil, false, func(m, _ []byte) (bool, error) {
			for j := 1; j < len(es); j++ {
				if es[j] == nil {
					continue
				}
				if bytes.Equal(keys[j], keys[0]) {
					return true, nil // the same set removes everything
				}
				ok, err := tx.setHas(es[j], m)
				if err != nil || ok {
					return err == nil, err
				}
			}
			out = append(out, append([]byte{}, m...))
			return true, nil
		})
		return out, false, err
	}
	all, err := tx.setLoad(first)
	if err != nil {
		return nil, false, err
	}
	big = len(all) > setMaxIntsetEntries
	left := make(map[string]struct{}, len(all))
	for _, m := range all {
		left[string(m)] = struct{}{}
		if _, isInt := ParseInt(m); !isInt {
			big = true
		}
	}
	for j := 1; j < len(es) && len(left) > 0; j++ {
		if es[j] == nil {
			continue
		}
		if bytes.Equal(keys[j], keys[0]) {
			return nil, big, nil
		}
		err := tx.scanElems(es[j], tagElement, nil, false, func(m, _ []byte) (bool, error) {
			delete(left, string(m))
			return len(left) > 0, nil
		})
		if err != nil {
			return nil, false, err
		}
	}
	out = all[:0]
	for _, m := range all {
		if _, ok := left[string(m)]; ok {
			out = append(out, m)
		}
	}
	return out, big, nil
}

// setStore replaces whatever dst holds by a set of members (distinct), or
// deletes dst when members is empty, and returns the new size. The new
// set has no TTL; big forces MetaBig. O(M log M).
func (tx *Tx) setStore(dst []byte, members [][]byte, big bool) (int64, error) {
	e, err := tx.load(dst)
	if err != nil {
		return 0, err
	}
	if len(members) == 0 {
		return 0, tx.del(e)
	}
	if err := tx.newCollection(e, TypeSet); err != nil {
		return 0, err
	}
	if big {
		e.Flags |= MetaBig
	}
	for _, m := range members {
		if err := tx.setElem(e, tagElement, m, nil); err != nil {
			return 0, err
		}
		e.Count++
		setNoteMember(e, m)
	}
	return e.Count, tx.put(e)
}

// SInter returns the intersection of the sets at keys (missing keys are
// empty sets) in reply order. O(N·K log M), N the smallest set's size.
func (db *DB) SInter(keys [][]byte) ([][]byte, error) {
	var out [][]byte
	err := db.view(func(tx *Tx) error {
		var err error
		_, out, err = tx.setInter(keys, 0, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	setReplyOrder(out)
	return out, nil
}

// SInterCard returns the size of the intersection of the sets at keys,
// counting no further than limit when limit > 0. O(N·K log M), less with
// a limit.
func (db *DB) SInterCard(keys [][]byte, limit int64) (int64, error) {
	var n int64
	err := db.view(func(tx *Tx) error {
		var err error
		n, _, err = tx.setInter(keys, limit, false)
		return err
	})
	return n, err
}

// SInterStore stores the intersection of the sets at keys at dst
// (replacing any value, deleting dst when empty) and returns its size.
func (db *DB) SInterStore(dst []byte, keys [][]byte) (int64, error) {
	return db.setStoreOp(dst, keys, func(tx *Tx) ([][]byte, bool, error) {
		_, out, err := tx.setInter(keys, 0, true)
		return out, false, err
	})
}

// SUnion returns the union of the sets at keys in reply order. O(T log
// T) for T members in all.
func (db *DB) SUnion(keys [][]byte) ([][]byte, error) {
	return db.setReadOp(func(tx *Tx) ([][]byte, error) { return tx.setUnion(keys) })
}

// SUnionStore stores the union of the sets at keys at dst and returns its
// size (0, deleting dst, when empty).
func (db *DB) SUnionStore(dst []byte, keys [][]byte) (int64, error) {
	return db.setStoreOp(dst, keys, func(tx *Tx) ([][]byte, bool, error) {
		out, err := tx.setUnion(keys)
		return out, false, err
	})
}

// SDiff returns the members of the first key's set in none of the other
// keys' sets, in reply order. See setDiff for the complexity.
func (db *DB) SDiff(keys [][]byte) ([][]byte, error) {
	return db.setReadOp(func(tx *Tx) ([][]byte, error) {
		out, _, err := tx.setDiff(keys)
		return out, err
	})
}

// SDiffStore stores SDiff's result at dst and returns its size (0,
// deleting dst, when empty).
func (db *DB) SDiffStore(dst []byte, keys [][]byte) (int64, error) {
	return db.setStoreOp(dst, keys, func(tx *Tx) ([][]byte, bool, error) { return tx.setDiff(keys) })
}

func (db *DB) setReadOp(op func(tx *Tx) ([][]byte, error)) ([][]byte, error) {
	var out [][]byte
	err := db.view(func(tx *Tx) error {
		var err error
		out, err = op(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	setReplyOrder(out)
	return out, nil
}

func (db *DB) setStoreOp(dst []byte, keys [][]byte, op func(tx *Tx) ([][]byte, bool, error)) (int64, error) {
	var n int64
	err := db.update(func(tx *Tx) error {
		out, big, err := op(tx)
		if err != nil {
			return err
		}
		n, err = tx.setStore(dst, out, big)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Random members (SPOP, SRANDMEMBER).
//
// A uniform pick needs members' ranks, which only a pass over the set
// gives (O(N)); it is used when the set is small (setExactMax members) or
// the count asked is large against the set. Otherwise each pick is a few
// random seeks (setSampler): O(log N) each, approximately uniform for
// members spread over their key range; when the sampler cannot pick
// evenly (strongly clustered members) it gives up and the pass is made.
const (
	// setExactMax is the largest set always sampled exactly (O(N)).
	setExactMax = 1024
	// setExactRatio: a set of N members is also read whole when
	// N ≤ setExactRatio × count, the pass costing about what the seeks
	// would.
	setExactRatio = 32
	// setSeekTries bounds the sampler's picks per distinct member wanted
	// before falling back to an exact pass.
	setSeekTries = 8
)

// setExact reports whether want picks from the set e are made exactly.
func setExact(e *Entry, want int64) bool {
	return e.Count <= setExactMax || e.Count/setExactRatio <= want
}

// setChooseDistinct picks want distinct members of all (want < len(all))
// uniformly, in random order. O(len(all)).
func setChooseDistinct(all [][]byte, want int64) [][]byte {
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	out := make([][]byte, want)
	for i := range out { // partial Fisher-Yates
		j := i + rand.IntN(len(idx)-i)
		idx[i], idx[j] = idx[j], idx[i]
		out[i] = all[idx[i]]
	}
	return out
}

// setPickDistinct returns want (< e.Count) distinct members of e chosen at
// random: exactly when setExact, else by sampling with a fallback to an
// exact pass when the sampler keeps returning members already picked.
func (tx *Tx) setPickDistinct(e *Entry, want int64) ([][]byte, error) {
	if !setExact(e, want) {
		s, err := tx.newSetSampler(e)
		if err != nil {
			return nil, err
		}
		if s != nil {
			out, err := s.distinct(want)
			s.close()
			if err != nil || out != nil {
				return out, err
			}
		}
	}
	all, err := tx.setLoad(e)
	if err != nil {
		return nil, err
	}
	return setChooseDistinct(all, min(want, int64(len(all)))), nil
}

// SPop removes and returns one random member of the set at key; ok is
// false when the key is missing. O(log N) for big sets (approximately
// uniform), O(N) for sets of at most 1024 members (uniform).
func (db *DB) SPop(key []byte) (member []byte, ok bool, err error) {
	err = db.update(func(tx *Tx) error {
		e, err := tx.setLive(key)
		if err != nil || e == nil {
			return err
		}
		ms, err := tx.setPickDistinct(e, 1)
		if err != nil || len(ms) == 0 {
			return err
		}
		if _, err := tx.setRemove(e, ms[0]); err != nil {
			return err
		}
		member, ok = ms[0], true
		return tx.setFinish(e)
	})
	if err != nil {
		return nil, false, err
	}
	return member, ok, nil
}

// SPopN removes and returns count (≥ 0) random members of the set at key,
// all of them (in reply order, deleting the key) when it has no more than
// count. The result is empty when the key is missing or count is 0 (a
// non-set key is still ErrWrongType). O(count log N) when count is small
// against the set (approximately uniform), else O(N) (uniform).
//
// Like Redis, when the members left are at most a fifth of those popped,
// the set is rebuilt from the members left (under a new version), so its
// encoding flag is recomputed from them (an all-integer remainder of at
// most 512 members is an intset again).
func (db *DB) SPopN(key []byte, count int64) ([][]byte, error) {
	var out [][]byte
	err := db.update(func(tx *Tx) error {
		e, err := tx.setLive(key)
		if err != nil || e == nil || count == 0 {
			return err
		}
		if count >= e.Count {
			if out, err = tx.setLoad(e); err != nil {
				return err
			}
			setReplyOrder(out)
			return tx.del(e)
		}
		remaining := e.Count - count
		if remaining*5 > count {
			if out, err = tx.setPickDistinct(e, count); err != nil {
				return err
			}
			for _, m := range out {
				if _, err := tx.setRemove(e, m); err != nil {
					return err
				}
			}
			return tx.setFinish(e)
		}
		// Redis' "create a new set" strategy: the members kept move to a
		// fresh version (remaining ≤ count/5 writes instead of count
		// deletes) and the old version goes to the collector.
		all, err := tx.setLoad(e)
		if err != nil {
			return err
		}
		keep := setChooseDistinct(all, remaining)
		kept := make(map[string]struct{}, len(keep))
		for _, m := range keep {
			kept[string(m)] = struct{}{}
		}
		out = make([][]byte, 0, count)
		for _, m := range all {
			if _, k := kept[string(m)]; !k {
				out = append(out, m)
			}
		}
		setReplyOrder(out)
		if err := tx.scheduleCollect(e); err != nil {
			return err
		}
		if e.Version, err = tx.db.nextVersion(); err != nil {
			return err
		}
		e.Count, e.Flags = 0, 0
		for _, m := range keep {
			if err := tx.setElem(e, tagElement, m, nil); err != nil {
				return err
			}
			e.Count++
			setNoteMember(e, m)
		}
		return tx.put(e)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SRandMember returns one random member of the set at key; ok is false
// when the key is missing. O(log N) for big sets (approximately uniform),
// O(N) for sets of at most 1024 members (uniform).
func (db *DB) SRandMember(key []byte) (member []byte, ok bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.setLive(key)
		if err != nil || e == nil {
			return err
		}
		ms, err := tx.setPickDistinct(e, 1)
		if err != nil || len(ms) == 0 {
			return err
		}
		member, ok = ms[0], true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return member, ok, nil
}

// SRandMemberN implements SRANDMEMBER with a count: count > 0 asks for
// that many distinct members (the whole set, in reply order, when it has
// no more), count < 0 for -count members drawn independently (repeats
// allowed, random order), 0 for none. The result is empty when the key is
// missing. A count below -SetRandCountMax on an existing set is
// ErrSetRandCountTooLarge. O(|count| log N) when |count| is small against
// the set (approximately uniform), else O(N + |count|) (uniform).
func (db *DB) SRandMemberN(key []byte, count int64) ([][]byte, error) {
	var out [][]byte
	err := db.view(func(tx *Tx) error {
		e, err := tx.setLive(key)
		if err != nil || e == nil || count == 0 {
			return err
		}
		if count < 0 {
			if count < -SetRandCountMax {
				return ErrSetRandCountTooLarge
			}
			return tx.setRandRepeat(e, -count, &out)
		}
		if count == 1 {
			out, err = tx.setPickDistinct(e, 1)
			return err
		}
		if count >= e.Count {
			if out, err = tx.setLoad(e); err != nil {
				return err
			}
			setReplyOrder(out)
			return nil
		}
		out, err = tx.setPickDistinct(e, count)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// setRandRepeat appends want members of e drawn independently to out.
func (tx *Tx) setRandRepeat(e *Entry, want int64, out *[][]byte) error {
	res := make([][]byte, 0, want)
	if !setExact(e, want) {
		s, err := tx.newSetSampler(e)
		if err != nil {
			return err
		}
		if s != nil {
			defer s.close()
			for int64(len(res)) < want {
				m, err := s.pick()
				if errors.Is(err, errSetSampleGiveUp) {
					res = res[:0]
					break // sample exactly
				}
				if err != nil {
					return err
				}
				res = append(res, m)
			}
			if int64(len(res)) == want {
				*out = res
				return nil
			}
		}
	}
	all, err := tx.setLoad(e)
	if err != nil || len(all) == 0 {
		return err
	}
	for int64(len(res)) < want {
		res = append(res, all[rand.IntN(len(all))])
	}
	*out = res
	return nil
}

// setSampler picks members of one big set by random seeks.
//
// Positions. Members are mapped, in an order-preserving way, to numbers
// below 2^62: after the common prefix of the smallest and largest member
// (which every member shares), each byte becomes its rank in the alphabet
// seen in a sample of members (0 standing for "the member ended"), and
// as many of these digits as fit make a number in that base. Decimal ids
// thus become their numbers, hex strings theirs, and so on, so members
// that are spread evenly over their kind of string are spread evenly over
// positions. Positions lie on a circle: their span plus one mean gap.
//
// A pick draws a point on the circle uniformly and lands on the first
// member at or after it: a member is landed on in proportion to the gap
// before it. To even that out the landing is accepted with probability
// min(1, c / max(gap, ḡ)), ḡ being the mean gap over the setSampleWindow
// members that follow, and the pick is then uniform among the window's
// members. A member's chance is thus about c/circle wherever the members
// around it are spread more thinly than c, and no member gains from a
// large gap before it. c starts at a quarter of the set's mean gap and
// drops to the ḡ of any denser window a pick lands in, down to a
// sixteenth of the mean gap. Members in regions denser than c are picked
// less often: the sampling is approximately uniform for members spread
// over their key range (counters, ids, hashes, UUIDs), less so for
// clustered ones. When a pick needs more than setSampleTries tries (the
// members are too clustered) the sampler gives up and the caller samples
// exactly; sets whose positions do not spread at all (fewer than four
// position units per member) are sampled exactly from the start.
//
// Building a sampler costs about 40 seeks; each try two seeks and a
// window's worth of steps, about mean gap / c tries (4 to 16) per pick,
// and one more seek for the pick.
type setSampler struct {
	fwd, rev *badger.Iterator
	prefix   []byte // element prefix of the set's version
	base     []byte // prefix + the members' common prefix
	lastKey  []byte // prefix + the largest member
	cp       int
	sym      [256]uint64 // byte → digit (1…len(glyph))
	glyph    []byte      // digit-1 → byte
	radix    uint64      // len(glyph)+1
	digits   int         // digits per position
	lo       uint64      // position of the smallest member
	span     uint64      // position of the largest member minus lo
	circle   uint64      // span plus the mean gap
	c        uint64      // acceptance constant
	cFloor   uint64      // lowest c: a sixteenth of the mean gap
	closed   bool
	wpos     []uint64 // positions of the current window, unwrapped
}

const (
	setSampleWindow = 32
	setSampleTries  = 96
	setSampleProbe  = 64 // members read at each end to learn the alphabet
	setSampleSeeks  = 16 // random seeks to learn the alphabet
	setSampleBinary = 96 // more bytes than this seen: assume all 256
)

func seenBytes(seen *[256]bool) []byte {
	out := make([]byte, 256)
	for i, ok := range seen {
		if ok {
			out[i] = 1
		}
	}
	return out
}

// errSetSampleGiveUp: the sampler could not pick evenly; sample exactly.
var errSetSampleGiveUp = errors.New("engine: set members too clustered to sample by seeks")

// newSetSampler returns a sampler over e, or nil when e should be sampled
// exactly (too small, or members that do not spread).
func (tx *Tx) newSetSampler(e *Entry) (*setSampler, error) {
	if e.Count <= setSampleWindow*2 {
		return nil, nil
	}
	var sample [][]byte
	err := tx.scanElems(e, tagElement, nil, false, func(m, _ []byte) (bool, error) {
		sample = append(sample, append([]byte{}, m...))
		return len(sample) < setSampleProbe, nil
	})
	if err != nil {
		return nil, err
	}
	first := sample[0]
	var last []byte
	err = tx.scanElems(e, tagElement, nil, true, func(m, _ []byte) (bool, error) {
		if last == nil {
			last = append([]byte{}, m...)
		}
		sample = append(sample, append([]byte{}, m...))
		return len(sample) < 2*setSampleProbe, nil
	})
	if err != nil || last == nil {
		return nil, err
	}
	cp := 0
	for cp < len(first) && cp < len(last) && first[cp] == last[cp] {
		cp++
	}
	p := elementPrefix(e.Slot, tagElement, e.Version)
	s := &setSampler{
		prefix:  p,
		base:    append(append([]byte{}, p...), first[:cp]...),
		lastKey: append(append([]byte{}, p...), last...),
		cp:      cp,
		fwd:     tx.newIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false}),
		rev:     tx.newIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false, Reverse: true}),
	}
	// A few members from random points in byte space: their bytes past
	// the common prefix come from the alphabet in use too.
	for i := 0; i < setSampleSeeks; i++ {
		s.fwd.Seek(binary.BigEndian.AppendUint64(append([]byte{}, s.base...), rand.Uint64()))
		if s.fwd.ValidForPrefix(p) {
			sample = append(sample, s.fwd.Item().KeyCopy(nil)[len(p):])
		}
	}
	var seen [256]bool
	for _, m := range sample {
		if len(m) > cp {
			for _, b := range m[cp:min(len(m), cp+32)] {
				seen[b] = true
			}
		}
	}
	if n := bytes.Count(seenBytes(&seen), []byte{1}); n > setSampleBinary {
		// Binary members: a sample cannot show every byte in use.
		for b := range seen {
			seen[b] = true
		}
	}
	for b := 0; b < 256; b++ {
		if seen[b] {
			s.glyph = append(s.glyph, byte(b))
		}
		if len(s.glyph) > 0 {
			s.sym[b] = uint64(len(s.glyph))
		} else {
			s.sym[b] = 1
		}
	}
	s.radix = uint64(len(s.glyph)) + 1
	for limit := uint64(1); s.radix > 1 && limit <= (1<<62)/s.radix; limit *= s.radix {
		s.digits++
	}
	lo, hi := s.pos(first[cp:]), s.pos(last[cp:])
	gap := (hi - lo) / uint64(e.Count-1)
	if s.digits == 0 || hi < lo || gap < 4 {
		s.close()
		return nil, nil
	}
	s.lo, s.span = lo, hi-lo
	s.circle = s.span + gap
	s.c, s.cFloor = gap/4, gap/16
	return s, nil
}

// pos is the position of a member's bytes after the common prefix.
func (s *setSampler) pos(b []byte) uint64 {
	var v uint64
	for k := 0; k < s.digits; k++ {
		var d uint64
		if k < len(b) {
			d = s.sym[b[k]]
		}
		v = v*s.radix + d
	}
	return v
}

// seekKey is the Badger key of the smallest member suffix at position v.
func (s *setSampler) seekKey(v uint64) []byte {
	ds := make([]uint64, s.digits)
	for k := s.digits - 1; k >= 0; k-- {
		ds[k] = v % s.radix
		v /= s.radix
	}
	key := append([]byte{}, s.base...)
	for _, d := range ds {
		if d == 0 {
			break
		}
		key = append(key, s.glyph[d-1])
	}
	return key
}

// rel is the position of member key k (a full Badger key) relative to lo.
func (s *setSampler) rel(k []byte) uint64 {
	m := k[len(s.prefix):]
	if len(m) < s.cp {
		return 0 // cannot happen for members between the first and last
	}
	return s.pos(m[s.cp:]) - s.lo
}

// pick returns one random member (a copy), or errSetSampleGiveUp.
func (s *setSampler) pick() ([]byte, error) {
	for try := 0; try < setSampleTries; try++ {
		t := rand.Uint64N(s.circle)
		if t > s.span {
			s.fwd.Seek(s.prefix) // the arc after the largest member: wrap
		} else {
			s.fwd.Seek(s.seekKey(s.lo + t))
			if !s.fwd.ValidForPrefix(s.prefix) {
				s.fwd.Seek(s.prefix)
			}
		}
		if !s.fwd.ValidForPrefix(s.prefix) {
			return nil, fmt.Errorf("engine: set emptied during a read")
		}
		landKey := s.fwd.Item().KeyCopy(nil)
		// The window: setSampleWindow members from the landing one on,
		// wrapping around, with unwrapped positions.
		s.wpos = s.wpos[:0]
		var wrap uint64
		for len(s.wpos) < setSampleWindow {
			if !s.fwd.ValidForPrefix(s.prefix) {
				s.fwd.Seek(s.prefix)
				wrap += s.circle
				if !s.fwd.ValidForPrefix(s.prefix) {
					break
				}
			}
			s.wpos = append(s.wpos, s.rel(s.fwd.Item().Key())+wrap)
			s.fwd.Next()
		}
		if len(s.wpos) == 0 {
			return nil, fmt.Errorf("engine: set emptied during a read")
		}
		// The gap before the landing member.
		s.rev.Seek(landKey)
		if s.rev.ValidForPrefix(s.prefix) {
			s.rev.Next()
		}
		wrapped := false
		if !s.rev.ValidForPrefix(s.prefix) {
			s.rev.Seek(s.lastKey)
			wrapped = true
		}
		var prev uint64
		if s.rev.ValidForPrefix(s.prefix) {
			prev = s.rel(s.rev.Item().Key())
		}
		gap := s.wpos[0] - prev
		if wrapped {
			gap = s.wpos[0] + s.circle - prev
		}
		mean := (s.wpos[len(s.wpos)-1] - s.wpos[0]) / uint64(max(len(s.wpos)-1, 1))
		if mean < s.c {
			s.c = max(mean, s.cFloor, 1)
		}
		d := max(gap, mean, 1)
		if d <= s.c || rand.Uint64N(d) < s.c {
			return s.windowMember(landKey, rand.IntN(len(s.wpos)))
		}
	}
	return nil, errSetSampleGiveUp
}

// windowMember returns a copy of the member i steps after the landing
// key, wrapping around.
func (s *setSampler) windowMember(landKey []byte, i int) ([]byte, error) {
	s.fwd.Seek(landKey)
	for ; ; i-- {
		if !s.fwd.ValidForPrefix(s.prefix) {
			s.fwd.Seek(s.prefix)
			if !s.fwd.ValidForPrefix(s.prefix) {
				return nil, fmt.Errorf("engine: set emptied during a read")
			}
		}
		if i == 0 {
			return append([]byte{}, s.fwd.Item().Key()[len(s.prefix):]...), nil
		}
		s.fwd.Next()
	}
}

// distinct returns want distinct members, or nil when the picks keep
// landing on members already taken (the caller then reads the set).
func (s *setSampler) distinct(want int64) ([][]byte, error) {
	seen := make(map[string]struct{}, want)
	out := make([][]byte, 0, want)
	for tries := want * setSeekTries; int64(len(out)) < want; tries-- {
		if tries <= 0 {
			return nil, nil
		}
		m, err := s.pick()
		if errors.Is(err, errSetSampleGiveUp) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if _, dup := seen[string(m)]; dup {
			continue
		}
		seen[string(m)] = struct{}{}
		out = append(out, m)
	}
	return out, nil
}

func (s *setSampler) close() {
	if !s.closed {
		s.closed = true
		s.fwd.Close()
		s.rev.Close()
	}
}

// SSCAN cursors. A cursor names a position in member order: a lower bound
// on the members not yet returned, so every member present for the whole
// iteration is returned (some perhaps twice), whatever is added or removed
// meanwhile. Cursors are below 2^63 and 0 starts and ends an iteration.
//
//   - Bit 62 clear: the bound is the first n (1…7) bytes of the next member
//     (n in bits 58-56, the bytes left-aligned in bits 55-0), used when
//     they already exceed the last member returned.
//   - Bit 62 set: the next member shares more than 7 bytes with the last
//     one returned, so the exact bound (up to setScanBoundMax bytes) is
//     kept in a small in-memory table under an id (bits 61-35), and the
//     cursor also carries the bound's first n (0…4) bytes (n in bits
//     34-32, bytes in 31-0). A cursor whose id is no longer in the table
//     (evicted, restart, another node) resumes from those 4 bytes: members
//     may come back twice, none is missed, and the call does not stop
//     before its fallback bound has moved forward, so iterations end.
//
// A set Redis would keep as an intset is returned whole with cursor 0,
// whatever the cursor and count, as Redis does.
const (
	setScanStateless = 7
	setScanFallback  = 4
	setScanBoundMax  = 1024
	setScanRingSize  = 4096
	setScanStoredBit = uint64(1) << 62
	setScanIDBits    = 27
)

type setScanBound struct {
	id    uint64
	key   uint64 // hash of the set's key
	bound []byte
}

var setScanRing struct {
	mu     sync.Mutex
	lastID uint64
	ring   [setScanRingSize]setScanBound
}

func setScanKeyHash(key []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(key)
	return h.Sum64()
}

// setPackPrefix left-aligns up to width bytes of b in a width-byte number.
func setPackPrefix(b []byte, width int) uint64 {
	var v uint64
	for i := 0; i < width; i++ {
		v <<= 8
		if i < len(b) {
			v |= uint64(b[i])
		}
	}
	return v
}

func setUnpackPrefix(v uint64, width, n int) []byte {
	out := make([]byte, n)
	for i := 0; i < n; i++ {
		out[i] = byte(v >> (8 * (width - 1 - i)))
	}
	return out
}

// setEncodeStateless makes a cursor from a bound of 1…7 bytes.
func setEncodeStateless(b []byte) uint64 {
	return uint64(len(b))<<56 | setPackPrefix(b, setScanStateless)
}

// setEncodeStored keeps bound in the table and makes a cursor naming it.
func setEncodeStored(key, bound []byte) uint64 {
	r := &setScanRing
	r.mu.Lock()
	r.lastID = r.lastID%(1<<setScanIDBits-1) + 1 // 1…2^27-1
	id := r.lastID
	r.ring[id%setScanRingSize] = setScanBound{id: id, key: setScanKeyHash(key), bound: append([]byte{}, bound...)}
	r.mu.Unlock()
	n := min(len(bound), setScanFallback)
	return setScanStoredBit | id<<35 | uint64(n)<<32 | setPackPrefix(bound[:n], setScanFallback)
}

// setDecodeCursor returns the bound a cursor names and whether it is exact
// (false: a stored bound that was lost, replaced by its first bytes).
func setDecodeCursor(key []byte, c uint64) (bound []byte, exact bool) {
	if c&setScanStoredBit == 0 {
		n := min(int(c>>56)&7, setScanStateless)
		return setUnpackPrefix(c, setScanStateless, n), true
	}
	id := (c >> 35) & (1<<setScanIDBits - 1)
	n := min(int(c>>32)&7, setScanFallback)
	fallback := setUnpackPrefix(c, setScanFallback, n)
	r := &setScanRing
	r.mu.Lock()
	ent := r.ring[id%setScanRingSize]
	r.mu.Unlock()
	if id != 0 && ent.id == id && ent.key == setScanKeyHash(key) && bytes.HasPrefix(ent.bound, fallback) && len(fallback) == min(len(ent.bound), setScanFallback) {
		return ent.bound, true
	}
	return fallback, false
}

// SScan implements SSCAN: from cursor on, it examines about count members
// of the set at key in member order and returns those match accepts (nil
// accepts all), with the cursor to continue with (0 when done). See the
// cursor notes above. O(count log N) per call, more when a lost cursor
// must first move its bound forward; O(N) for a set Redis keeps as an
// intset (N ≤ 512).
func (db *DB) SScan(key []byte, cursor uint64, count int, match func(member []byte) bool) (next uint64, members [][]byte, err error) {
	count = max(count, 1)
	err = db.view(func(tx *Tx) error {
		next, members = 0, nil
		e, err := tx.setLive(key)
		if err != nil || e == nil {
			return err
		}
		if e.Flags&MetaBig == 0 {
			all, err := tx.setLoad(e)
			if err != nil {
				return err
			}
			setReplyOrder(all)
			for _, m := range all {
				if match == nil || match(m) {
					members = append(members, m)
				}
			}
			return nil
		}
		var start []byte
		exact := true
		if cursor != 0 {
			start, exact = setDecodeCursor(key, cursor)
		}
		seen := 0
		var last []byte
		return tx.scanElems(e, tagElement, start, false, func(m, _ []byte) (bool, error) {
			if seen >= count {
				if p := m[:min(len(m), setScanStateless)]; bytes.Compare(p, last) > 0 {
					next = setEncodeStateless(p)
					return false, nil
				}
				if len(m) <= setScanBoundMax && (exact || bytes.Compare(m[:min(len(m), setScanFallback)], start) > 0) {
					next = setEncodeStored(key, m)
					return false, nil
				}
			}
			seen++
			last = append(last[:0], m...)
			if match == nil || match(m) {
				members = append(members, append([]byte{}, m...))
			}
			return true, nil
		})
	})
	if err != nil {
		return 0, nil, err
	}
	return next, members, nil
}

// dumpSet fills p with the set e for DUMP: p.typ = TypeSet and p.elems =
// the members in byte order. O(N).
func (tx *Tx) dumpSet(e *Entry, p *payload) error {
	p.typ = TypeSet
	ms, err := tx.setLoad(e)
	if err != nil {
		return err
	}
	p.elems = ms
	return nil
}

// restoreSet writes the set of a RESTORE payload (distinct members, as
// decodePayload guarantees) into e, a fresh empty collection from
// newCollection, sets its Count and MetaBig as Redis' RDB loading would
// (intset when every member is an integer and there are at most 512), and
// puts it, keeping whatever TTL the caller set. A member longer than
// SetMaxMemberLen is ErrSetMemberTooLarge. The payload's slices are kept
// until commit. O(N).
func (tx *Tx) restoreSet(e *Entry, p *payload) error {
	if p.typ != TypeSet || len(p.elems) == 0 {
		return fmt.Errorf("restore set: %w", ErrBadDataFormat)
	}
	e.Type = TypeSet
	e.Count = 0
	for _, m := range p.elems {
		if len(m) > SetMaxMemberLen {
			return ErrSetMemberTooLarge
		}
		if err := tx.setElem(e, tagElement, m, nil); err != nil {
			return err
		}
		e.Count++
		setNoteMember(e, m)
	}
	return tx.put(e)
}
