package engine

import (
	"bytes"
	"slices"
)

// Sorted set ranges: by rank, by score and by member (lex), for ZRANGE and
// its older forms, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY… and the
// pops. Every range follows Redis 7.0's t_zset.c, including its edge cases
// (LIMIT with a negative offset gives nothing, a negative count means no
// limit).

// ZScoreRange is a score interval; Min/Max may be infinite, MinEx/MaxEx
// make a bound exclusive ("(1").
type ZScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// empty reports a range that no score can be in (zslIsInRange's test).
func (r *ZScoreRange) empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

func (r *ZScoreRange) gteMin(s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

func (r *ZScoreRange) lteMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// ZLexBound is one end of a lex range: Inf -1 is "-" (below every
// member), +1 is "+" (above every member), 0 is Value, inclusive ("[a")
// or exclusive ("(a", Ex). Redis marks "-" and "+" exclusive; so does
// ParseLexBound.
type ZLexBound struct {
	Value []byte
	Inf   int
	Ex    bool
}

// ZLexRange is a member interval for the lex commands.
type ZLexRange struct {
	Min, Max ZLexBound
}

// lexCmp compares two bounds as Redis' sdscmplex does: "-" below every
// string, "+" above, "-" equal to "-" and "+" to "+".
func lexCmp(a, b *ZLexBound) int {
	if a.Inf != 0 || b.Inf != 0 {
		return a.Inf - b.Inf
	}
	return bytes.Compare(a.Value, b.Value)
}

func (r *ZLexRange) empty() bool {
	c := lexCmp(&r.Min, &r.Max)
	return c > 0 || (c == 0 && (r.Min.Ex || r.Max.Ex))
}

func (r *ZLexRange) gteMin(m []byte) bool {
	v := ZLexBound{Value: m}
	c := lexCmp(&v, &r.Min)
	if r.Min.Ex {
		return c > 0
	}
	return c >= 0
}

func (r *ZLexRange) lteMax(m []byte) bool {
	v := ZLexBound{Value: m}
	c := lexCmp(&v, &r.Max)
	if r.Max.Ex {
		return c < 0
	}
	return c <= 0
}

// ZRangeKind says how a ZRangeSpec selects members.
type ZRangeKind int

// Range kinds.
const (
	ZByRank ZRangeKind = iota
	ZByScore
	ZByLex
)

// ZRangeSpec selects members of a sorted set, as ZRANGE's arguments do.
type ZRangeSpec struct {
	Kind ZRangeKind
	// ByRank: Redis indexes (negative counts from the end), in the
	// direction of Rev.
	Start, Stop int64
	Score       ZScoreRange // ByScore
	Lex         ZLexRange   // ByLex
	Rev         bool
	// Limit (ByScore, ByLex): skip Offset members, return at most Count
	// (negative: all). A negative Offset selects nothing, as in Redis.
	Limit         bool
	Offset, Count int64
}

// zrangeWalk calls fn, in reply order, with each member spec selects from
// e and its indexed score (the slices are valid during the call only)
// until fn returns false. Rank ranges are collected and then replayed;
// the others stream. See the complexity notes at the top of zset.go.
func (tx *Tx) zrangeWalk(e *Entry, spec *ZRangeSpec, fn func(score float64, member []byte) (bool, error)) error {
	switch spec.Kind {
	case ZByRank:
		ms, err := tx.zrankRange(e, spec.Start, spec.Stop, spec.Rev)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if more, err := fn(m.Score, m.Member); err != nil || !more {
				return err
			}
		}
		return nil
	case ZByScore:
		return tx.zscoreWalk(e, &spec.Score, spec.Rev, spec.offset(e), spec.count(), fn)
	default:
		return tx.zlexWalk(e, &spec.Lex, spec.Rev, spec.offset(e), spec.count(), fn)
	}
}

// offset is the LIMIT offset; -1 means nothing can be selected.
func (spec *ZRangeSpec) offset(e *Entry) int64 {
	if !spec.Limit {
		return 0
	}
	// Redis returns nothing for an offset past the end and walks off the
	// end for a negative one.
	if spec.Offset < 0 || (spec.Offset > 0 && spec.Offset >= e.Count) {
		return -1
	}
	return spec.Offset
}

