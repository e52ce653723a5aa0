package engine

import (
	"bytes"
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Sorted set algebra (ZUNION, ZINTER, ZDIFF, their STORE forms and
// ZINTERCARD), ZRANDMEMBER, ZSCAN and the DUMP/RESTORE hooks.

// ZAggregate is how ZUNION/ZINTER combine the scores of a member.
type ZAggregate int

// Aggregates.
const (
	ZAggSum ZAggregate = iota
	ZAggMin
	ZAggMax
)

// ZSetOp is a sorted set algebra operation.
type ZSetOp int

// Operations.
const (
	ZUnion ZSetOp = iota
	ZInter
	ZDiff
)

// zsrc is one input of the algebra: a sorted set, a plain set (every
// member scores 1, as in Redis) or a missing key (empty).
type zsrc struct {
	key    []byte
	e      *Entry // nil: missing
	weight float64
}

func (s *zsrc) size() int64 {
	if s.e == nil {
		return 0
	}
	return s.e.Count
}

// each calls fn with every member of s and its (unweighted) score; the
// member is valid only during the call.
func (tx *Tx) zsrcEach(s *zsrc, fn func(m []byte, score float64) (bool, error)) error {
	if s.e == nil {
		return nil
	}
	return tx.scanElems(s.e, tagElement, nil, false, func(m, v []byte) (bool, error) {
		score := 1.0
		if s.e.Type == TypeZSet {
			var err error
			if score, err = zscoreFromBytes(v); err != nil {
				return false, err
			}
		}
		return fn(m, score)
	})
}

// zsrcFind returns the (unweighted) score of m in s.
func (tx *Tx) zsrcFind(s *zsrc, m []byte) (float64, bool, error) {
	if s.e == nil || len(m) > MaxKeyLen {
		return 0, false, nil
	}
	v, ok, err := tx.getElem(s.e, m)
	if err != nil || !ok {
		return 0, false, err
	}
	if s.e.Type != TypeZSet {
		return 1, true, nil
	}
	score, err := zscoreFromBytes(v)
	return score, err == nil, err
}

// zloadSources loads the inputs in key order: ErrWrongType for the first
// key that is neither a sorted set nor a set.
func (tx *Tx) zloadSources(keys [][]byte, weights []float64) ([]*zsrc, error) {
	srcs := make([]*zsrc, len(keys))
	for i, k := range keys {
		e, err := tx.load(k)
		if err != nil {
			return nil, err
		}
		s := &zsrc{key: k, weight: 1}
		if weights != nil {
			s.weight = weights[i]
		}
		if e.live {
			if e.Type != TypeZSet && e.Type != TypeSet {
				return nil, ErrWrongType
			}
			s.e = e
		}
		srcs[i] = s
	}
	return srcs, nil
}

// ZCheckSources reports ErrWrongType when a key holds neither a sorted set
// nor a set, as the algebra commands check before parsing their options.
func (db *DB) ZCheckSources(keys [][]byte) error {
	return db.view(func(tx *Tx) error {
		_, err := tx.zloadSources(keys, nil)
		return err
	})
}

// zaggregate is zunionInterAggregate.
func zaggregate(target *float64, v float64, agg ZAggregate) {
	switch agg {
	case ZAggSum:
		*target += v
		if math.IsNaN(*target) {
			*target = 0 // inf + -inf
		}
	case ZAggMin:
		if v < *target {
			*target = v
		}
	case ZAggMax:
		if v > *target {
			*target = v
		}
	}
}

// zweighted is a member's score times its input's weight; NaN (inf × 0)
// counts as 0, as in Redis.
func zweighted(score, w float64) float64 {
	v := score * w
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// zalgebra computes op over srcs and returns the result sorted by (score,
// member); with cardOnly it only counts the intersection, stopping at
// limit (0: no limit). Inputs are combined in Redis' order: for union and
// intersection smallest input first (ties in key order), so sums round as
// in Redis. Cost: union O(total members); intersection O(S·K log N) for
// the smallest input's S members and K inputs; difference O(S·K log N)
// for the first input's S members.
func (tx *Tx) zalgebra(op ZSetOp, srcs []*zsrc, agg ZAggregate, cardOnly bool, limit int64) ([]ZMember, int64, error) {
	if op != ZDiff {
		slices.SortStableFunc(srcs, func(a, b *zsrc) int { return cmp.Compare(a.size(), b.size()) })
	}
	var out []ZMember
	var card int64
	switch op {
	case ZUnion:
		acc := map[string]int{} // member → index in out
		for _, s := range srcs {
			err := tx.zsrcEach(s, func(m []byte, score float64) (bool, error) {
				v := zweighted(score, s.weight)
				if i, ok := acc[string(m)]; ok {
					zaggregate(&out[i].Score, v, agg)
					return true, nil
				}
				acc[string(m)] = len(out)
				out = append(out, ZMember{Member: bytes.Clone(m), Score: v})
				return true, nil
			})
			if err != nil {
				return nil, 0, err
			}
		}
	case ZInter:
		if srcs[0].size() == 0 {
			break
		}
		err := tx.zsrcEach(srcs[0], func(m []byte, score float64) (bool, error) {
			v := zweighted(score, srcs[0].weight)
			for _, s := range srcs[1:] {
				other := score
				if s.e != srcs[0].e {
					var ok bool
					var err error
					if other, ok, err = tx.zsrcFind(s, m); err != nil || !ok {
						return err == nil, err
					}
				}
				// Unlike the first input's, these products are not
				// cleared of NaN: SUM then gives 0, MIN and MAX ignore it.
				zaggregate(&v, other*s.weight, agg)
			}
			if cardOnly {
				card++
				return limit <= 0 || card < limit, nil
			}
			out = append(out, ZMember{Member: bytes.Clone(m), Score: v})
			return true, nil
		})
		if err != nil {
			return nil, 0, err
		}
	case ZDiff:
		for _, s := range srcs[1:] {
			if s.e != nil && s.e == srcs[0].e {
				return nil, 0, nil // A - A - … is empty
			}
		}
		err := tx.zsrcEach(srcs[0], func(m []byte, score float64) (bool, error) {
			for _, s := range srcs[1:] {
				_, ok, err := tx.zsrcFind(s, m)
				if err != nil || ok {
					return err == nil, err
				}
			}
			out = append(out, ZMember{Member: bytes.Clone(m), Score: score})
			return true, nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return zless(&out[i], &out[j]) })
	return out, card, nil
}

// zsameEntries makes inputs naming the same key share one Entry, so the
// algebra can recognize them (Redis compares the objects).
func zsameEntries(srcs []*zsrc) {
	seen := map[string]*Entry{}
	for _, s := range srcs {
		if s.e == nil {
			continue
		}
		if e, ok := seen[string(s.key)]; ok {
			s.e = e
		} else {
			seen[string(s.key)] = s.e
		}
	}
}

// ZSetOperation computes ZUNION, ZINTER or ZDIFF over keys (sorted sets or
// sets; missing keys are empty). weights (nil: all 1) and agg apply to
// union and intersection. The result is sorted by (score, member).
func (db *DB) ZSetOperation(op ZSetOp, keys [][]byte, weights []float64, agg ZAggregate) ([]ZMember, error) {
	var out []ZMember
	err := db.view(func(tx *Tx) error {
		srcs, err := tx.zloadSources(keys, weights)
		if err != nil {
			return err
		}
		zsameEntries(srcs)
		out, _, err = tx.zalgebra(op, srcs, agg, false, 0)
		return err
	})
	return out, err
}

// ZSetOperationStore stores the result of ZSetOperation in dst
// (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE) and returns its size; dst is
// replaced whatever it held, or deleted when the result is empty.
func (db *DB) ZSetOperationStore(dst []byte, op ZSetOp, keys [][]byte, weights []float64, agg ZAggregate) (int64, error) {
	var n int64
	err := db.update(func(tx *Tx) error {
		n = 0
		srcs, err := tx.zloadSources(keys, weights)
		if err != nil {
			return err
		}
		zsameEntries(srcs)
		out, _, err := tx.zalgebra(op, srcs, agg, false, 0)
		if err != nil {
			return err
		}
		n = int64(len(out))
		return tx.zstore(dst, out, false)
	})
	return n, err
}

// ZInterCard returns the size of the intersection of keys, counting no
// further than limit (0: no limit).
func (db *DB) ZInterCard(keys [][]byte, limit int64) (int64, error) {
	var n int64
	err := db.view(func(tx *Tx) error {
		srcs, err := tx.zloadSources(keys, nil)
		if err != nil {
			return err
		}
		zsameEntries(srcs)
		_, n, err = tx.zalgebra(ZInter, srcs, ZAggSum, true, limit)
		return err
	})
	return n, err
}

// ZRandMember returns one random member (ZRANDMEMBER without a count); ok
// is false when the key is missing. O(log N + min(r, N-r)) for the random
// rank r.
func (db *DB) ZRandMember(key []byte) (member []byte, ok bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		r := rand.Int64N(e.Count)
		ms, err := tx.zrankRange(e, r, r, false)
		if err != nil || len(ms) == 0 {
			return err
		}
		member, ok = ms[0].Member, true
		return nil
	})
	return member, ok, err
}

// ZRandMembers implements ZRANDMEMBER with a count: count > 0 returns
// min(count, N) distinct members (all of them, highest score first, when
// count ≥ N, as Redis does; otherwise in random order); count < 0 returns
// -count members chosen independently (repeats possible). A count below
// -ZRandCountMax on an existing key is ErrZRandCountTooLarge. O(N) to
// walk the set once, plus the reply.
func (db *DB) ZRandMembers(key []byte, count int64) ([]ZMember, error) {
	var out []ZMember
	err := db.view(func(tx *Tx) error {
		e, err := tx.zsetLive(key)
		if err != nil || e == nil || count == 0 {
			return err
		}
		n := e.Count
		if count >= n {
			out, err = tx.zrankRange(e, 0, -1, true)
			return err
		}
		var picks []int64 // ranks, in reply order
		if count > 0 {
			picks = zsample(n, count)
		} else {
			if -count > ZRandCountMax {
				return ErrZRandCountTooLarge
			}
			picks = make([]int64, -count)
			for i := range picks {
				picks[i] = rand.Int64N(n)
			}
		}
		wanted := slices.Clone(picks)
		slices.Sort(wanted)
		wanted = slices.Compact(wanted)
		got := make(map[int64]ZMember, len(wanted))
		var rank int64
		next := 0
		err = tx.zwalk(e, nil, false, func(s float64, m []byte) (bool, error) {
			if rank == wanted[next] {
				s, err := tx.zexact(e, s, m)
				if err != nil {
					return false, err
				}
				got[rank] = ZMember{Member: bytes.Clone(m), Score: s}
				next++
			}
			rank++
			return next < len(wanted), nil
		})
		if err != nil {
			return err
		}
		out = make([]ZMember, len(picks))
		for i, r := range picks {
			out[i] = got[r]
		}
		return nil
	})
	return out, err
}

// zsample returns k distinct ranks in [0, n), k < n, in random order.
func zsample(n, k int64) []int64 {
	if k*3 > n {
		p := make([]int64, n)
		for i := range p {
			p[i] = int64(i)
		}
		rand.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		return p[:k]
	}
	seen := make(map[int64]struct{}, k)
	out := make([]int64, 0, k)
	for int64(len(out)) < k {
		r := rand.Int64N(n)
		if _, dup := seen[r]; dup {
			continue
		}
		seen[r] = struct{}{}
		out = append(out, r)
	}
	return out
}

// ZSCAN cursors. A sorted set Redis would keep as a listpack is returned
// whole in one call, in score order, with cursor 0, whatever the cursor
// and count (as Redis does). A larger one is scanned in member order (its
// element keys): the cursor names the position of the next member as
// P + tail, where P is the prefix every member shares (the common prefix
// of the first and the last member, at most zscanMaxP bytes) and tail the
// next zscanTail bytes after it. A cursor holds len(P), a 12-bit hash of P,
// len(tail) and tail: bit 63 set | plen (6 bits) | hash (12) | tlen (3) |
// tail (40). When the members no longer share the P a cursor names (a
// member with another prefix came), the scan starts over: SCAN's
// guarantees allow repeats, not misses. Members sharing a position (P
// plus zscanTail bytes) are returned in one call however many there are,
// so the cursor always moves forward.
const (
	zscanMaxP = 63
	zscanTail = 5
)

func zscanHash(p []byte) uint64 {
	h := fnv.New32a()
	h.Write(p)
	return uint64(h.Sum32()) & (1<<12 - 1)
}

func encodeZScanCursor(p, tail []byte) uint64 {
	c := uint64(1)<<63 | uint64(len(p))<<55 | zscanHash(p)<<43 | uint64(len(tail))<<40
	for i, b := range tail {
		c |= uint64(b) << (32 - 8*i)
	}
	return c
}

func decodeZScanCursor(c uint64) (plen int, h uint64, tail []byte) {
	plen = int(c>>55) & zscanMaxP
	h = (c >> 43) & (1<<12 - 1)
	n := min(int(c>>40)&7, zscanTail)
	tail = make([]byte, n)
	for i := range tail {
		tail[i] = byte(c >> (32 - 8*i))
	}
	return plen, h, tail
}

func zcommonPrefix(a, b []byte) []byte {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}

// ZScan implements ZSCAN: from cursor on it examines about count members
// and returns those match accepts (nil: all) with their scores, and the
// cursor to continue with (0 when done). compact reports a set Redis keeps
// as a listpack (whose ZSCAN prints scores as stored there). O(log N +
// count) per call, except for the members sharing one position (see
// above); a small set is returned whole.
func (db *DB) ZScan(key []byte, cursor uint64, count int, match func(member []byte) bool) (next uint64, out []ZMember, compact bool, err error) {
	count = max(count, 1)
	err = db.view(func(tx *Tx) error {
		next, out = 0, nil
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		compact = !zsetBig(e)
		if compact {
			return tx.zwalk(e, nil, false, func(s float64, m []byte) (bool, error) {
				if match == nil || match(m) {
					out = append(out, ZMember{Member: bytes.Clone(m), Score: s})
				}
				return true, nil
			})
		}
		var first, last []byte
		for _, rev := range []bool{false, true} {
			err := tx.scanElems(e, tagElement, nil, rev, func(m, _ []byte) (bool, error) {
				if rev {
					last = bytes.Clone(m)
				} else {
					first = bytes.Clone(m)
				}
				return false, nil
			})
			if err != nil {
				return err
			}
		}
		if first == nil {
			return nil
		}
		P := zcommonPrefix(first, last)
		P = P[:min(len(P), zscanMaxP)]
		var start []byte
		plen := len(P)
		if cursor != 0 {
			cl, h, tail := decodeZScanCursor(cursor)
			if cl <= len(P) && zscanHash(P[:cl]) == h {
				plen = cl
				start = append(bytes.Clone(P[:cl]), tail...)
			}
			// else: P changed; start over.
		}
		seen := 0
		return tx.scanElems(e, tagElement, start, false, func(m, v []byte) (bool, error) {
			if seen >= count {
				pos := m[:min(len(m), plen+zscanTail)]
				if !bytes.Equal(pos, start) {
					next = encodeZScanCursor(m[:plen], pos[plen:])
					return false, nil
				}
			}
			seen++
			if match == nil || match(m) {
				s, err := zscoreFromBytes(v)
				if err != nil {
					return false, err
				}
				out = append(out, ZMember{Member: bytes.Clone(m), Score: s})
			}
			return true, nil
		})
	})
	return next, out, compact, err
}

// dumpZSet fills p with the sorted set e for DUMP: p.typ = TypeZSet,
// p.elems the members and p.scores their scores, in score order. O(N).
func (tx *Tx) dumpZSet(e *Entry, p *payload) error {
	p.typ = TypeZSet
	p.elems = make([][]byte, 0, e.Count)
	p.scores = make([]float64, 0, e.Count)
	return tx.zwalk(e, nil, false, func(s float64, m []byte) (bool, error) {
		s, err := tx.zexact(e, s, m)
		if err != nil {
			return false, err
		}
		p.elems = append(p.elems, bytes.Clone(m))
		p.scores = append(p.scores, s)
		return true, nil
	})
}

// restoreZSet writes the sorted set of a RESTORE payload (distinct
// members, no NaN, as decodePayload guarantees) into e, fresh from
// newCollection, with Count and MetaBig as Redis would have them, and
// puts it. O(N log N).
func (tx *Tx) restoreZSet(e *Entry, p *payload) error {
	if p.typ != TypeZSet || len(p.elems) == 0 || len(p.elems) != len(p.scores) {
		return fmt.Errorf("restore zset: %w", ErrBadDataFormat)
	}
	e.Type = TypeZSet
	e.Count = 0
	if len(p.elems) > zsetMaxListpackEntries {
		e.Flags |= MetaBig
	}
	for _, m := range p.elems {
		if len(m) > ZSetMaxMemberLen {
			return ErrZSetMemberTooLarge
		}
		if len(m) > zsetMaxListpackValue {
			e.Flags |= MetaBig
		}
	}
	for i, m := range p.elems {
		if math.IsNaN(p.scores[i]) {
			return fmt.Errorf("restore zset: %w", ErrBadDataFormat)
		}
		if err := tx.zsetWrite(e, m, p.scores[i], 0, false); err != nil {
			return err
		}
		e.Count++
	}
	return tx.zsetFinish(e)
}
