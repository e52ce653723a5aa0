package slots

import (
	"math/rand/v2"
	"testing"
)

func TestSetRangesAndText(t *testing.T) {
	var s Set
	if !s.Empty() || s.String() != "" || s.Count() != 0 {
		t.Fatal("zero Set is not empty")
	}
	s.AddRange(0, 5460)
	s.Add(7000)
	s.AddRange(16380, 16383)
	if got, want := s.String(), "0-5460 7000 16380-16383"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
	if s.Count() != 5461+1+4 {
		t.Fatalf("Count = %d", s.Count())
	}
	s.Remove(1)
	if got, want := s.String(), "0 2-5460 7000 16380-16383"; got != want {
		t.Fatalf("after Remove(1): %q, want %q", got, want)
	}
	p, err := ParseSet(s.String())
	if err != nil || p != s {
		t.Fatalf("ParseSet(String()) = %v, %v", p.String(), err)
	}
	for _, bad := range []string{"-1", "16384", "5-3", "a", "1-", "-", "01", "1-2-3"} {
		if _, err := ParseSet(bad); err == nil {
			t.Errorf("ParseSet(%q) accepted", bad)
		}
	}
}

// TestSetWorstCaseInterleaving: every other slot, the layout the cluster
// convergence test uses, round-trips through text and bitmap.
func TestSetWorstCaseInterleaving(t *testing.T) {
	var s Set
	for i := 0; i < Count; i += 2 {
		s.Add(i)
	}
	if n := len(s.Ranges()); n != Count/2 {
		t.Fatalf("%d ranges, want %d", n, Count/2)
	}
	b, _ := s.MarshalBinary()
	var back Set
	if err := back.UnmarshalBinary(b); err != nil || back != s {
		t.Fatalf("bitmap round trip: %v", err)
	}
	if err := back.UnmarshalBinary(b[:10]); err == nil {
		t.Fatal("short bitmap accepted")
	}
}

func TestSetRandomAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s Set
	m := map[int]bool{}
	for i := 0; i < 20000; i++ {
		slot := r.IntN(Count)
		if r.IntN(3) == 0 {
			s.Remove(slot)
			delete(m, slot)
		} else {
			s.Add(slot)
			m[slot] = true
		}
	}
	if s.Count() != len(m) {
		t.Fatalf("Count %d, map %d", s.Count(), len(m))
	}
	for slot := 0; slot < Count; slot++ {
		if s.Has(slot) != m[slot] {
			t.Fatalf("slot %d: Has %v, map %v", slot, s.Has(slot), m[slot])
		}
	}
	p, err := ParseSet(s.String())
	if err != nil || p != s {
		t.Fatal("text round trip lost slots")
	}
}

func FuzzParseSet(f *testing.F) {
	f.Add("0-5460 7000")
	f.Add("16383")
	f.Add("5-3 x")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseSet(text)
		if err != nil {
			return
		}
		again, err := ParseSet(s.String())
		if err != nil || again != s {
			t.Fatalf("%q: canonical text %q does not parse back", text, s.String())
		}
	})
}