func (spec *ZRangeSpec) count() int64 {
	if !spec.Limit || spec.Count < 0 {
		return -1
	}
	return spec.Count
}

// zrankBounds turns Redis indexes into an ascending rank interval [lo, hi]
// of e (clamped as LRANGE clamps); ok is false when it is empty.
func zrankBounds(n, start, stop int64, rev bool) (lo, hi int64, ok bool) {
	start, stop, ok = clampRange(start, stop, n)
	if !ok {
		return 0, 0, false
	}
	if rev {
		return n - 1 - stop, n - 1 - start, true
	}
	return start, stop, true
}

// zrankRange returns the members of ranks start..stop (Redis indexes, in
// the direction of rev) with their exact scores, in reply order. The walk
// starts at the nearer end: O(log N + min(lo, N-1-hi) + M).
func (tx *Tx) zrankRange(e *Entry, start, stop int64, rev bool) ([]ZMember, error) {
	lo, hi, ok := zrankBounds(e.Count, start, stop, rev)
	if !ok {
		return nil, nil
	}
	want := hi - lo + 1
	out := make([]ZMember, 0, min(want, 1024))
	fromTop := e.Count - 1 - hi
	backward := fromTop < lo
	skip := lo
	if backward {
		skip = fromTop
	}
	err := tx.zwalk(e, nil, backward, func(s float64, m []byte) (bool, error) {
		if skip > 0 {
			skip--
			return true, nil
		}
		s, err := tx.zexact(e, s, m)
		if err != nil {
			return false, err
		}
		out = append(out, ZMember{Member: bytes.Clone(m), Score: s})
		return int64(len(out)) < want, nil
	})
	if err != nil {
		return nil, err
	}
	// out is ascending when walked forward; the reply is descending with rev.
	if backward != rev {
		slices.Reverse(out)
	}
	return out, nil
}

// zlimitWalk is the shape of Redis' range loops: skip members until one
// passes near (the bound the walk starts from); if that one fails far the
// range is empty; from it on, skip offset members without looking at them
// (Redis does not), then emit members while they pass far, at most count
// (-1: no limit).
func zlimitWalk(near, far func(float64, []byte) bool, offset, count int64, fn func(float64, []byte) (bool, error)) func(float64, []byte) (bool, error) {
	started := false
	return func(s float64, m []byte) (bool, error) {
		if !started {
			if !near(s, m) {
				return true, nil
			}
			if !far(s, m) {
				return false, nil
			}
			started = true
		} else if offset == 0 && !far(s, m) {
			return false, nil
		}
		if offset > 0 {
			offset--
			return true, nil
		}
		more, err := fn(s, m)
		if err != nil || !more {
			return false, err
		}
		if count > 0 {
			count--
			if count == 0 {
				return false, nil
			}
		}
		return true, nil
	}
}

// zscoreWalk streams the members whose score is in r, ascending (or
// descending with rev), skipping offset of them (-1: select nothing) and
// stopping after count (-1: no limit). O(log N + offset + M).
func (tx *Tx) zscoreWalk(e *Entry, r *ZScoreRange, rev bool, offset, count int64, fn func(float64, []byte) (bool, error)) error {
	if r.empty() || offset < 0 || count == 0 {
		return nil
	}
	gte := func(s float64, _ []byte) bool { return r.gteMin(s) }
	lte := func(s float64, _ []byte) bool { return r.lteMax(s) }
	if rev {
		// The last key ≤ seek: below the next score for an inclusive max
		// (a member "" of that next score can match and is passed over),
		// at the max's own score with member "" for an exclusive one.
		return tx.zwalk(e, zscoreSeek(r.Max, !r.MaxEx), true, zlimitWalk(lte, gte, offset, count, fn))
	}
	return tx.zwalk(e, zscoreSeek(r.Min, r.MinEx), false, zlimitWalk(gte, lte, offset, count, fn))
}

