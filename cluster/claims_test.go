package cluster

import (
	"testing"

	"github.com/kvnode/kvnode/slots"
)

func claimOf(id string, epoch uint64, text string) Claim {
	s, err := slots.ParseSet(text)
	if err != nil {
		panic(err)
	}
	return Claim{ID: id, Epoch: epoch, Slots: s}
}

func TestResolveEpochThenID(t *testing.T) {
	a := "a" + NewID()[1:]
	b := "b" + NewID()[1:]
	claims := []Claim{
		claimOf(a, 3, "0-10"),
		claimOf(b, 5, "5-20"),
	}
	owner := Resolve(claims)
	for s, want := range map[int]int{0: 0, 4: 0, 5: 1, 10: 1, 20: 1, 21: slots.NoNode} {
		if owner[s] != want {
			t.Errorf("slot %d: owner %d, want %d", s, owner[s], want)
		}
	}
	lost := Lost(claims, &owner, 0)
	if got := lost.String(); got != "5-10" {
		t.Errorf("lost = %q, want 5-10", got)
	}
	// Equal epochs: the smaller ID wins, whatever the order of claims.
	tie := []Claim{claimOf(b, 7, "100"), claimOf(a, 7, "100")}
	if o := Resolve(tie); o[100] != 1 {
		t.Errorf("tie: owner %d, want the smaller id (index 1)", o[100])
	}
}

func TestClaimWireRoundTrip(t *testing.T) {
	c := claimOf(NewID(), 42, "0 2 4 16383 100-200")
	got, err := decodeClaim(c.ID, encodeClaim(&c))
	if err != nil {
		t.Fatal(err)
	}
	if got.Epoch != 42 || got.Slots.String() != c.Slots.String() || got.Digest() != c.Digest() {
		t.Fatalf("round trip: got epoch %d slots %q", got.Epoch, got.Slots.String())
	}
	other := c
	other.Epoch++
	if other.Digest() == c.Digest() {
		t.Error("digest ignores the epoch")
	}
	if _, err := decodeClaim(c.ID, encodeClaim(&c)[1:]); err == nil {
		t.Error("short claim decoded")
	}
}

func FuzzDecodeClaim(f *testing.F) {
	c := claimOf(NewID(), 1, "0-5460")
	f.Add(encodeClaim(&c))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeClaim("x", b)
		if err != nil {
			return
		}
		again, err := decodeClaim("x", encodeClaim(&got))
		if err != nil || again.Digest() != got.Digest() {
			t.Fatalf("re-encoding changed the claim: %v", err)
		}
	})
}
