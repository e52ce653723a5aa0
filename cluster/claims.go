package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/kvnode/kvnode/slots"
)

// Claim is what one primary says it serves: its slots under its config
// epoch. Every node gossips only its own claim; the slot map is resolved
// from all of them.
type Claim struct {
	ID    string
	Epoch uint64
	Slots slots.Set
}

// Digest is the value gossiped in the ClaimsDigest tag: it changes whenever
// the claimed slots or the epoch change.
func (c *Claim) Digest() uint64 {
	h := fnv.New64a()
	b, _ := c.Slots.MarshalBinary()
	h.Write(b)
	var e [8]byte
	binary.BigEndian.PutUint64(e[:], c.Epoch)
	h.Write(e[:])
	return h.Sum64()
}

// wins reports whether claim a beats claim b for a slot both claim: the
// higher config epoch wins, and of equal epochs the smaller node ID (Redis
// resolves such a tie by making the smaller ID bump its epoch, so it ends up
// winning too).
func (a *Claim) wins(b *Claim) bool {
	if a.Epoch != b.Epoch {
		return a.Epoch > b.Epoch
	}
	return a.ID < b.ID
}

// Resolve returns, for every slot, the index in claims of the claim that
// serves it, or slots.NoNode when no one claims it.
func Resolve(claims []Claim) [slots.Count]int {
	var owner [slots.Count]int
	for s := range owner {
		owner[s] = slots.NoNode
	}
	for i := range claims {
		c := &claims[i]
		if c.Slots.Empty() {
			continue
		}
		for s := 0; s < slots.Count; s++ {
			if !c.Slots.Has(s) {
				continue
			}
			if o := owner[s]; o == slots.NoNode || c.wins(&claims[o]) {
				owner[s] = i
			}
		}
	}
	return owner
}

// Lost returns the slots claims[self] claims but another claim wins: the
// node gives them up, as a Redis node does when it learns a slot went to a
// higher epoch.
func Lost(claims []Claim, owner *[slots.Count]int, self int) slots.Set {
	var lost slots.Set
	for s := 0; s < slots.Count; s++ {
		if claims[self].Slots.Has(s) && owner[s] != self {
			lost.Add(s)
		}
	}
	return lost
}

// claimWireLen is the size of an encoded claim: epoch, then the bitmap.
const claimWireLen = 8 + slots.Count/8

// encodeClaim is a claim's form in answers to the claims query.
func encodeClaim(c *Claim) []byte {
	b := make([]byte, 8, claimWireLen)
	binary.BigEndian.PutUint64(b, c.Epoch)
	bm, _ := c.Slots.MarshalBinary()
	return append(b, bm...)
}

var errBadClaim = errors.New("cluster: malformed claim")

// decodeClaim parses encodeClaim's output.
func decodeClaim(id string, b []byte) (Claim, error) {
	if len(b) != claimWireLen {
		return Claim{}, fmt.Errorf("%w: %d bytes", errBadClaim, len(b))
	}
	c := Claim{ID: id, Epoch: binary.BigEndian.Uint64(b)}
	if err := c.Slots.UnmarshalBinary(b[8:]); err != nil {
		return Claim{}, fmt.Errorf("%w: %v", errBadClaim, err)
	}
	return c, nil
}