// zlexWalk streams the members in lex range r, ascending (or descending
// with rev), with offset and count as zscoreWalk. Lex ranges assume every
// member has the same score (Redis leaves other cases unspecified); then
// the walk seeks straight to the range: O(log N + offset + M). Otherwise it
// follows Redis' listpack, walking from the end it starts at: O(N).
func (tx *Tx) zlexWalk(e *Entry, r *ZLexRange, rev bool, offset, count int64, fn func(float64, []byte) (bool, error)) error {
	if r.empty() || offset < 0 || count == 0 {
		return nil
	}
	first, last, err := tx.zends(e)
	if err != nil || first == nil {
		return err
	}
	// zzlIsInLexRange: nothing when the last member is below min or the
	// first above max.
	if !r.gteMin(last.Member) || !r.lteMax(first.Member) {
		return nil
	}
	var seek []byte
	if first.Score == last.Score {
		s := first.Score
		if rev {
			if r.Max.Inf == 1 {
				seek = zscoreSeek(s, true)
			} else {
				seek = append(zscoreSeek(s, false), r.Max.Value...)
			}
		} else {
			seek = zscoreSeek(s, false)
			if r.Min.Inf == 0 {
				seek = append(seek, r.Min.Value...)
				if r.Min.Ex {
					seek = append(seek, 0)
				}
			}
		}
	}
	gte := func(_ float64, m []byte) bool { return r.gteMin(m) }
	lte := func(_ float64, m []byte) bool { return r.lteMax(m) }
	if rev {
		return tx.zwalk(e, seek, true, zlimitWalk(lte, gte, offset, count, fn))
	}
	return tx.zwalk(e, seek, false, zlimitWalk(gte, lte, offset, count, fn))
}

// zends returns the first and last members of e (indexed scores), or nil
// for an empty index. O(log N).
func (tx *Tx) zends(e *Entry) (first, last *ZMember, err error) {
	for _, rev := range []bool{false, true} {
		var z *ZMember
		err := tx.zwalk(e, nil, rev, func(s float64, m []byte) (bool, error) {
			z = &ZMember{Member: bytes.Clone(m), Score: s}
			return false, nil
		})
		if err != nil {
			return nil, nil, err
		}
		if rev {
			last = z
		} else {
			first = z
		}
	}
	return first, last, nil
}

// zrangeCollect returns the members spec selects, in reply order, with
// their exact scores.
func (tx *Tx) zrangeCollect(e *Entry, spec *ZRangeSpec) ([]ZMember, error) {
	if spec.Kind == ZByRank {
		return tx.zrankRange(e, spec.Start, spec.Stop, spec.Rev)
	}
	var out []ZMember
	err := tx.zrangeWalk(e, spec, func(s float64, m []byte) (bool, error) {
		s, err := tx.zexact(e, s, m)
		if err != nil {
			return false, err
		}
		out = append(out, ZMember{Member: bytes.Clone(m), Score: s})
		return true, nil
	})
	return out, err
}

// ZRange returns the members spec selects, in reply order (ZRANGE,
// ZREVRANGE, ZRANGEBYSCORE, ZRANGEBYLEX and their REV forms). A missing
// key selects nothing.
func (db *DB) ZRange(key []byte, spec ZRangeSpec) ([]ZMember, error) {
	var out []ZMember
	err := db.view(func(tx *Tx) error {
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		out, err = tx.zrangeCollect(e, &spec)
		return err
	})
	return out, err
}

// ZRangeStore stores the members spec selects from src in dst (ZRANGESTORE)
// and returns their number. dst is replaced whatever it held (its TTL
// goes), or deleted when nothing is selected. src of the wrong type is
// ErrWrongType and nothing changes.
func (db *DB) ZRangeStore(dst, src []byte, spec ZRangeSpec) (int64, error) {
	var n int64
	err := db.update(func(tx *Tx) error {
		n = 0
		se, err := tx.zsetLive(src)
		if err != nil {
			return err
		}
		var ms []ZMember
		if se != nil {
			if ms, err = tx.zrangeCollect(se, &spec); err != nil {
				return err
			}
		}
		n = int64(len(ms))
		// Redis creates the destination as a skiplist when it knows the
		// result is too long for a listpack (a rank range), else as a
		// listpack that converts when a member does not fit.
		incremental := spec.Kind != ZByRank || n <= zsetMaxListpackEntries
		return tx.zstore(dst, ms, incremental)
	})
	return n, err
}

