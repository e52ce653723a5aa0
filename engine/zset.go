package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	badger "github.com/dgraph-io/badger/v4"
)

// Sorted sets. A sorted set is a meta record (TypeZSet, Version, Count,
// Flags) plus two Badger keys per member, written in the same transaction
// (DESIGN.md §3):
//
//	slot | 'e' | version | member                     → score, 8 bytes
//	slot | 'z' | version | sortable(score) | member   → (empty)
//
// The element key holds the score's IEEE-754 bits, big-endian; it answers
// ZSCORE and membership with one point read. The score index key orders
// members as Redis' skiplist does: by score, then by member bytes, because
// sortable(score) is 8 bytes whose unsigned order is the numeric order of
// the scores (see sortableScore). Range queries seek into the score index.
//
// Complexity, with N the number of members and M the number of members a
// call returns or touches; a Badger point read, write or seek counts as
// O(log N):
//
//   - ZSCORE, ZMSCORE (per member), ZADD and ZREM (per member): O(log N).
//   - ZCARD: O(1), from Meta.Count.
//   - score and lex ranges (ZRANGEBYSCORE, ZRANGEBYLEX, ZREMRANGEBY…):
//     O(log N + M), plus the LIMIT offset, which is walked.
//   - ZCOUNT and ZLEXCOUNT: O(log N + M) where M is the size of the range.
//     Redis counts in O(log N) from skiplist ranks; Badger has no order
//     statistics, so kvnode walks the range.
//   - ZRANK, ZREVRANK: O(min(rank, N-rank)): two iterators walk from both
//     ends until one meets the member. Redis is O(log N).
//   - ZRANGE by rank, ZREMRANGEBYRANK: O(min(start, N-1-stop) + M): the walk
//     starts at the nearer end (a reverse iterator for the high ranks).
//   - ZPOPMIN/ZPOPMAX, ZMPOP, BZPOP*: O(log N) per popped member.
//   - ZRANDMEMBER: O(log N + min(r, N-r)) without a count; O(N) with one
//     (one walk collecting the drawn ranks). Redis: O(1) / O(count).
//   - ZUNION*: O(total input size); ZINTER*, ZINTERCARD: O(S·K log N) for
//     the smallest input's S members and K inputs; ZDIFF*: O(S·K log N)
//     for the first input's S members; plus O(R log R) to sort R results.
//   - ZSCAN: O(log N + count) per call (see the cursor notes in
//     zset_ops.go); a set small enough for a listpack comes whole.
//   - lex ranges over members of different scores (which Redis leaves
//     unspecified) follow Redis' listpack and cost O(N).
//
// An empty sorted set does not exist: the write that removes the last
// member deletes the key. Meta.Count is the exact number of members.
// MetaBig is set once Redis 7.0 would hold the set as a skiplist rather
// than a listpack (more than zset-max-listpack-entries = 128 members, or a
// member longer than zset-max-listpack-value = 64 bytes) and is never
// cleared while the key lives, like Redis' conversion.
//
// Negative zero: Redis' listpack stores scores as text and reads -0 back
// as 0, its skiplist keeps -0. kvnode stores -0 as 0 in a set without
// MetaBig and keeps it in one with MetaBig, so ZSCORE answers as Redis
// does. The score index always files -0 under 0 (they compare equal).

// Redis' default listpack limits for sorted sets.
const (
	zsetMaxListpackEntries = 128 // zset-max-listpack-entries
	zsetMaxListpackValue   = 64  // zset-max-listpack-value
)

// ZSetMaxMemberLen is the longest member the store accepts: a member is
// part of two Badger keys, so the key limit applies.
const ZSetMaxMemberLen = MaxKeyLen

// ZRandCountMax bounds the number of members ZRANDMEMBER with a negative
// count returns: Redis builds such replies whatever their size (and runs
// out of memory on a huge count); kvnode refuses counts below
// -ZRandCountMax on an existing key with ErrZRandCountTooLarge.
const ZRandCountMax = 1 << 24

