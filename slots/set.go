package slots

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Set is a set of hash slots: a 16384-bit bitmap (2 KiB), the form slot
// claims travel in. The zero value is empty.
type Set struct {
	w [Count / 64]uint64
}

// Range is an inclusive run of slots [From, To].
type Range struct {
	From, To int
}

// String is Redis' text for a range: "5" or "0-5460".
func (r Range) String() string {
	if r.From == r.To {
		return strconv.Itoa(r.From)
	}
	return strconv.Itoa(r.From) + "-" + strconv.Itoa(r.To)
}

// Add adds slot s (0 ≤ s < Count).
func (s *Set) Add(slot int) { s.w[slot>>6] |= 1 << (slot & 63) }

// Remove removes slot s.
func (s *Set) Remove(slot int) { s.w[slot>>6] &^= 1 << (slot & 63) }

// Has reports whether slot s is in the set.
func (s *Set) Has(slot int) bool { return s.w[slot>>6]&(1<<(slot&63)) != 0 }

// AddRange adds the slots from..to inclusive.
func (s *Set) AddRange(from, to int) {
	for i := from; i <= to; i++ {
		s.Add(i)
	}
}

// Count returns the number of slots in the set.
func (s *Set) Count() int {
	n := 0
	for _, w := range s.w {
		n += bits.OnesCount64(w)
	}
	return n
}

// Empty reports whether the set has no slot.
func (s *Set) Empty() bool {
	for _, w := range s.w {
		if w != 0 {
			return false
		}
	}
	return true
}

// Ranges returns the set as coalesced ascending runs, as CLUSTER NODES and
// CLUSTER SLOTS list them.
func (s *Set) Ranges() []Range {
	var out []Range
	start := -1
	for i := 0; i <= Count; i++ {
		in := i < Count && s.Has(i)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, Range{start, i - 1})
			start = -1
		}
	}
	return out
}

// String is Redis' range text, ranges separated by spaces: "0-5460 7000".
func (s *Set) String() string {
	rs := s.Ranges()
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, " ")
}

// MarshalBinary returns the 2048-byte little-endian bitmap.
func (s *Set) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, Count/8)
	for _, w := range s.w {
		for i := 0; i < 8; i++ {
			b = append(b, byte(w>>(8*i)))
		}
	}
	return b, nil
}

// ErrBadSlots reports malformed slot text or bitmap.
var ErrBadSlots = errors.New("slots: malformed slot set")

// UnmarshalBinary reads a bitmap written by MarshalBinary.
func (s *Set) UnmarshalBinary(b []byte) error {
	if len(b) != Count/8 {
		return fmt.Errorf("%w: bitmap of %d bytes, want %d", ErrBadSlots, len(b), Count/8)
	}
	for i := range s.w {
		var w uint64
		for j := 0; j < 8; j++ {
			w |= uint64(b[8*i+j]) << (8 * j)
		}
		s.w[i] = w
	}
	return nil
}

// ParseSet parses Redis' range text ("0-5460 7000"), as written by String.
// Ranges must be within 0..Count-1 and ascending within a range.
func ParseSet(text string) (Set, error) {
	var s Set
	for _, f := range strings.Fields(text) {
		from, to := f, f
		if i := strings.IndexByte(f, '-'); i >= 0 {
			from, to = f[:i], f[i+1:]
		}
		a, err1 := parseSlot(from)
		b, err2 := parseSlot(to)
		if err1 != nil || err2 != nil || a > b {
			return Set{}, fmt.Errorf("%w: %q", ErrBadSlots, f)
		}
		s.AddRange(a, b)
	}
	return s, nil
}

func parseSlot(t string) (int, error) {
	if t == "" || len(t) > 5 || (len(t) > 1 && t[0] == '0') {
		return 0, ErrBadSlots
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 || n >= Count {
		return 0, ErrBadSlots
	}
	return n, nil
}