// zstore replaces dst with a sorted set of ms (distinct members), or
// deletes it when ms is empty. Like Redis' store commands, dst loses its
// TTL and its old value whatever its type. The encoding flag follows
// Redis (it decides whether -0 survives): incremental fills a listpack
// member by member, converting when one does not fit (ZRANGESTORE); else
// the final size decides (the algebra commands build a skiplist and
// convert a small result).
func (tx *Tx) zstore(dst []byte, ms []ZMember, incremental bool) error {
	e, err := tx.load(dst)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return tx.del(e)
	}
	if err := tx.newCollection(e, TypeZSet); err != nil {
		return err
	}
	if !incremental {
		if len(ms) > zsetMaxListpackEntries {
			e.Flags |= MetaBig
		}
		for _, m := range ms {
			if len(m.Member) > zsetMaxListpackValue {
				e.Flags |= MetaBig
			}
		}
	}
	for _, m := range ms {
		if err := tx.zsetAddNew(e, m.Member, m.Score); err != nil {
			return err
		}
	}
	return tx.zsetFinish(e)
}

// ZCount returns the number of members with a score in r. O(log N + M):
// the range is walked (Redis: O(log N) from ranks).
func (db *DB) ZCount(key []byte, r ZScoreRange) (int64, error) {
	var n int64
	err := db.view(func(tx *Tx) error {
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		return tx.zscoreWalk(e, &r, false, 0, -1, func(float64, []byte) (bool, error) {
			n++
			return true, nil
		})
	})
	return n, err
}

// ZLexCount returns the number of members in lex range r. O(log N + M)
// when all scores are equal (see zlexWalk).
func (db *DB) ZLexCount(key []byte, r ZLexRange) (int64, error) {
	var n int64
	err := db.view(func(tx *Tx) error {
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		return tx.zlexWalk(e, &r, false, 0, -1, func(float64, []byte) (bool, error) {
			n++
			return true, nil
		})
	})
	return n, err
}

// ZRemRange removes the members spec selects (ZREMRANGEBYRANK,
// ZREMRANGEBYSCORE, ZREMRANGEBYLEX: no Rev, no Limit) and returns how
// many; the key goes with its last member. O(log N + M) per removed
// member, plus the walk to the first one for ranks.
func (db *DB) ZRemRange(key []byte, spec ZRangeSpec) (int64, error) {
	var n int64
	err := db.update(func(tx *Tx) error {
		n = 0
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		var victims []ZMember
		if spec.Kind == ZByRank {
			victims, err = tx.zrankRange(e, spec.Start, spec.Stop, false)
		} else {
			err = tx.zrangeWalk(e, &spec, func(s float64, m []byte) (bool, error) {
				victims = append(victims, ZMember{Member: bytes.Clone(m), Score: s})
				return true, nil
			})
		}
		if err != nil || len(victims) == 0 {
			return err
		}
		for _, v := range victims {
			if err := tx.zsetDelete(e, v.Member, v.Score); err != nil {
				return err
			}
		}
		n = int64(len(victims))
		return tx.zsetFinish(e)
	})
	return n, err
}

// ZPop pops up to count members with the lowest scores (highest with max)
// from the first of keys that exists (ZPOPMIN/ZPOPMAX, ZMPOP, BZPOP*):
// missing keys are passed over; a key of another type is ErrWrongType, or
// passed over too with skipWrongType (a blocked client is served only
// by sorted sets). It returns the key popped from (nil when none exists)
// and the members in pop order; count 0 pops nothing but still reports
// the key. The key goes with its last member. O(log N) per member.
func (db *DB) ZPop(keys [][]byte, max bool, count int64, skipWrongType bool) (key []byte, out []ZMember, err error) {
	err = db.update(func(tx *Tx) error {
		key, out = nil, nil
		for _, k := range keys {
			e, err := tx.load(k)
			if err != nil {
				return err
			}
			if !e.live {
				continue
			}
			if e.Type != TypeZSet {
				if skipWrongType {
					continue
				}
				return ErrWrongType
			}
			key = k
			if count <= 0 {
				return nil
			}
			err = tx.zwalk(e, nil, max, func(s float64, m []byte) (bool, error) {
				s, err := tx.zexact(e, s, m)
				if err != nil {
					return false, err
				}
				out = append(out, ZMember{Member: bytes.Clone(m), Score: s})
				return int64(len(out)) < count, nil
			})
			if err != nil {
				return err
			}
			for _, z := range out {
				if err := tx.zsetDelete(e, z.Member, z.Score); err != nil {
					return err
				}
			}
			return tx.zsetFinish(e)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return key, out, nil
}