// Errors of the sorted set operations; the resp package maps each to
// Redis' text.
var (
	// ErrZSetNaN: an increment produced NaN (inf + -inf); nothing written.
	ErrZSetNaN = errors.New("engine: resulting score is not a number (NaN)")
	// ErrZSetMemberTooLarge: a member longer than ZSetMaxMemberLen.
	ErrZSetMemberTooLarge = errors.New("engine: sorted set member too large")
	// ErrZRandCountTooLarge: ZRANDMEMBER with a count below -ZRandCountMax.
	ErrZRandCountTooLarge = errors.New("engine: ZRANDMEMBER count too large")
)

// ZMember is one member of a sorted set and its score.
type ZMember struct {
	Member []byte
	Score  float64
}

// zless is the order of a sorted set: by score, then by member bytes.
func zless(a, b *ZMember) bool {
	if a.Score != b.Score {
		return a.Score < b.Score
	}
	return string(a.Member) < string(b.Member)
}

// sortableScore maps a score to 8 bytes whose unsigned big-endian order is
// the numeric order: the sign bit is flipped for non-negative numbers and
// every bit inverted for negative ones; -0 is filed as 0. NaN never occurs.
func sortableScore(f float64) uint64 {
	if f == 0 {
		f = 0 // -0 → +0
	}
	b := math.Float64bits(f)
	if b>>63 == 0 {
		return b | 1<<63
	}
	return ^b
}

// scoreFromSortable inverts sortableScore.
func scoreFromSortable(u uint64) float64 {
	if u>>63 == 1 {
		return math.Float64frombits(u &^ (1 << 63))
	}
	return math.Float64frombits(^u)
}

// zindexSuffix is the score-index suffix of a member: sortable | member.
func zindexSuffix(score float64, member []byte) []byte {
	b := make([]byte, 8, 8+len(member))
	binary.BigEndian.PutUint64(b, sortableScore(score))
	return append(b, member...)
}

// zscoreBytes is the element value of a score.
func zscoreBytes(f float64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), math.Float64bits(f))
}

var errCorruptZSet = errors.New("engine: corrupt sorted set element")

func zscoreFromBytes(v []byte) (float64, error) {
	if len(v) != 8 {
		return 0, errCorruptZSet
	}
	return math.Float64frombits(binary.BigEndian.Uint64(v)), nil
}

// zsetLive loads key for a read: nil when it does not exist, ErrWrongType
// when it is not a sorted set. O(1).
func (tx *Tx) zsetLive(key []byte) (*Entry, error) {
	e, err := tx.loadType(key, TypeZSet)
	if err != nil || !e.live {
		return nil, err
	}
	return e, nil
}

// zsetFinish ends a write to e: it writes the meta record, or deletes the
// key when no member is left (or never was).
func (tx *Tx) zsetFinish(e *Entry) error {
	if e.Count <= 0 {
		if e.onDisk {
			return tx.del(e)
		}
		return nil
	}
	if e.Count > zsetMaxListpackEntries {
		e.Flags |= MetaBig
	}
	return tx.put(e)
}

func zsetBig(e *Entry) bool { return e.Flags&MetaBig != 0 }

// zsetScore reads the score of member in e.
func (tx *Tx) zsetScore(e *Entry, member []byte) (float64, bool, error) {
	if len(member) > ZSetMaxMemberLen {
		return 0, false, nil // cannot be stored, so is not there
	}
	v, ok, err := tx.getElem(e, member)
	if err != nil || !ok {
		return 0, false, err
	}
	s, err := zscoreFromBytes(v)
	return s, err == nil, err
}

// zsetWrite sets member's score in e: old/existed describe its current
// score. It writes the element key and moves the index key when the
// sortable score changes; it does not touch Count.
func (tx *Tx) zsetWrite(e *Entry, member []byte, score, old float64, existed bool) error {
	if len(member) > ZSetMaxMemberLen {
		return ErrZSetMemberTooLarge
	}
	if len(member) > zsetMaxListpackValue {
		e.Flags |= MetaBig
	}
	if score == 0 && !zsetBig(e) {
		score = 0 // a listpack reads -0 back as 0
	}
	if existed && math.Float64bits(old) == math.Float64bits(score) {
		return nil
	}
	if err := tx.setElem(e, tagElement, member, zscoreBytes(score)); err != nil {
		return err
	}
	if existed {
		if sortableScore(old) == sortableScore(score) {
			return nil
		}
		if err := tx.delElem(e, tagScore, zindexSuffix(old, member)); err != nil {
			return err
		}
	}
	return tx.setElem(e, tagScore, zindexSuffix(score, member), nil)
}

// zsetAddNew adds a member known not to be in e and counts it.
func (tx *Tx) zsetAddNew(e *Entry, member []byte, score float64) error {
	if e.Count+1 > zsetMaxListpackEntries {
		e.Flags |= MetaBig // Redis converts before it inserts
	}
	if err := tx.zsetWrite(e, member, score, 0, false); err != nil {
		return err
	}
	e.Count++
	return nil
}

// zsetDelete removes member (with its current score) from e and counts
// it; the caller finishes e.
func (tx *Tx) zsetDelete(e *Entry, member []byte, score float64) error {
	if err := tx.delElem(e, tagElement, member); err != nil {
		return err
	}
	if err := tx.delElem(e, tagScore, zindexSuffix(score, member)); err != nil {
		return err
	}
	e.Count--
	return nil
}

// zexact returns the stored score of a member found in the index with
// indexed score s: the index files -0 under 0, so a zero score of a set
// that keeps -0 (MetaBig) is read from the element key.
func (tx *Tx) zexact(e *Entry, s float64, member []byte) (float64, error) {
	if s != 0 || !zsetBig(e) {
		return s, nil
	}
	v, ok, err := tx.getElem(e, member)
	if err != nil || !ok {
		return s, err
	}
	return zscoreFromBytes(v)
}

// zwalk walks e's score index in (score, member) order, descending when
// reverse, calling fn with each member's indexed score and member (valid
// only during the call) until fn returns false. seek is a score-index
// suffix: a forward walk starts at the first key ≥ seek, a reverse walk at
// the last key ≤ seek (nil: at that end). Unlike scanElems, the seek is
// exact, which binary members need. O(log N) to start, O(1) a step.
func (tx *Tx) zwalk(e *Entry, seek []byte, reverse bool, fn func(score float64, member []byte) (bool, error)) error {
	p := elementPrefix(e.Slot, tagScore, e.Version)
	it := tx.newIterator(badger.IteratorOptions{Prefix: p, Reverse: reverse, PrefetchValues: false})
	defer it.Close()
	k := append([]byte(nil), p...)
	switch {
	case seek != nil:
		k = append(k, seek...)
	case reverse:
		// Above every index key: sortable scores are at most 0xfff0….
		k = append(k, 0xff, 0xff)
	}
	for it.Seek(k); it.ValidForPrefix(p); it.Next() {
		suffix := it.Item().Key()[len(p):]
		if len(suffix) < 8 {
			return errCorruptZSet
		}
		more, err := fn(scoreFromSortable(binary.BigEndian.Uint64(suffix)), suffix[8:])
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// zscoreSeek is the 8-byte index seek of a score; with next, the seek just
// above every key of that score.
func zscoreSeek(s float64, next bool) []byte {
	u := sortableScore(s)
	if next {
		u++ // never overflows: the largest sortable score is 0xfff0…
	}
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), u)
}

// ZAddOptions are ZADD's flags (ZINCRBY is ZADD INCR).
type ZAddOptions struct {
	NX, XX, GT, LT, Incr bool
}

// ZAddResult reports what ZAdd did.
type ZAddResult struct {
	Added   int64 // new members
	Updated int64 // members whose score changed
	// Score is the member's new score with Incr, when Done.
	Score float64
	// Done: with Incr, the increment was applied (no NX/XX/GT/LT veto).
	Done bool
}

// ZAdd implements ZADD and ZINCRBY: it applies each (member, score) pair
// in order under opts, creating the key unless XX. With Incr (one pair),
// the score is added to the current one; a NaN result is ErrZSetNaN and
// nothing is written. O(P log N) for P pairs.
func (db *DB) ZAdd(key []byte, opts ZAddOptions, pairs []ZMember) (ZAddResult, error) {
	var r ZAddResult
	for _, p := range pairs {
		if len(p.Member) > ZSetMaxMemberLen {
			return r, ErrZSetMemberTooLarge
		}
	}
	err := db.update(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeZSet)
		if err != nil {
			return err
		}
		if !e.live {
			if opts.XX {
				return nil
			}
			if err := tx.newCollection(e, TypeZSet); err != nil {
				return err
			}
		}
		for _, p := range pairs {
			cur, exists, err := tx.zsetScore(e, p.Member)
			if err != nil {
				return err
			}
			score := p.Score
			if exists {
				if opts.NX {
					continue
				}
				if opts.Incr {
					score += cur
					if math.IsNaN(score) {
						r = ZAddResult{}
						return ErrZSetNaN
					}
				}
				if (opts.LT && score >= cur) || (opts.GT && score <= cur) {
					continue
				}
				r.Score, r.Done = score, true
				if score != cur {
					if err := tx.zsetWrite(e, p.Member, score, cur, true); err != nil {
						return err
					}
					r.Updated++
				}
				continue
			}
			if opts.XX {
				continue
			}
			if err := tx.zsetAddNew(e, p.Member, score); err != nil {
				return err
			}
			r.Score, r.Done = score, true
			r.Added++
		}
		if r.Added == 0 && r.Updated == 0 {
			return nil // nothing written (a fresh key stays absent)
		}
		return tx.zsetFinish(e)
	})
	if err != nil {
		return ZAddResult{}, err
	}
	return r, nil
}

// ZScore returns member's score. O(log N).
func (db *DB) ZScore(key, member []byte) (score float64, ok bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		score, ok, err = tx.zsetScore(e, member)
		return err
	})
	return score, ok, err
}

// ZMScore returns the scores of members; found[i] says whether members[i]
// is there. A missing key has no members. O(K log N) for K members.
func (db *DB) ZMScore(key []byte, members [][]byte) (scores []float64, found []bool, err error) {
	scores = make([]float64, len(members))
	found = make([]bool, len(members))
	err = db.view(func(tx *Tx) error {
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		for i, m := range members {
			if scores[i], found[i], err = tx.zsetScore(e, m); err != nil {
				return err
			}
		}
		return nil
	})
	return scores, found, err
}

// ZCard returns the number of members (0 for a missing key). O(1).
func (db *DB) ZCard(key []byte) (int64, error) {
	var n int64
	err := db.view(func(tx *Tx) error {
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		n = e.Count
		return nil
	})
	return n, err
}

// ZRem removes members and returns how many were there; the key goes when
// its last member does. O(K log N) for K members.
func (db *DB) ZRem(key []byte, members [][]byte) (int64, error) {
	var n int64
	err := db.update(func(tx *Tx) error {
		n = 0
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		for _, m := range members {
			s, ok, err := tx.zsetScore(e, m)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if err := tx.zsetDelete(e, m, s); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		return tx.zsetFinish(e)
	})
	return n, err
}

// ZRank returns member's rank, counted from the lowest score (from the
// highest when rev). ok is false when the key or member is missing.
// O(log N + min(rank, N-rank)): iterators from both ends step in turn
// until one reaches the member (Redis: O(log N)).
func (db *DB) ZRank(key, member []byte, rev bool) (rank int64, ok bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.zsetLive(key)
		if err != nil || e == nil {
			return err
		}
		s, found, err := tx.zsetScore(e, member)
		if err != nil || !found {
			return err
		}
		r, err := tx.zrankOf(e, zindexSuffix(s, member))
		if err != nil {
			return err
		}
		rank, ok = r, true
		if rev {
			rank = e.Count - 1 - r
		}
		return nil
	})
	return rank, ok, err
}

// zrankOf returns the ascending rank of the index key suffix target, which
// must exist in e: a forward and a reverse iterator advance in turn and
// the first to meet target decides.
func (tx *Tx) zrankOf(e *Entry, target []byte) (int64, error) {
	p := elementPrefix(e.Slot, tagScore, e.Version)
	fwd := tx.newIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
	defer fwd.Close()
	rev := tx.newIterator(badger.IteratorOptions{Prefix: p, Reverse: true, PrefetchValues: false})
	defer rev.Close()
	fwd.Seek(p)
	rev.Seek(append(append([]byte(nil), p...), 0xff, 0xff))
	for i := int64(0); i <= e.Count; i++ {
		if !fwd.ValidForPrefix(p) || !rev.ValidForPrefix(p) {
			break
		}
		if string(fwd.Item().Key()[len(p):]) == string(target) {
			return i, nil
		}
		if string(rev.Item().Key()[len(p):]) == string(target) {
			return e.Count - 1 - i, nil
		}
		fwd.Next()
		rev.Next()
	}
	return 0, fmt.Errorf("rank: %w", errCorruptZSet)
}
